using Backprop.Sample.Cli;
using Backprop.Sample.Commands;
using Backprop.Sample.Display;
using Backprop.Sample.Report;
using Backprop.Sample.Tests.Data;
using Backprop.Testing;
using Spectre.Console;

namespace Backprop.Sample.Tests.Commands;

/// <summary>Errors go to standard error; output to a file or pipe is plain; tables fit narrow terminals; --version is the package's.</summary>
[Collection(ChildProcesses.Name)]
public sealed class OutputTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();
    private readonly string _data;

    public OutputTests()
    {
        _data = _temp.Combine("data");
        Synthetic.WriteIdx(_data, train: 300, test: 100);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>A report folder whose path alone is longer than a terminal's 80 columns.</summary>
    private string LongOutputPath => _temp.Combine("a-report-folder-with-a-name-long-enough-that-its-path-needs-more-than-eighty-columns");

    private static void AssertPlain(string text)
    {
        string[] lines = text.Split('\n');
        Assert.All(lines, line => Assert.Equal(line.TrimEnd(), line));
        Assert.DoesNotContain('\u001b', text); // no escape codes (colours, cursor)
        // The progress bar's description, which Spectre prints as a line now and then when it cannot redraw.
        Assert.DoesNotContain(lines, line => line.Contains("  loss ", StringComparison.Ordinal));
    }

    [Fact]
    public void Redirected_output_is_not_wrapped_has_no_trailing_spaces_and_no_progress_lines()
    {
        string output = LongOutputPath;

        SampleResult run = SampleRun.AsProcess(new Dictionary<string, string?>(), "--data", _data, "--out", output, "--epochs", "2", "--hidden", "8", "--check");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Empty(run.Error);
        AssertPlain(run.Output);
        Assert.Contains($"model: saved as {Path.Combine(output, ReportFolder.ModelFile)}", run.Output.Split('\n'));
        Assert.Contains(run.Output.Split('\n'), line => line.StartsWith("report: ", StringComparison.Ordinal)
            && line.EndsWith(Path.Combine(output, ReportFolder.ModelFile), StringComparison.Ordinal));
        Assert.Matches(@"^test accuracy: \d+\.\d\d%$", run.OutputLines[^1]);
    }

    [Fact]
    public void Errors_go_to_standard_error_alone_with_their_exit_code()
    {
        string empty = _temp.WithFiles("empty");

        SampleResult run = SampleRun.AsProcess(new Dictionary<string, string?>(), "--data", empty, "--out", _temp.Combine("out"));

        Assert.Equal(ExitCodes.DataUnavailable, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith($"--data {empty}: missing train-images-idx3-ubyte", run.Error);
        AssertPlain(run.Error);
    }

    [Fact]
    public void An_incomplete_BACKPROP_DATA_is_an_error_naming_the_folder_and_the_missing_files_though_the_cache_is_complete()
    {
        string incomplete = _temp.Combine("incomplete");
        Synthetic.WriteIdx(incomplete, train: 10, test: 10);
        File.Delete(Path.Combine(incomplete, "t10k-labels-idx1-ubyte"));
        Synthetic.WriteIdx(_temp.Combine("cache", "backprop", "mnist"), train: 100, test: 40);
        string output = _temp.Combine("out");

        SampleResult run = SampleRun.AsProcess(new Dictionary<string, string?>
        {
            ["BACKPROP_DATA"] = incomplete,
            ["XDG_CACHE_HOME"] = _temp.Combine("cache"),
        }, "--out", output, "--epochs", "1");

        Assert.Equal(ExitCodes.DataUnavailable, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Equal([$"BACKPROP_DATA={incomplete}: missing t10k-labels-idx1-ubyte (each may also be gzip-compressed with a .gz suffix)."], run.ErrorLines);
        Assert.Empty(Directory.GetFiles(output));
    }

    [Fact]
    public void A_narrow_terminal_gets_plain_lines_with_whole_numbers_and_names_instead_of_tables()
    {
        const int width = 50;
        SampleResult run = SampleRun.InProcess((output, error) => Narrow(output, error, width),
            "--data", _data, "--dataset", "fashion", "--out", _temp.Combine("out"), "--epochs", "2", "--hidden", "8", "--check");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.Output.Split('\n');
        Assert.All(lines, line => Assert.InRange(line.Length, 0, width));
        Assert.DoesNotContain('│', run.Output);
        Assert.Contains(lines, line => line.StartsWith("epoch 2/2: train loss", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("W1: ", StringComparison.Ordinal));
        // Every class's line starts with its whole name and whole counts, e.g. "Ankle boot: 9 of 10 right (90.0%)".
        foreach (string name in Backprop.Sample.Data.DatasetClasses.Names(Backprop.Sample.Data.Dataset.Fashion))
            Assert.Contains(lines, line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^{name}: \d+ of \d+ right"));
    }

    [Fact]
    public void A_terminal_wide_enough_gets_the_tables()
    {
        SampleResult run = SampleRun.InProcess((output, error) => Narrow(output, error, 150),
            "--data", _data, "--dataset", "fashion", "--out", _temp.Combine("out"), "--epochs", "1", "--hidden", "8");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains(run.OutputLines, line => line.StartsWith("│ true", StringComparison.Ordinal) && line.Contains("│ Ankle boot │", StringComparison.Ordinal));
        Assert.Contains(run.OutputLines, line => line.StartsWith("epoch   train loss", StringComparison.Ordinal));
    }

    [Fact]
    public void Version_is_the_package_version_of_the_runtime_project()
    {
        string project = File.ReadAllText(RepositoryPaths.Get("src", "Backprop.Runtime", "Backprop.Runtime.csproj"));
        string version = System.Text.RegularExpressions.Regex.Match(project, "<Version>([^<]+)</Version>").Groups[1].Value;

        SampleResult run = SampleRun.InProcess("--version");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal([version], run.OutputLines);
    }

    /// <summary>Consoles as on a terminal <paramref name="width"/> columns wide, but without colours or a progress bar, so the text can be compared.</summary>
    private static StandardStreams Narrow(TextWriter output, TextWriter error, int width)
    {
        IAnsiConsole Console(TextWriter writer)
        {
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(writer),
            });
            console.Profile.Width = width;
            return console;
        }
        return new StandardStreams(Console(output), Console(error), output, error);
    }
}
