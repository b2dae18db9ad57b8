using static Backprop.Gradients.Tests.FiniteDifferences;
using C = Backprop.Gradients.Tests.CustomScalarFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Gradients through users' [DerivativeOf] pullbacks of scalar functions, against finite differences and closed forms.</summary>
public class CustomScalarGradientTests
{
    private static readonly double[][] s_points = { new[] { 0.7, 1.3 }, new[] { -0.4, 0.9 }, new[] { 1.1, -0.6 }, new[] { 0.3, 0.35 } };

    [Fact]
    public void OneDifferentiableArgument()
    {
        Check(p => C.CubeOfProduct(p[0], p[1]), (p, g) => C.CubeOfProductGradient(p[0], p[1], out g[0], out g[1]), s_points);
        C.CubeOfProductGradient(0.7, 1.3, out double dx, out double dy);
        Assert.Equal(3 * 0.7 * 0.7 * Math.Pow(1.3, 3) + 1, dx, 12);
        Assert.Equal(3 * Math.Pow(0.7, 3) * 1.3 * 1.3, dy, 12);
    }

    [Fact]
    public void TwoDifferentiableArguments()
    {
        Check(p => C.HypotOfSquare(p[0], p[1]), (p, g) => C.HypotOfSquareGradient(p[0], p[1], out g[0], out g[1]), s_points);
        C.HypotOfSquareGradient(0.7, 1.3, out double dx, out double dy);
        double r = Math.Sqrt(0.7 * 0.7 + Math.Pow(1.3, 4)), s = Math.Sqrt(1.3 * 1.3 + 1.5 * 1.5);
        Assert.Equal(2 * 0.7 / r, dx, 12);
        Assert.Equal(2 * 1.3 * 1.3 / r * 2 * 1.3 - 1.3 / s, dy, 12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void PassiveArguments(int n)
    {
        Check(p => C.PowerSum(p[0], n), (p, g) => C.PowerSumGradient(p[0], n, out g[0]), new[] { new[] { 0.8 }, new[] { 1.7 } });
        C.PowerSumGradient(0.8, n, out double dx);
        Assert.Equal(n * Math.Pow(0.8, n - 1) + 4 * Math.Pow(0.8, 3) + 2 * n * 0.8, dx, 12);
    }

    [Fact]
    public void Float()
    {
        Check(p => C.SoftplusProduct((float)p[0], (float)p[1]), (p, g) =>
        {
            float value = C.SoftplusProductGradient((float)p[0], (float)p[1], out float dx, out float dy);
            (g[0], g[1]) = (dx, dy);
            return value;
        }, s_points, tolerance: 2e-3, step: 1e-2);
        C.SoftplusProductGradient(0.7f, 1.3f, out float gx, out float gy);
        double sigmoid = 1 / (1 + Math.Exp(-0.91));
        Assert.Equal(Math.Log(1 + Math.Exp(0.91)) + 0.91 * sigmoid, gx, 5);
        Assert.Equal(0.49 * sigmoid, gy, 5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void LoopCarriedValue(int n)
    {
        Check(p => C.CubeLoop(p[0], n), (p, g) => C.CubeLoopGradient(p[0], n, out g[0]), new[] { new[] { 0.6 }, new[] { -0.5 }, new[] { 0.9 } });
        // Closed form by hand-run chain rule: v' = 1.5 v² v' + 1.
        double v = 0.6, dv = 1;
        for (int i = 0; i < n; i++)
            (v, dv) = (0.5 * v * v * v + 0.6, 1.5 * v * v * dv + 1);
        C.CubeLoopGradient(0.6, n, out double dx);
        Assert.Equal(dv, dx, 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void FloatLoop(int n) =>
        Check(p => C.SoftplusLoop((float)p[0], n), (p, g) =>
        {
            float value = C.SoftplusLoopGradient((float)p[0], n, out float dx);
            g[0] = dx;
            return value;
        }, new[] { new[] { 0.6 }, new[] { -0.8 } }, tolerance: 2e-3, step: 1e-2);

    [Fact]
    public void Branch()
    {
        double[][] points = { new[] { 0.9, 0.4 }, new[] { 0.2, 0.8 }, new[] { -0.7, 0.3 }, new[] { -0.5, -0.9 } };
        Check(p => C.HypotBranch(p[0], p[1]), (p, g) => C.HypotBranchGradient(p[0], p[1], out g[0], out g[1]), points);
        C.HypotBranchGradient(0.2, 0.8, out double dx, out double dy);
        Assert.Equal(-1 + 1, dx, 12);
        Assert.Equal(3 * 0.64, dy, 12);
    }

    [Fact]
    public void Tangent()
    {
        var (value, derivative) = C.CubeOfProductTangent(0.7, 1.3, 0.25, -0.5);
        Assert.Equal(C.CubeOfProduct(0.7, 1.3), value);
        Assert.Equal((3 * 0.7 * 0.7 * Math.Pow(1.3, 3) + 1) * 0.25 - 3 * Math.Pow(0.7, 3) * 1.3 * 1.3 * 0.5, derivative, 12);
    }
}
