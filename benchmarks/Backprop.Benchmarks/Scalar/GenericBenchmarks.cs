using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Scalar;

/// <summary>A generic method's generated gradient instantiated at double against the same method written for double.</summary>
// Min and Median beside the Mean: on a shared machine other processes inflate the mean; the minimum shows the code.
[MemoryDiagnoser, MinColumn, MedianColumn]
public class GenericBenchmarks
{
    private readonly double[] _x = Enumerable.Range(0, 256).Select(i => Math.Sin(i) * 2).ToArray();
    private readonly double[] _dx = new double[256];

    [Benchmark(Baseline = true)]
    public double WrittenForDouble() => GenericFunctions.DoubleLossGradient(_x, 0.7, _dx, out double dscale) + dscale;

    [Benchmark]
    public double GenericAtDouble() => GenericFunctions.GenericLossGradient(_x, 0.7, _dx, out double dscale) + dscale;
}
