using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>A 3-vector with operators and members, as numerical C# writes one.</summary>
public readonly record struct Vec3(double X, double Y, double Z)
{
    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vec3 operator -(Vec3 a) => new(-a.X, -a.Y, -a.Z);
    public static Vec3 operator *(double s, Vec3 a) => new(s * a.X, s * a.Y, s * a.Z);
    public static double Dot(Vec3 a, Vec3 b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z;
    public double LengthSquared => Dot(this, this);
    public double Length() => Math.Sqrt(LengthSquared);
    public Vec3 Cross(Vec3 b) => new(Y * b.Z - Z * b.Y, Z * b.X - X * b.Z, X * b.Y - Y * b.X);
}

/// <summary>A mutable struct with a nested struct and a passive member.</summary>
public struct Particle
{
    public Vec3 Position;
    public double Mass;
    public int Id;
    [NoDerivative] public double Charge;
}

/// <summary>A classic readonly struct: readonly fields, set by its constructor.</summary>
public readonly struct Complexish
{
    public readonly double Re;
    public readonly double Im;

    public Complexish(double re, double im)
    {
        Re = re;
        Im = im;
    }

    public static Complexish operator *(Complexish a, Complexish b) => new(a.Re * b.Re - a.Im * b.Im, a.Re * b.Im + a.Im * b.Re);

    public double Abs2 => Re * Re + Im * Im;
}

/// <summary>A struct holding arrays: a layer's weights, its bias, and indices it reads as data.</summary>
public struct Layer
{
    public double[] W;
    public double B;
    public int[] Order;
}

/// <summary>A plain mutable struct of fields.</summary>
public struct Triple
{
    public double A, B, C;
    public int N;
}

/// <summary>A mutable struct whose methods change it: calls must see C#'s copies and references.</summary>
public struct Counter
{
    public double Value;

    public Counter Scaled(double s)
    {
        Value *= s;
        return this;
    }

    public void Add(Counter other) => Value += other.Value;

    public static Counter Plus(Counter a, Counter b) => new() { Value = a.Value + b.Value };
}

/// <summary>
/// A record struct whose operators are marked [Differentiable]: their derivatives take the operators' metadata names
/// (op_MultiplyVectorJacobian, op_ModulusGradient), and other methods call the operators as written.
/// </summary>
public partial record struct Dual(double A, double B)
{
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static Dual operator *(Dual x, Dual y) => new(x.A * y.A, x.A * y.B + x.B * y.A);

    /// <summary>The area of the parallelogram the two span, a number.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double operator %(Dual x, Dual y) => x.A * y.B - x.B * y.A;
}

/// <summary>A float vector, for float structs.</summary>
public record struct Vec2F(float X, float Y)
{
    public static Vec2F operator +(Vec2F a, Vec2F b) => new(a.X + b.X, a.Y + b.Y);
    public static Vec2F operator *(float s, Vec2F a) => new(s * a.X, s * a.Y);
    public readonly float Dot(Vec2F b) => X * b.X + Y * b.Y;
}

/// <summary>A struct a model holds: a layer of numbers, its members the model's parameters.</summary>
public partial record struct Anchor(double X, double Y);

/// <summary>A model whose method reads its struct field whole and takes a struct parameter: a particle tethered to an anchor.</summary>
public partial class Tethered
{
    public Anchor Pin;
    public double Stiffness;

    [Differentiable]
    public double Energy(Vec3 p)
    {
        var pin = Pin;
        double dx = p.X - pin.X, dy = p.Y - Pin.Y;
        return 0.5 * Stiffness * (dx * dx + dy * dy + p.Z * p.Z);
    }
}

public static partial class StructFunctions
{
    /// <summary>The masses' position i, three doubles a mass.</summary>
    private static Vec3 At(double[] x, int i) => new(x[3 * i], x[3 * i + 1], x[3 * i + 2]);

    /// <summary>A spring–mass network's energy, Σₛ ½k(|x_from − x_to| − restₛ)² plus gravity Σᵢ m·g·zᵢ, over Vec3 and its operators.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double SpringMass(double[] x, [NoDerivative] int[] from, [NoDerivative] int[] to, [NoDerivative] double[] rest, double k, [NoDerivative] double weight)
    {
        double energy = 0;
        for (int s = 0; s < from.Length; s++)
        {
            Vec3 d = At(x, from[s]) - At(x, to[s]);
            double stretch = d.Length() - rest[s];
            energy += 0.5 * k * stretch * stretch;
        }
        for (int i = 0; i < x.Length / 3; i++)
            energy += weight * At(x, i).Z;
        return energy;
    }

    /// <summary>The same network's energy over an array of Vec3: each mass a Vec3, the gradient an array of Vec3 too.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Network(Vec3[] x, [NoDerivative] int[] from, [NoDerivative] int[] to, [NoDerivative] double[] rest, double k, [NoDerivative] double weight)
    {
        double energy = 0;
        for (int s = 0; s < from.Length; s++)
        {
            Vec3 d = x[from[s]] - x[to[s]];
            double stretch = d.Length() - rest[s];
            energy += 0.5 * k * stretch * stretch;
        }
        for (int i = 0; i < x.Length; i++)
            energy += weight * x[i].Z;
        return energy;
    }

    /// <summary>A span of structs: Σᵢ |pᵢ|² wᵢ.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Weighted(ReadOnlySpan<Vec3> p, double[] w)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
            sum += w[i] * p[i].LengthSquared;
        return sum;
    }

    /// <summary>A mutable struct's result: a kick changes the particle's position by impulse / mass, and its charge (not differentiated) by one.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static Particle Kick(Particle p, Vec3 impulse)
    {
        var kicked = p;
        kicked.Position = p.Position + (1 / p.Mass) * impulse;
        kicked.Charge += 1;
        kicked.Id++;
        return kicked;
    }

    /// <summary>
    /// Members swapped by a tuple assignment, which computes every value before it assigns (fuzz seed 36 of the struct
    /// stream: the second value read the first's new member), and a guard reading a member after the body changed it
    /// (seed 126: it read the parameter as passed).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Hessian)]
    public static double Swapped(Triple p)
    {
        (p.A, p.B) = (p.B, p.B * p.A);
        p.N -= 5;
        ArgumentOutOfRangeException.ThrowIfNegative(p.N);
        return p.A * p.B + p.C;
    }

    /// <summary>(b + Σᵢ W[order[i]]·xᵢ)² over a struct holding arrays, its arrays read by index, Length and foreach.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Affine(Layer layer, double[] x)
    {
        double s = layer.B;
        for (int i = 0; i < layer.Order.Length; i++)
            s += layer.W[layer.Order[i]] * x[i];
        double norm = 0;
        foreach (double w in layer.W)
            norm += w * w;
        return s * s + 0.1 * norm;
    }

    /// <summary>A record struct deconstructed: (x·y)·z over Vec3's members.</summary>
    [Differentiable]
    public static double Deconstructed(Vec3 v)
    {
        var (x, y, z) = v;
        (x, y) = (y, x * z);
        return x * y;
    }

    /// <summary>Float structs in a loop: |Σᵢ wᵢ·vᵢ|², v rotating a quarter turn a step.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float Swirl(Vec2F v, float w, int steps)
    {
        var sum = new Vec2F();
        for (int i = 0; i < steps; i++)
        {
            sum += (w * (i + 1)) * v;
            v = new Vec2F(-v.Y, v.X);
        }
        return sum.Dot(sum);
    }

    /// <summary>Calls marked operators: (x·y) % x.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Hessian)]
    public static double DualArea(Dual x, Dual y) => (x * y) % x;

    /// <summary>
    /// Struct values passed, returned and changed in one expression: an argument is a copy made before later arguments
    /// run (Plus(c, c.Scaled(3))), a method called on a variable changes it, one called on a value made on the spot a copy.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Mutations(double x, double y)
    {
        var c = new Counter { Value = x };
        Counter sum = Counter.Plus(c, c.Scaled(3));
        double scaled = new Counter { Value = y }.Scaled(2).Value;
        var d = c;
        d.Add(sum);
        d.Add(d);
        double before = c.Value;
        var e = c.Scaled(y);
        return sum.Value * y + before + d.Value * d.Value + scaled + e.Value * c.Value;
    }

    /// <summary>½k(|a − b| − L)²: one spring.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Spring(Vec3 a, Vec3 b, double k, [NoDerivative] double rest)
    {
        Vec3 d = a - b;
        double stretch = d.Length() - rest;
        return 0.5 * k * stretch * stretch;
    }

    /// <summary>The kinetic energy of a particle moving with velocity v, and its potential in a field.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Energy(Particle p, Vec3 v, double g)
    {
        var e = 0.5 * p.Mass * Vec3.Dot(v, v);
        e += p.Mass * g * p.Position.Z + p.Charge * p.Position.X;
        return e;
    }

    /// <summary>A struct result: the cross product, its Jacobian.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static Vec3 Cross(Vec3 a, Vec3 b) => a.Cross(b);

    /// <summary>|z²·w|² over readonly structs with a constructor.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Power(Complexish z, Complexish w)
    {
        var z2 = z * z;
        return (z2 * w).Abs2;
    }

    /// <summary>A loop over a mutable struct local: a particle falling with drag.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Fall(Particle p, Vec3 v, double drag, [NoDerivative] int steps)
    {
        var q = p;
        for (int i = 0; i < steps; i++)
        {
            v = v - drag * v;
            q.Position = q.Position + 0.1 * v;
            if (q.Position.Z < 0)
                q.Position = q.Position with { Z = 0 };
        }
        return q.Position.X + q.Position.Y * q.Position.Z + q.Mass;
    }
}
