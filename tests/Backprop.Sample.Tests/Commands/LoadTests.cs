using Backprop.Data;
using Backprop.Sample.Commands;
using Backprop.Sample.Data;
using Backprop.Sample.Model;
using Backprop.Sample.Report;
using Backprop.Sample.Tests.Data;

namespace Backprop.Sample.Tests.Commands;

/// <summary><c>--load</c> checks the model file before it reads any data, and takes no training options.</summary>
[Collection(ChildProcesses.Name)]
public sealed class LoadTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();
    private readonly string _data;

    public LoadTests()
    {
        _data = _temp.Combine("data");
        Synthetic.WriteIdx(_data, train: 100, test: 40);
    }

    public void Dispose() => _temp.Dispose();

    private string Model(string name, Action<string> write)
    {
        string path = _temp.Combine(name);
        write(path);
        return path;
    }

    [Fact]
    public void A_corrupt_model_is_an_error_naming_it_before_the_data_is_read()
    {
        string model = Model("broken.bin", path => File.WriteAllText(path, "not a model"));
        var before = FileSnapshot.Of(_temp.Path);

        // The data folder does not exist: reading it first would have failed with exit code 4.
        SampleResult run = SampleRun.InProcess("--data", _temp.Combine("no-data"), "--out", _temp.Combine("out"), "--load", model);

        Assert.Equal(ExitCodes.ModelUnreadable, run.ExitCode);
        Assert.Equal([$"{model}: not a Backprop model file: it does not start with \"BPMF\"."], run.ErrorLines);
        Assert.Empty(run.Output);
        before.AssertUnchanged();
    }

    [Fact]
    public void A_model_trained_on_another_data_set_is_an_error_before_the_data_is_read()
    {
        string model = Model("fashion.bin", path => SavedModel.Save(path, Mlp.He(Synthetic.Pixels, 4, 10, seed: 1), Dataset.Fashion));
        var before = FileSnapshot.Of(_temp.Path);

        SampleResult run = SampleRun.InProcess("--data", _temp.Combine("no-data"), "--out", _temp.Combine("out"), "--load", model);

        Assert.Equal(ExitCodes.ModelUnreadable, run.ExitCode);
        Assert.Equal([$"{model}: a 16-4-10 ReLU network trained on Fashion-MNIST; it cannot be evaluated on MNIST. " +
            "Pass --dataset fashion to evaluate it on the data it was trained for."], run.ErrorLines);
        Assert.Empty(run.Output);
        before.AssertUnchanged();
    }

    [Fact]
    public void A_model_for_other_images_is_an_error_naming_both_shapes()
    {
        string model = Model("wide.bin", path => SavedModel.Save(path, Mlp.He(784, 4, 10, seed: 1), Dataset.Mnist));
        var before = FileSnapshot.Of(_temp.Path);

        SampleResult run = SampleRun.InProcess("--data", _data, "--out", _temp.Combine("out"), "--load", model);

        Assert.Equal(ExitCodes.ModelUnreadable, run.ExitCode);
        Assert.Contains($"{model}: a 784-4-10 ReLU network trained on MNIST, which cannot classify images of 16 pixels into 10 classes.", run.ErrorLines);
        before.AssertUnchanged();
    }

    [Fact]
    public void A_model_saved_before_the_data_set_was_recorded_is_evaluated_with_a_warning()
    {
        string model = Model("old.bin", path => ModelFile.Save(path, Mlp.He(Synthetic.Pixels, 4, 10, seed: 1).Tensors()));

        SampleResult run = SampleRun.InProcess("--data", _data, "--out", _temp.Combine("out"), "--load", model);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal([$"{model} does not record the data set it was trained on (it was saved by an earlier version of the sample); evaluating it on MNIST."],
            run.ErrorLines);
        Assert.Matches(@"^test accuracy: \d+\.\d\d%$", run.OutputLines[^1]);
    }

    [Theory]
    [InlineData("--epochs", "3")]
    [InlineData("--lr", "0.1")]
    [InlineData("--hidden", "8")]
    [InlineData("--optimizer", "adam")]
    [InlineData("--check")]
    [InlineData("--force")]
    public void Training_options_with_load_are_an_error_and_nothing_runs(params string[] option)
    {
        string model = Model("model.bin", path => SavedModel.Save(path, Mlp.He(Synthetic.Pixels, 4, 10, seed: 1), Dataset.Mnist));
        string output = _temp.Combine("out");
        var before = FileSnapshot.Of(_temp.Path);

        SampleResult run = SampleRun.InProcess(["--data", _data, "--out", output, "--load", model, .. option]);

        Assert.Equal(ExitCodes.InvalidOptions, run.ExitCode);
        Assert.Contains($"--load evaluates a saved model and trains nothing, so {option[0]} cannot be used with it.", run.ErrorLines);
        Assert.DoesNotContain("test accuracy", run.Output);
        Assert.False(Directory.Exists(output));
        before.AssertUnchanged();
    }

    [Fact]
    public void A_report_folder_that_cannot_be_written_is_an_error_before_the_data_is_read()
    {
        string model = Model("model.bin", path => SavedModel.Save(path, Mlp.He(Synthetic.Pixels, 4, 10, seed: 1), Dataset.Mnist));
        string file = Model("taken", path => File.WriteAllText(path, "the user's file"));
        var before = FileSnapshot.Of(_temp.Path);

        SampleResult run = SampleRun.InProcess("--data", _temp.Combine("no-data"), "--out", file, "--load", model);

        Assert.Equal(ExitCodes.ReportUnwritable, run.ExitCode);
        Assert.Contains(run.ErrorLines, line => line.StartsWith($"--out {file}: the report folder cannot be written", StringComparison.Ordinal));
        before.AssertUnchanged();
    }
}
