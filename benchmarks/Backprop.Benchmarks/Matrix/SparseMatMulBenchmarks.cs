using Backprop.Data;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Backprop.Benchmarks.Matrix;

/// <summary>
/// The two products of an MNIST step with the input batch X (100×784): <c>X·W1</c> forward and <c>Xᵀ·dH</c> for dW1,
/// on the sparse route and on the dense kernel, side by side. X is "mnist" — the first 100 training images of
/// the sample's cached MNIST files, scaled to [0, 1] (about 19% nonzero), or synthetic data at that density when the
/// files are absent — or synthetic at a given density ("d0.30"), which places the density limit. The GFLOP/s
/// column counts the dense product's 2·m·n·k operations on both routes, so it compares time, not work done.
/// </summary>
[Config(typeof(Config))]
public class SparseMatMulBenchmarks
{
    private Matrix<float> _x = null!, _b = null!, _c = null!;

    [Params("X·W", "Xᵀ·dY")]
    public string Shape { get; set; } = null!;

    [Params("mnist", "d0.19", "d0.30", "d0.40")]
    public string Input { get; set; } = null!;

    [Params("sparse", "dense")]
    public string Route { get; set; } = null!;

    /// <summary><see cref="MatrixOps.MaxDegreeOfParallelism"/>: the product split over this many threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        MatrixOps.MaxDegreeOfParallelism = Threads;
        SparseGemm.Route = Route == "sparse" ? SparseRoute.Sparse : SparseRoute.Dense;
        _x = Input == "mnist" ? MnistBatch() : Synthetic(double.Parse(Input[1..], System.Globalization.CultureInfo.InvariantCulture));
        bool transposeA = Shape == "Xᵀ·dY";
        _b = transposeA ? Matrix<float>.RandomNormal(100, 100, 1, seed: 2) : Matrix<float>.RandomNormal(784, 100, 1, seed: 2);
        _c = transposeA ? new Matrix<float>(784, 100) : new Matrix<float>(100, 100);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SparseGemm.Route = SparseRoute.Automatic;
        MatrixOps.MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount);
    }

    [Benchmark]
    public void MatMul() => MatrixOps.MatMul(_x, _b, _c, transposeA: Shape == "Xᵀ·dY");

    /// <summary>The first 100 MNIST training images, 784 pixels in [0, 1]; synthetic at MNIST's density without the files.</summary>
    private static Matrix<float> MnistBatch()
    {
        string cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string path = Path.Combine(Environment.GetEnvironmentVariable("BACKPROP_DATA") ?? Path.Combine(cache, "backprop", "mnist"), "train-images-idx3-ubyte");
        if (!File.Exists(path))
            return Synthetic(0.19);
        var images = IdxReader.ReadImages(path);
        var batch = new Matrix<float>(100, images.Columns);
        images.Span[..batch.Span.Length].CopyTo(batch.Span);
        return batch;
    }

    /// <summary>100×784, a <paramref name="density"/> fraction of entries uniform in (0, 1], the rest 0, at random places.</summary>
    private static Matrix<float> Synthetic(double density)
    {
        var random = new Random(1);
        var x = new Matrix<float>(100, 784);
        for (int i = 0; i < x.Span.Length; i++)
            x.Span[i] = random.NextDouble() < density ? (float)(1 - random.NextDouble()) : 0f;
        return x;
    }

    /// <summary>As <see cref="MatMulBenchmarks"/>: one launch, 3 warm-ups, 20 iterations of about 100 ms, best iteration's GFLOP/s.</summary>
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(100)).WithIterationCount(20));
            AddDiagnoser(MemoryDiagnoser.Default);
            AddColumn(StatisticColumn.Min);
            AddColumn(new ThroughputColumn("GFLOP/s", _ => 2.0 * 100 * 784 * 100 / 1e9));
        }
    }
}
