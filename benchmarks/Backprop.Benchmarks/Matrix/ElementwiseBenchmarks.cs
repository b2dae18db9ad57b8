using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;
using static Backprop.MatrixOps;

namespace Backprop.Benchmarks.Matrix;

/// <summary>
/// Memory throughput of elementwise operations and their pullbacks on float matrices, in place where the
/// API allows it. Sizes: an MNIST activation (100×100, in L1/L2) and a 4096×4096 matrix (64 MiB, beyond L2).
/// </summary>
[Config(typeof(Config))]
public class ElementwiseBenchmarks
{
    private Matrix<float> _x = null!, _y = null!, _dY = null!, _dX = null!, _bias = null!;

    [Params(100, 4096)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _x = Matrix<float>.RandomNormal(Size, Size, 1, seed: 1);
        _y = Matrix<float>.RandomNormal(Size, Size, 1, seed: 2);
        _dY = Matrix<float>.RandomNormal(Size, Size, 1, seed: 3);
        _dX = new Matrix<float>(Size, Size);
        _bias = Matrix<float>.RandomNormal(1, Size, 1, seed: 4);
    }

    /// <summary>Matrices read plus written by each benchmark, for the GB/s column.</summary>
    private static readonly Dictionary<string, int> MatricesTouched = new()
    {
        [nameof(Add)] = 3, [nameof(AddBias)] = 2, [nameof(Relu)] = 2, [nameof(ReluPullback)] = 3,
        [nameof(Sigmoid)] = 2, [nameof(SigmoidPullback)] = 3, [nameof(Softmax)] = 2,
    };

    [Benchmark] public void Add() => MatrixOps.Add(_x, _y, _dX);
    [Benchmark] public void AddBias() => AddRowVector(_x, _bias, _dX);
    [Benchmark] public void Relu() => MatrixOps.Relu(_x, _dX);
    [Benchmark] public void ReluPullback() => MatrixOps.ReluPullback(_x, _y, _dY, _dX);
    [Benchmark] public void Sigmoid() => MatrixOps.Sigmoid(_x, _dX);
    [Benchmark] public void SigmoidPullback() => MatrixOps.SigmoidPullback(_x, _y, _dY, _dX);
    [Benchmark] public void Softmax() => MatrixOps.Softmax(_x, _dX);

    /// <summary>The same short job as <see cref="MatMulBenchmarks"/>, with a GB/s column.</summary>
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(100)).WithIterationCount(20));
            AddDiagnoser(MemoryDiagnoser.Default);
            AddColumn(StatisticColumn.Min);
            AddColumn(new ThroughputColumn("GB/s", benchmarkCase =>
            {
                int size = (int)benchmarkCase.Parameters["Size"];
                return MatricesTouched[benchmarkCase.Descriptor.WorkloadMethod.Name] * (double)size * size * sizeof(float) / 1e9;
            }));
        }
    }
}
