using static Backprop.Gradients.Tests.FiniteDifferences;
using S = Backprop.Gradients.Tests.SpanFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Span parameters in every mode: against finite differences, the softmax's closed form and each other.</summary>
public class SpanTests
{
    private static readonly int[] s_take = { 0, 1, 1, 0 };

    private static readonly double[][] s_points =
    {
        new[] { 0.3, -0.7, 1.1, 0.5, 1.2, 0.8 },
        new[] { -0.4, 0.9, -0.2, 1.3, -0.6, 1.5 },
    };

    private static double LogSumExp(double[] p) => S.LogSumExp(p.AsSpan(0, 4), p.AsSpan(4, 2).ToArray(), s_take);

    private static double[] Gradient(double[] p)
    {
        double[] gradient = new double[6];
        S.LogSumExpGradient(p.AsSpan(0, 4), p.AsSpan(4, 2).ToArray(), s_take, gradient.AsSpan(0, 4), gradient.AsSpan(4, 2));
        return gradient;
    }

    [Fact]
    public void GradientMatchesFiniteDifferencesAndTheSoftmax()
    {
        Check(LogSumExp, (p, g) =>
        {
            double value = S.LogSumExpGradient(p.AsSpan(0, 4), p.AsSpan(4, 2).ToArray(), s_take, g.AsSpan(0, 4), g.AsSpan(4, 2));
            return value;
        }, s_points);
        foreach (double[] p in s_points)
        {
            double[] z = Enumerable.Range(0, 4).Select(i => p[i] * p[4 + s_take[i]]).ToArray();
            double[] softmax = z.Select(v => Math.Exp(v) / z.Sum(Math.Exp)).ToArray();
            double[] gradient = Gradient(p);
            Assert.Equal(Math.Log(z.Sum(Math.Exp)), LogSumExp(p), 12);
            for (int i = 0; i < 4; i++)
                Assert.Equal(p[4 + s_take[i]] * softmax[i], gradient[i], 12);
            for (int k = 0; k < 2; k++)
                Assert.Equal(Enumerable.Range(0, 4).Where(i => s_take[i] == k).Sum(i => p[i] * softmax[i]), gradient[4 + k], 12);
        }
    }

    [Fact]
    public void TangentHessianVectorProductAndHessianAgree()
    {
        double[] v = { 0.6, -0.35, 0.2, 1.0, -0.5, 0.25 };
        foreach (double[] p in s_points)
        {
            double[] gradient = Gradient(p);
            var (value, derivative) = S.LogSumExpTangent(p.AsSpan(0, 4), p.AsSpan(4, 2).ToArray(), s_take, v.AsSpan(0, 4), v.AsSpan(4, 2));
            Assert.Equal(LogSumExp(p), value);
            Assert.Equal(gradient.Zip(v, (g, d) => g * d).Sum(), derivative, 12);

            double[] expected = GradientAlong(Gradient, p, v);
            double[] product = new double[6];
            S.LogSumExpHessianVector(p.AsSpan(0, 4), p.AsSpan(4, 2).ToArray(), s_take, v.AsSpan(0, 4), v.AsSpan(4, 2), product.AsSpan(0, 4), product.AsSpan(4, 2));
            var hessian = new double[6, 6];
            S.LogSumExpHessian(p.AsSpan(0, 4), p.AsSpan(4, 2).ToArray(), s_take, hessian);
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(expected[i], product[i], 6);
                Assert.Equal(Enumerable.Range(0, 6).Sum(j => hessian[i, j] * v[j]), product[i], 10);
            }
        }
    }

    [Fact]
    public void FloatSpanJacobianIsTheClosedForm()
    {
        float[] x = { 0.5f, -1.25f, 2f };
        const float a = 1.5f;
        var jacobian = new double[3, 4];
        float[] value = S.ScaledJacobian(x, a, jacobian);
        Assert.Equal(S.Scaled(x, a), value);
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
                Assert.Equal(i == j ? 2 * a * x[i] : 0, jacobian[i, j], 5);
            Assert.Equal(x[i] * x[i], jacobian[i, 3], 5);
        }
        var dx = new float[3];
        S.ScaledVectorJacobian(x, a, new[] { 1f, 0f, -1f }, dx, out float da);
        Assert.Equal(new[] { 2 * a * x[0], 0f, -2 * a * x[2] }, dx);
        Assert.Equal(x[0] * x[0] - x[2] * x[2], da, 5);
    }

    [Fact]
    public void TupleOfFloatsFromAnArrayAndASpanIsTheClosedForm()
    {
        float[] x = { 0.5f, -1.25f, 2f }, w = { 1f, 0.5f, 2f };
        int n = x.Length;
        var jacobian = new double[2, 6];
        var (mean, spread) = S.MomentsJacobian(x, w, jacobian);
        Assert.Equal(S.Moments(x, w), (mean, spread));
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(w[i] / (double)n, jacobian[0, i], 5);
            Assert.Equal(x[i] / (double)n, jacobian[0, n + i], 5);
            Assert.Equal((2.0 * w[i] * x[i] - 2.0 * mean * w[i]) / n, jacobian[1, i], 5);
            Assert.Equal(((double)x[i] * x[i] - 2.0 * mean * x[i]) / n, jacobian[1, n + i], 5);
        }
        float[] dx = new float[n], dw = new float[n];
        S.MomentsVectorJacobian(x, w, (1f, -1f), dx, dw);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(jacobian[0, i] - jacobian[1, i], dx[i], 5);
            Assert.Equal(jacobian[0, n + i] - jacobian[1, n + i], dw[i], 5);
        }
        var (_, derivative) = S.MomentsTangent(x, w, new float[] { 1, 0, 0 }, new float[n]);
        Assert.Equal(jacobian[0, 0], derivative.Mean, 5);
        Assert.Equal(jacobian[1, 0], derivative.Spread, 5);
    }

    [Fact]
    public void WrongBufferLengthsNameTheBuffer()
    {
        var error = Assert.Throws<ArgumentException>(() => S.LogSumExpGradient(new double[4], new double[2], s_take, new double[3], new double[2]));
        Assert.Equal("dx", error.ParamName);
        Assert.Contains("length 3", error.Message);
        Assert.Contains("length 4", error.Message);
    }
}
