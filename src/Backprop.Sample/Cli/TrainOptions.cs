using Backprop.Sample.Data;

namespace Backprop.Sample.Cli;

/// <summary>
/// The settings of a training run (or, with <see cref="ModelToLoad"/>, of an evaluation). The defaults
/// reach at least 98% test accuracy on MNIST in well under 30 seconds on two cores.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 8;

    /// <summary>
    /// The epochs a network trains for when <c>--epochs</c> is not given: 8 for the MLP, 4 for the CNN, which the
    /// PyTorch reference brings to 99.0% in 4 epochs at a constant rate (this sample's cosine decay does no worse).
    /// </summary>
    public static int DefaultEpochs(string model) => model == "cnn" ? 4 : new TrainOptions().Epochs;

    /// <summary>Examples per mini-batch.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>The initial learning rate; null for the optimizer's default (<see cref="DefaultLearningRate"/>).</summary>
    public double? LearningRate { get; init; }

    /// <summary>The network, one of <see cref="Model.Networks.Names"/>: the MLP, or the CNN of the PyTorch reference.</summary>
    public string Model { get; init; } = "mlp";

    /// <summary>Hidden units of the MLP.</summary>
    public int Hidden { get; init; } = 256;

    /// <summary>The optimizer's name, one of <see cref="Backprop.Training.Optimizers.Names"/>.</summary>
    public string Optimizer { get; init; } = "momentum";

    /// <summary>Seeds the initial weights and the order of the batches.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// The most threads one matrix product may use (<see cref="MatrixOps.MaxDegreeOfParallelism"/>). The default
    /// is <see cref="DefaultThreads"/>.
    /// </summary>
    public int Threads { get; init; } = DefaultThreads;

    /// <summary>The directory with the four IDX files, or null to search the usual places.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Which data set to train on.</summary>
    public Dataset Dataset { get; init; } = Dataset.Mnist;

    /// <summary>The report folder.</summary>
    public string OutputDirectory { get; init; } = "out";

    /// <summary>A saved model to evaluate on the test set instead of training, or null.</summary>
    public string? ModelToLoad { get; init; }

    /// <summary>Check the gradient against finite differences before training.</summary>
    public bool Check { get; init; }

    /// <summary>Replace the report folder's model even if this run's is not better on the test set.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// One thread: on the shared 2-core machines this sample is measured on, the second core is often taken, and a
    /// product split across two threads then waits for the slower one. With that core free, <c>--threads 2</c> pays
    /// (the default run: 2.4 s against 2.9–3.0 s; README).
    /// </summary>
    public const int DefaultThreads = 1;

    /// <summary>The learning rate used: <see cref="LearningRate"/> if set, otherwise the optimizer's default.</summary>
    public double EffectiveLearningRate => LearningRate ?? DefaultLearningRate(Optimizer, Model);

    /// <summary>
    /// The initial learning rate each optimizer trains the MLP well with, under the cosine decay the
    /// trainer applies: 0.2 for momentum, 0.002 for Adam, 0.1 for plain SGD (momentum's and Adam's tuned on
    /// MNIST, 784-256-10, batch 100, 8–10 epochs; see README). The CNN takes a quarter of each, which for
    /// momentum is the PyTorch reference's 0.05.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown optimizer.</exception>
    public static double DefaultLearningRate(string optimizer, string model = "mlp") =>
        model == "cnn" ? DefaultLearningRate(optimizer) / 4 : optimizer.ToLowerInvariant() switch
    {
        "momentum" => 0.2,
        "adam" => 0.002,
        "sgd" => 0.1,
        _ => throw new ArgumentException($"Unknown optimizer '{optimizer}'.", nameof(optimizer)),
    };
}
