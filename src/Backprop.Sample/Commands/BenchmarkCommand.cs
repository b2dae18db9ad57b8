using System.Globalization;
using System.Runtime.Intrinsics;
using Backprop.Sample.Cli;
using Backprop.Sample.Data;
using Backprop.Sample.Display;
using Backprop.Sample.Evaluation;
using Backprop.Sample.Model;
using Backprop.Sample.Training;
using Backprop.Training;
using Spectre.Console;

namespace Backprop.Sample.Commands;

/// <summary>
/// <c>benchmark</c>: times training epochs of exactly the setup of a PyTorch reference (run side by side by
/// <c>benchmarks/mnist_vs_pytorch.sh</c>). For the MLP (<c>../shared/bench/pytorch_mlp.py</c>): 784-100-10 ReLU (or <c>--hidden</c> units),
/// weights 0.01·N(0, 1), zero biases, float32, batch 100, plain SGD at 0.1. For the CNN (<c>--model cnn</c>,
/// <c>../shared/bench/pytorch_cnn.py</c>): the sample's <see cref="Cnn"/>, He weights, zero biases, batch 100, SGD
/// with momentum 0.9 at 0.05. It trains warm-up epochs (<see cref="WarmUpEpochs"/>; the reference one: it has no JIT
/// to wait for), then <c>--runs</c> runs of <c>--epochs</c> epochs from fresh weights, and prints the median epoch time last.
/// </summary>
public static class BenchmarkCommand
{
    /// <summary>The reference batch size.</summary>
    public const int BatchSize = 100;

    /// <summary>Epochs trained, untimed, before the timed runs: the MLP's epochs are short, and the JIT needs three of them to finish optimising; one of the CNN's 600 long steps suffices.</summary>
    public static int WarmUpEpochs(string model) => model == "cnn" ? 1 : 3;

    /// <summary>The CNN reference's learning rate, with momentum 0.9.</summary>
    public const double CnnLearningRate = 0.05;

    /// <summary>The reference learning rate.</summary>
    public const double LearningRate = 0.1;

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(BenchmarkOptions options, StandardStreams streams)
    {
        MatrixOps.MaxDegreeOfParallelism = options.Threads;
        if (DataLoading.TryLoad(streams, Dataset.Mnist, options.DataDirectory) is not { } data)
            return ExitCodes.DataUnavailable;
        IAnsiConsole console = streams.Output;

        // Warm-up: buffers, helper threads, and the JIT, whose tiered compilation promotes hot methods to optimised code in
        // the background over the first few hundred milliseconds; after one warm-up epoch the first timed run still took
        // 0.14 and 0.10 s for epochs that take 0.06 s once it is done.
        TrainRun(data, options, WarmUpEpochs(options.Model), seed: 1);
        var seconds = new List<double>();
        for (int run = 0; run < options.Runs; run++)
        {
            (double[] times, double accuracy, long bytesPerStep) = TrainRun(data, options, options.Epochs, seed: run);
            seconds.AddRange(times);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run}: epoch seconds {string.Join(' ', times.Select(t => t.ToString("0.000", CultureInfo.InvariantCulture)))} | test accuracy {accuracy:0.0000} | {bytesPerStep} bytes allocated per step"));
        }
        console.WriteLine($"backprop {(options.Model == "cnn" ? "cnn" : $"mlp 784-{options.Hidden}-10")}, {options.Threads} thread(s), float32, {(Vector512.IsHardwareAccelerated ? "AVX-512" : "no AVX-512")}");
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"backprop epoch seconds median: {Median(seconds):0.000}"));
        return ExitCodes.Success;
    }

    private static (double[] Seconds, double TestAccuracy, long BytesPerStep) TrainRun(MnistData data, BenchmarkOptions options, int epochs, int seed)
    {
        INetwork model = options.Model == "cnn"
            ? Cnn.He(MnistData.ClassCount, seed)
            : Mlp.SmallNormal(data.TrainImages.Columns, options.Hidden, MnistData.ClassCount, seed);
        var batches = data.TrainingBatches(BatchSize, seed);
        Trainer trainer = options.Model == "cnn"
            ? Trainer.Create(model, "momentum", CnnLearningRate, batches)
            : Trainer.Create(model, "sgd", LearningRate, batches);
        var seconds = new double[epochs];
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = 0; epoch < epochs; epoch++)
            seconds[epoch] = trainer.RunEpoch().Seconds;
        long bytesPerStep = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (epochs * (long)batches.BatchesPerEpoch);
        double accuracy = new Evaluator(model, data.TestImages, data.TestLabels).Evaluate().Accuracy;
        return (seconds, accuracy, bytesPerStep);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
