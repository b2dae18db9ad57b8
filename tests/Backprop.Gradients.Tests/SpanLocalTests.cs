using static Backprop.Gradients.Tests.FiniteDifferences;
using S = Backprop.Gradients.Tests.SpanLocalFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Span locals in every mode: against finite differences, closed forms and each other.</summary>
public class SpanLocalTests
{
    private static readonly double[][] s_points =
    {
        new[] { 0.3, -0.7, 1.1, 0.5, 1.2, 0.8 },
        new[] { -0.4, 0.9, -0.2, 1.3, -0.6, -1.5 },
    };

    private static double Roughness(double[] p) => S.Roughness(p[..5], p[5]);

    private static double[] RoughnessGradient(double[] p)
    {
        double[] dx = new double[5];
        S.RoughnessGradient(p[..5], p[5], dx, out double dk);
        return dx.Append(dk).ToArray();
    }

    [Fact]
    public void StackallocGradientIsTheClosedForm()
    {
        Check(Roughness, (p, g) =>
        {
            double[] dx = new double[5];
            double value = S.RoughnessGradient(p[..5], p[5], dx, out g[5]);
            dx.CopyTo(g, 0);
            return value;
        }, s_points);
        foreach (double[] p in s_points)
        {
            double k = p[5], scale = k > 0 ? 1.25 * k : -1.25;
            double[] step = Enumerable.Range(0, 4).Select(i => p[i + 1] - p[i]).ToArray();
            double[] gradient = RoughnessGradient(p);
            for (int j = 0; j < 5; j++)
                Assert.Equal(scale * (2 * (j > 0 ? step[j - 1] : 0) - 2 * (j < 4 ? step[j] : 0)), gradient[j], 12);
            Assert.Equal(k > 0 ? 1.25 * step.Sum(d => d * d) : 0, gradient[5], 12);
        }
    }

    [Fact]
    public void StackallocTangentAndHessianVectorProductMatchTheGradient()
    {
        double[] v = { 0.6, -0.35, 0.2, 1.0, -0.5, 0.25 };
        foreach (double[] p in s_points)
        {
            double[] gradient = RoughnessGradient(p);
            var (value, derivative) = S.RoughnessTangent(p[..5], p[5], v[..5], v[5]);
            Assert.Equal(Roughness(p), value);
            Assert.Equal(gradient.Zip(v, (g, d) => g * d).Sum(), derivative, 12);

            double[] expected = GradientAlong(RoughnessGradient, p, v);
            double[] hx = new double[5];
            S.RoughnessHessianVector(p[..5], p[5], v[..5], v[5], hx, out double hk);
            double[] product = hx.Append(hk).ToArray();
            for (int i = 0; i < 6; i++)
                Assert.Equal(expected[i], product[i], 6);
        }
    }

    [Fact]
    public void FloatSpansMatchTheClosedForm()
    {
        foreach (var (a, b) in new[] { (0.7f, -1.3f), (-0.4f, 0.9f) })
        {
            double ab = a * b, norm = Math.Sqrt(Math.Pow(a, 4) + Math.Pow(b, 4) + Math.Pow(ab, 4));
            double da = (2 * Math.Pow(a, 3) + 2 * Math.Pow(ab, 3) * b) / norm + 2 * b;
            double db = (2 * Math.Pow(b, 3) + 2 * Math.Pow(ab, 3) * a) / norm + 2 * a;
            float value = S.SoftNormGradient(a, b, out float ga, out float gb);
            Assert.Equal(S.SoftNorm(a, b), value);
            Assert.Equal(da, ga, 4);
            Assert.Equal(db, gb, 4);
            var (tangentValue, derivative) = S.SoftNormTangent(a, b, 1f, -2f);
            Assert.Equal(value, tangentValue);
            Assert.Equal(da - 2 * db, derivative, 4);

            // The Hessian-vector product against central differences of the (float) gradient, in double.
            const float h = 1e-2f;
            S.SoftNormGradient(a + h, b - 2 * h, out float upA, out float upB);
            S.SoftNormGradient(a - h, b + 2 * h, out float downA, out float downB);
            S.SoftNormHessianVector(a, b, 1f, -2f, out float ha, out float hb);
            double expectedA = (upA - downA) / (2.0 * h), expectedB = (upB - downB) / (2.0 * h);
            Assert.True(Math.Abs(ha - expectedA) <= 1e-2 * Math.Max(1, Math.Abs(expectedA)), $"{ha} vs {expectedA}");
            Assert.True(Math.Abs(hb - expectedB) <= 1e-2 * Math.Max(1, Math.Abs(expectedB)), $"{hb} vs {expectedB}");
        }
    }

    [Fact]
    public void TupleFromASpanLocalHasTheClosedFormJacobian()
    {
        const double a = 0.8, b = -1.25;
        var jacobian = new double[2, 2];
        var (mean, max) = S.SquaresJacobian(a, b, jacobian);
        Assert.Equal(S.Squares(a, b), (mean, max));
        Assert.Equal((2 * a + 2 * a * b * b) / 3, jacobian[0, 0], 12);
        Assert.Equal((2 * b + 2 * a * a * b) / 3, jacobian[0, 1], 12);
        // The largest square is b² = 1.5625 here (a² = 0.64, (ab)² = 1): ∂/∂a = 0, ∂/∂b = 2b.
        Assert.Equal(0, jacobian[1, 0], 12);
        Assert.Equal(2 * b, jacobian[1, 1], 12);
        S.SquaresVectorJacobian(a, b, (1, -1), out double da, out double db);
        Assert.Equal(jacobian[0, 0] - jacobian[1, 0], da, 12);
        Assert.Equal(jacobian[0, 1] - jacobian[1, 1], db, 12);
    }
}
