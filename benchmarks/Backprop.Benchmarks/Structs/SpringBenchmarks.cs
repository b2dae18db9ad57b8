using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Structs;

/// <summary>
/// The gradient of a spring network's energy over <see cref="Vec3"/> and its operators, 1,000 springs between 400 masses
/// (seeded): the generated gradient against a hand-written one and the energy alone.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class SpringBenchmarks
{
    private const int Masses = 400, Springs = 1_000;
    private readonly double[] _x = new double[3 * Masses];
    private readonly double[] _dx = new double[3 * Masses];
    private readonly int[] _from = new int[Springs];
    private readonly int[] _to = new int[Springs];
    private readonly double[] _rest = new double[Springs];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(15);
        for (int i = 0; i < _x.Length; i++)
            _x[i] = random.NextDouble() * 4 - 2;
        for (int s = 0; s < Springs; s++)
        {
            _from[s] = random.Next(Masses);
            _to[s] = (_from[s] + 1 + random.Next(Masses - 1)) % Masses;
            _rest[s] = 0.5 + random.NextDouble();
        }
    }

    [Benchmark]
    public double Primal() => SpringFunctions.Energy(_x, _from, _to, _rest, 1.3);

    [Benchmark(Baseline = true)]
    public double HandWritten() => SpringFunctions.EnergyByHand(_x, _from, _to, _rest, 1.3, _dx, out double dk) + dk + _dx[0];

    [Benchmark]
    public double Generated() => SpringFunctions.EnergyGradient(_x, _from, _to, _rest, 1.3, _dx, out double dk) + dk + _dx[0];
}
