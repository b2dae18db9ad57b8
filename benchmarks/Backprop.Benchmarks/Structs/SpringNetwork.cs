namespace Backprop.Benchmarks.Structs;

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
