using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Scalar;

/// <summary>The gradient of a loss through a [Differentiable] callee against the same through an implicit helper.</summary>
// Min and Median beside the Mean: on a shared machine other processes inflate the mean; the minimum shows the code.
[MemoryDiagnoser, MinColumn, MedianColumn]
public class HelperBenchmarks
{
    private readonly double[] _x = Enumerable.Range(0, 256).Select(i => Math.Sin(i) * 2).ToArray();
    private readonly double[] _dx = new double[256];

    [Benchmark(Baseline = true)]
    public double ThroughMarked() => HelperFunctions.LossThroughMarkedGradient(_x, 0.7, _dx, out double dscale) + dscale;

    [Benchmark]
    public double ThroughImplicitHelper() => HelperFunctions.LossThroughPlainGradient(_x, 0.7, _dx, out double dscale) + dscale;
}
