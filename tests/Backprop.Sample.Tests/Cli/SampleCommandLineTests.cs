using System.CommandLine;
using Backprop.Sample.Cli;
using Backprop.Sample.Data;

namespace Backprop.Sample.Tests.Cli;

public sealed class SampleCommandLineTests
{
    private TrainOptions? _train;
    private BenchmarkOptions? _benchmark;
    private bool _examples;

    private int Run(params string[] args)
    {
        var commandLine = new SampleCommandLine(o => { _train = o; return 0; }, o => { _benchmark = o; return 0; }, () => { _examples = true; return 0; });
        return commandLine.Parse(args).Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null });
    }

    [Fact]
    public void No_arguments_train_with_the_defaults()
    {
        Assert.Equal(0, Run());

        Assert.Equal(new TrainOptions(), _train);
        Assert.Equal(0.2, _train!.EffectiveLearningRate);
    }

    [Fact]
    public void The_cnn_trains_four_epochs_at_a_quarter_of_the_rate_unless_told_otherwise()
    {
        Assert.Equal(0, Run("--model", "cnn"));
        Assert.Equal(("cnn", 4, 0.05), (_train!.Model, _train.Epochs, _train.EffectiveLearningRate));

        Assert.Equal(0, Run("--model", "cnn", "--epochs", "8"));
        Assert.Equal(8, _train!.Epochs);
    }

    [Fact]
    public void An_unknown_model_is_refused() => Assert.NotEqual(0, Run("--model", "resnet"));

    [Fact]
    public void Every_training_option_is_read()
    {
        Assert.Equal(0, Run("--epochs", "3", "--batch", "64", "--lr", "0.05", "--hidden", "32", "--optimizer", "momentum", "--seed", "7",
            "--threads", "1", "--data", "/d", "--dataset", "fashion", "--out", "/r", "--check", "--force"));

        Assert.Equal(new TrainOptions
        {
            Epochs = 3, BatchSize = 64, LearningRate = 0.05, Hidden = 32, Optimizer = "momentum", Seed = 7, Threads = 1,
            DataDirectory = "/d", Dataset = Dataset.Fashion, OutputDirectory = "/r", Check = true, Force = true,
        }, _train);
    }

    [Fact]
    public void Load_reads_the_options_that_evaluation_uses()
    {
        Assert.Equal(0, Run("--load", "m.bin", "--threads", "2", "--data", "/d", "--dataset", "fashion", "--out", "/r"));

        Assert.Equal(new TrainOptions { ModelToLoad = "m.bin", Threads = 2, DataDirectory = "/d", Dataset = Dataset.Fashion, OutputDirectory = "/r" }, _train);
    }

    [Theory]
    [InlineData("sgd", 0.1)]
    [InlineData("momentum", 0.2)]
    [InlineData("adam", 0.002)]
    public void Without_lr_each_optimizer_gets_its_own_default(string optimizer, double rate)
    {
        Run("--optimizer", optimizer);

        Assert.Equal(rate, _train!.EffectiveLearningRate);
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--batch", "-1")]
    [InlineData("--hidden", "0")]
    [InlineData("--threads", "0")]
    [InlineData("--lr", "0")]
    [InlineData("--lr", "-0.1")]
    [InlineData("--optimizer", "rmsprop")]
    [InlineData("--dataset", "cifar")]
    [InlineData("--epochs", "ten")]
    public void Invalid_values_are_errors_and_nothing_runs(string option, string value)
    {
        var commandLine = new SampleCommandLine(o => { _train = o; return 0; }, o => 0, () => 0);

        ParseResult result = commandLine.Parse(option, value);

        Assert.NotEmpty(result.Errors);
        Assert.NotEqual(0, result.Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null }));
        Assert.Null(_train);
    }

    [Fact]
    public void Benchmark_reads_its_own_options()
    {
        Assert.Equal(0, Run("benchmark", "--epochs", "2", "--runs", "5", "--threads", "1", "--data", "/d", "--hidden", "1024"));

        Assert.Equal(new BenchmarkOptions { Epochs = 2, Runs = 5, Threads = 1, DataDirectory = "/d", Hidden = 1024 }, _benchmark);
        Assert.Null(_train);
    }

    [Fact]
    public void Examples_runs_the_worked_examples()
    {
        Assert.Equal(0, Run("examples"));

        Assert.True(_examples);
        Assert.Null(_train);
    }
}
