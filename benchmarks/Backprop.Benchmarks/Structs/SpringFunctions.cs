namespace Backprop.Benchmarks.Structs;

/// <summary>A 3-vector as numerical C# writes one: a readonly record struct with operators.</summary>
public readonly record struct Vec3(double X, double Y, double Z)
{
    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vec3 operator *(double s, Vec3 a) => new(s * a.X, s * a.Y, s * a.Z);
    public static Vec3 operator *(Vec3 a, double s) => new(s * a.X, s * a.Y, s * a.Z);
    public static double Dot(Vec3 a, Vec3 b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z;
    public double Length() => Math.Sqrt(Dot(this, this));
}

/// <summary>
/// The energy of a spring network, Σₛ ½k(|x_from − x_to| − restₛ)², its positions packed three doubles a mass, over
/// <see cref="Vec3"/> and its operators; and its gradient written by hand.
/// </summary>
public static partial class SpringFunctions
{
    private static Vec3 At(double[] x, int mass) => new(x[3 * mass], x[3 * mass + 1], x[3 * mass + 2]);

    [Differentiable]
    public static double Energy(double[] x, [NoDerivative] int[] from, [NoDerivative] int[] to, [NoDerivative] double[] rest, double k)
    {
        double energy = 0;
        for (int s = 0; s < from.Length; s++)
        {
            Vec3 d = At(x, from[s]) - At(x, to[s]);
            double stretch = d.Length() - rest[s];
            energy += 0.5 * k * stretch * stretch;
        }
        return energy;
    }

    /// <summary>The same energy over the masses' positions as an array of <see cref="Vec3"/>, as numerical C# holds them.</summary>
    [Differentiable]
    public static double EnergyOfMasses(Vec3[] x, [NoDerivative] int[] from, [NoDerivative] int[] to, [NoDerivative] double[] rest, double k)
    {
        double energy = 0;
        for (int s = 0; s < from.Length; s++)
        {
            Vec3 d = x[from[s]] - x[to[s]];
            double stretch = d.Length() - rest[s];
            energy += 0.5 * k * stretch * stretch;
        }
        return energy;
    }

    /// <summary>The gradient of <see cref="EnergyOfMasses"/> as a careful human writes it, with the same <see cref="Vec3"/> operators.</summary>
    public static double EnergyOfMassesByHand(Vec3[] x, int[] from, int[] to, double[] rest, double k, Vec3[] dx, out double dk)
    {
        Array.Clear(dx);
        double halfSquares = 0;
        for (int s = 0; s < from.Length; s++)
        {
            Vec3 d = x[from[s]] - x[to[s]];
            double length = d.Length();
            double stretch = length - rest[s];
            halfSquares += 0.5 * stretch * stretch;
            Vec3 pull = d * (k * stretch / length);
            dx[from[s]] += pull;
            dx[to[s]] -= pull;
        }
        dk = halfSquares;
        return k * halfSquares;
    }

    /// <summary>The gradient of <see cref="Energy"/> as a careful human writes it: one pass, each length computed once.</summary>
    public static double EnergyByHand(double[] x, int[] from, int[] to, double[] rest, double k, double[] dx, out double dk)
    {
        Array.Clear(dx);
        double energy = 0, halfSquares = 0;
        for (int s = 0; s < from.Length; s++)
        {
            int a = 3 * from[s], b = 3 * to[s];
            double dx0 = x[a] - x[b], dy = x[a + 1] - x[b + 1], dz = x[a + 2] - x[b + 2];
            double length = Math.Sqrt(dx0 * dx0 + dy * dy + dz * dz);
            double stretch = length - rest[s];
            halfSquares += 0.5 * stretch * stretch;
            double scale = k * stretch / length;
            dx[a] += scale * dx0;
            dx[a + 1] += scale * dy;
            dx[a + 2] += scale * dz;
            dx[b] -= scale * dx0;
            dx[b + 1] -= scale * dy;
            dx[b + 2] -= scale * dz;
        }
        energy = k * halfSquares;
        dk = halfSquares;
        return energy;
    }
}
