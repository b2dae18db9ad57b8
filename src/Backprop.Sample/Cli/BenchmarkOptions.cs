namespace Backprop.Sample.Cli;

/// <summary>
/// The settings of the <c>benchmark</c> command, which times epochs of a PyTorch reference's exact setup: for the
/// MLP, 784-100-10 ReLU (or <see cref="Hidden"/> units), 0.01·N(0, 1) weights, zero biases, float32, batch 100, plain SGD at 0.1; for the CNN, the
/// sample's CNN, He weights, zero biases, batch 100, SGD with momentum 0.9 at 0.05.
/// </summary>
public sealed record BenchmarkOptions
{
    /// <summary>The network, one of <see cref="Model.Networks.Names"/>.</summary>
    public string Model { get; init; } = "mlp";

    /// <summary>The MLP's hidden units: the reference's 100 by default (<c>pytorch_mlp.py --hidden</c> takes the same).</summary>
    public int Hidden { get; init; } = 100;

    /// <summary>Timed epochs per run.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Runs, each from a fresh initialisation seeded by its number.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>The most threads one matrix product may use.</summary>
    public int Threads { get; init; } = TrainOptions.DefaultThreads;

    /// <summary>The directory with the four MNIST files, or null to search the usual places.</summary>
    public string? DataDirectory { get; init; }
}
