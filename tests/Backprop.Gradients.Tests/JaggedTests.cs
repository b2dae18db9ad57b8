using static Backprop.Gradients.Tests.FiniteDifferences;
using static Backprop.Gradients.Tests.TestArrays;
using J = Backprop.Gradients.Tests.JaggedFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Arrays of arrays: gradients and tangents against finite differences and closed forms; shapes checked; rows that are one array.</summary>
public class JaggedTests
{
    private const int Samples = 4, Features = 3;

    private static readonly int[] s_labels = { 1, 0, 0, 1 };

    private static double Logistic(double[] p) =>
        J.LogisticLoss(Rows(p, Samples, Features), s_labels, p.Skip(Samples * Features).Take(Features).ToArray(), p[^1]);

    private static double LogisticGradient(double[] p, double[] g)
    {
        double[][] dx = Rows(new double[Samples * Features], Samples, Features);
        var dw = new double[Features];
        double value = J.LogisticLossGradient(Rows(p, Samples, Features), s_labels, p.Skip(Samples * Features).Take(Features).ToArray(), p[^1], dx, dw, out double db);
        dx.SelectMany(r => r).Concat(dw).Append(db).ToArray().CopyTo(g, 0);
        return value;
    }

    [Fact]
    public void LogisticLossOverSamplesMatchesFiniteDifferencesAndTheClosedForm()
    {
        double[][] points = Points(3, Samples * Features + Features + 1, 15);
        Check(Logistic, LogisticGradient, points);
        foreach (double[] p in points)
        {
            double[][] x = Rows(p, Samples, Features);
            double[] w = p.Skip(Samples * Features).Take(Features).ToArray();
            double b = p[^1];
            var g = new double[p.Length];
            LogisticGradient(p, g);
            // With y = ±1 and s = σ(−y·z): ∂/∂x[i] = −y s w, ∂/∂w = Σ −y s x[i], ∂/∂b = Σ −y s.
            var dw = new double[Features];
            double db = 0;
            for (int i = 0; i < Samples; i++)
            {
                double y = s_labels[i] == 1 ? 1 : -1;
                double z = b + w.Zip(x[i], (a, c) => a * c).Sum();
                double s = 1 / (1 + Math.Exp(y * z));
                for (int j = 0; j < Features; j++)
                {
                    Assert.Equal(-y * s * w[j], g[i * Features + j], 12);
                    dw[j] += -y * s * x[i][j];
                }
                db += -y * s;
            }
            for (int j = 0; j < Features; j++)
                Assert.Equal(dw[j], g[Samples * Features + j], 12);
            Assert.Equal(db, g[^1], 12);
        }
    }

    [Fact]
    public void LogisticLossTangentIsTheGradientAlongTheDirection()
    {
        var random = new Random(3);
        foreach (double[] p in Points(3, Samples * Features + Features + 1, 16))
        {
            double[] v = p.Select(_ => random.NextDouble() - 0.5).ToArray();
            var g = new double[p.Length];
            LogisticGradient(p, g);
            var (value, derivative) = J.LogisticLossTangent(Rows(p, Samples, Features), s_labels, p.Skip(Samples * Features).Take(Features).ToArray(), p[^1],
                Rows(v, Samples, Features), v.Skip(Samples * Features).Take(Features).ToArray(), v[^1]);
            Assert.Equal(Logistic(p), value);
            Assert.Equal(g.Zip(v, (a, d) => a * d).Sum(), derivative, 12);
            const double h = 1e-6;
            double central = (Logistic(p.Zip(v, (a, d) => a + h * d).ToArray()) - Logistic(p.Zip(v, (a, d) => a - h * d).ToArray())) / (2 * h);
            Assert.Equal(central, derivative, 6);
        }
    }

    [Fact]
    public void SoftmaxLossOverRowsAndForeachMatchesFiniteDifferences()
    {
        const int classes = 3;
        double[][] x = Rows(Points(1, Samples * Features, 21)[0], Samples, Features);
        int[] labels = { 2, 0, 1, 2 };
        double Loss(double[] p) => J.SoftmaxLoss(x, labels, Rows(p, classes, Features));
        double[][] points = Points(2, classes * Features, 22);
        Check(Loss, (p, g) =>
        {
            double[][] dw = Rows(Enumerable.Repeat(double.NaN, classes * Features).ToArray(), classes, Features);
            double value = J.SoftmaxLossGradient(x, labels, Rows(p, classes, Features), dw);
            dw.SelectMany(r => r).ToArray().CopyTo(g, 0);
            return value;
        }, points);
        // Closed form: ∂/∂w[k] = mean over samples of (softmax_k − [k = label])·x[i].
        double[] q = points[0];
        double[][] w = Rows(q, classes, Features);
        double[][] gradient = Rows(new double[classes * Features], classes, Features);
        J.SoftmaxLossGradient(x, labels, w, gradient);
        for (int i = 0; i < Samples; i++)
        {
            double[] z = w.Select(row => row.Zip(x[i], (a, c) => a * c).Sum()).ToArray();
            double[] softmax = z.Select(v => Math.Exp(v) / z.Sum(Math.Exp)).ToArray();
            for (int k = 0; k < classes; k++)
                for (int j = 0; j < Features; j++)
                    gradient[k][j] -= (softmax[k] - (k == labels[i] ? 1 : 0)) * x[i][j] / Samples;
        }
        Assert.All(gradient.SelectMany(r => r), residual => Assert.Equal(0, residual, 12));
        double[] direction = Points(1, classes * Features, 23)[0];
        var (_, derivative) = J.SoftmaxLossTangent(x, labels, w, Rows(direction, classes, Features));
        double[][] dw2 = Rows(new double[classes * Features], classes, Features);
        J.SoftmaxLossGradient(x, labels, w, dw2);
        Assert.Equal(dw2.SelectMany(r => r).Zip(direction, (a, d) => a * d).Sum(), derivative, 12);
    }

    [Fact]
    public void RaggedFloatRowsMatchFiniteDifferencesAndTheirTangent()
    {
        int[] lengths = { 3, 1, 4 };
        float[][] Ragged(double[] p)
        {
            int at = 0;
            return lengths.Select(n => { float[] row = p.Skip(at).Take(n).Select(v => (float)v).ToArray(); at += n; return row; }).ToArray();
        }
        double Loss(double[] p) => J.Ragged(Ragged(p), (float)p[^1]);
        double[][] points = Points(2, 9, 31);
        Check(Loss, (p, g) =>
        {
            float[][] dx = lengths.Select(n => new float[n]).ToArray();
            float value = J.RaggedGradient(Ragged(p), (float)p[^1], dx, out float dscale);
            dx.SelectMany(r => r).Select(v => (double)v).Append(dscale).ToArray().CopyTo(g, 0);
            return value;
        }, points, tolerance: 2e-2, step: 1e-2);
        foreach (double[] p in points)
        {
            float[][] dx = lengths.Select(n => new float[n]).ToArray();
            J.RaggedGradient(Ragged(p), (float)p[^1], dx, out float dscale);
            float[][] x = Ragged(p);
            for (int i = 0; i < lengths.Length; i++)
                for (int j = 0; j < lengths[i]; j++)
                    Assert.Equal(2f * (j + 1) * x[i][j] / lengths[i] * (float)p[^1], dx[i][j], 4);
            var (_, derivative) = J.RaggedTangent(Ragged(p), (float)p[^1], lengths.Select(n => Enumerable.Repeat(1f, n).ToArray()).ToArray(), 0.5f);
            Assert.Equal(dx.SelectMany(r => r).Sum() + 0.5f * dscale, derivative, 3);
        }
    }

    [Fact]
    public void BuffersOfOtherRowLengthsThrowNamingTheRow()
    {
        double[][] x = { new double[3], new double[2] };
        var exception = Assert.Throws<ArgumentException>(() => J.RaggedGradient(x.Select(r => r.Select(v => (float)v).ToArray()).ToArray(), 1f, new[] { new float[3], new float[3] }, out _));
        Assert.Equal("dx", exception.ParamName);
        Assert.Contains("Row 1", exception.Message);
        Assert.Throws<ArgumentException>(() => J.LogisticLossGradient(x, new[] { 0, 1 }, new double[3], 0, new[] { new double[3] }, new double[3], out _));
        Assert.Throws<ArgumentNullException>(() => J.LogisticLossGradient(x, new[] { 0, 1 }, new double[3], 0, new[] { new double[3], null! }, new double[3], out _));
    }

    /// <summary>
    /// Two rows that are one array: each row is an input of its own (its own place in the gradient), so distinct gradient
    /// rows get each row's partial, and gradient rows that are one array too get their sum, the shared array's gradient.
    /// </summary>
    [Fact]
    public void RowsThatAreOneArrayGetTheirPartialsOrTheirSum()
    {
        double[] shared = { 0.3, -0.2, 0.9 };
        double[][] x = { shared, new[] { 0.1, 0.5, -0.4 }, shared };
        int[] labels = { 1, 0, 0 };
        double[] w = { 0.7, -1.2, 0.4 };
        double[][] distinct = { new double[3], new double[3], new double[3] };
        J.LogisticLossGradient(x, labels, w, 0.1, distinct, new double[3], out _);
        double[][] copies = { (double[])shared.Clone(), x[1], (double[])shared.Clone() };
        double[][] expected = { new double[3], new double[3], new double[3] };
        J.LogisticLossGradient(copies, labels, w, 0.1, expected, new double[3], out _);
        Assert.Equal(expected, distinct);
        double[] sharedGradient = new double[3];
        J.LogisticLossGradient(x, labels, w, 0.1, new[] { sharedGradient, new double[3], sharedGradient }, new double[3], out _);
        for (int j = 0; j < 3; j++)
            Assert.Equal(expected[0][j] + expected[2][j], sharedGradient[j], 14);
    }

    [Fact]
    public void AnIndexOutsideARowThrowsAsItDoesInTheMethod()
    {
        // Samples of 2 features against weight rows of 3: sample[2] is outside every row of x, also in the derivatives.
        double[][] x = { new double[2], new double[2] };
        double[][] w = { new double[3], new double[3] };
        int[] labels = { 0, 1 };
        Assert.Throws<IndexOutOfRangeException>(() => J.SoftmaxLoss(x, labels, w));
        Assert.Throws<IndexOutOfRangeException>(() => J.SoftmaxLossGradient(x, labels, w, new[] { new double[3], new double[3] }));
        Assert.Throws<IndexOutOfRangeException>(() => J.SoftmaxLossTangent(x, labels, w, new[] { new double[3], new double[3] }));
    }

    [Fact]
    public void NeighbourListsAsDataGiveTheGraphLaplacianAsHessian()
    {
        int[][] neighbours = { new[] { 1 }, new[] { 0, 2 }, new[] { 1 } };
        double[] u = { 0.3, -0.8, 1.4 };
        Check(q => J.Smoothness(q, neighbours), (q, g) => J.SmoothnessGradient(q, neighbours, g), new[] { u });
        var hessian = new double[3, 3];
        J.SmoothnessHessian(u, neighbours, hessian);
        // Each edge is listed from both ends: the Hessian is twice the graph Laplacian.
        double[,] expected = { { 2, -2, 0 }, { -2, 4, -2 }, { 0, -2, 2 } };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(expected[i, j], hessian[i, j], 12);
    }
}
