using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Structs;

/// <summary>
/// The gradient of a spring network's energy over <see cref="Vec3"/> and its operators, 1,000 springs between 400 masses
/// (seeded), positions packed three doubles a mass: the generated gradient against a hand-written one and the energy alone.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class SpringBenchmarks
{
    private readonly SpringNetwork _network = new();

    [Benchmark]
    public double Primal() => SpringFunctions.Energy(_network.X, _network.From, _network.To, _network.Rest, 1.3);

    [Benchmark(Baseline = true)]
    public double HandWritten() => SpringFunctions.EnergyByHand(_network.X, _network.From, _network.To, _network.Rest, 1.3, _network.Dx, out double dk) + dk + _network.Dx[0];

    [Benchmark]
    public double Generated() => SpringFunctions.EnergyGradient(_network.X, _network.From, _network.To, _network.Rest, 1.3, _network.Dx, out double dk) + dk + _network.Dx[0];
}

/// <summary>The same network with its positions an array of <see cref="Vec3"/>, and its gradient one too.</summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class SpringArrayBenchmarks
{
    private readonly SpringNetwork _network = new();

    [Benchmark]
    public double Primal() => SpringFunctions.EnergyOfMasses(_network.Masses, _network.From, _network.To, _network.Rest, 1.3);

    [Benchmark(Baseline = true)]
    public double HandWritten() => SpringFunctions.EnergyOfMassesByHand(_network.Masses, _network.From, _network.To, _network.Rest, 1.3, _network.DMasses, out double dk) + dk + _network.DMasses[0].X;

    [Benchmark]
    public double Generated() => SpringFunctions.EnergyOfMassesGradient(_network.Masses, _network.From, _network.To, _network.Rest, 1.3, _network.DMasses, out double dk) + dk + _network.DMasses[0].X;
}
