using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Scalar;

/// <summary>The gradient of a loss through a [Differentiable] callee against the same through an implicit helper.</summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class HelperBenchmarks : LossBenchmarks
{
    [Benchmark(Baseline = true)]
    public double ThroughMarked() => HelperFunctions.LossThroughMarkedGradient(X, 0.7, Dx, out double dscale) + dscale;

    [Benchmark]
    public double ThroughImplicitHelper() => HelperFunctions.LossThroughPlainGradient(X, 0.7, Dx, out double dscale) + dscale;
}
