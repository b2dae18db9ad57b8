using Backprop.Sample.Commands;
using Backprop.Sample.Report;
using Backprop.Sample.Tests.Data;

namespace Backprop.Sample.Tests.Commands;

/// <summary>The sample never loses a user's work: no model replaced by a worse one, nothing trained that cannot be saved.</summary>
[Collection(ChildProcesses.Name)]
public sealed class KeepingWorkTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();
    private readonly string _data;
    private readonly string _out;

    public KeepingWorkTests()
    {
        _data = _temp.Combine("data");
        _out = _temp.Combine("out");
        Synthetic.WriteIdx(_data, train: 600, test: 200);
    }

    public void Dispose() => _temp.Dispose();

    private string ModelPath => Path.Combine(_out, ReportFolder.ModelFile);

    private SampleResult Train(params string[] extra) => SampleRun.InProcess(["--data", _data, "--out", _out, "--batch", "32", .. extra]);

    /// <summary>Training that gives a good model: 3 epochs of the usual settings, 16 hidden units.</summary>
    private SampleResult TrainWell(params string[] extra) => Train(["--epochs", "3", "--hidden", "16", .. extra]);

    /// <summary>Training that gives a poor model: 1 epoch of 1 hidden unit at a tiny learning rate.</summary>
    private SampleResult TrainPoorly(params string[] extra) => Train(["--epochs", "1", "--hidden", "1", "--lr", "0.001", .. extra]);

    /// <summary>A good model in the report folder.</summary>
    private FileSnapshot GoodModel()
    {
        Assert.Equal(ExitCodes.Success, TrainWell().ExitCode);
        return FileSnapshot.Of(_out);
    }

    [Theory]
    [InlineData("a file")]
    [InlineData("a folder below a file")]
    public void An_output_folder_that_cannot_be_written_is_an_error_before_the_data_is_read(string kind)
    {
        string file = _temp.Combine("taken");
        File.WriteAllText(file, "the user's file");
        string output = kind == "a file" ? file : Path.Combine(file, "out");
        var before = FileSnapshot.Of(_temp.Path);

        // No data at all: had the data been read first, the run would have failed on it (exit 4).
        SampleResult run = SampleRun.InProcess("--data", _temp.Combine("no-data"), "--out", output, "--epochs", "1");

        Assert.Equal(ExitCodes.ReportUnwritable, run.ExitCode);
        Assert.Contains(run.ErrorLines, line => line.StartsWith($"--out {output}: the report folder cannot be written", StringComparison.Ordinal));
        Assert.Empty(run.Output);
        before.AssertUnchanged();
    }

    [Theory]
    [InlineData("1000")]
    [InlineData("1e30")]
    public void A_diverging_run_next_to_a_good_model_stops_with_an_error_and_changes_no_file(string learningRate)
    {
        FileSnapshot good = GoodModel();

        SampleResult run = TrainWell("--lr", learningRate);

        Assert.Equal(ExitCodes.TrainingDiverged, run.ExitCode);
        Assert.Contains(run.ErrorLines, line => line.StartsWith("Training diverged: the ", StringComparison.Ordinal)
            && line.Contains("Try a smaller --lr", StringComparison.Ordinal));
        Assert.DoesNotContain("diverged", run.Output);
        good.AssertUnchanged();
        Assert.Equal(good.Files.Keys.Order(), Directory.GetFiles(_out).Order());
    }

    [Fact]
    public void A_worse_model_is_saved_under_a_number_and_the_better_one_kept()
    {
        FileSnapshot good = GoodModel();

        SampleResult run = TrainPoorly();

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        good.AssertUnchanged();
        string numbered = Path.Combine(_out, "model-2.bin");
        Assert.True(File.Exists(numbered));
        Assert.True(File.Exists(Path.Combine(_out, "training-curves-2.svg")));
        Assert.Contains(run.OutputLines, line => line.StartsWith($"model: {ModelPath} kept: on the test set this run's model scores", StringComparison.Ordinal)
            && line.EndsWith($"--force replaces it; this run's model is {numbered}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_better_model_replaces_the_old_one_and_says_so()
    {
        Assert.Equal(ExitCodes.Success, TrainPoorly().ExitCode);
        byte[] weak = File.ReadAllBytes(ModelPath);

        SampleResult run = TrainWell();

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.NotEqual(weak, File.ReadAllBytes(ModelPath));
        Assert.Contains(run.OutputLines, line => line.StartsWith($"model: {ModelPath} replaced: on the test set this run's model scores", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_out, "model-2.bin")));
    }

    [Fact]
    public void Force_replaces_a_better_model()
    {
        GoodModel();
        byte[] good = File.ReadAllBytes(ModelPath);

        SampleResult run = TrainPoorly("--force");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.NotEqual(good, File.ReadAllBytes(ModelPath));
        Assert.Contains($"model: {ModelPath} replaced, as --force asks", run.OutputLines);
    }

    [Fact]
    public void Running_the_same_training_twice_leaves_one_model()
    {
        GoodModel();
        byte[] first = File.ReadAllBytes(ModelPath);

        SampleResult run = TrainWell();

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(first, File.ReadAllBytes(ModelPath));
        Assert.Contains($"model: {ModelPath} already holds this very model (the same weights)", run.OutputLines);
        Assert.False(File.Exists(Path.Combine(_out, "model-2.bin")));
    }

    [Fact]
    public void A_model_that_cannot_be_read_is_not_replaced()
    {
        Directory.CreateDirectory(_out);
        File.WriteAllText(ModelPath, "the user's notes, not a model");
        var before = FileSnapshot.Of(_out);

        SampleResult run = TrainWell();

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        before.AssertUnchanged();
        Assert.Contains(run.OutputLines, line => line.StartsWith($"model: {ModelPath} kept: it cannot be read", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(_out, "model-2.bin")));
    }

    [Fact]
    public void An_atomic_write_that_may_not_replace_a_file_leaves_it_and_no_temporary_file()
    {
        string folder = _temp.WithFiles("atomic");
        string path = Path.Combine(folder, "kept.svg");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.WriteAllText(path, "new", overwrite: false));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }
}
