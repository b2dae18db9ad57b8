using static Backprop.Gradients.Tests.FiniteDifferences;
using D = Backprop.Gradients.Tests.DataArrayFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Integer and bool arrays read as data: gradients against finite differences and closed forms, tangents, Hessian-vector products.</summary>
public class DataArrayTests
{
    private static readonly int[] s_labels = { 0, 2, 1, 1, 0 };
    private static readonly int[] s_index = { 3, 0, 2, 1, 3 };
    private static readonly bool[] s_mask = { true, false, true, true, true };

    private static readonly double[][] s_points =
    {
        new[] { 0.3, -0.7, 1.1, 0.5, -1.2, 0.8, 0.05 },
        new[] { -0.4, 0.9, -0.2, 1.3, 0.6, -0.5, 1.7 },
    };

    private static double Loss(double[] p) => D.GatherLoss(p[..3], p[3..], s_labels, s_index, s_mask);

    [Fact]
    public void GradientMatchesFiniteDifferences() =>
        Check(Loss, (p, g) =>
        {
            double[] dw = new double[3], dx = new double[4];
            double value = D.GatherLossGradient(p[..3], p[3..], s_labels, s_index, s_mask, dw, dx);
            dw.CopyTo(g, 0);
            dx.CopyTo(g, 3);
            return value;
        }, s_points);

    [Fact]
    public void TangentAndHessianVectorProductMatchTheGradient()
    {
        double[] v = { 0.6, -0.35, 0.2, 1.0, -0.5, 0.25, -0.8 };
        foreach (double[] p in s_points)
        {
            double[] dw = new double[3], dx = new double[4];
            D.GatherLossGradient(p[..3], p[3..], s_labels, s_index, s_mask, dw, dx);
            double[] gradient = dw.Concat(dx).ToArray();
            var (value, derivative) = D.GatherLossTangent(p[..3], p[3..], s_labels, s_index, s_mask, v[..3], v[3..]);
            Assert.Equal(Loss(p), value);
            Assert.Equal(gradient.Zip(v, (g, d) => g * d).Sum(), derivative, 12);

            double[] expected = GradientAlong(q =>
            {
                double[] gw = new double[3], gx = new double[4];
                D.GatherLossGradient(q[..3], q[3..], s_labels, s_index, s_mask, gw, gx);
                return gw.Concat(gx).ToArray();
            }, p, v);
            double[] hw = new double[3], hx = new double[4];
            D.GatherLossHessianVector(p[..3], p[3..], s_labels, s_index, s_mask, v[..3], v[3..], hw, hx);
            double[] product = hw.Concat(hx).ToArray();
            for (int i = 0; i < product.Length; i++)
                Assert.Equal(expected[i], product[i], 6);
        }
    }

    [Fact]
    public void HelpersTakeIntArraysAndSpans()
    {
        double[] w = { 0.1, -0.2, 0.3 };
        int[] index = { 2, 0, 2, 1 }, take = { 1, 2, 3, 1 };
        double sum = 0.3 * 1 + 0.1 * 2 + 0.3 * 3 - 0.2 * 1, value = Math.Exp(sum);
        double[] dw = new double[3];
        Assert.Equal(D.ExpOfGather(w, index, take), D.ExpOfGatherGradient(w, index, take, dw));
        // ∂/∂w_k = e^sum · Σ over i with index[i] = k of take[i]
        Assert.Equal(new[] { value * 2, value * 1, value * 4 }.Select(v => Math.Round(v, 12)), dw.Select(v => Math.Round(v, 12)));
        double[] hw = new double[3];
        D.ExpOfGatherHessianVector(w, index, take, new[] { 1.0, 0, 0 }, hw);
        Assert.Equal(value * 2 * 2, hw[0], 12);
        Assert.Equal(value * 2 * 1, hw[1], 12);
        Assert.Equal(value * 2 * 4, hw[2], 12);
    }

    [Fact]
    public void EdgeEnergyGradientIsTheClosedForm()
    {
        double[] positions = { 0.0, 1.5, 2.5, 4.5 };
        long[] edges = { 0, 1, 1, 2, 3, 2 };
        const double rest = 1.0;
        double[] dp = new double[4];
        double energy = D.EdgeEnergyGradient(positions, edges, rest, dp, out double drest);
        // Stretches: 0 − 1.5 − 1 = −2.5, 1.5 − 2.5 − 1 = −2, 4.5 − 2.5 − 1 = 1.
        Assert.Equal(6.25 + 4 + 1, energy);
        Assert.Equal(new[] { 2 * -2.5, -2 * -2.5 + 2 * -2, -2 * -2 - 2 * 1, 2 * 1.0 }, dp);
        Assert.Equal(-2 * (-2.5 - 2 + 1), drest);
        var (_, derivative) = D.EdgeEnergyTangent(positions, edges, rest, new[] { 1.0, 0, 0, 0 }, 0);
        Assert.Equal(dp[0], derivative);
    }
}
