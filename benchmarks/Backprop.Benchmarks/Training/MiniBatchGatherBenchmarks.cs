using Backprop.Training;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Backprop.Benchmarks.Training;

/// <summary>
/// Gathering one epoch's shuffled 100-row batches out of an MNIST-sized training set (60,000 × 784), from a float
/// matrix (188 MB, the rows copied) and from the same values kept as bytes (47 MB, each row widened and divided by
/// 255 as it is gathered). The data are random bytes: the gather's cost does not depend on the values.
/// </summary>
[Config(typeof(Config))]
public class MiniBatchGatherBenchmarks
{
    private MiniBatches _batches = null!;

    [Params("float", "byte")]
    public string Store { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        const int rows = 60_000, columns = 784;
        byte[] pixels = new byte[rows * columns];
        new Random(1).NextBytes(pixels);
        int[] labels = new int[rows];
        if (Store == "byte")
        {
            _batches = new MiniBatches(pixels, columns, 255f, labels, 100, seed: 0);
            return;
        }
        var images = new Matrix<float>(rows, columns);
        for (int i = 0; i < pixels.Length; i++)
            images.Span[i] = pixels[i] / 255f;
        _batches = new MiniBatches(images, labels, 100, seed: 0);
    }

    /// <summary>One epoch: 600 batches; the time per batch is this over 600.</summary>
    [Benchmark]
    public int Epoch()
    {
        int rows = 0;
        foreach (MiniBatch batch in _batches.NextEpoch())
            rows += batch.Count;
        return rows;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(200)).WithIterationCount(15));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }
}
