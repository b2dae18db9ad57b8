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
}
