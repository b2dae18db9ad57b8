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

/// <summary>1,000 springs between 400 masses, seeded: positions packed (<see cref="X"/>) and as Vec3 (<see cref="Masses"/>), gradient buffers of each.</summary>
public sealed class SpringNetwork
{
    public const int MassCount = 400, SpringCount = 1_000;
    public double[] X { get; } = new double[3 * MassCount];
    public double[] Dx { get; } = new double[3 * MassCount];
    public Vec3[] Masses { get; }
    public Vec3[] DMasses { get; } = new Vec3[MassCount];
    public int[] From { get; } = new int[SpringCount];
    public int[] To { get; } = new int[SpringCount];
    public double[] Rest { get; } = new double[SpringCount];

    public SpringNetwork()
    {
        var random = new Random(15);
        for (int i = 0; i < X.Length; i++)
            X[i] = random.NextDouble() * 4 - 2;
        for (int s = 0; s < SpringCount; s++)
        {
            From[s] = random.Next(MassCount);
            To[s] = (From[s] + 1 + random.Next(MassCount - 1)) % MassCount;
            Rest[s] = 0.5 + random.NextDouble();
        }
        Masses = Enumerable.Range(0, MassCount).Select(i => new Vec3(X[3 * i], X[3 * i + 1], X[3 * i + 2])).ToArray();
    }
}
