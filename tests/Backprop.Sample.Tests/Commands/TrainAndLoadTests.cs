using System.Xml.Linq;
using Backprop.Sample.Commands;
using Backprop.Sample.Report;
using Backprop.Sample.Tests.Data;

namespace Backprop.Sample.Tests.Commands;

[Collection(ChildProcesses.Name)]
public sealed class TrainAndLoadTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Training_writes_the_report_and_a_model_that_load_evaluates_to_the_same_accuracy()
    {
        string data = _temp.Combine("data"), report = _temp.Combine("report");
        Synthetic.WriteIdx(data, train: 600, test: 200);

        SampleResult trained = SampleRun.InProcess("--data", data, "--out", report, "--epochs", "3", "--hidden", "16", "--batch", "32", "--check");

        Assert.Equal(ExitCodes.Success, trained.ExitCode);
        Assert.Empty(trained.Error);
        string[] trainLines = trained.OutputLines;
        Assert.Matches(@"^test accuracy: \d+\.\d\d%$", trainLines[^1]);
        Assert.Contains(trainLines, line => line.StartsWith("3/3", StringComparison.Ordinal));
        Assert.Contains(trainLines, line => line.Contains("gradient check", StringComparison.Ordinal));
        Assert.Contains(trainLines, line => line.Contains("confusion matrix", StringComparison.Ordinal));
        Assert.Contains($"model: saved as {Path.Combine(report, ReportFolder.ModelFile)}", trainLines);
        XDocument.Load(Path.Combine(report, ReportFolder.CurvesFile));
        XDocument.Load(Path.Combine(report, ReportFolder.MisclassifiedFile));
        // Atomic writes leave no temporary file behind.
        Assert.Equal([ReportFolder.MisclassifiedFile, ReportFolder.ModelFile, ReportFolder.CurvesFile],
            Directory.GetFiles(report).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        SampleResult loaded = SampleRun.InProcess("--data", data, "--out", _temp.Combine("evaluation"), "--load", Path.Combine(report, ReportFolder.ModelFile));

        Assert.Equal(ExitCodes.Success, loaded.ExitCode);
        Assert.Empty(loaded.Error);
        Assert.Equal(trainLines[^1], loaded.OutputLines[^1]);
        Assert.DoesNotContain(loaded.OutputLines, line => line.StartsWith("1/", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_data_is_reported_on_standard_error_with_what_to_do()
    {
        string empty = _temp.WithFiles("empty");

        SampleResult run = SampleRun.InProcess("--data", empty, "--out", _temp.Combine("out"));

        Assert.Equal(ExitCodes.DataUnavailable, run.ExitCode);
        Assert.Contains(run.ErrorLines, line => line.StartsWith($"--data {empty}: missing", StringComparison.Ordinal));
        Assert.DoesNotContain("missing", run.Output);
    }

    [Fact]
    public void Examples_prints_the_seeds_worked_examples()
    {
        SampleResult run = SampleRun.InProcess("examples");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains(run.OutputLines, line => line.StartsWith("z = (x + y)^2", StringComparison.Ordinal) && line.Contains("dz/dx = 7", StringComparison.Ordinal));
    }
}
