using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Backprop.Benchmarks.Matrix;

/// <summary>
/// Single-precision matrix product throughput on the MNIST training shapes (batch 100, 784 → 100 → 10) and
/// on 1024³, with one and two threads. <c>benchmarks/numpy_gemm.py</c> measures OpenBLAS on the same shapes.
/// </summary>
[Config(typeof(Config))]
public class MatMulBenchmarks
{
    private Matrix<float> _a = null!, _b = null!, _c = null!;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<GemmShape> Shapes =>
    [
        new("X·W", 100, 784, 100, false, false),
        new("H·W2", 100, 100, 10, false, false),
        new("Xᵀ·dY", 784, 100, 100, true, false),
        new("dY·Wᵀ", 100, 100, 784, false, true),
        new("1024³", 1024, 1024, 1024, false, false),
    ];

    [GlobalSetup]
    public void Setup()
    {
        MatrixOps.MaxDegreeOfParallelism = Threads;
        var (m, k, n) = (Shape.M, Shape.K, Shape.N);
        _a = Shape.TransposeA ? Matrix<float>.RandomNormal(k, m, 1, seed: 1) : Matrix<float>.RandomNormal(m, k, 1, seed: 1);
        _b = Shape.TransposeB ? Matrix<float>.RandomNormal(n, k, 1, seed: 2) : Matrix<float>.RandomNormal(k, n, 1, seed: 2);
        _c = new Matrix<float>(m, n);
    }

    [Benchmark]
    public void MatMul() => MatrixOps.MatMul(_a, _b, _c, Shape.TransposeA, Shape.TransposeB);

    /// <summary>C (m×n) = op(A)·op(B) with inner dimension k.</summary>
    public sealed record GemmShape(string Name, int M, int K, int N, bool TransposeA, bool TransposeB)
    {
        public double Flops => 2.0 * M * N * K;

        /// <summary>Name and m×k×n, short enough for BenchmarkDotNet's 20-character parameter column.</summary>
        public override string ToString() => $"{Name} {M}x{K}x{N}";
    }

    /// <summary>
    /// A short job with a GFLOP/s column: one launch, 3 warm-ups, then 20 iterations of about 100 ms, many
    /// short ones rather than a few long ones so that the best of them finds a quiet moment on a shared machine.
    /// </summary>
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(100)).WithIterationCount(20));
            AddDiagnoser(MemoryDiagnoser.Default);
            AddColumn(StatisticColumn.Min);
            AddColumn(new ThroughputColumn("GFLOP/s", benchmarkCase => ((GemmShape)benchmarkCase.Parameters["Shape"]).Flops / 1e9));
        }
    }
}
