using Backprop.Testing;
using H = Backprop.Gradients.Tests.HessianFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Second derivatives: Hessian-vector products against finite differences of the (checked) gradient, full Hessians against closed forms and symmetry.</summary>
public class HessianTests
{
    private static double[] Random(int length, int seed, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => low + (high - low) * random.NextDouble()).ToArray();
    }

    /// <summary>(∇f(x + hv) − ∇f(x − hv)) / 2h, the reference for H·v.</summary>
    private static double[] GradientDifference(Func<double[], double[]> gradient, double[] x, double[] v)
    {
        const double h = 1e-5;
        double[] up = gradient(x.Zip(v, (a, b) => a + h * b).ToArray());
        double[] down = gradient(x.Zip(v, (a, b) => a - h * b).ToArray());
        return up.Zip(down, (a, b) => (a - b) / (2 * h)).ToArray();
    }

    private static void Near(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RosenbrockHessianVectorProduct(int seed)
    {
        double[] x = Random(8, seed), v = Random(8, seed + 100);
        double[] hv = new double[8];
        double value = H.RosenbrockHessianVector(x, v, hv);
        Assert.Equal(H.Rosenbrock(x), value);
        Near(GradientDifference(p => { var g = new double[p.Length]; H.RosenbrockGradient(p, g); return g; }, x, v), hv, 1e-6);
    }

    [Fact]
    public void RosenbrockHessianMatchesClosedForm()
    {
        double[] x = Random(6, 7);
        var hessian = new double[6, 6];
        H.RosenbrockHessian(x, hessian);
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                // ∂²f/∂xᵢ² = 2 − 400(xᵢ₊₁ − 3xᵢ²) [i < n−1] + 200 [i > 0]; ∂²f/∂xᵢ∂xᵢ₊₁ = −400 xᵢ.
                double expected = 0;
                if (i == j)
                    expected = (i < 5 ? 2 - 400 * (x[i + 1] - 3 * x[i] * x[i]) : 0) + (i > 0 ? 200 : 0);
                else if (j == i + 1)
                    expected = -400 * x[i];
                else if (i == j + 1)
                    expected = -400 * x[j];
                Assert.Equal(expected, hessian[i, j], 9);
                Assert.Equal(hessian[j, i], hessian[i, j]);
            }
        }
    }

    [Theory]
    [InlineData(0.7, 0.3)]
    [InlineData(-1.2, -0.8)]
    public void CarriedDerivativesHaveTheClosedFormHessian(double x, double y)
    {
        var hessian = new double[2, 2];
        H.CarriedChainHessian(x, y, hessian);
        double e = Math.Exp(-y);
        Assert.Equal(6 * x * e + 2 * y + 6 * x, hessian[0, 0], 1e-12);
        Assert.Equal(-3 * x * x * e + 2 * x, hessian[0, 1], 1e-12);
        Assert.Equal(hessian[0, 1], hessian[1, 0], 1e-12);
        Assert.Equal(x * x * x * e, hessian[1, 1], 1e-12);
        double[] Gradient(double[] p)
        {
            H.CarriedChainGradient(p[0], p[1], out double dx, out double dy);
            return new[] { dx, dy };
        }
        H.CarriedChainHessianVector(x, y, 0.4, -0.9, out double hx, out double hy);
        Near(GradientDifference(Gradient, new[] { x, y }, new[] { 0.4, -0.9 }), new[] { hx, hy }, 1e-6);
    }

    [Fact]
    public void HessianOfWrongSizeIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => H.RosenbrockHessian(new double[4], new double[3, 4]));
        Assert.Equal("hessian", error.ParamName);
        Assert.Contains("4×4", error.Message);
    }

    [Theory]
    [InlineData(0.7, 0.3)]
    [InlineData(0.2, 0.9)]
    [InlineData(-0.4, 0.5)]
    public void BranchesLoopsAndPowers(double x, double y)
    {
        var hessian = new double[2, 2];
        H.SmoothHessian(x, y, 0.75, 3, hessian);
        double[] Gradient(double[] p)
        {
            H.SmoothGradient(p[0], p[1], 0.75, 3, out double dx, out double dy);
            return new[] { dx, dy };
        }
        Near(GradientDifference(Gradient, new[] { x, y }, new[] { 1.0, 0 }), new[] { hessian[0, 0], hessian[1, 0] }, 1e-6);
        Near(GradientDifference(Gradient, new[] { x, y }, new[] { 0, 1.0 }), new[] { hessian[0, 1], hessian[1, 1] }, 1e-6);
        H.SmoothHessianVector(x, y, 0.75, 3, 0.3, -0.6, out double hx, out double hy);
        Near(new[] { 0.3 * hessian[0, 0] - 0.6 * hessian[0, 1], 0.3 * hessian[1, 0] - 0.6 * hessian[1, 1] }, new[] { hx, hy }, 1e-9);
    }

    [Fact]
    public void CallsLocalArraysAndScalars()
    {
        double[] w = Random(5, 11);
        double t = 0.8;
        int size = 6;
        var hessian = new double[size, size];
        H.CallsAndArraysHessian(w, t, hessian);
        double[] Gradient(double[] p)
        {
            var g = new double[5];
            H.CallsAndArraysGradient(p[..5], p[5], g, out double dt);
            return g.Append(dt).ToArray();
        }
        double[] point = w.Append(t).ToArray();
        for (int column = 0; column < size; column++)
        {
            double[] unit = new double[size];
            unit[column] = 1;
            double[] expected = GradientDifference(Gradient, point, unit);
            Near(expected, Enumerable.Range(0, size).Select(row => hessian[row, column]).ToArray(), 1e-5);
        }
    }

    [Theory]
    [InlineData(0.7, 0.3)]
    [InlineData(0.7, -0.3)]
    public void OrdinaryHelpersCalledWithFloatingPointArguments(double x, double y)
    {
        double value = H.CallsOrdinaryHelpersHessianVector(x, y, 0.4, -0.9, out double hx, out double hy);
        Assert.Equal(H.CallsOrdinaryHelpers(x, y), value);
        double[] Gradient(double[] p)
        {
            H.CallsOrdinaryHelpersGradient(p[0], p[1], out double dx, out double dy);
            return new[] { dx, dy };
        }
        Near(GradientDifference(Gradient, new[] { x, y }, new[] { 0.4, -0.9 }), new[] { hx, hy }, 1e-6);
    }

    [Fact]
    public void SinglePrecision()
    {
        var hessian = new double[2, 2];
        H.SingleHessian(0.5f, 0.25f, hessian);
        double x = 0.5, y = 0.25, e = Math.Exp(x * y);
        Assert.Equal(y * y * e + 2 * y, hessian[0, 0], 5);
        Assert.Equal(e + x * y * e + 2 * x, hessian[0, 1], 5);
        Assert.Equal(x * x * e, hessian[1, 1], 5);
    }

    [Fact]
    public void ProductMethodReturnsTheGradientExactlyAndTheClosedFormProduct()
    {
        double[] x = Random(7, 21), v = Random(7, 22);
        double[] gradient = new double[7], product = new double[7], expectedGradient = new double[7];
        double value = H.RosenbrockGradientHessianVector(x, v, gradient, product);
        Assert.Equal(H.RosenbrockGradient(x, expectedGradient), value);
        Assert.Equal(expectedGradient, gradient);
        var hessian = new double[7, 7];
        H.RosenbrockHessian(x, hessian);
        Near(Enumerable.Range(0, 7).Select(i => Enumerable.Range(0, 7).Sum(j => hessian[i, j] * v[j])).ToArray(), product, 1e-12);
    }

    [Fact]
    public void ProductWithoutTheGradientIsTheSameProduct()
    {
        double[] x = Random(9, 31), v = Random(9, 32), alone = new double[9], full = new double[9];
        Assert.Equal(H.RosenbrockHessianVector(x, v, alone), H.RosenbrockGradientHessianVector(x, v, new double[9], full));
        Assert.Equal(full, alone);
        H.IterateHessianVector(0.7, 1.3, 40, 0.6, -0.8, out double hx, out double hrate);
        H.IterateGradientHessianVector(0.7, 1.3, 40, 0.6, -0.8, out _, out _, out double fullX, out double fullRate);
        Assert.Equal((fullX, fullRate), (hx, hrate));
    }

    [Theory]
    [InlineData(0.7, 1.3, 50)]
    [InlineData(1.9, 2.5, 400)]
    [InlineData(-0.3, 0.4, 0)]
    public void LoopCarriedStateThroughTheTape(double x, double rate, int steps)
    {
        double[] Gradient(double[] p)
        {
            H.IterateGradient(p[0], p[1], steps, out double dx, out double drate);
            return new[] { dx, drate };
        }
        foreach (double[] v in new[] { new[] { 1.0, 0 }, new[] { 0, 1.0 }, new[] { 0.6, -0.8 } })
        {
            H.IterateHessianVector(x, rate, steps, v[0], v[1], out double hx, out double hrate);
            Near(GradientDifference(Gradient, new[] { x, rate }, v), new[] { hx, hrate }, 1e-6);
        }
    }

    [Fact]
    public void SinglePrecisionArraysBranchesAndReassignedConstants()
    {
        float[] w = { 0.4f, -0.3f, 0.9f, -1.1f };
        float t = 0.7f, c = 0.2f;
        int size = 5;
        var hessian = new double[size, size];
        H.MixedHessian(w, t, c, hessian);
        double[] Gradient(double[] p)
        {
            var g = new float[4];
            H.MixedGradient(p[..4].Select(e => (float)e).ToArray(), (float)p[4], c, g, out float dt);
            return g.Select(e => (double)e).Append(dt).ToArray();
        }
        double[] point = w.Select(e => (double)e).Append(t).ToArray();
        for (int column = 0; column < size; column++)
        {
            double[] unit = new double[size];
            unit[column] = 1;
            // Float gradients: a wide step, a loose tolerance.
            const double h = 1e-2;
            double[] up = Gradient(point.Select((e, i) => e + h * unit[i]).ToArray()), down = Gradient(point.Select((e, i) => e - h * unit[i]).ToArray());
            Near(up.Zip(down, (a, b) => (a - b) / (2 * h)).ToArray(), Enumerable.Range(0, size).Select(row => hessian[row, column]).ToArray(), 2e-2);
            for (int row = 0; row < size; row++)
                Assert.Equal(hessian[column, row], hessian[row, column]);
        }
    }

    [Fact]
    public void HessianVectorProductAllocatesNothingAfterWarmUp()
    {
        double[] x = Random(100, 5), v = Random(100, 6), hv = new double[100];
        H.RosenbrockHessianVector(x, v, hv);
        Assert.Equal(0, SteadyState.Allocated(() => H.RosenbrockHessianVector(x, v, hv), calls: 50));
        // Tapes, calls and the full Hessian too (CallsAndArrays is left out: its own body allocates an array).
        var hessian = new double[2, 2];
        H.IterateHessian(0.7, 1.3, 100, hessian);
        H.SmoothHessian(0.7, 0.3, 0.75, 3, hessian);
        Assert.Equal(0, SteadyState.Allocated(() =>
        {
            H.IterateHessian(0.7, 1.3, 100, hessian);
            H.SmoothHessian(0.7, 0.3, 0.75, 3, hessian);
        }, calls: 50));
    }
}
