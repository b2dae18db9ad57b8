using Backprop.Testing;
using static Backprop.Gradients.Tests.FiniteDifferences;
using G = Backprop.Gradients.Tests.GenericFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>
/// Generic math in every mode: each generic function's derivatives instantiated at double against central finite
/// differences and closed forms, at float against the same closed forms in float tolerances, tangents against gradients,
/// Hessian-vector products against finite differences of the gradient, a Jacobian against its closed form.
/// </summary>
public class GenericTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private delegate double Gradient2(double x, double y, out double dx, out double dy);

    private delegate double Product2(double x, double y, double vx, double vy, out double hx, out double hy);

    /// <summary>The Hessian-vector product of a function of two scalars against central differences of its gradient along <paramref name="v"/>.</summary>
    private static void AssertProductIsTheGradientAlong(Gradient2 gradient, Product2 product, double[] p, double[] v, int precision)
    {
        double[] expected = GradientAlong(q => { gradient(q[0], q[1], out double a, out double b); return new[] { a, b }; }, p, v);
        product(p[0], p[1], v[0], v[1], out double hx, out double hy);
        Assert.Equal(expected[0], hx, precision);
        Assert.Equal(expected[1], hy, precision);
    }

    private static readonly double[] s_scalars = { -2.5, -0.3, 0, 0.7, 3.1 };

    [Fact]
    public void SoftplusGradientIsTheSigmoidInDoubleAndFloat()
    {
        Check(p => G.Softplus(p[0]), (p, g) => G.SoftplusGradient(p[0], out g[0]), s_scalars.Select(x => new[] { x }).ToArray());
        foreach (double x in s_scalars)
        {
            Assert.Equal(Math.Log(1 + Math.Exp(x)), G.SoftplusGradient(x, out double dx), 14);
            Assert.Equal(Sigmoid(x), dx, 14);

            float value = G.SoftplusGradient((float)x, out float dxf);
            Assert.Equal((float)Math.Log(1 + Math.Exp(x)), value, 5);
            Assert.Equal((float)Sigmoid(x), dxf, 6);
        }
    }

    [Fact]
    public void SoftplusTangentHessianVectorAndHessianAreTheSigmoidsDerivatives()
    {
        foreach (double x in s_scalars)
        {
            G.SoftplusGradient(x, out double dx);
            var (value, derivative) = G.SoftplusTangent(x, 0.75);
            Assert.Equal(G.Softplus(x), value);
            Assert.Equal(0.75 * dx, derivative, 14);
            double second = Sigmoid(x) * (1 - Sigmoid(x));
            Assert.Equal(G.Softplus(x), G.SoftplusHessianVector(x, 0.75, out double hx));
            Assert.Equal(0.75 * second, hx, 14);
            Assert.Equal(GradientAlong(p => { G.SoftplusGradient(p[0], out double d); return new[] { d }; }, new[] { x }, new[] { 0.75 })[0], hx, 8);
            var hessian = new double[1, 1];
            G.SoftplusHessian(x, hessian);
            Assert.Equal(second, hessian[0, 0], 14);

            G.SoftplusHessianVector((float)x, 1f, out float hxf);
            var hessianf = new float[1, 1];
            G.SoftplusHessian((float)x, hessianf);
            Assert.Equal((float)second, hxf, 6);
            Assert.Equal(hxf, hessianf[0, 0]);
        }
    }

    private static readonly double[][] s_polynomialPoints =
    {
        new[] { 1.0, -2.0, 0.5, 3.0, 0.8 },
        new[] { -0.4, 1.5, 2.0, -1.0, -1.3 },
    };

    [Fact]
    public void PolynomialGradientIsTheClosedFormInDoubleAndFloat()
    {
        // c = p[0..4), x = p[4]; the value is (n/2)·Σ cᵢxⁱ, n = 4.
        Check(p => G.Polynomial(p[..4], p[4]), (p, g) =>
        {
            double[] dc = new double[4];
            double value = G.PolynomialGradient(p[..4], p[4], dc, out g[4]);
            dc.CopyTo(g, 0);
            return value;
        }, s_polynomialPoints);
        foreach (double[] p in s_polynomialPoints)
        {
            double x = p[4];
            double[] c = p[..4];
            double[] dc = new double[4];
            G.PolynomialGradient(c, x, dc, out double dx);
            Assert.Equal(2 * Enumerable.Range(1, 3).Sum(i => i * c[i] * Math.Pow(x, i - 1)), dx, 12);
            for (int i = 0; i < 4; i++)
                Assert.Equal(2 * Math.Pow(x, i), dc[i], 12);

            float[] cf = c.Select(v => (float)v).ToArray();
            float[] dcf = new float[4];
            G.PolynomialGradient(cf, (float)x, dcf, out float dxf);
            Assert.Equal((float)dx, dxf, 4);
            for (int i = 0; i < 4; i++)
                Assert.Equal((float)dc[i], dcf[i], 5);

            // The polynomial is linear in c and cubic in x: H·v for v along x alone is 2·Σ i(i−1)cᵢxⁱ⁻² in x, 2·i·xⁱ⁻¹ in cᵢ.
            double[] hc = new double[4];
            G.PolynomialHessianVector(c, x, new double[4], 1, hc, out double hx);
            Assert.Equal(2 * Enumerable.Range(2, 2).Sum(i => i * (i - 1) * c[i] * Math.Pow(x, i - 2)), hx, 12);
            for (int i = 0; i < 4; i++)
                Assert.Equal(2 * i * (i == 0 ? 0 : Math.Pow(x, i - 1)), hc[i], 12);
        }
    }

    [Theory]
    [InlineData(0.4, 1.0)]
    [InlineData(-0.7, 1.0)]
    [InlineData(2.5, 1.0)]
    [InlineData(-3.0, 0.5)]
    public void HuberTakesTheBranchThatRanInEveryMode(double x, double delta)
    {
        bool quadratic = Math.Abs(x) <= delta;
        Check(p => G.Huber(p[0], p[1]), (p, g) => G.HuberGradient(p[0], p[1], out g[0], out g[1]), new[] { new[] { x, delta } });
        G.HuberGradient(x, delta, out double dx, out double ddelta);
        Assert.Equal(quadratic ? x : delta * Math.Sign(x), dx, 14);
        Assert.Equal(quadratic ? 0 : Math.Abs(x) - delta, ddelta, 14);
        Assert.Equal(0.3 * dx - 0.2 * ddelta, G.HuberTangent(x, delta, 0.3, -0.2).Derivative, 14);

        G.HuberGradient((float)x, (float)delta, out float dxf, out float ddeltaf);
        Assert.Equal((float)dx, dxf, 6);
        Assert.Equal((float)ddelta, ddeltaf, 6);

        var hessian = new double[2, 2];
        G.HuberHessian(x, delta, hessian);
        AssertProductIsTheGradientAlong(G.HuberGradient, G.HuberHessianVector, new[] { x, delta }, new[] { 1, 0.5 }, 7);
        G.HuberHessianVector(x, delta, 1, 0.5, out double hx, out _);
        Assert.Equal(hessian[0, 0] + 0.5 * hessian[0, 1], hx, 12);
    }

    private static readonly double[][] s_vectors =
    {
        new[] { 0.3, -0.7, 1.1, 0.5 },
        new[] { -2.0, 0.9, -0.2, 1.3 },
    };

    [Fact]
    public void LogSumExpOverASpanHasTheSoftmaxAsGradientInDoubleAndFloat()
    {
        Check(p => G.LogSumExp<double>(p), (p, g) => G.LogSumExpGradient<double>(p, g), s_vectors);
        foreach (double[] x in s_vectors)
        {
            double[] softmax = x.Select(v => Math.Exp(v) / x.Sum(Math.Exp)).ToArray();
            double[] gradient = new double[4];
            G.LogSumExpGradient<double>(x, gradient);
            for (int i = 0; i < 4; i++)
                Assert.Equal(softmax[i], gradient[i], 14);

            float[] xf = x.Select(v => (float)v).ToArray();
            float[] gradientf = new float[4];
            Assert.Equal((float)Math.Log(x.Sum(Math.Exp)), G.LogSumExpGradient<float>(xf, gradientf), 5);
            for (int i = 0; i < 4; i++)
                Assert.Equal((float)softmax[i], gradientf[i], 6);

            double[] v = { 0.5, -1, 0.25, 2 };
            Assert.Equal(gradient.Zip(v, (g, d) => g * d).Sum(), G.LogSumExpTangent<double>(x, v).Derivative, 14);
            double[] expected = GradientAlong(p => { var g = new double[4]; G.LogSumExpGradient<double>(p, g); return g; }, x, v);
            double[] product = new double[4];
            G.LogSumExpHessianVector<double>(x, v, product);
            // H·v of log-sum-exp is softmax ⊙ (v − softmax·v).
            double mean = softmax.Zip(v, (s, d) => s * d).Sum();
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(expected[i], product[i], 7);
                Assert.Equal(softmax[i] * (v[i] - mean), product[i], 14);
            }
        }
    }

    [Fact]
    public void AGenericCallingAGenericInALoopMatchesFiniteDifferencesAndItsFloatInstance()
    {
        double[][] points = { new[] { 0.4, -1.2, 0.7, 1.5, 0.3, -0.8 }, new[] { -1.0, 0.2, 2.0, -0.6, 1.1, 0.4 } };
        Check(p => G.Layer(p[..3], p[3..]), (p, g) =>
        {
            double[] dw = new double[3], dx = new double[3];
            double value = G.LayerGradient(p[..3], p[3..], dw, dx);
            dw.CopyTo(g, 0);
            dx.CopyTo(g, 3);
            return value;
        }, points);
        foreach (double[] p in points)
        {
            double[] dw = new double[3], dx = new double[3];
            G.LayerGradient(p[..3], p[3..], dw, dx);
            float[] dwf = new float[3], dxf = new float[3];
            G.LayerGradient(p[..3].Select(v => (float)v).ToArray(), p[3..].Select(v => (float)v).ToArray(), dwf, dxf);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal((float)dw[i], dwf[i], 5);
                Assert.Equal((float)dx[i], dxf[i], 5);
            }

            double[] v = { 0.5, -0.25, 1, 0.75, -1, 0.3 };
            double[] expected = GradientAlong(q =>
            {
                double[] a = new double[3], b = new double[3];
                G.LayerGradient(q[..3], q[3..], a, b);
                return a.Concat(b).ToArray();
            }, p, v);
            double[] hw = new double[3], hx = new double[3];
            G.LayerHessianVector(p[..3], p[3..], v[..3], v[3..], hw, hx);
            double[] product = hw.Concat(hx).ToArray();
            for (int i = 0; i < 6; i++)
                Assert.Equal(expected[i], product[i], 6);
            Assert.Equal(dw.Concat(dx).Zip(v, (g, d) => g * d).Sum(), G.LayerTangent(p[..3], p[3..], v[..3], v[3..]).Derivative, 13);
        }
    }

    [Fact]
    public void ADoubleMethodCallingAGenericOneGetsItsDerivativesWithTInferredAsDouble()
    {
        double[][] points = { new[] { 0.4, -1.2 }, new[] { -1.5, 0.6 }, new[] { 2.0, 1.0 } };
        Check(p => G.SoftplusOfProduct(p[0], p[1]), (p, g) => G.SoftplusOfProductGradient(p[0], p[1], out g[0], out g[1]), points);
        foreach (double[] p in points)
        {
            double s = Sigmoid(p[0] * p[1]);
            G.SoftplusOfProductGradient(p[0], p[1], out double dx, out double dy);
            Assert.Equal(s * p[1] - Math.Sin(p[0]), dx, 14);
            Assert.Equal(s * p[0], dy, 14);
            AssertProductIsTheGradientAlong(G.SoftplusOfProductGradient, G.SoftplusOfProductHessianVector, p, new[] { 1, -0.5 }, 7);
        }
    }

    [Fact]
    public void GenericPolarJacobianIsTheClosedFormInDoubleAndFloat()
    {
        foreach (var (r, theta) in new[] { (1.5, 0.3), (0.7, -2.1) })
        {
            var jacobian = new double[2, 2];
            Assert.Equal(G.Polar(r, theta), G.PolarJacobian(r, theta, jacobian));
            double[,] expected = { { Math.Cos(theta), -r * Math.Sin(theta) }, { Math.Sin(theta), r * Math.Cos(theta) } };
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    Assert.Equal(expected[i, j], jacobian[i, j], 14);

            double[] u = { 0.5, -2 };
            G.PolarVectorJacobian(r, theta, u, out double dr, out double dtheta);
            Assert.Equal(u[0] * expected[0, 0] + u[1] * expected[1, 0], dr, 14);
            Assert.Equal(u[0] * expected[0, 1] + u[1] * expected[1, 1], dtheta, 14);
            double[] tangent = new double[2];
            G.PolarTangent(r, theta, 1, 0.5, tangent);
            for (int i = 0; i < 2; i++)
                Assert.Equal(expected[i, 0] + 0.5 * expected[i, 1], tangent[i], 14);

            var jacobianf = new float[2, 2];
            G.PolarJacobian((float)r, (float)theta, jacobianf);
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    Assert.Equal((float)expected[i, j], jacobianf[i, j], 5);
        }
    }

    [Fact]
    public void GenericTupleJacobianIsTheClosedFormInDoubleAndFloat()
    {
        // v' = v − 0.1·k·x, x' = x + 0.1·v'.
        const double x = 0.8, v = -0.3, k = 2.5;
        double[,] expected = { { 1 - 0.01 * k, 0.1, -0.01 * x }, { -0.1 * k, 1, -0.1 * x } };
        var jacobian = new double[2, 3];
        Assert.Equal(G.Step(x, v, k), G.StepJacobian(x, v, k, jacobian));
        var jacobianf = new float[2, 3];
        G.StepJacobian((float)x, (float)v, (float)k, jacobianf);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(expected[i, j], jacobian[i, j], 14);
                Assert.Equal((float)expected[i, j], jacobianf[i, j], 6);
            }
        var (value, derivative) = G.StepTangent(x, v, k, 1, 0, 0);
        Assert.Equal(G.Step(x, v, k), value);
        Assert.Equal(expected[0, 0], derivative.X, 14);
        Assert.Equal(expected[1, 0], derivative.V, 14);
        // Below the guard k is T.Epsilon, a constant: no derivative in k.
        G.StepVectorJacobian(x, v, -1.0, (1.0, 0.0), out _, out _, out double dk);
        Assert.Equal(0, dk);
    }

    [Fact]
    public void TsOwnMathMatchesFiniteDifferencesAndTheDoubleVersion()
    {
        double[][] points = { new[] { 0.8, 1.7 }, new[] { 1.9, 0.4 }, new[] { 0.3, -0.6 } };
        Check(p => G.Mixed(p[0], p[1]), (p, g) => G.MixedGradient(p[0], p[1], out g[0], out g[1]), points);
        foreach (double[] p in points)
        {
            double Written(double x, double y) => Math.Pow(x, y) + Math.Atan2(y, x) * Math.PI + double.Hypot(x, y) - Math.Tanh(x * y) / Math.E
                + double.Clamp(x - y, -1, 1) + Math.FusedMultiplyAdd(x, y, 0.25);
            Assert.Equal(Written(p[0], p[1]), G.Mixed(p[0], p[1]));
            G.MixedGradient(p[0], p[1], out double dx, out double dy);
            G.MixedGradient((float)p[0], (float)p[1], out float dxf, out float dyf);
            Assert.Equal(dx, dxf, 4);
            Assert.Equal(dy, dyf, 4);
            AssertProductIsTheGradientAlong(G.MixedGradient, G.MixedHessianVector, p, new[] { 0.6, -0.4 }, 6);
        }
    }

    [Fact]
    public void GenericGradientsAllocateNothing()
    {
        double[] x = { 0.3, -0.7, 1.1, 0.5 };
        double[] gradient = new double[4];
        G.LogSumExpGradient<double>(x, gradient);
        G.PolynomialGradient(x, 0.5, gradient, out _);
        G.SoftplusGradient(0.5f, out _);
        Assert.Equal(0, SteadyState.Allocated(() =>
        {
            G.LogSumExpGradient<double>(x, gradient);
            G.PolynomialGradient(x, 0.5, gradient, out _);
            G.SoftplusGradient(0.5f, out _);
        }, calls: 100));
    }
}
