using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Scalar;

/// <summary>The ten-term polynomial-exponential sum: its value alone, and its gradient three ways.</summary>
// Min and Median beside the Mean: on a shared machine other processes inflate the mean; the minimum shows the code.
[MemoryDiagnoser, MinColumn, MedianColumn]
public class PolyExpBenchmarks
{
    private double _x = 0.8;
    private double _y = 0.3;
    private double _z = 1.1;

    [Benchmark(Baseline = true)]
    public double Primal() => ScalarFunctions.PolyExp(_x, _y, _z);

    [Benchmark]
    public double Generated() => ScalarFunctions.PolyExpGradient(_x, _y, _z, out double dx, out double dy, out double dz) + dx + dy + dz;

    [Benchmark]
    public double HandWritten() => HandWrittenGradients.PolyExp(_x, _y, _z, out double dx, out double dy, out double dz) + dx + dy + dz;

    [Benchmark]
    public double FiniteDifferences() => FiniteDifferenceGradients.PolyExp(_x, _y, _z, out double dx, out double dy, out double dz) + dx + dy + dz;
}
