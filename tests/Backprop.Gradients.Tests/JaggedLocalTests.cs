using static Backprop.Gradients.Tests.FiniteDifferences;
using static Backprop.Gradients.Tests.TestArrays;
using L = Backprop.Gradients.Tests.JaggedLocalFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Local arrays of arrays with rows of one length: gradients, tangents and Hessian-vector products against finite differences and closed forms.</summary>
public class JaggedLocalTests
{
    private const int N = 4;

    private static double TwoLayers(double[] p) => L.TwoLayers(p[..N], p[N..(2 * N)], p[^1]);

    private static double TwoLayersGradient(double[] p, double[] g)
    {
        double[] dx = new double[N], dw = new double[N];
        double value = L.TwoLayersGradient(p[..N], p[N..(2 * N)], p[^1], dx, dw, out double ds);
        dx.Concat(dw).Append(ds).ToArray().CopyTo(g, 0);
        return value;
    }

    [Fact]
    public void TwoLayersInALocalArrayOfArraysMatchFiniteDifferences() =>
        Check(TwoLayers, TwoLayersGradient, Points(3, 2 * N + 1, 401));

    [Fact]
    public void TwoLayersTangentAndHessianVectorProductMatchTheGradient()
    {
        double[] v = Points(1, 2 * N + 1, 402)[0];
        foreach (double[] p in Points(2, 2 * N + 1, 403))
        {
            var g = new double[p.Length];
            TwoLayersGradient(p, g);
            var (value, derivative) = L.TwoLayersTangent(p[..N], p[N..(2 * N)], p[^1], v[..N], v[N..(2 * N)], v[^1]);
            Assert.Equal(TwoLayers(p), value);
            Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), derivative, 12);
            double[] expected = GradientAlong(q =>
            {
                var gq = new double[q.Length];
                TwoLayersGradient(q, gq);
                return gq;
            }, p, v);
            double[] hx = new double[N], hw = new double[N];
            L.TwoLayersHessianVector(p[..N], p[N..(2 * N)], p[^1], v[..N], v[N..(2 * N)], v[^1], hx, hw, out double hs);
            double[] product = hx.Concat(hw).Append(hs).ToArray();
            for (int i = 0; i < product.Length; i++)
                Assert.Equal(expected[i], product[i], 6);
        }
    }

    [Fact]
    public void TableOfFloatRowsIsTheClosedForm()
    {
        // Σᵢⱼ (x[i]·(j + 1))²: ∂/∂x[i] = 2·x[i]·Σⱼ (j + 1)² = 2·x[i]·14 for three columns.
        float[] x = { 0.5f, -1.25f, 2f };
        var dx = new float[3];
        Assert.Equal(L.Table(x, 3), L.TableGradient(x, 3, dx));
        for (int i = 0; i < 3; i++)
            Assert.Equal(28 * x[i], dx[i], 4);
        var (_, derivative) = L.TableTangent(x, 3, new[] { 1f, 0f, -1f });
        Assert.Equal(28 * (x[0] - x[2]), derivative, 3);
        Assert.Equal(0, L.TableGradient(x, 0, dx));
        Assert.All(dx, d => Assert.Equal(0, d));
    }

    [Fact]
    public void RowLengthsAreCheckedAsCSharpChecksThem()
    {
        double[] x = { 1.5, -2.0, 0.25 };
        var dx = new double[3];
        Assert.Equal(3 * 1.5, L.RowLengthTimesFirstGradient(x, 1, dx));
        Assert.Equal(new[] { 3.0, 0, 0 }, dx);
        Assert.Throws<IndexOutOfRangeException>(() => L.RowLengthTimesFirst(x, 2));
        Assert.Throws<IndexOutOfRangeException>(() => L.RowLengthTimesFirstGradient(x, 2, dx));
        Assert.Throws<IndexOutOfRangeException>(() => L.RowLengthTimesFirstTangent(x, -1, new double[3]));
    }
}
