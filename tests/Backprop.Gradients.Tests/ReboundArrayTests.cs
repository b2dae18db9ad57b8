using static Backprop.Gradients.Tests.FiniteDifferences;
using R = Backprop.Gradients.Tests.ReboundArrayFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Local arrays reassigned and swapped, in every mode: against finite differences, closed forms and each other.</summary>
public class ReboundArrayTests
{
    private static readonly double[][] s_points =
    {
        new[] { 0.3, -0.7, 1.1, 0.5, 0.21 },
        new[] { -0.4, 0.9, -0.2, 1.3, 0.13 },
    };

    private static readonly double[] s_direction = { 0.6, -0.35, 0.2, 1.0, -0.5 };

    private const int Steps = 7;

    /// <summary>The heat step as a matrix (fixed ends): A = I + k·L inside.</summary>
    private static double[,] HeatMatrix(int n, double k)
    {
        var a = new double[n, n];
        a[0, 0] = a[n - 1, n - 1] = 1;
        for (int i = 1; i < n - 1; i++)
        {
            a[i, i - 1] = k;
            a[i, i] = 1 - 2 * k;
            a[i, i + 1] = k;
        }
        return a;
    }

    private static double[] Gradient(Func<double[], double[], double> gradient, double[] p)
    {
        double[] g = new double[p.Length];
        gradient(p, g);
        return g;
    }

    private static double HeatGradient(double[] p, double[] g)
    {
        double[] du = new double[4];
        double value = R.HeatGradient(p[..4], p[4], Steps, du, out g[4]);
        du.CopyTo(g, 0);
        return value;
    }

    [Fact]
    public void SwappedBuffersGiveTheClosedFormGradient()
    {
        Check(p => R.Heat(p[..4], p[4], Steps), HeatGradient, s_points);
        foreach (double[] p in s_points)
        {
            // u_T = A^T u0; the gradient for u0 is 2 (A^T)ᵀ u_T.
            double[,] a = HeatMatrix(4, p[4]);
            double[] u = p[..4];
            var powers = new List<double[]> { u };
            for (int t = 0; t < Steps; t++)
                powers.Add(u = Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 4).Sum(j => a[i, j] * powers[^1][j])).ToArray());
            double[] back = u.Select(v => 2 * v).ToArray();
            for (int t = 0; t < Steps; t++)
                back = Enumerable.Range(0, 4).Select(j => Enumerable.Range(0, 4).Sum(i => a[i, j] * back[i])).ToArray();
            double[] gradient = Gradient(HeatGradient, p);
            Assert.Equal(u.Sum(v => v * v), R.Heat(p[..4], p[4], Steps), 12);
            for (int j = 0; j < 4; j++)
                Assert.Equal(back[j], gradient[j], 12);
        }
    }

    [Fact]
    public void SwappedBuffersTangentAndHessianVectorProductMatchTheGradient()
    {
        foreach (double[] p in s_points)
        {
            double[] gradient = Gradient(HeatGradient, p);
            var (value, derivative) = R.HeatTangent(p[..4], p[4], Steps, s_direction[..4], s_direction[4]);
            Assert.Equal(R.Heat(p[..4], p[4], Steps), value);
            Assert.Equal(gradient.Zip(s_direction, (g, d) => g * d).Sum(), derivative, 12);
            double[] expected = GradientAlong(q => Gradient(HeatGradient, q), p, s_direction);
            double[] hu = new double[4];
            R.HeatHessianVector(p[..4], p[4], Steps, s_direction[..4], s_direction[4], hu, out double hk);
            double[] product = hu.Append(hk).ToArray();
            for (int i = 0; i < 5; i++)
                Assert.Equal(expected[i], product[i], 6);
        }
    }

    [Fact]
    public void FloatBuffersRotatedThroughAThirdNameMatchTheDoubleSteps()
    {
        foreach (double[] p in s_points)
        {
            float[] u0 = p[..4].Select(v => (float)v).ToArray();
            float k = (float)p[4];
            float[] du = new float[4];
            float value = R.HeatRotatedGradient(u0, k, Steps, du, out float dk);
            Assert.Equal(R.HeatRotated(u0, k, Steps), value);
            // Central differences in double of the float function, at a step float resolves.
            double[] point = u0.Select(v => (double)v).Append(k).ToArray();
            double F(double[] q) => R.HeatRotated(q[..4].Select(v => (float)v).ToArray(), (float)q[4], Steps);
            double[] gradient = du.Select(v => (double)v).Append(dk).ToArray();
            for (int i = 0; i < 5; i++)
            {
                double numerical = Central(F, point, i, 1e-3);
                Assert.True(Math.Abs(gradient[i] - numerical) <= 2e-3 * Math.Max(1, Math.Abs(numerical)), $"∂/∂{i}: {gradient[i]} vs {numerical}");
            }
            float[] v = s_direction[..4].Select(d => (float)d).ToArray();
            var (tangentValue, derivative) = R.HeatRotatedTangent(u0, k, Steps, v, (float)s_direction[4]);
            Assert.Equal(value, tangentValue);
            Assert.Equal(gradient.Zip(s_direction, (g, d) => g * d).Sum(), derivative, 3);
        }
    }

    private delegate double GradientOf(double[] x, double w, double[] dx, out double dw);

    private delegate double HessianVectorOf(double[] x, double w, double[] vx, double vw, double[] hx, out double hw);

    private static readonly Dictionary<string, (Func<double[], double, double> F, GradientOf Gradient, Func<double[], double, double[], double, (double, double)> Tangent, HessianVectorOf Product)> s_aliased = new()
    {
        [nameof(R.Aliased)] = (R.Aliased, R.AliasedGradient, R.AliasedTangent, R.AliasedHessianVector),
        [nameof(R.AliasedInALoop)] = (R.AliasedInALoop, R.AliasedInALoopGradient, R.AliasedInALoopTangent, R.AliasedInALoopHessianVector),
        [nameof(R.AliasedLoopLocal)] = (R.AliasedLoopLocal, R.AliasedLoopLocalGradient, R.AliasedLoopLocalTangent, R.AliasedLoopLocalHessianVector),
    };

    [Theory]
    [InlineData(nameof(R.Aliased))]
    [InlineData(nameof(R.AliasedInALoop))]
    [InlineData(nameof(R.AliasedLoopLocal))]
    public void ArraysWrittenThroughEitherNameMatchFiniteDifferences(string function)
    {
        var methods = s_aliased[function];
        double f(double[] p) => methods.F(p[..4], p[4]);
        double gradient(double[] p, double[] g)
        {
            double[] dx = new double[4];
            double value = methods.Gradient(p[..4], p[4], dx, out g[4]);
            dx.CopyTo(g, 0);
            return value;
        }
        Check(f, gradient, s_points);
        foreach (double[] p in s_points)
        {
            double[] g = Gradient(gradient, p);
            double[] hx = new double[4];
            var (value, derivative) = methods.Tangent(p[..4], p[4], s_direction[..4], s_direction[4]);
            Assert.Equal(f(p), value);
            Assert.Equal(g.Zip(s_direction, (a, b) => a * b).Sum(), derivative, 12);
            methods.Product(p[..4], p[4], s_direction[..4], s_direction[4], hx, out double hw);
            double[] expected = GradientAlong(q => Gradient(gradient, q), p, s_direction);
            double[] product = hx.Append(hw).ToArray();
            for (int i = 0; i < 5; i++)
                Assert.Equal(expected[i], product[i], 6);
        }
    }

    [Fact]
    public void AliasWrittenThroughIsTheClosedForm()
    {
        // a = b after a = x·w, b = x + w: b₀ ← b₀·w, b₁ += b₀·b₁ (new b₀), then Σ bᵢ² + (x₀w)(x₁ + w).
        double[] x = { 0.3, -0.7, 1.1, 0.5 };
        const double w = 0.8;
        double b0 = (x[0] + w) * w, b1 = (x[1] + w) + b0 * (x[1] + w);
        double expected = b0 * b0 + b1 * b1 + (x[2] + w) * (x[2] + w) + (x[3] + w) * (x[3] + w) + x[0] * w * (x[1] + w);
        Assert.Equal(expected, R.Aliased(x, w), 12);
        double[] dx = new double[4];
        R.AliasedGradient(x, w, dx, out _);
        // ∂/∂x₀: b₀ = (x₀ + w)w and b₁ = (x₁ + w)(1 + b₀) depend on x₀, and so does the first term.
        double db0 = w, db1 = (x[1] + w) * db0;
        Assert.Equal(2 * b0 * db0 + 2 * b1 * db1 + w * (x[1] + w), dx[0], 12);
    }

    [Fact]
    public void ViewsOfParametersMatchFiniteDifferences()
    {
        double[] weights = { 0.5, -1.5, 2.0 };
        foreach (var (doubled, weighted) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            double F(double[] p) => R.Views(p[..3], p[3..6], weights, doubled, weighted);
            double G(double[] p, double[] g)
            {
                double[] dx = new double[3], dy = new double[3];
                double value = R.ViewsGradient(p[..3], p[3..6], weights, doubled, weighted, dx, dy);
                dx.CopyTo(g, 0);
                dy.CopyTo(g, 3);
                return value;
            }
            double[][] points = { new[] { 0.3, -0.7, 1.1, 0.5, 1.2, 0.8 }, new[] { -0.4, 0.9, -0.2, 1.3, -0.6, 0.1 } };
            Check(F, G, points);
            double[] v = { 0.6, -0.35, 0.2, 1.0, -0.5, 0.25 };
            foreach (double[] p in points)
            {
                double[] g = Gradient(G, p);
                var (_, derivative) = R.ViewsTangent(p[..3], p[3..6], weights, doubled, weighted, v[..3], v[3..6]);
                Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), derivative, 12);
                double[] hx = new double[3], hy = new double[3];
                R.ViewsHessianVector(p[..3], p[3..6], weights, doubled, weighted, v[..3], v[3..6], hx, hy);
                double[] expected = GradientAlong(q => Gradient(G, q), p, v);
                double[] product = hx.Concat(hy).ToArray();
                for (int i = 0; i < 6; i++)
                    Assert.Equal(expected[i], product[i], 6);
            }
        }
    }

    [Fact]
    public void SwappedIntegerOrdersMatchFiniteDifferences()
    {
        double[][] points = { new[] { 0.3, -0.7, 1.1 }, new[] { -0.4, 0.9, -0.2 } };
        foreach (int rounds in new[] { 0, 1, 4 })
        {
            Check(p => R.Orders(p, rounds), (p, g) => R.OrdersGradient(p, rounds, g), points);
            foreach (double[] p in points)
            {
                double[] g = new double[3];
                R.OrdersGradient(p, rounds, g);
                double[] v = { 0.6, -0.35, 0.2 };
                Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), R.OrdersTangent(p, rounds, v).Derivative, 12);
                double[] h = new double[3];
                R.OrdersHessianVector(p, rounds, v, h);
                double[] expected = GradientAlong(q => { double[] gq = new double[3]; R.OrdersGradient(q, rounds, gq); return gq; }, p, v);
                for (int i = 0; i < 3; i++)
                    Assert.Equal(expected[i], h[i], 6);
            }
        }
    }

    [Fact]
    public void RotatedBuffersGiveAnArrayResultItsJacobian()
    {
        double[] x = { 0.3, -0.7, 1.1, 0.5 };
        const double k = 0.3;
        var jacobian = new double[4, 5];
        Assert.Equal(R.Relax(x, k), R.RelaxJacobian(x, k, jacobian));
        double[] point = x.Append(k).ToArray();
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 5; j++)
                Assert.Equal(Central(p => R.Relax(p[..4], p[4])[i], point, j), jacobian[i, j], 8);
        }
        double[] cotangent = { 1, -0.5, 0.25, 2 }, dx = new double[4];
        R.RelaxVectorJacobian(x, k, cotangent, dx, out double dk);
        for (int j = 0; j < 4; j++)
            Assert.Equal(Enumerable.Range(0, 4).Sum(i => cotangent[i] * jacobian[i, j]), dx[j], 12);
        Assert.Equal(Enumerable.Range(0, 4).Sum(i => cotangent[i] * jacobian[i, 4]), dk, 12);
        double[] direction = { 0.6, -0.35, 0.2, 1.0 }, tangent = new double[4];
        R.RelaxTangent(x, k, direction, -0.5, tangent);
        for (int i = 0; i < 4; i++)
            Assert.Equal(Enumerable.Range(0, 4).Sum(j => jacobian[i, j] * direction[j]) - 0.5 * jacobian[i, 4], tangent[i], 12);
    }

    [Fact]
    public void ArrayResultWrittenThroughAViewHasTheClosedFormJacobian()
    {
        double[] x = { 0.3, -0.7, 1.1 };
        var jacobian = new double[3, 3];
        AssertClose(new[] { 2 * 0.09 + 2 * 0.49, 2 * 0.49, 2 * 1.21 }, R.WrittenThroughAViewJacobian(x, jacobian));
        double[,] expected = { { 4 * x[0], 4 * x[1], 0 }, { 0, 4 * x[1], 0 }, { 0, 0, 4 * x[2] } };
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
                Assert.Equal(expected[i, j], jacobian[i, j], 12);
        }
        double[] tangent = new double[3];
        R.WrittenThroughAViewTangent(x, new[] { 1.0, -1.0, 0.5 }, tangent);
        AssertClose(new[] { 4 * x[0] - 4 * x[1], -4 * x[1], 2 * x[2] }, tangent);
        double[] dx = new double[3];
        R.WrittenThroughAViewVectorJacobian(x, new[] { 1.0, 0, 0 }, dx);
        AssertClose(new[] { 4 * x[0], 4 * x[1], 0 }, dx);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void ALocalFunctionSwappingWhatItCapturesMatchesFiniteDifferences()
    {
        double G(double[] p, double[] g)
        {
            double[] dx = new double[4];
            double value = R.SteppedByALocalFunctionGradient(p[..4], p[4], dx, out g[4]);
            dx.CopyTo(g, 0);
            return value;
        }
        Check(p => R.SteppedByALocalFunction(p[..4], p[4]), G, s_points);
        foreach (double[] p in s_points)
        {
            // Two heat steps: the same as Heat's.
            Assert.Equal(R.Heat(p[..4], p[4], 2), R.SteppedByALocalFunction(p[..4], p[4]), 12);
            double[] hx = new double[4];
            R.SteppedByALocalFunctionHessianVector(p[..4], p[4], s_direction[..4], s_direction[4], hx, out double hk);
            double[] expected = GradientAlong(q => Gradient(G, q), p, s_direction);
            double[] product = hx.Append(hk).ToArray();
            for (int i = 0; i < 5; i++)
                Assert.Equal(expected[i], product[i], 6);
            Assert.Equal(Gradient(G, p).Zip(s_direction, (a, b) => a * b).Sum(), R.SteppedByALocalFunctionTangent(p[..4], p[4], s_direction[..4], s_direction[4]).Derivative, 12);
        }
    }

    [Fact]
    public void ChainedAssignmentMakesOneArrayOfThree()
    {
        double[] x = { 0.3, -0.7, 1.1 };
        const double w = 0.8;
        double v = (x[0] * w + x[1]) * w + x[2];
        Assert.Equal(v * v, R.Chained(x, w), 12);
        double[] dx = new double[3];
        R.ChainedGradient(x, w, dx, out double dw);
        Assert.Equal(2 * v * w * w, dx[0], 12);
        Assert.Equal(2 * v * w, dx[1], 12);
        Assert.Equal(2 * v, dx[2], 12);
        Assert.Equal(2 * v * (2 * x[0] * w + x[1]), dw, 12);
        Assert.Equal(2 * v * w * w - 2 * v, R.ChainedTangent(x, w, new[] { 1.0, 0, -1 }, 0).Derivative, 12);
    }

    [Fact]
    public void GenericSwapsWorkForDoubleAndFloat()
    {
        double[] x = { 0.3, -0.7, 1.1, 0.5 };
        // Each pass averages neighbours cyclically, which keeps the sum: Σ xᵢ², gradient 2x.
        double[] dx = new double[4];
        Assert.Equal(x.Sum(v => v * v), R.SmoothGradient(x, 3, dx), 12);
        for (int i = 0; i < 4; i++)
            Assert.Equal(2 * x[i], dx[i], 12);
        float[] xf = x.Select(v => (float)v).ToArray(), dxf = new float[4];
        R.SmoothGradient(xf, 3, dxf);
        for (int i = 0; i < 4; i++)
            Assert.Equal(2 * xf[i], dxf[i], 5);
        Assert.Equal(2 * x[1] * 0.5 + 2 * x[3] * -1, R.SmoothTangent(x, 3, new[] { 0, 0.5, 0, -1 }).Derivative, 12);
    }
}
