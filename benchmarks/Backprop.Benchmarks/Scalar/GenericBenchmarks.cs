using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Scalar;

/// <summary>A generic method's generated gradient instantiated at double against the same method written for double.</summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class GenericBenchmarks : LossBenchmarks
{
    [Benchmark(Baseline = true)]
    public double WrittenForDouble() => GenericFunctions.DoubleLossGradient(X, 0.7, Dx, out double dscale) + dscale;

    [Benchmark]
    public double GenericAtDouble() => GenericFunctions.GenericLossGradient(X, 0.7, Dx, out double dscale) + dscale;
}
