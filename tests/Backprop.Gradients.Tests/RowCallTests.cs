using static Backprop.Gradients.Tests.FiniteDifferences;
using static Backprop.Gradients.Tests.TestArrays;
using R = Backprop.Gradients.Tests.RowCallFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Rows passed to calls: gradients, tangents and Hessian-vector products against finite differences and closed forms.</summary>
public class RowCallTests
{
    private const int Samples = 4, Features = 3;

    private static readonly byte[] s_labels = { 1, 0, 0, 1 };

    /// <summary>The samples row after row, then w, then λ.</summary>
    private static double Loss(double[] p) => R.Loss(Rows(p, Samples, Features), s_labels, p[(Samples * Features)..^1], p[^1]);

    private static double LossGradient(double[] p, double[] g)
    {
        double[][] dx = Rows(new double[Samples * Features], Samples, Features);
        var dw = new double[Features];
        double value = R.LossGradient(Rows(p, Samples, Features), s_labels, p[(Samples * Features)..^1], p[^1], dx, dw, out double dlambda);
        dx.SelectMany(r => r).Concat(dw).Append(dlambda).ToArray().CopyTo(g, 0);
        return value;
    }

    [Fact]
    public void LossPassingRowsToCallsMatchesFiniteDifferencesAndTheClosedForm()
    {
        double[][] points = Points(3, Samples * Features + Features + 1, 301);
        Check(Loss, LossGradient, points);
        foreach (double[] p in points)
        {
            double[][] x = Rows(p, Samples, Features);
            double[] w = p[(Samples * Features)..^1];
            double lambda = p[^1];
            var g = new double[p.Length];
            LossGradient(p, g);
            // With y = ±1, s = σ(−y·w·x[i]): ∂/∂x[i] = −y s w + 2λ x[i], ∂/∂w = Σ −y s x[i], ∂/∂λ = Σ |x[i]|².
            var dw = new double[Features];
            double dlambda = 0;
            for (int i = 0; i < Samples; i++)
            {
                double y = s_labels[i] == 1 ? 1 : -1;
                double s = 1 / (1 + Math.Exp(y * w.Zip(x[i], (a, b) => a * b).Sum()));
                for (int j = 0; j < Features; j++)
                {
                    Assert.Equal(-y * s * w[j] + 2 * lambda * x[i][j], g[i * Features + j], 12);
                    dw[j] += -y * s * x[i][j];
                }
                dlambda += x[i].Sum(v => v * v);
            }
            for (int j = 0; j < Features; j++)
                Assert.Equal(dw[j], g[Samples * Features + j], 12);
            Assert.Equal(dlambda, g[^1], 12);
        }
    }

    [Fact]
    public void LossTangentIsTheGradientAlongTheDirection()
    {
        double[] v = Points(1, Samples * Features + Features + 1, 302)[0];
        foreach (double[] p in Points(2, v.Length, 303))
        {
            var g = new double[p.Length];
            LossGradient(p, g);
            var (value, derivative) = R.LossTangent(Rows(p, Samples, Features), s_labels, p[(Samples * Features)..^1], p[^1],
                Rows(v, Samples, Features), v[(Samples * Features)..^1], v[^1]);
            Assert.Equal(Loss(p), value);
            Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), derivative, 12);
        }
    }

    [Fact]
    public void EnergyThroughAHelperPassingItsRowOnHasTheClosedFormTangentAndHessianVectorProduct()
    {
        double[][] x = Rows(Points(1, Samples * Features, 304)[0], Samples, Features);
        double[] w = { 0.3, -0.8, 0.5 }, v = { 1.0, -0.5, 0.25 };
        var dw = new double[Features];
        double value = R.EnergyGradient(x, w, dw);
        Assert.Equal(R.Energy(x, w), value);
        // E = Σ exp(½ w·x[i]): ∇E = Σ ½ e x[i], H v = Σ ¼ e (x[i]·v) x[i].
        var gradient = new double[Features];
        var product = new double[Features];
        foreach (double[] row in x)
        {
            double e = Math.Exp(0.5 * w.Zip(row, (a, b) => a * b).Sum());
            double along = row.Zip(v, (a, b) => a * b).Sum();
            for (int j = 0; j < Features; j++)
            {
                gradient[j] += 0.5 * e * row[j];
                product[j] += 0.25 * e * along * row[j];
            }
        }
        for (int j = 0; j < Features; j++)
            Assert.Equal(gradient[j], dw[j], 12);
        var (_, derivative) = R.EnergyTangent(x, w, v);
        Assert.Equal(gradient.Zip(v, (a, b) => a * b).Sum(), derivative, 12);
        var hw = new double[Features];
        R.EnergyHessianVector(x, w, v, hw);
        for (int j = 0; j < Features; j++)
            Assert.Equal(product[j], hw[j], 12);
    }

    [Fact]
    public void RowPassedToAHelperReturningAnArrayGivesTheClosedForm()
    {
        double[][] x = { new[] { 0.5, -1.0, 2.0 }, new[] { 3.0, 1.0, -1.0 } };
        double[] w = { 0.4, 0.3, -0.2 };
        double[][] dx = { new double[3], new double[3] };
        var dw = new double[3];
        Assert.Equal(R.FirstLayer(x, w), R.FirstLayerGradient(x, w, dx, dw));
        for (int j = 0; j < 3; j++)
        {
            double slope = 1 - Math.Pow(Math.Tanh(x[0][j] * w[j]), 2);
            Assert.Equal(slope * x[0][j], dw[j], 12);
            Assert.Equal(slope * w[j], dx[0][j], 12);
            Assert.Equal(0, dx[1][j]);
        }
        double[][] vx = { new[] { 1.0, 0, 0.5 }, new[] { 2.0, 2.0, 2.0 } };
        double[] vw = { -1.0, 0.5, 0.25 };
        var (_, derivative) = R.FirstLayerTangent(x, w, vx, vw);
        double expected = Enumerable.Range(0, 3).Sum(j => dx[0][j] * vx[0][j] + dw[j] * vw[j]);
        Assert.Equal(expected, derivative, 12);
    }

    [Fact]
    public void RowsPassedToAHelperReturningEarlyAndInALoopConditionMatchFiniteDifferences()
    {
        // Rows (samples 3 × 3), then w (3): signs fixed so the branches taken do not change within the step.
        double[] p = { -0.5, 0.7, 0.2, 0.4, -0.3, 0.9, -0.8, -0.6, 0.5, 1.2, 0.8, -0.9 };
        double F(double[] q) => R.LeadingPositive(Rows(q, 3, 3), q[9..]);
        Check(F, (q, g) =>
        {
            double[][] dx = Rows(new double[9], 3, 3);
            var dw = new double[3];
            double value = R.LeadingPositiveGradient(Rows(q, 3, 3), q[9..], dx, dw);
            dx.SelectMany(r => r).Concat(dw).ToArray().CopyTo(g, 0);
            return value;
        }, new[] { p });
        // Samples 0 and 1 lead with a[1]·w[1] = 0.56 and a[0]·w[0] = 0.48; sample 2's is −0.9·0.5 = −0.45, which stops the loop.
        Assert.Equal(0.56 * 0.56 + 0.48 * 0.48, F(p), 12);
        double[] v = Points(1, p.Length, 305)[0];
        var (_, derivative) = R.LeadingPositiveTangent(Rows(p, 3, 3), p[9..], Rows(v, 3, 3), v[9..]);
        Assert.Equal(2 * 0.56 * (v[1] * 0.8 + 0.7 * v[10]) + 2 * 0.48 * (v[3] * 1.2 + 0.4 * v[9]), derivative, 12);
    }

    [Fact]
    public void RowsOfDifferentiatedSamplesPassedToCallsHaveTheHessianVectorProductOfFiniteDifferences()
    {
        double GradientInto(double[] q, double[] g)
        {
            double[][] dx = Rows(new double[Samples * Features], Samples, Features);
            var dw = new double[Features];
            double value = R.SampleEnergyGradient(Rows(q, Samples, Features), q[(Samples * Features)..], dx, dw);
            dx.SelectMany(r => r).Concat(dw).ToArray().CopyTo(g, 0);
            return value;
        }
        double[] Gradient(double[] q)
        {
            var g = new double[q.Length];
            GradientInto(q, g);
            return g;
        }
        double[] p = Points(1, Samples * Features + Features, 306)[0], v = Points(1, p.Length, 307)[0];
        Check(q => R.SampleEnergy(Rows(q, Samples, Features), q[(Samples * Features)..]), GradientInto, new[] { p });
        double[] expected = GradientAlong(Gradient, p, v);
        double[][] hx = Rows(new double[Samples * Features], Samples, Features);
        var hw = new double[Features];
        R.SampleEnergyHessianVector(Rows(p, Samples, Features), p[(Samples * Features)..], Rows(v, Samples, Features), v[(Samples * Features)..], hx, hw);
        double[] product = hx.SelectMany(r => r).Concat(hw).ToArray();
        for (int i = 0; i < product.Length; i++)
            Assert.Equal(expected[i], product[i], 6);
    }
}
