using Spectre.Console;

namespace Backprop.Sample.Display;

/// <summary>
/// Where the sample writes: results to standard output, errors and warnings to standard error, each as a console
/// that draws for a terminal or writes plain lines for a file or pipe.
/// </summary>
/// <param name="Output">Results: the data set, the epochs, the tables, the report's files, the last line.</param>
/// <param name="Error">Errors and warnings.</param>
/// <param name="OutputWriter">Standard output as text, for the commands that print plain lines.</param>
/// <param name="ErrorWriter">Standard error as text, where the command line's own parse errors go.</param>
public sealed record StandardStreams(IAnsiConsole Output, IAnsiConsole Error, TextWriter OutputWriter, TextWriter ErrorWriter)
{
    /// <summary>
    /// The width a console has when it writes to a file or pipe: wide enough that no line is ever wrapped, since
    /// whatever reads the file wraps (or not) as it sees fit.
    /// </summary>
    public const int UnwrappedWidth = 100_000;

    /// <summary>The process's standard output and error, each drawn for a terminal only when it is one.</summary>
    public static StandardStreams FromConsole()
    {
        var (output, outputWriter) = For(Console.Out, isTerminal: !Console.IsOutputRedirected);
        var (error, errorWriter) = For(Console.Error, isTerminal: !Console.IsErrorRedirected);
        return new(output, error, outputWriter, errorWriter);
    }

    /// <summary>Two writers that are files or pipes (not terminals), e.g. captured by a test.</summary>
    public static StandardStreams Redirected(TextWriter output, TextWriter error)
    {
        var (outputConsole, outputWriter) = For(output, isTerminal: false);
        var (errorConsole, errorWriter) = For(error, isTerminal: false);
        return new(outputConsole, errorConsole, outputWriter, errorWriter);
    }

    /// <summary>
    /// A console on <paramref name="writer"/>, and the writer to print plain lines to. On a terminal, Spectre's own
    /// detection of colours, width and interactivity. Elsewhere plain text: no colours or escape codes, no progress
    /// display (it is interactive only), no wrapping (<see cref="UnwrappedWidth"/>) and no trailing spaces
    /// (<see cref="TrailingWhitespaceTrimmer"/>, which the returned writer goes through too).
    /// </summary>
    private static (IAnsiConsole Console, TextWriter Writer) For(TextWriter writer, bool isTerminal)
    {
        if (isTerminal)
            return (AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) }), writer);
        var trimmed = new TrailingWhitespaceTrimmer(writer);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(trimmed),
        });
        console.Profile.Width = UnwrappedWidth;
        return (console, trimmed);
    }

    /// <summary>Writes an error to <see cref="Error"/>, in red on a terminal.</summary>
    public void Fail(string message) => Error.MarkupLine($"[red]{Markup.Escape(message)}[/]");

    /// <summary>Writes a warning to <see cref="Error"/>, in yellow on a terminal.</summary>
    public void Warn(string message) => Error.MarkupLine($"[yellow]{Markup.Escape(message)}[/]");
}
