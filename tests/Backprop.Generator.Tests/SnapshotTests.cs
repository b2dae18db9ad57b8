namespace Backprop.Generator.Tests;

/// <summary>The emitted code for each construct family, compared with reviewed files under Snapshots/.</summary>
public class SnapshotTests
{
    [Fact]
    public void Arithmetic() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y, [NoDerivative] double c, int n) => (x + y) * (x - y) / (x * c + n) - -x;
        }
        """);

    [Fact]
    public void MathFunctions() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double Smooth(double x, double y) =>
                Math.Exp(x) + Math.Log(y) + Math.Log(x, y) + Math.Log10(x) + Math.Log2(y) + Math.Sqrt(x) + Math.Cbrt(y)
                + Math.Pow(x, y) + Math.Pow(x, 3) + Math.Sin(x) + Math.Cos(y) + Math.Tan(x) + Math.Asin(x) + Math.Acos(y)
                + Math.Atan(x) + Math.Atan2(y, x) + Math.Sinh(x) + Math.Cosh(y) + Math.Tanh(x);

            [Differentiable]
            public static double Piecewise(double x, double y) =>
                Math.Abs(x) + Math.Max(x, y) + Math.Min(x, y) + Math.Clamp(x, -1, y)
                + Math.Floor(x) + Math.Ceiling(y) + Math.Round(x) + Math.Truncate(y) + Math.Sign(x) * y;
        }
        """);

    [Fact]
    public void AllOfMath() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Hessian)]
            public static double Smooth(double x, double y) =>
                Math.Asinh(x) + Math.Acosh(y) + double.SinPi(x) + double.AtanPi(y) + double.Exp10(x) + double.ExpM1(y)
                + double.LogP1(x) + double.Hypot(x, y) + double.RootN(x, 3) + double.Lerp(x, y, 0.25) + Math.ScaleB(x, 4);

            [Differentiable(Derivatives.Gradient | Derivatives.Hessian)]
            public static float Selections(float x, float y) =>
                MathF.MaxMagnitude(x, y) + float.MinNumber(x, y) + float.Clamp(x, -1, y) + MathF.CopySign(x, y)
                + MathF.Round(x * y, 2) + MathF.BitIncrement(x);
        }
        """);

    /// <summary>
    /// Differentiable structs: a record struct with operators and a method, a mutable struct holding it with a passive
    /// member, as parameters (gradients and directions of the same type), locals, a result, and in a loop.
    /// </summary>
    [Fact]
    public void Numerics() => GeneratorRunner.VerifySnapshots("""
        using System;
        using System.Numerics;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            // The energy of points turned by the rotation about an axis, pulled towards targets.
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
            public static double Rotation(Vector3 axis, float angle, Vector3 point, Vector3 target)
            {
                Quaternion q = Quaternion.CreateFromAxisAngle(Vector3.Normalize(axis), angle);
                Vector3 moved = Vector3.Transform(point, q);
                return Vector3.DistanceSquared(moved, target);
            }

            // |H(iω)|² of H(s) = (b0 + b1 s) / (a0 + a1 s + s²), summed over the frequencies.
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Response(double b0, double b1, double a0, double a1, [NoDerivative] double[] omegas)
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
        }
        """);

    [Fact]
    public void Structs() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public readonly record struct Vec3(double X, double Y, double Z)
        {
            public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
            public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
            public static Vec3 operator *(double s, Vec3 a) => new(s * a.X, s * a.Y, s * a.Z);
            public double Length() => Math.Sqrt(X * X + Y * Y + Z * Z);
        }
        public struct Body
        {
            public Vec3 Position;
            public double Mass;
            public int Id;
        }
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
            public static double Spring(Vec3 a, Vec3 b, double k, [NoDerivative] double rest)
            {
                Vec3 d = a - b;
                double stretch = d.Length() - rest;
                return 0.5 * k * stretch * stretch;
            }

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
            public static Body Fall(Body body, Vec3 velocity, [NoDerivative] double dt, [NoDerivative] int steps)
            {
                for (int i = 0; i < steps; i++)
                {
                    body.Position = body.Position + dt * velocity;
                    if (body.Position.Z < 0)
                        body.Position = body.Position with { Z = 0 };
                }
                return body;
            }
        }
        """);

    [Fact]
    public void GenericMath() => GeneratorRunner.VerifySnapshots("""
        using System;
        using System.Numerics;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
            public static T Softplus<T>(T x) where T : IFloatingPointIeee754<T> => T.Log(T.One + T.Exp(x));

            [Differentiable(Derivatives.Gradient | Derivatives.Hessian)]
            public static TNumber Loss<TNumber>(TNumber[] w, ReadOnlySpan<TNumber> x, int n) where TNumber : IBinaryFloatingPointIeee754<TNumber>
            {
                TNumber total = TNumber.Zero;
                for (int i = 0; i < w.Length; i++)
                {
                    TNumber z = w[i] * x[i] - TNumber.CreateChecked(0.5);
                    total += z > TNumber.Zero ? Softplus(z) : TNumber.Pi * z * z;
                }
                return total / TNumber.CreateChecked(n);
            }

            [Differentiable]
            public static double Caller(double x) => Softplus(x) * 2;
        }
        """);

    [Fact]
    public void CarriedDerivativesAndForwardOrderSums() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y)
            {
                double x2 = x * x;
                double x3 = x2 * x;
                double e = Math.Exp(-y);
                double s = x2 * e;
                s += x3 * Math.Exp(-2 * y);
                return s + Math.FusedMultiplyAdd(x, y, x3);
            }
        }
        """);

    [Fact]
    public void LocalsAndAssignments() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y)
            {
                const double scale = 2;
                double a = x * y, b = Math.Exp(a);
                a = a + b;
                x *= scale;
                y -= a;
                b /= y;
                return a * b + x * Math.PI;
            }
        }
        """);

    [Fact]
    public void FloatAndCasts() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static float F(float x, double y)
            {
                float z = MathF.Sin(x) * 0.5f;
                double w = z * y;
                return (float)w + MathF.Sqrt(x);
            }
        }
        """);

    /// <summary>A float local's adjoint summed in double; one value passed for two parameters, its share from the callee's tangent.</summary>
    [Fact]
    public void FloatLocalsAndAliasedArguments() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y)
            {
                float v = (float)(x * y);
                double p = Math.Pow(v, 20.0);
                double q = Math.Pow(v, 20.0);
                return p + Math.Atan2(v, 2.0) - q + H(y, y, x);
            }

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double H(double a, double b, double c) => Math.Atan2(a - b, 1e-16) * c + a * b;
        }
        """);

    [Fact]
    public void SharedSubexpressionsAndUnusedParameters() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y, double unused)
            {
                double e = Math.Exp(x * y);
                return e * Math.Exp(x * y) + x * y;
            }
        }
        """);

    [Fact]
    public void NestingAccessibilityAndNames() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        namespace Demo.Outer
        {
            internal partial struct Container<T>
            {
                private partial record Inner
                {
                    [Differentiable]
                    internal static double F(double @class, double dy) => @class * dy;
                }
            }
        }
        public static partial class GlobalModel
        {
            [Differentiable]
            private static double G(double x) => x * x;

            [Differentiable]
            private static double G(double x, double y) => x * y;
        }
        """);

    [Fact]
    public void SeedLogisticNeuron() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double LogisticLoss(double w, double b, [NoDerivative] double x, [NoDerivative] double t)
            {
                var z = w * x + b;
                var y = 1 / (1 + Math.Exp(-z));
                return -(t * Math.Log(y) + (1 - t) * Math.Log(1 - y));
            }
        }
        """);

    [Fact]
    public void Branches() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y, bool flag)
            {
                double z = x > y ? x * y : Math.Exp(x);
                if (flag && z < 1)
                    z = z * z;
                else if (!flag)
                    z = Math.Log(z + 2);
                return z;
            }
        }
        """);

    [Fact]
    public void LoopForms() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double For(double x, int n)
            {
                double p = 1;
                for (int i = 0; i < n; i++)
                    p *= x;
                return p;
            }

            [Differentiable]
            public static double While(double x, int n)
            {
                double s = x;
                while (n > 0)
                {
                    s = Math.Sin(s);
                    n--;
                }
                return s;
            }

            [Differentiable]
            public static double Do(double x)
            {
                double s = x;
                do { s = s * 0.5; } while (s > 1);
                return s;
            }
        }
        """);

    [Fact]
    public void NestedLoopsWithBreakAndContinue() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, int n)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        if (j == i)
                            continue;
                        s += x * j;
                        if (s > 100)
                            break;
                    }
                    if (s > 1000)
                        return s;
                }
                return s * x;
            }
        }
        """);

    [Fact]
    public void Arrays() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double Rosenbrock(double[] x)
            {
                double sum = 0;
                for (int i = 0; i < x.Length - 1; i++)
                {
                    double a = x[i + 1] - x[i] * x[i];
                    double b = 1 - x[i];
                    sum += 100 * a * a + b * b;
                }
                return sum;
            }

            [Differentiable]
            public static float Sum(float[] values, [NoDerivative] float[] weights)
            {
                float s = 0;
                foreach (float v in values)
                    s += v * v;
                return s * weights[0];
            }
        }
        """);

    [Fact]
    public void LocalArrays() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double[] x)
            {
                var squares = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                    squares[i] = x[i] * x[i];
                for (int i = 1; i < squares.Length; i++)
                    squares[i] += squares[i - 1];
                return squares[x.Length - 1];
            }
        }
        """);

    [Fact]
    public void CallsAndCallsInLoops() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

            [Differentiable]
            public static double F(double[] x, double scale)
            {
                double total = 0;
                for (int i = 0; i < x.Length; i++)
                    total += Softplus(scale * x[i]) * Helpers.Weight(i);
                return total + Softplus(scale) + Norm(x);
            }

            [Differentiable]
            public static double Norm(double[] v)
            {
                double s = 0;
                foreach (double e in v)
                    s += e * e;
                return Math.Sqrt(s);
            }
        }
        public static class Helpers
        {
            public static int Weight(int i) => i + 1;
        }
        """);

    [Fact]
    public void StatementsKeptForTheirEffect() => GeneratorRunner.VerifySnapshots("""
        using System;
        using System.Diagnostics;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double F(double x, double y, int n)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(n);
                if (y <= 0)
                    throw new ArgumentOutOfRangeException(nameof(y), $"y must be positive, was {y:F2}");
                Debug.Assert(n < 1000);
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    s += Math.Sqrt(y) * x;
                    Console.WriteLine($"step {i}: {s}");
                }
                return s > 0 ? Math.Log(s) : throw new InvalidOperationException("no positive sum");
            }
        }
        """);

    [Fact]
    public void ConstantTablesAndEnums() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public enum Rule { Trapezoid, Simpson }
        public static class Weights
        {
            public static readonly double[] Simpson = { 1, 4, 1 };
            public static double Scale => 1.0 / 6;
        }
        public static partial class Model
        {
            [Differentiable]
            public static double F(double a, double b, Rule rule)
            {
                double[] f = [Math.Exp(a), Math.Exp((a + b) / 2), Math.Exp(b)];
                if (rule == Rule.Trapezoid)
                    return (b - a) * (f[0] + f[2]) / 2;
                double s = 0;
                for (int i = 0; i < f.Length; i++)
                    s += Weights.Simpson[i] * f[i];
                return (b - a) * Weights.Scale * s;
            }
        }
        """);

    [Fact]
    public void SwitchesAndPatterns() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public enum Activation { Identity, Softplus, Tanh }
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double F(double x, Activation activation)
            {
                double y;
                switch (activation)
                {
                    case Activation.Softplus:
                        y = Math.Log(1 + Math.Exp(x));
                        break;
                    case Activation.Tanh:
                        y = Math.Tanh(x);
                        break;
                    default:
                        y = x;
                        break;
                }
                double clipped = y switch { < -1 => -1, > 1 => 1, _ => y };
                return clipped is >= 0 and < 0.5 ? 2 * clipped : clipped;
            }
        }
        """);

    [Fact]
    public void HelpersWithoutAttributes() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static class Kernels
        {
            public static double Square(double x) => x * x;
            public static double Gaussian(double x, double width) => Math.Exp(-Square(x / width) / 2);
        }
        public static partial class Model
        {
            private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double F(double x, double y) => Kernels.Gaussian(x, y) * Softplus(x * y);
        }
        """);

    [Fact]
    public void TuplesAndDeconstruction() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double v, double k, int steps)
            {
                for (int i = 0; i < steps; i++)
                    (x, v) = (x + v * 0.1, v - k * x * 0.1);
                var (s, c) = Math.SinCos(x);
                (double Re, double Im) z = (c * v, s);
                return z.Re + z.Im * k;
            }
        }
        """);

    [Fact]
    public void SpanParameters() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
            public static double LogSumExp(ReadOnlySpan<double> x, ReadOnlySpan<int> take, Span<double> scale)
            {
                double sum = 0;
                foreach (double v in x)
                    sum += Math.Exp(v);
                for (int i = 0; i < take.Length; i++)
                    sum += scale[take[i]];
                return Math.Log(sum);
            }
        }
        """);

    /// <summary>
    /// A two-dimensional array parameter: read through the span of its elements (<c>u_values</c>), its gradient and
    /// direction arrays of its dimensions (checked) viewed the same way, a [NoDerivative] grid as data; one explicit step
    /// of the heat equation and its squared distance to a target.
    /// </summary>
    [Fact]
    public void TwoDimensionalArrays() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double HeatStepLoss(double[,] u, double r, [NoDerivative] double[,] target)
            {
                double loss = 0;
                for (int i = 1; i < u.GetLength(0) - 1; i++)
                {
                    for (int j = 1; j < u.GetLength(1) - 1; j++)
                    {
                        double next = u[i, j] + r * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1] - 4 * u[i, j]);
                        double e = next - target[i, j];
                        loss += e * e;
                    }
                }
                return loss;
            }
        }
        """);

    /// <summary>
    /// Arrays of arrays: samples (data) read by row and element, the weights' rows (differentiated) named by a local and a
    /// foreach, their gradient and direction arrays of arrays of the same row lengths (checked), read in place.
    /// </summary>
    [Fact]
    public void ArraysOfArrays() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Loss([NoDerivative] double[][] x, int[] labels, double[][] w)
            {
                double loss = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    var weights = w[labels[i]];
                    double z = 0;
                    for (int j = 0; j < x[i].Length; j++)
                        z += weights[j] * x[i][j];
                    loss += Math.Log(1 + Math.Exp(-z));
                }
                foreach (var row in w)
                    foreach (double v in row)
                        loss += 0.01 * v * v;
                return loss;
            }
        }
        """);

    /// <summary>
    /// FHessian and FJacobian over arrays viewed as numbers: an array of arrays' elements row after row (scratch rows from
    /// RowElements.Rent), a two-dimensional array's through GridElements.Values, an array of structs' through
    /// MemoryMarshal.Cast, struct after struct.
    /// </summary>
    [Fact]
    public void HessiansAndJacobiansOfArraysViewedAsNumbers() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public readonly record struct Vec2(double X, double Y);
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Hessian)]
            public static double Energy(double[][] x, double k)
            {
                double sum = 0;
                foreach (var row in x)
                    for (int j = 0; j < row.Length; j++)
                        sum += k * row[j] * row[j] * row[0];
                return sum;
            }

            [Differentiable(Derivatives.Gradient | Derivatives.Jacobian)]
            public static double[] RowSums(double[,] a)
            {
                var y = new double[a.GetLength(0)];
                for (int i = 0; i < a.GetLength(0); i++)
                    for (int j = 0; j < a.GetLength(1); j++)
                        y[i] += a[i, j] * a[i, j];
                return y;
            }

            [Differentiable(Derivatives.Gradient | Derivatives.Jacobian)]
            public static double[] Norms(Vec2[] p)
            {
                var y = new double[p.Length];
                for (int i = 0; i < p.Length; i++)
                    y[i] = Math.Sqrt(p[i].X * p[i].X + p[i].Y * p[i].Y);
                return y;
            }
        }
        """);

    /// <summary>
    /// Bytes as data: pixels scaled by 255, byte labels as indices, a byte local the reverse sweep takes back from the
    /// tape (PopByte), and a byte sum promoted to int as C# does.
    /// </summary>
    [Fact]
    public void ByteData() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Loss(double[] w, double[] bias, byte[] pixels, ReadOnlySpan<byte> labels)
            {
                int n = w.Length;
                double loss = 0;
                for (int i = 0; i < labels.Length; i++)
                {
                    byte label = labels[i];
                    double z = bias[label];
                    for (int j = 0; j < n; j++)
                        z += w[j] * (pixels[i * n + j] / 255.0);
                    int both = pixels[i * n] + label;
                    loss += Math.Log(1 + Math.Exp(-z)) * bias[label] + both;
                }
                return loss;
            }
        }
        """);

    /// <summary>
    /// A local array of structs: the numbers it holds in a local array (p_values), elements written whole and member by
    /// member in a loop, read back by member.
    /// </summary>
    [Fact]
    public void LocalArraysOfStructs() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public readonly record struct Vec2(double X, double Y);
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Path(double[] a, double s)
            {
                var p = new Vec2[a.Length];
                for (int i = 0; i < a.Length; i++)
                    p[i] = new Vec2(Math.Cos(a[i]) * s, Math.Sin(a[i]));
                double total = 0;
                for (int i = 0; i < p.Length; i++)
                    total += p[i].X * p[i].Y;
                return total;
            }
        }
        """);

    /// <summary>
    /// Rows passed to calls: a [Differentiable] method and a helper given x[i] are inlined, their parameter naming the row
    /// (its index, a_index), which they read in place.
    /// </summary>
    [Fact]
    public void RowsPassedToCalls() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Loss(double[][] x, double[] w)
            {
                double loss = 0;
                for (int i = 0; i < x.Length; i++)
                    loss += Math.Log(1 + Math.Exp(-Dot(x[i], w))) + 0.01 * Norm(x[i]);
                return loss;
            }

            [Differentiable]
            public static double Dot(double[] a, double[] b)
            {
                double sum = 0;
                for (int j = 0; j < a.Length; j++)
                    sum += a[j] * b[j];
                return sum;
            }

            private static double Norm(ReadOnlySpan<double> a)
            {
                double sum = 0;
                foreach (double v in a)
                    sum += v * v;
                return sum;
            }
        }
        """);

    /// <summary>
    /// A local array of arrays whose rows the loop after its declaration gives one length: a two-dimensional local of
    /// n × m elements, rows[i][j] its element (i, j), rows[i].Length its columns with the row checked.
    /// </summary>
    [Fact]
    public void LocalArraysOfArrays() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Smooth(double[] x, double k)
            {
                var rows = new double[2][];
                for (int i = 0; i < rows.Length; i++)
                    rows[i] = new double[x.Length];
                for (int j = 0; j < x.Length; j++)
                    rows[0][j] = k * x[j];
                double total = 0;
                for (int j = 1; j < rows[1].Length; j++)
                {
                    rows[1][j] = rows[0][j] - rows[0][j - 1];
                    total += rows[1][j] * rows[1][j];
                }
                return total;
            }
        }
        """);

    [Fact]
    public void SpanLocals() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
            public static double SumOfSquares(ReadOnlySpan<double> v)
            {
                double sum = 0;
                foreach (double e in v)
                    sum += e * e;
                return sum;
            }

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
            public static double Roughness(double[] x, double k)
            {
                Span<double> step = stackalloc double[x.Length - 1];
                for (int i = 0; i < step.Length; i++)
                    step[i] = x[i + 1] - x[i];
                return k * SumOfSquares(step);
            }
        }
        """);

    [Fact]
    public void ArraySwaps() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
            public static double Heat(double[] u0, double k, int steps)
            {
                var current = new double[u0.Length];
                var next = new double[u0.Length];
                for (int i = 0; i < u0.Length; i++)
                    current[i] = u0[i];
                for (int step = 0; step < steps; step++)
                {
                    for (int i = 1; i < current.Length - 1; i++)
                        next[i] = current[i] + k * (current[i - 1] - 2 * current[i] + current[i + 1]);
                    (current, next) = (next, current);
                }
                return current[1];
            }

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static float Rotated(float[] x, float k)
            {
                var a = new float[x.Length];
                var b = new float[x.Length];
                for (int i = 0; i < x.Length; i++)
                    a[i] = x[i];
                for (int step = 0; step < 2; step++)
                {
                    b[0] = k * a[0];
                    var t = a;
                    a = b;
                    b = t;
                }
                return a[0];
            }
        }
        """);

    [Fact]
    public void RollOut() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double[] Step(double[] s, double p)
            {
                var next = new double[s.Length];
                for (int i = 0; i < s.Length; i++)
                    next[i] = p * s[i] + Math.Sin(s[(i + 1) % s.Length]);
                return next;
            }

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Simulate(double[] s0, double p, int steps)
            {
                var s = s0;
                for (int k = 0; k < steps; k++)
                    s = Step(s, p);
                return s[0] * s[1];
            }
        }
        """);

    [Fact]
    public void TupleResult() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
            public static (double X, double V) Step(double x, double v, double k, [NoDerivative] double dt)
            {
                double a = -k * x;
                v += a * dt;
                return (x + v * dt, v);
            }
        }
        """);

    [Fact]
    public void BodiesInlinedWithTheirStatements() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            static (double X, double V) Step(double x, double v, double dt)
            {
                double a = -x;
                if (Math.Abs(a) > 1e6)
                    return (x, 0);
                v += a * dt;
                return (x + v * dt, v);
            }

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double F(double x, double v)
            {
                double energy = 0;
                void Add(double e) { energy += e * e; }
                for (int i = 0; i < 4; i++)
                {
                    (x, v) = Step(x, v, 0.1);
                    Add(v);
                }
                while ((x > 0 ? x : -x) > 1)
                    x *= 0.5;
                return energy + x;
            }
        }
        """);

    [Fact]
    public void NoDerivativeParameterGivenAVaryingValue() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Scale(double w, [NoDerivative] double x) => w * x + Math.Sin(x);

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double F(double w, double s) => Scale(w, s * s);
        }
        """);

    [Fact]
    public void CustomScalarDerivatives() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            public static double Cube(double s) => s * s * s;

            [DerivativeOf(nameof(Cube))]
            public static void CubePullback(double s, double result, double dResult, out double dS) => dS = dResult * 3 * s * s;

            public static double Scaled(double a, int n, double b) => n * a * b;

            [DerivativeOf(nameof(Scaled))]
            public static void ScaledPullback(double a, int n, double b, double result, double dResult, out double dA, out double dB)
            {
                dA = dResult * n * b;
                dB = dResult * n * a;
            }

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double F(double x, double y, int n)
            {
                double total = Cube(x * y) + x;
                for (int i = 0; i < n; i++)
                    total = Scaled(total, i, y) - Cube(total) * 0.1;
                return total;
            }
        }
        """);

    [Fact]
    public void TangentMode() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Square(double v) => v * v;

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double F(double[] x, double scale)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    if (x[i] > 0)
                        s += Math.Exp(x[i] * scale);
                    else
                        s -= Square(x[i]);
                }
                return Math.Log(s);
            }
        }
        """);

    [Fact]
    public void HessianMode() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Hessian)]
            public static double F(double[] x, double y, [NoDerivative] double c)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                    s += Math.Exp(x[i] * y) * c;
                return s * y;
            }
        }
        """);

    [Fact]
    public void ArrayResult() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
            public static double[] Polar(double r, double theta)
            {
                var p = new double[2];
                p[0] = r * Math.Cos(theta);
                p[1] = r * Math.Sin(theta);
                return p;
            }
        }
        """);

    [Fact]
    public void ArrayResultWithLoopsBranchesAndCalls() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
            public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
            public static float[] Scan(float[] x, float a, int n)
            {
                var y = new float[x.Length];
                if (x.Length == 0)
                    return y;
                y[0] = x[0] * a;
                for (int i = 1; i < x.Length; i++)
                {
                    if (x[i] > 0)
                        y[i] = y[i - 1] * a + x[i];
                    else
                        y[i] = (float)Softplus(x[i] * n) - y[i - 1];
                }
                return y;
            }
        }
        """);

    [Fact]
    public void ArrayResultEdgeShapes() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Jacobian)]
            public static double[] Constant([NoDerivative] double c, int n)
            {
                var y = new double[n];
                for (int i = 0; i < n; i++)
                    y[i] = c * i;
                return y;
            }

            [Differentiable(Derivatives.Jacobian)]
            public static double[] Single(double t, [NoDerivative] double jacobian)
            {
                var @double = new double[2];
                @double[0] = t;
                @double[1] = t * jacobian;
                return @double;
            }
        }
        """);

    [Fact]
    public void HessianThroughTapesBranchesAndCalls() => GeneratorRunner.VerifySnapshots("""
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Hessian)]
            public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

            [Differentiable(Derivatives.Gradient | Derivatives.Hessian)]
            public static double G(double x, double rate, int steps)
            {
                double s = x;
                for (int i = 0; i < steps; i++)
                {
                    if (s > 1)
                        s = Softplus(s * rate);
                    else
                        s = s * s + rate;
                }
                return s;
            }
        }
        """);

    [Fact]
    public void MatrixNetwork() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public static partial class Network
        {
            [Differentiable]
            public static Matrix<float> Dense(Matrix<float> x, Matrix<float> W, Matrix<float> b) => Relu(MatMul(x, W) + b);

            [Differentiable]
            public static float Loss(Matrix<float> W1, Matrix<float> b1, Matrix<float> W2, Matrix<float> b2, float lambda,
                                     [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
            {
                var h = Dense(x, W1, b1);
                var y = MatMul(h, W2) + b2;
                var loss = SoftmaxCrossEntropy(y, t);
                return loss + lambda * Sum(Multiply(W1, W1));
            }
        }
        """);

    /// <summary>
    /// A model: its weights are fields, the layer it holds is a model too (its method inlined, its fields read through
    /// the model's), a temperature is trained and a decay is a hyperparameter; a Gradients type for each model; the
    /// gradient, the train step and the tangent along a direction of the model's Gradients type.
    /// </summary>
    [Fact]
    public void ModelWithFields() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public partial class Dense
        {
            public Matrix<float> W = null!, b = null!;
            public Matrix<float> Forward(Matrix<float> x) => Relu(MatMul(x, W) + b);
        }
        public partial class Mlp
        {
            public Dense Hidden = null!;
            public Matrix<float> W2 = null!, b2 = null!;
            public float Temperature = 1;
            [NoDerivative] public float Decay = 1e-4f;

            [Differentiable(Derivatives.Gradient | Derivatives.TrainStep | Derivatives.Tangent)]
            public float Loss([NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
            {
                var h = Hidden.Forward(x);
                var y = MatMul(h, W2) + b2;
                return SoftmaxCrossEntropy(y * (1 / Temperature), t) + Decay * Sum(Multiply(W2, W2));
            }
        }
        """);

    /// <summary>The sample's MNIST CNN: the geometries are static fields, passed through as passive arguments.</summary>
    [Fact]
    public void ConvolutionalNetwork() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public static partial class Cnn
        {
            private static readonly Conv2DGeometry Conv1 = new(1, 28, 28, 16, 5);
            private static readonly Pool2DGeometry Pool1 = new(16, 24, 24, 2);
            private static readonly Conv2DGeometry Conv2 = new(16, 12, 12, 32, 5);
            private static readonly Pool2DGeometry Pool2 = new(32, 8, 8, 2);

            [Differentiable]
            public static Matrix<float> Logits(Matrix<float> K1, Matrix<float> c1, Matrix<float> K2, Matrix<float> c2, Matrix<float> W, Matrix<float> b,
                                               [NoDerivative] Matrix<float> x)
            {
                var h1 = Relu(AddChannelBias(MaxPool2D(Conv2D(x, K1, Conv1), Pool1), c1));
                var h2 = Relu(AddChannelBias(MaxPool2D(Conv2D(h1, K2, Conv2), Pool2), c2));
                return MatMul(h2, W) + b;
            }

            [Differentiable]
            public static float Loss(Matrix<float> K1, Matrix<float> c1, Matrix<float> K2, Matrix<float> c2, Matrix<float> W, Matrix<float> b,
                                     [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t) =>
                SoftmaxCrossEntropy(Logits(K1, c1, K2, c2, W, b, x), t);
        }
        """);

    [Fact]
    public void MatrixBranch() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public static partial class Network
        {
            [Differentiable]
            public static float Loss(Matrix<float> W, Matrix<float> b, float lambda, [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t, bool squash)
            {
                var y = MatMul(x, W) + b;
                var penalty = lambda * Sum(Multiply(W, W));
                if (squash)
                {
                    y = Sigmoid(y);
                    penalty = penalty * 0.5f;
                }
                else
                    y = Relu(y);
                return MeanSquaredError(y, t) + penalty;
            }
        }
        """);

    [Fact]
    public void MatrixLayerLoop() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public static partial class Network
        {
            [Differentiable]
            public static float Loss(Matrix<float>[] W, Matrix<float>[] b, float lambda, [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
            {
                var h = x;
                var penalty = 0f;
                for (int i = 0; i < W.Length; i++)
                {
                    var z = MatMul(h, W[i]) + b[i];
                    h = i < W.Length - 1 ? Relu(z) : z;
                    penalty = penalty + Sum(Multiply(W[i], W[i]));
                }
                return SoftmaxCrossEntropy(h, t) + lambda * penalty;
            }
        }
        """);

    /// <summary>A layer iterated while a counter is below a count, and an early return from a loop, in a method over matrices.</summary>
    [Fact]
    public void MatrixControlFlow() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public static partial class Network
        {
            [Differentiable]
            public static float Loss(Matrix<float>[] W, Matrix<float> b, [NoDerivative] Matrix<float> x, float limit, int steps)
            {
                var h = x;
                int step = 0;
                while (step < steps)
                {
                    h = Tanh(MatMul(h, W[step % W.Length]) + b);
                    if (Mean(h) > limit)
                        return Sum(h);
                    step++;
                }
                return Mean(Square(h));
            }
        }
        """);

    /// <summary>Forward mode of a method over matrices: each operation's [TangentOf] rule, in a loop and through a layer.</summary>
    [Fact]
    public void MatrixTangent() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public static partial class Network
        {
            [Differentiable(Derivatives.Tangent)]
            public static Matrix<float> Dense(Matrix<float> x, Matrix<float> W, Matrix<float> b) => Tanh(MatMul(x, W) + b);

            [Differentiable(Derivatives.Tangent)]
            public static float Loss(Matrix<float> W1, Matrix<float> b1, Matrix<float> W2, Matrix<float> b2, float lambda, int steps,
                                     [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
            {
                var h = Dense(x, W1, b1);
                for (int i = 0; i < steps; i++)
                    h = Tanh(h * lambda);
                return SoftmaxCrossEntropy(MatMul(h, W2) + b2, t);
            }
        }
        """);

    /// <summary>Second derivatives of a method over matrices: each pullback beside its own tangent rule, forward over reverse.</summary>
    [Fact]
    public void MatrixHessian() => GeneratorRunner.VerifySnapshots("""
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public static partial class Network
        {
            [Differentiable(Derivatives.Hessian)]
            public static double Loss(Matrix<double> W1, Matrix<double> b1, Matrix<double> W2, double lambda, [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t)
            {
                var h = Tanh(MatMul(x, W1) + b1);
                return SoftmaxCrossEntropy(MatMul(h, W2), t) + lambda * Sum(Multiply(W1, W1));
            }
        }
        """);
}
