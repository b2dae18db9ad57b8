using System.CommandLine;
using System.Xml.Linq;
using Backprop.Sample.Cli;
using Backprop.Sample.Commands;
using Backprop.Sample.Report;
using Backprop.Sample.Tests.Data;
using Spectre.Console;

namespace Backprop.Sample.Tests.Commands;

public sealed class TrainAndLoadTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Runs the sample's command line as <c>dotnet run</c> would, with its console captured; returns the exit code and the output's lines.</summary>
    private static (int ExitCode, string[] Lines) Run(params string[] args)
    {
        var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        var commandLine = new SampleCommandLine(o => TrainCommand.Run(o, console), o => BenchmarkCommand.Run(o, console), () => ExamplesCommand.Run(output));
        int exitCode = commandLine.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = output });
        return (exitCode, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void Training_writes_the_report_and_a_model_that_load_evaluates_to_the_same_accuracy()
    {
        string data = _temp.Combine("data"), report = _temp.Combine("report");
        Synthetic.WriteIdx(data, train: 600, test: 200);

        var (trained, trainLines) = Run("--data", data, "--out", report, "--epochs", "3", "--hidden", "16", "--batch", "32", "--check");

        Assert.Equal(ExitCodes.Success, trained);
        Assert.Matches(@"^test accuracy: \d+\.\d\d%$", trainLines[^1]);
        Assert.Contains(trainLines, line => line.StartsWith("3/3", StringComparison.Ordinal));
        Assert.Contains(trainLines, line => line.Contains("gradient check", StringComparison.Ordinal));
        Assert.Contains(trainLines, line => line.Contains("confusion matrix", StringComparison.Ordinal));
        XDocument.Load(Path.Combine(report, ReportFolder.CurvesFile));
        XDocument.Load(Path.Combine(report, ReportFolder.MisclassifiedFile));

        var (loaded, loadLines) = Run("--data", data, "--out", _temp.Combine("evaluation"), "--load", Path.Combine(report, ReportFolder.ModelFile));

        Assert.Equal(ExitCodes.Success, loaded);
        Assert.Equal(trainLines[^1], loadLines[^1]);
        Assert.DoesNotContain(loadLines, line => line.StartsWith("1/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_model_file_that_cannot_be_read_is_reported()
    {
        string data = _temp.Combine("data"), model = _temp.Combine("broken.bin");
        Synthetic.WriteIdx(data, train: 50, test: 20);
        File.WriteAllText(model, "not a model");

        var (exitCode, lines) = Run("--data", data, "--load", model);

        Assert.Equal(ExitCodes.ModelUnreadable, exitCode);
        Assert.Contains(lines, line => line.Contains("broken.bin", StringComparison.Ordinal));
    }

    [Fact]
    public void A_report_folder_that_cannot_be_written_is_reported()
    {
        string data = _temp.Combine("data"), notAFolder = _temp.Combine("file");
        Synthetic.WriteIdx(data, train: 100, test: 20);
        File.WriteAllText(notAFolder, "");

        var (exitCode, lines) = Run("--data", data, "--out", notAFolder, "--epochs", "1", "--hidden", "4");

        Assert.Equal(ExitCodes.ReportUnwritable, exitCode);
        Assert.Contains(lines, line => line.Contains("could not be written", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_data_is_reported_with_what_to_do()
    {
        var (exitCode, lines) = Run("--data", _temp.WithFiles("empty"));

        Assert.Equal(ExitCodes.DataUnavailable, exitCode);
        Assert.Contains(lines, line => line.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Examples_prints_the_seeds_worked_examples()
    {
        var (exitCode, lines) = Run("examples");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains(lines, line => line.StartsWith("z = (x + y)^2", StringComparison.Ordinal) && line.Contains("dz/dx = 7", StringComparison.Ordinal));
    }
}
