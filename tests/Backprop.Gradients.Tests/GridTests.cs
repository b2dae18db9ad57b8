using static Backprop.Gradients.Tests.FiniteDifferences;
using G = Backprop.Gradients.Tests.GridFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Two-dimensional array parameters: gradients, tangents and Hessians against finite differences and closed forms.</summary>
public class GridTests
{
    private const int Rows = 3, Columns = 4;

    private static readonly double[,] s_target = Grid(Rows, Columns, (i, j) => 0.1 * i - 0.2 * j + 0.05 * i * j);

    private static double[,] Grid(int rows, int columns, Func<int, int, double> value)
    {
        var grid = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                grid[i, j] = value(i, j);
        return grid;
    }

    /// <summary>The first rows × columns numbers of <paramref name="p"/> from <paramref name="offset"/>, as a grid.</summary>
    private static double[,] Unflatten(double[] p, int offset = 0) => Grid(Rows, Columns, (i, j) => p[offset + i * Columns + j]);

    private static double[] Flatten(double[,] grid) => grid.Cast<double>().ToArray();

    /// <summary>Points: the grid u, row after row, then r.</summary>
    private static double[][] Points()
    {
        var random = new Random(20261207);
        return Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, Rows * Columns + 1).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
    }

    private static double HeatLoss(double[] p) => G.HeatStepLoss(Unflatten(p), p[^1], s_target);

    /// <summary>The Laplacian with zero boundary values, the operator of the heat step.</summary>
    private static double[,] Laplacian(double[,] u) => Grid(Rows, Columns, (i, j) =>
        -4 * u[i, j] + (i > 0 ? u[i - 1, j] : 0) + (i < Rows - 1 ? u[i + 1, j] : 0) + (j > 0 ? u[i, j - 1] : 0) + (j < Columns - 1 ? u[i, j + 1] : 0));

    [Fact]
    public void HeatStepGradientMatchesFiniteDifferencesAndTheClosedForm()
    {
        Check(HeatLoss, (p, g) =>
        {
            var du = new double[Rows, Columns];
            double value = G.HeatStepLossGradient(Unflatten(p), p[^1], s_target, du, out double dr);
            Flatten(du).CopyTo(g, 0);
            g[^1] = dr;
            return value;
        }, Points());
        // Closed form: with e = u + rΔu − target and Δ symmetric, ∂/∂u = 2(e + rΔe) and ∂/∂r = 2 eᵀΔu.
        foreach (double[] p in Points())
        {
            double[,] u = Unflatten(p);
            double r = p[^1];
            double[,] lu = Laplacian(u);
            double[,] e = Grid(Rows, Columns, (i, j) => u[i, j] + r * lu[i, j] - s_target[i, j]);
            double[,] le = Laplacian(e);
            var du = new double[Rows, Columns];
            G.HeatStepLossGradient(u, r, s_target, du, out double dr);
            for (int i = 0; i < Rows; i++)
                for (int j = 0; j < Columns; j++)
                    Assert.Equal(2 * (e[i, j] + r * le[i, j]), du[i, j], 12);
            Assert.Equal(2 * Flatten(e).Zip(Flatten(lu), (a, b) => a * b).Sum(), dr, 12);
        }
    }

    [Fact]
    public void HeatStepTangentIsTheGradientAlongTheDirection()
    {
        var random = new Random(7);
        foreach (double[] p in Points())
        {
            double[] v = p.Select(_ => random.NextDouble() - 0.5).ToArray();
            var du = new double[Rows, Columns];
            G.HeatStepLossGradient(Unflatten(p), p[^1], s_target, du, out double dr);
            var (value, derivative) = G.HeatStepLossTangent(Unflatten(p), p[^1], s_target, Unflatten(v), v[^1]);
            Assert.Equal(HeatLoss(p), value);
            Assert.Equal(Flatten(du).Append(dr).Zip(v, (g, d) => g * d).Sum(), derivative, 12);
            double h = 1e-6;
            double central = (HeatLoss(p.Zip(v, (a, b) => a + h * b).ToArray()) - HeatLoss(p.Zip(v, (a, b) => a - h * b).ToArray())) / (2 * h);
            Assert.Equal(central, derivative, 6);
        }
    }

    [Fact]
    public void GradientBuffersOfAnotherShapeThrowNamingBothShapes()
    {
        var u = new double[Rows, Columns];
        var exception = Assert.Throws<ArgumentException>(() => G.HeatStepLossGradient(u, 0.1, s_target, new double[Columns, Rows], out _));
        Assert.Equal("du", exception.ParamName);
        Assert.Contains("4×3", exception.Message);
        Assert.Contains("3×4", exception.Message);
        Assert.Throws<ArgumentException>(() => G.HeatStepLossTangent(u, 0.1, s_target, new double[Rows, Columns + 1], 1.0));
    }

    [Fact]
    public void AnIndexOutsideTheGridThrowsAsItDoesInTheMethod()
    {
        var wide = new double[1, 5];
        var target = new double[2, 2];
        Assert.Throws<IndexOutOfRangeException>(() => G.HeatStepLoss(new double[2, 2], 0.1, wide));
        Assert.Throws<IndexOutOfRangeException>(() => G.HeatStepLossGradient(new double[2, 2], 0.1, wide, new double[2, 2], out _));
        Assert.Equal(G.HeatStepLoss(new double[2, 2], 0.1, target), G.HeatStepLossGradient(new double[2, 2], 0.1, target, new double[2, 2], out _));
    }

    [Fact]
    public void FloatHeatStepWithAMaskMatchesFiniteDifferences()
    {
        int[,] mask = { { 1, 1, 1, 1 }, { 1, 0, 1, 1 }, { 1, 1, 1, 1 }, { 1, 1, 1, 1 } };
        float[,] Floats(double[] p, int offset) => new float[4, 4].Let(g => { for (int k = 0; k < 16; k++) g[k / 4, k % 4] = (float)p[offset + k]; });
        double Loss(double[] p) => G.MaskedHeatStepLoss(Floats(p, 0), (float)p[16], Floats(p, 17), mask);
        var random = new Random(11);
        double[][] points = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 33).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
        Check(Loss, (p, g) =>
        {
            var du = new float[4, 4];
            var dtarget = new float[4, 4];
            float value = G.MaskedHeatStepLossGradient(Floats(p, 0), (float)p[16], Floats(p, 17), mask, du, out float dr, dtarget);
            for (int k = 0; k < 16; k++)
            {
                g[k] = du[k / 4, k % 4];
                g[17 + k] = dtarget[k / 4, k % 4];
            }
            g[16] = dr;
            return value;
        }, points, tolerance: 2e-2, step: 1e-2);
        foreach (double[] p in points)
        {
            double[] v = p.Select(_ => random.NextDouble() - 0.5).ToArray();
            var du = new float[4, 4];
            var dtarget = new float[4, 4];
            G.MaskedHeatStepLossGradient(Floats(p, 0), (float)p[16], Floats(p, 17), mask, du, out float dr, dtarget);
            var (_, derivative) = G.MaskedHeatStepLossTangent(Floats(p, 0), (float)p[16], Floats(p, 17), mask, Floats(v, 0), (float)v[16], Floats(v, 17));
            double expected = Enumerable.Range(0, 16).Sum(k => du[k / 4, k % 4] * (double)(float)v[k] + dtarget[k / 4, k % 4] * (double)(float)v[17 + k]) + dr * (double)(float)v[16];
            Assert.Equal(expected, derivative, 3);
        }
    }

    [Fact]
    public void ForeachOverAGridVisitsEveryElement()
    {
        double[] p = Points()[0][..12];
        Check(q => G.Energy(Unflatten(q)), (q, g) =>
        {
            var da = new double[Rows, Columns];
            double value = G.EnergyGradient(Unflatten(q), da);
            Flatten(da).CopyTo(g, 0);
            return value;
        }, new[] { p });
        var grad = new double[Rows, Columns];
        G.EnergyGradient(Unflatten(p), grad);
        for (int k = 0; k < 12; k++)
            Assert.Equal((Math.Sin(p[k]) + p[k] * Math.Cos(p[k])) / 12, grad[k / Columns, k % Columns], 12);
        var (_, derivative) = G.EnergyTangent(Unflatten(p), Unflatten(Enumerable.Repeat(1.0, 12).ToArray()));
        Assert.Equal(Flatten(grad).Sum(), derivative, 12);
    }

    [Fact]
    public void TwoHeatStepsThroughALocalGridMatchFiniteDifferencesAndTheTangent()
    {
        double Loss(double[] p) => G.TwoHeatSteps(Unflatten(p), p[^1]);
        double[][] points = Points();
        Check(Loss, (p, g) =>
        {
            var du = new double[Rows, Columns];
            double value = G.TwoHeatStepsGradient(Unflatten(p), p[^1], du, out double dr);
            Flatten(du).Append(dr).ToArray().CopyTo(g, 0);
            return value;
        }, points);
        // Closed form: the two steps are (I + rΔ)² u, so the loss is |(I + rΔ)² u|² / n.
        foreach (double[] p in points)
        {
            double[,] u = Unflatten(p);
            double r = p[^1];
            double[,] Step(double[,] a) { double[,] l = Laplacian(a); return Grid(Rows, Columns, (i, j) => a[i, j] + r * l[i, j]); }
            Assert.Equal(Flatten(Step(Step(u))).Sum(v => v * v) / (Rows * Columns), G.TwoHeatSteps(u, r), 12);
            var du = new double[Rows, Columns];
            G.TwoHeatStepsGradient(u, r, du, out double dr);
            double[] v = p.Select((_, k) => Math.Sin(k + 1.0)).ToArray();
            var (_, derivative) = G.TwoHeatStepsTangent(u, r, Unflatten(v), v[^1]);
            Assert.Equal(Flatten(du).Append(dr).Zip(v, (a, d) => a * d).Sum(), derivative, 12);
        }
    }

    [Fact]
    public void HessianOfAGridIsDiagonalAndItsProductsMatchGradientDifferences()
    {
        double[] p = Points()[1][..12];
        var hessian = new double[12, 12];
        double value = G.EnergyHessian(Unflatten(p), hessian);
        Assert.Equal(G.Energy(Unflatten(p)), value);
        for (int k = 0; k < 12; k++)
            for (int l = 0; l < 12; l++)
                Assert.Equal(k == l ? (2 * Math.Cos(p[k]) - p[k] * Math.Sin(p[k])) / 12 : 0, hessian[k, l], 12);

        // The heat step's loss: H·v from FHessianVector against central differences of the gradient, along (u, r).
        foreach (double[] q in Points())
        {
            double[] v = q.Select((_, k) => Math.Cos(3.0 * k)).ToArray();
            double[] Gradient(double[] at)
            {
                var du = new double[Rows, Columns];
                G.HeatStepLossGradient(Unflatten(at), at[^1], s_target, du, out double dr);
                return Flatten(du).Append(dr).ToArray();
            }
            var hu = new double[Rows, Columns];
            G.HeatStepLossHessianVector(Unflatten(q), q[^1], s_target, Unflatten(v), v[^1], hu, out double hr);
            double[] expected = GradientAlong(Gradient, q, v);
            double[] product = Flatten(hu).Append(hr).ToArray();
            for (int k = 0; k < product.Length; k++)
                Assert.Equal(expected[k], product[k], 6);
        }
        Assert.Throws<ArgumentException>(() => G.HeatStepLossHessianVector(new double[2, 2], 0.1, new double[2, 2], new double[2, 3], 1, new double[2, 2], out _));
    }

    [Fact]
    public void SecondDerivativesThroughStepsMatchGradientDifferences()
    {
        double[] Gradient(double[] p)
        {
            var da = new double[2, 2];
            G.StepsGradient(new[,] { { p[0], p[1] }, { p[2], p[3] } }, p[4], da, out double dk);
            return new[] { da[0, 0], da[0, 1], da[1, 0], da[1, 1], dk };
        }
        double[] point = { 0.4, -0.3, 0.8, 1.1, 0.6 };
        Check(p => G.Steps(new[,] { { p[0], p[1] }, { p[2], p[3] } }, p[4]), (p, g) => { Gradient(p).CopyTo(g, 0); return G.Steps(new[,] { { p[0], p[1] }, { p[2], p[3] } }, p[4]); }, new[] { point });
        double[] v = { 0.3, -1.0, 0.5, 0.2, 0.7 };
        var ha = new double[2, 2];
        G.StepsHessianVector(new[,] { { point[0], point[1] }, { point[2], point[3] } }, point[4], new[,] { { v[0], v[1] }, { v[2], v[3] } }, v[4], ha, out double hk);
        double[] expected = GradientAlong(Gradient, point, v);
        double[] product = { ha[0, 0], ha[0, 1], ha[1, 0], ha[1, 1], hk };
        for (int k = 0; k < 5; k++)
            Assert.Equal(expected[k], product[k], 6);
        var hessian = new double[5, 5];
        G.StepsHessian(new[,] { { point[0], point[1] }, { point[2], point[3] } }, point[4], hessian);
        for (int k = 0; k < 5; k++)
        {
            double[] column = GradientAlong(Gradient, point, Enumerable.Range(0, 5).Select(l => l == k ? 1.0 : 0).ToArray());
            for (int l = 0; l < 5; l++)
                Assert.Equal(column[l], hessian[l, k], 6);
        }
    }

    [Fact]
    public void AQuadraticFormOverANoDerivativeGridHasHessianAPlusATransposed()
    {
        double[,] a = { { 2, -1, 0.5 }, { 0.3, 1, 0 }, { -0.7, 0.2, 3 } };
        double[] x = { 0.4, -1.1, 0.9 };
        var hessian = new double[3, 3];
        G.QuadraticHessian(x, a, hessian);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(a[i, j] + a[j, i], hessian[i, j], 12);
        Check(q => G.Quadratic(q, a), (q, g) => G.QuadraticGradient(q, a, g), new[] { x });
    }
}

internal static class GridTestExtensions
{
    public static T Let<T>(this T value, Action<T> fill)
    {
        fill(value);
        return value;
    }
}
