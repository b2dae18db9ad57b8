using System.Numerics;
using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>
/// One function per System.Numerics member (or small family of overloads), each reduced to a number by a weighting of
/// distinct factors (so that a leaf swapped or dropped shows), with the same parameters per type, so that one harness
/// checks them all (<see cref="NumericsTests"/>).
/// </summary>
public static partial class NumericsFunctions
{
    private static double W(Vector2 v) => v.X - 2.0 * v.Y;
    private static double W(Vector3 v) => v.X + 2.0 * v.Y - 3.0 * v.Z;
    private static double W(Vector4 v) => v.X + 2.0 * v.Y - 3.0 * v.Z + 0.5 * v.W;
    private static double W(Quaternion q) => q.X + 2.0 * q.Y - 3.0 * q.Z + 0.5 * q.W;
    private static double W(Complex z) => z.Real - 2.0 * z.Imaginary;

    // Vector3: (Vector3 a, Vector3 b, float t).
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3Operators(Vector3 a, Vector3 b, float t) => W(a + b) * W(a - b) + W(-a) * t + W(a * b) + W(a * t) - W(t * b) + W(a / b) + W(b / t);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3StaticArithmetic(Vector3 a, Vector3 b, float t) => W(Vector3.Add(a, b)) * W(Vector3.Subtract(a, b)) + W(Vector3.Negate(a)) * t + W(Vector3.Multiply(a, b)) + W(Vector3.Multiply(a, t)) - W(Vector3.Multiply(t, b)) + W(Vector3.Divide(a, b)) + W(Vector3.Divide(b, t));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3Construction(Vector3 a, Vector3 b, float t) => W(new Vector3(t) * a.X + new Vector3(a.X * t, b.Y, 2) + Vector3.UnitY * t + Vector3.One * b.Z + Vector3.UnitX + Vector3.UnitZ + Vector3.Zero) + W(new Vector3(new Vector2(a.Z, b.X), t * t));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3Equality(Vector3 a, Vector3 b, float t) => (a == b ? 1.0 : W(+a)) + (a != a * t ? W(b) : 0.0);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3Dot(Vector3 a, Vector3 b, float t) => Vector3.Dot(a, b);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3Cross(Vector3 a, Vector3 b, float t) => W(Vector3.Cross(a, b));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3Length(Vector3 a, Vector3 b, float t) => a.Length();
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3LengthSquared(Vector3 a, Vector3 b, float t) => a.LengthSquared();
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3Distance(Vector3 a, Vector3 b, float t) => Vector3.Distance(a, b);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3DistanceSquared(Vector3 a, Vector3 b, float t) => Vector3.DistanceSquared(a, b);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3Normalize(Vector3 a, Vector3 b, float t) => W(Vector3.Normalize(a));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double V3ChoiceAndLoop(Vector3 a, Vector3 b, float t)
    {
        Vector3 v = t > 0 ? Vector3.Normalize(a) : a * b;
        for (int k = 0; k < 3; k++)
            v += 0.25f * Vector3.Cross(v, b);
        v.Y *= t;
        return W(v);
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V3Lerp(Vector3 a, Vector3 b, float t) => W(Vector3.Lerp(a, b, t));

    // Vector2: (Vector2 a, Vector2 b, float t).
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V2Operators(Vector2 a, Vector2 b, float t) => W(a + b) * W(a - b) + W(-a) * t + W(a * b) + W(a * t) - W(t * b) + W(a / b) + W(b / t) + W(new Vector2(t) + new Vector2(a.Y, t) + Vector2.UnitX * b.X + Vector2.UnitY + Vector2.One + Vector2.Zero);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V2StaticArithmetic(Vector2 a, Vector2 b, float t) => W(Vector2.Add(a, b)) * W(Vector2.Subtract(a, b)) + W(Vector2.Negate(a)) * t + W(Vector2.Multiply(a, b)) + W(Vector2.Multiply(a, t)) - W(Vector2.Multiply(t, b)) + W(Vector2.Divide(a, b)) + W(Vector2.Divide(b, t)) + W(+a);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V2Equality(Vector2 a, Vector2 b, float t) => (a == b ? 1.0 : W(a)) + (a != a * t ? W(b) : 0.0);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V2Dot(Vector2 a, Vector2 b, float t) => Vector2.Dot(a, b);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V2Length(Vector2 a, Vector2 b, float t) => a.Length() + 0.5 * a.LengthSquared();
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V2Distance(Vector2 a, Vector2 b, float t) => Vector2.Distance(a, b) + 0.5 * Vector2.DistanceSquared(a, b);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V2Normalize(Vector2 a, Vector2 b, float t) => W(Vector2.Normalize(a));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V2Lerp(Vector2 a, Vector2 b, float t) => W(Vector2.Lerp(a, b, t));

    // Vector4: (Vector4 a, Vector4 b, float t).
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V4Operators(Vector4 a, Vector4 b, float t) => W(a + b) * W(a - b) + W(-a) * t + W(a * b) + W(a * t) - W(t * b) + W(a / b) + W(b / t) + W(new Vector4(t) + new Vector4(new Vector3(a.Y, t, b.X), 1) + new Vector4(new Vector2(b.W, a.Z), t, 2) + Vector4.UnitW * t + Vector4.UnitZ);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V4StaticArithmetic(Vector4 a, Vector4 b, float t) => W(Vector4.Add(a, b)) * W(Vector4.Subtract(a, b)) + W(Vector4.Negate(a)) * t + W(Vector4.Multiply(a, b)) + W(Vector4.Multiply(a, t)) - W(Vector4.Multiply(t, b)) + W(Vector4.Divide(a, b)) + W(Vector4.Divide(b, t)) + W(+a);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V4Construction(Vector4 a, Vector4 b, float t) => W(new Vector4(a.W, t, b.X, 2) + Vector4.One * t + Vector4.UnitX * a.Y + Vector4.UnitY + Vector4.Zero) + (a == b ? 1.0 : t) + (a != a * t ? W(b) : 0.0);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V4Dot(Vector4 a, Vector4 b, float t) => Vector4.Dot(a, b);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V4Length(Vector4 a, Vector4 b, float t) => a.Length() + 0.5 * a.LengthSquared();
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V4Distance(Vector4 a, Vector4 b, float t) => Vector4.Distance(a, b) + 0.5 * Vector4.DistanceSquared(a, b);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V4Normalize(Vector4 a, Vector4 b, float t) => W(Vector4.Normalize(a));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double V4Lerp(Vector4 a, Vector4 b, float t) => W(Vector4.Lerp(a, b, t));

    // Quaternion: (Quaternion q, Quaternion r, Vector3 v, float t).
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QOperators(Quaternion q, Quaternion r, Vector3 v, float t) => W(q + r) * W(q - r) + W(-q) * t + W(q * t) + W(Quaternion.Add(q, r)) - W(Quaternion.Subtract(q, r)) + W(Quaternion.Negate(r)) + W(Quaternion.Multiply(r, t)) + W(new Quaternion(v, t) + new Quaternion(v.X, t, q.W, 1) + Quaternion.Identity * t + Quaternion.Zero);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QEquality(Quaternion q, Quaternion r, Vector3 v, float t) => (q == r ? 1.0 : W(q)) + (q != q * t ? W(r) : 0.0);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QMultiply(Quaternion q, Quaternion r, Vector3 v, float t) => W(q * r) + 0.5 * W(Quaternion.Multiply(r, q));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QDivide(Quaternion q, Quaternion r, Vector3 v, float t) => W(q / r) + 0.5 * W(Quaternion.Divide(r, q));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QConcatenate(Quaternion q, Quaternion r, Vector3 v, float t) => W(Quaternion.Concatenate(q, r));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QConjugate(Quaternion q, Quaternion r, Vector3 v, float t) => W(Quaternion.Conjugate(q));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QInverse(Quaternion q, Quaternion r, Vector3 v, float t) => W(Quaternion.Inverse(q));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QDot(Quaternion q, Quaternion r, Vector3 v, float t) => Quaternion.Dot(q, r);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QLength(Quaternion q, Quaternion r, Vector3 v, float t) => q.Length() + 0.5 * q.LengthSquared();
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QNormalize(Quaternion q, Quaternion r, Vector3 v, float t) => W(Quaternion.Normalize(q));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QLerp(Quaternion q, Quaternion r, Vector3 v, float t) => W(Quaternion.Lerp(q, r, t));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QFromAxisAngle(Quaternion q, Quaternion r, Vector3 v, float t) => W(Quaternion.CreateFromAxisAngle(v, t));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QTransform(Quaternion q, Quaternion r, Vector3 v, float t) => W(Vector3.Transform(v, q));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double QTransform2(Quaternion q, Quaternion r, Vector3 v, float t) => W(Vector2.Transform(new Vector2(v.X, v.Y), q));

    // Complex: (Complex z, Complex w, double s).
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double COperators(Complex z, Complex w, double s) => W(z + w) * W(z - w) + W(-z) * s + W(z * w) + W(z * s) - W(s * w) + W(z + s) + W(s + w) - W(z - s) + W(s - w) + W(+z);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CStaticArithmetic(Complex z, Complex w, double s) => W(Complex.Add(z, w)) * W(Complex.Subtract(z, w)) + W(Complex.Negate(z)) * s + W(Complex.Multiply(z, w)) + W(Complex.Multiply(z, s)) - W(Complex.Multiply(s, w)) + W(Complex.Add(z, s)) + W(Complex.Subtract(s, w)) + W(Complex.Divide(z, w)) + W(Complex.Divide(z, s)) + W(Complex.Divide(s, w));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CConstruction(Complex z, Complex w, double s) { Complex c = s; Complex f = 2.5f; return W(new Complex(z.Imaginary * s, w.Real) + c * Complex.ImaginaryOne + f + Complex.One + Complex.Zero) + z.Real * w.Imaginary; }
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CConversionsAndEquality(Complex z, Complex w, double s)
    {
        Complex fromDouble = s, fromFloat = 0.75f, fromInt = 2, fromLong = 3L;
        double equal = z == w ? 1.0 : W(z * fromDouble), different = z != z * s ? W(w * fromFloat) : 0.0;
        return equal + different + W(Complex.Add(s, w) + Complex.Subtract(z, s) + fromInt * fromLong);
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CDivide(Complex z, Complex w, double s) => W(z / w) + 0.5 * W(s / z) + W(w / s);
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CConjugate(Complex z, Complex w, double s) => W(Complex.Conjugate(z));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CAbs(Complex z, Complex w, double s) => Complex.Abs(z) + 0.5 * w.Magnitude;
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CPhase(Complex z, Complex w, double s) => z.Phase;
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CExp(Complex z, Complex w, double s) => W(Complex.Exp(z));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CLog(Complex z, Complex w, double s) => W(Complex.Log(z));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CSqrt(Complex z, Complex w, double s) => W(Complex.Sqrt(z));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CPow(Complex z, Complex w, double s) => W(Complex.Pow(z, w)) + 0.5 * W(Complex.Pow(z, s));
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double CFromPolar(Complex z, Complex w, double s) => W(Complex.FromPolarCoordinates(s, z.Real));

    // Rigid-body rotation: points turned by the unit quaternion about an axis, pulled towards targets, springs kept
    // short (a loop, a branch and a call).
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double RotationEnergy(Vector3 axis, float angle, Vector3 offset, [NoDerivative] Vector3[] points, [NoDerivative] Vector3[] targets)
    {
        Quaternion q = Quaternion.CreateFromAxisAngle(Vector3.Normalize(axis), angle);
        double energy = 0;
        for (int i = 0; i < points.Length; i++)
        {
            Vector3 moved = Vector3.Transform(points[i], q) + offset;
            double d = Vector3.DistanceSquared(moved, targets[i]);
            energy += d < 1 ? d : 2 * Math.Sqrt(d) - 1;
        }
        return energy;
    }

    // An array of Vector3 differentiated: its gradient a Vector3[] buffer.
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double PathLength(Vector3[] path, Quaternion turn)
    {
        double length = 0;
        for (int i = 1; i < path.Length; i++)
            length += Vector3.Distance(Vector3.Transform(path[i], turn), path[i - 1]);
        return length;
    }

    // The same energy with the points as numbers (x, y, z one after another), for its Hessian (arrays of structs have none yet).
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double RotationEnergyOfNumbers(Vector3 axis, float angle, Vector3 offset, [NoDerivative] float[] points, [NoDerivative] float[] targets)
    {
        Quaternion q = Quaternion.CreateFromAxisAngle(Vector3.Normalize(axis), angle);
        double energy = 0;
        for (int i = 0; i < points.Length / 3; i++)
        {
            Vector3 moved = Vector3.Transform(new Vector3(points[3 * i], points[3 * i + 1], points[3 * i + 2]), q) + offset;
            double d = Vector3.DistanceSquared(moved, new Vector3(targets[3 * i], targets[3 * i + 1], targets[3 * i + 2]));
            energy += d < 1 ? d : 2 * Math.Sqrt(d) - 1;
        }
        return energy;
    }

    // Σ |H(iω)|² over frequencies, H(s) = (b0 + b1 s) / (a0 + a1 s + s²).
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double TransferPower(double b0, double b1, double a0, double a1, [NoDerivative] double[] omegas)
    {
        double sum = 0;
        foreach (double omega in omegas)
        {
            var s = new Complex(0, omega);
            Complex h = (b0 + b1 * s) / (a0 + a1 * s + s * s);
            sum += h.Magnitude * h.Magnitude;
        }
        return sum;
    }

    // The same response, its power through Complex.Abs and the phase: a call of a helper taking a Complex.
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double TransferPowerAndPhase(Complex b, Complex a, [NoDerivative] double omega) => Power(Response(b, a, omega)) + Response(b, a, omega).Phase;

    private static Complex Response(Complex b, Complex a, double omega)
    {
        var s = new Complex(0, omega);
        return (b.Real + b.Imaginary * s) / (a.Real + a.Imaginary * s + s * s);
    }

    private static double Power(Complex h) => Complex.Abs(h) * Complex.Abs(h);

    // Struct results: Jacobians of a rotation and of the complex exponential.
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static Vector3 Rotate(Vector3 v, Quaternion q) => Vector3.Transform(v, q);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static Complex ComplexExp(Complex z) => Complex.Exp(z);

    // A double Hessian of complex members.
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double ComplexMix(Complex z, Complex w) => W(Complex.Sqrt(z) * Complex.Log(w) + Complex.Pow(z, w) / Complex.Exp(w));
}

/// <summary>A struct of this compilation holding System.Numerics structs, which generated code makes with their constructors.</summary>
public struct Wave
{
    public Vector3 Position;
    public Complex Amplitude;
    public float Mass;
}

public static partial class NumericsFunctions
{
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double WaveEnergy(Wave wave, Vector3 at)
    {
        Complex phase = Complex.Exp(new Complex(0, Vector3.Distance(wave.Position, at)));
        return wave.Mass * (wave.Amplitude * phase).Real;
    }
}
