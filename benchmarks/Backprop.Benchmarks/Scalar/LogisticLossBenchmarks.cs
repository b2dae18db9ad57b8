using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Scalar;

/// <summary>The logistic loss: its value alone, and its gradient three ways.</summary>
// Min and Median beside the Mean: on a shared machine other processes inflate the mean; the minimum shows the code.
[MemoryDiagnoser, MinColumn, MedianColumn]
public class LogisticLossBenchmarks
{
    private double _w = 0.8;
    private double _b = -0.3;
    private double _x = 1.7;
    private double _t = 1.0;

    [Benchmark(Baseline = true)]
    public double Primal() => ScalarFunctions.LogisticLoss(_w, _b, _x, _t);

    [Benchmark]
    public double Generated() => ScalarFunctions.LogisticLossGradient(_w, _b, _x, _t, out double dw, out double db) + dw + db;

    [Benchmark]
    public double HandWritten() => HandWrittenGradients.LogisticLoss(_w, _b, _x, _t, out double dw, out double db) + dw + db;

    [Benchmark]
    public double FiniteDifferences() => FiniteDifferenceGradients.LogisticLoss(_w, _b, _x, _t, out double dw, out double db) + dw + db;
}
