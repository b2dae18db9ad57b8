using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Backprop.Benchmarks.Matrix;

/// <summary>
/// A column of work per second (e.g. GFLOP/s, GB/s): the work of one call divided by its best (minimum)
/// time. The best, not the mean, because this machine is shared and other work only ever slows a run
/// down; numpy_gemm.py likewise reports the best of its repeats.
/// </summary>
/// <param name="name">Column header, e.g. <c>GFLOP/s</c>.</param>
/// <param name="workPerCall">Work of one call of a case, in units of 10⁹ (flops or bytes), read from its parameters.</param>
internal sealed class ThroughputColumn(string name, Func<BenchmarkCase, double> workPerCall) : IColumn
{
    public string Id => $"{nameof(ThroughputColumn)}.{name}";
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{name}: work of one call divided by its best time";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        return statistics is null ? "?" : (workPerCall(benchmarkCase) / (statistics.Min * 1e-9)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
