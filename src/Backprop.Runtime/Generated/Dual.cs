using System.ComponentModel;

namespace Backprop;

/// <summary>
/// A value and its derivative along one direction (a dual number, <c>Value + Tangent·ε</c> with ε² = 0).
/// Generated Hessian code runs a gradient method on these: the gradient's tangents are a
/// Hessian-vector product (forward over reverse). Comparisons look at values only, as the branches
/// of the code being differentiated do.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Dual : IEquatable<Dual>
{
    /// <summary>Creates <c>value + tangent·ε</c>.</summary>
    public Dual(double value, double tangent)
    {
        Value = value;
        Tangent = tangent;
    }

    /// <summary>The value.</summary>
    public double Value { get; }

    /// <summary>The derivative along the direction being followed.</summary>
    public double Tangent { get; }

#pragma warning disable CS1591 // the arithmetic is the ordinary one, on values and by the chain rule on tangents
    public static implicit operator Dual(double value) => new(value, 0);
    public static explicit operator double(Dual x) => x.Value;
    public static explicit operator float(Dual x) => (float)x.Value;
    public static explicit operator int(Dual x) => (int)x.Value;
    public static explicit operator long(Dual x) => (long)x.Value;

    public static Dual operator +(Dual a, Dual b) => new(a.Value + b.Value, a.Tangent + b.Tangent);
    public static Dual operator -(Dual a, Dual b) => new(a.Value - b.Value, a.Tangent - b.Tangent);
    public static Dual operator -(Dual a) => new(-a.Value, -a.Tangent);
    public static Dual operator *(Dual a, Dual b) => new(a.Value * b.Value, a.Tangent * b.Value + a.Value * b.Tangent);
    public static Dual operator /(Dual a, Dual b)
    {
        double quotient = a.Value / b.Value;
        return new(quotient, (a.Tangent - quotient * b.Tangent) / b.Value);
    }
    public static Dual operator %(Dual a, Dual b) => new(a.Value % b.Value, a.Tangent - Math.Truncate(a.Value / b.Value) * b.Tangent);

    public static bool operator <(Dual a, Dual b) => a.Value < b.Value;
    public static bool operator <=(Dual a, Dual b) => a.Value <= b.Value;
    public static bool operator >(Dual a, Dual b) => a.Value > b.Value;
    public static bool operator >=(Dual a, Dual b) => a.Value >= b.Value;
    public static bool operator ==(Dual a, Dual b) => a.Value == b.Value;
    public static bool operator !=(Dual a, Dual b) => a.Value != b.Value;

    public static Dual Exp(Dual x)
    {
        double e = Math.Exp(x.Value);
        return new(e, e * x.Tangent);
    }
    public static Dual Log(Dual x) => new(Math.Log(x.Value), x.Tangent / x.Value);
    public static Dual Log(Dual x, Dual newBase) => Log(x) / Log(newBase);
    public static Dual Log10(Dual x) => new(Math.Log10(x.Value), x.Tangent / (x.Value * Math.Log(10)));
    public static Dual Log2(Dual x) => new(Math.Log2(x.Value), x.Tangent / (x.Value * Math.Log(2)));
    public static Dual Sqrt(Dual x)
    {
        double root = Math.Sqrt(x.Value);
        return new(root, x.Tangent / (2 * root));
    }
    public static Dual Cbrt(Dual x)
    {
        double root = Math.Cbrt(x.Value);
        return new(root, x.Tangent / (3 * root * root));
    }
    public static Dual Pow(Dual x, Dual y)
    {
        double power = Math.Pow(x.Value, y.Value);
        double tangent = x.Tangent == 0 ? 0 : y.Value * Math.Pow(x.Value, y.Value - 1) * x.Tangent;
        if (y.Tangent != 0)
            tangent += power * Math.Log(x.Value) * y.Tangent;
        return new(power, tangent);
    }
    public static Dual Sin(Dual x) => new(Math.Sin(x.Value), Math.Cos(x.Value) * x.Tangent);
    public static Dual Cos(Dual x) => new(Math.Cos(x.Value), -Math.Sin(x.Value) * x.Tangent);
    public static Dual Tan(Dual x)
    {
        double tan = Math.Tan(x.Value);
        return new(tan, (1 + tan * tan) * x.Tangent);
    }
    public static Dual Asin(Dual x) => new(Math.Asin(x.Value), x.Tangent / Math.Sqrt(1 - x.Value * x.Value));
    public static Dual Acos(Dual x) => new(Math.Acos(x.Value), -x.Tangent / Math.Sqrt(1 - x.Value * x.Value));
    public static Dual Atan(Dual x) => new(Math.Atan(x.Value), x.Tangent / (1 + x.Value * x.Value));
    public static Dual Atan2(Dual y, Dual x) =>
        new(Math.Atan2(y.Value, x.Value), (x.Value * y.Tangent - y.Value * x.Tangent) / (x.Value * x.Value + y.Value * y.Value));
    public static Dual Sinh(Dual x) => new(Math.Sinh(x.Value), Math.Cosh(x.Value) * x.Tangent);
    public static Dual Cosh(Dual x) => new(Math.Cosh(x.Value), Math.Sinh(x.Value) * x.Tangent);
    public static Dual Tanh(Dual x)
    {
        double tanh = Math.Tanh(x.Value);
        return new(tanh, (1 - tanh * tanh) * x.Tangent);
    }
    public static Dual Abs(Dual x) => x.Value < 0 ? -x : x.Value > 0 ? x : new(0, 0);
    public static Dual Max(Dual a, Dual b) => a.Value >= b.Value ? a : b;
    public static Dual Min(Dual a, Dual b) => a.Value <= b.Value ? a : b;
    public static Dual Clamp(Dual x, Dual low, Dual high) => x.Value < low.Value ? low : x.Value > high.Value ? high : x;
    public static Dual Floor(Dual x) => Math.Floor(x.Value);
    public static Dual Ceiling(Dual x) => Math.Ceiling(x.Value);
    public static Dual Round(Dual x) => Math.Round(x.Value);
    public static Dual Truncate(Dual x) => Math.Truncate(x.Value);
    public static int Sign(Dual x) => Math.Sign(x.Value);
#pragma warning restore CS1591

    /// <inheritdoc/>
    public bool Equals(Dual other) => Value.Equals(other.Value) && Tangent.Equals(other.Tangent);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Dual other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Value, Tangent);

    /// <inheritdoc/>
    public override string ToString() => $"{Value} + {Tangent}ε";
}
