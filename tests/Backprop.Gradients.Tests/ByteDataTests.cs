using static Backprop.Gradients.Tests.FiniteDifferences;
using static Backprop.Gradients.Tests.TestArrays;
using B = Backprop.Gradients.Tests.ByteDataFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Bytes as data (labels, pixels, indices): gradients, tangents and Hessian-vector products against finite differences and closed forms.</summary>
public class ByteDataTests
{
    private const int Samples = 4, Features = 3, Classes = 3;

    private static readonly byte[] s_labels = { 2, 0, 1, 2 };

    /// <summary>The samples row after row, then the weights.</summary>
    private static double Softmax(double[] p) =>
        B.SoftmaxLoss(Rows(p, Samples, Features), s_labels, p[(Samples * Features)..], Classes);

    private static double SoftmaxGradient(double[] p, double[] g)
    {
        double[][] dx = Rows(new double[Samples * Features], Samples, Features);
        var dw = new double[Classes * Features];
        double value = B.SoftmaxLossGradient(Rows(p, Samples, Features), s_labels, p[(Samples * Features)..], Classes, dx, dw);
        dx.SelectMany(r => r).Concat(dw).ToArray().CopyTo(g, 0);
        return value;
    }

    [Fact]
    public void SoftmaxLossOverSamplesWithByteLabelsMatchesFiniteDifferencesAndTheClosedForm()
    {
        double[][] points = Points(3, Samples * Features + Classes * Features, 151);
        Check(Softmax, SoftmaxGradient, points);
        foreach (double[] p in points)
        {
            double[][] x = Rows(p, Samples, Features);
            double[] w = p[(Samples * Features)..];
            var g = new double[p.Length];
            SoftmaxGradient(p, g);
            // ∂/∂w[k·F + j] = (1/N) Σᵢ (softmaxₖ(zᵢ) − [k = labelᵢ]) · x[i][j].
            for (int k = 0; k < Classes; k++)
                for (int j = 0; j < Features; j++)
                {
                    double expected = 0;
                    for (int i = 0; i < Samples; i++)
                    {
                        double[] z = Enumerable.Range(0, Classes).Select(c => Enumerable.Range(0, Features).Sum(f => w[c * Features + f] * x[i][f])).ToArray();
                        double sum = z.Sum(Math.Exp);
                        expected += (Math.Exp(z[k]) / sum - (k == s_labels[i] ? 1 : 0)) * x[i][j];
                    }
                    Assert.Equal(expected / Samples, g[Samples * Features + k * Features + j], 12);
                }
        }
    }

    [Fact]
    public void SoftmaxLossTangentIsTheGradientAlongTheDirection()
    {
        foreach (double[] p in Points(2, Samples * Features + Classes * Features, 152))
        {
            double[] v = Points(1, p.Length, 153)[0];
            var g = new double[p.Length];
            SoftmaxGradient(p, g);
            var (value, derivative) = B.SoftmaxLossTangent(Rows(p, Samples, Features), s_labels, p[(Samples * Features)..], Classes,
                Rows(v, Samples, Features), v[(Samples * Features)..]);
            Assert.Equal(Softmax(p), value);
            Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), derivative, 12);
        }
    }

    private const int Pixels = 3;

    /// <summary>Three samples of three pixels; the second is too dark and skipped; bias indices 1, 1, 0 (one is gathered twice).</summary>
    private static readonly byte[] s_pixels = { 200, 0, 255, 5, 100, 100, 17, 128, 64 };
    private static readonly byte[] s_idx = { 1, 0, 1 };

    private static double Pixel(double[] p) => B.PixelModel(p[..Pixels], p[Pixels..], s_pixels, s_idx);

    private static double PixelGradient(double[] p, double[] g)
    {
        double[] dw = new double[Pixels], dbias = new double[2];
        double value = B.PixelModelGradient(p[..Pixels], p[Pixels..], s_pixels, s_idx, dw, dbias);
        dw.Concat(dbias).ToArray().CopyTo(g, 0);
        return value;
    }

    [Fact]
    public void PixelModelOverRawBytesMatchesFiniteDifferencesAndTheClosedForm()
    {
        double[][] points = Points(3, Pixels + 2, 154);
        Check(Pixel, PixelGradient, points);
        foreach (double[] p in points)
        {
            var g = new double[p.Length];
            PixelGradient(p, g);
            // total = Σ over bright samples of tanh(zᵢ)·b[k], zᵢ = b[k] + Σⱼ w[j]·pixel/255:
            // ∂/∂w[j] = Σ (1 − tanh²)·b[k]·pixel/255, ∂/∂b[k] = Σ over k's samples (1 − tanh²)·b[k] + tanh.
            var expected = new double[p.Length];
            for (int i = 0; i < s_idx.Length; i++)
            {
                if (s_pixels[i * Pixels] < 10)
                    continue;
                int k = s_idx[i];
                double bk = p[Pixels + k];
                double z = bk + Enumerable.Range(0, Pixels).Sum(j => p[j] * (s_pixels[i * Pixels + j] / 255.0));
                double t = Math.Tanh(z);
                for (int j = 0; j < Pixels; j++)
                    expected[j] += (1 - t * t) * bk * s_pixels[i * Pixels + j] / 255.0;
                expected[Pixels + k] += (1 - t * t) * bk + t;
            }
            for (int i = 0; i < p.Length; i++)
                Assert.Equal(expected[i], g[i], 12);
        }
    }

    [Fact]
    public void PixelModelTangentAndHessianVectorProductMatchTheGradient()
    {
        double[] v = { 0.4, -0.7, 0.25, 1.0, -0.6 };
        foreach (double[] p in Points(2, Pixels + 2, 155))
        {
            var g = new double[p.Length];
            PixelGradient(p, g);
            var (value, derivative) = B.PixelModelTangent(p[..Pixels], p[Pixels..], s_pixels, s_idx, v[..Pixels], v[Pixels..]);
            Assert.Equal(Pixel(p), value);
            Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), derivative, 12);

            double[] expected = GradientAlong(q =>
            {
                var gq = new double[q.Length];
                PixelGradient(q, gq);
                return gq;
            }, p, v);
            double[] hw = new double[Pixels], hbias = new double[2];
            B.PixelModelHessianVector(p[..Pixels], p[Pixels..], s_pixels, s_idx, v[..Pixels], v[Pixels..], hw, hbias);
            double[] product = hw.Concat(hbias).ToArray();
            for (int i = 0; i < product.Length; i++)
                Assert.Equal(expected[i], product[i], 6);
        }
    }

    [Fact]
    public void BytesFromSpansPromoteAndWrapAsCSharpDoes()
    {
        float[] x = { 0.5f, -1.25f, 2f, 0.75f, -0.5f };
        byte[] data = { 7, 200, 3, 255 }, scratch = { 1, 100, 250, 1 };
        var dx = new float[x.Length];
        float value = B.SpanBytesGradient(x, data, scratch, dx);
        Assert.Equal(B.SpanBytes(x, data, scratch), value);
        // ∂/∂x[m] = Σ over i with b % 5 = m of b + Σ over i with (byte)(b + s) % 5 = m of 0.01·(b + s), the sum an int (300, not 44).
        var expected = new float[x.Length];
        for (int i = 0; i < data.Length; i++)
        {
            int wide = data[i] + scratch[i];
            expected[data[i] % x.Length] += data[i];
            expected[(byte)wide % x.Length] += wide * 0.01f;
        }
        for (int m = 0; m < x.Length; m++)
            Assert.Equal(expected[m], dx[m], 4);
        float[] v = { 1f, 0.5f, -0.25f, 2f, -1f };
        var (tangentValue, derivative) = B.SpanBytesTangent(x, data, scratch, v);
        Assert.Equal(value, tangentValue);
        Assert.Equal(expected.Zip(v, (a, b) => (double)a * b).Sum(), derivative, 2);
    }

    [Fact]
    public void LocalByteArraysSwitchesAndHelpersOverBytesGiveTheClosedForm()
    {
        double[] w = { 0.5, -1.5, 2.0, 0.25 };
        byte[] labels = { 2, 0, 3, 2, 1, 0 };
        var dw = new double[w.Length];
        Assert.Equal(B.CountsAndHelpers(w, labels), B.CountsAndHelpersGradient(w, labels, dw));
        var expected = new double[w.Length];
        foreach (byte label in labels)
        {
            expected[label] += 2 * w[label];
            expected[Math.Max(label, (byte)1)] += 1;
            if (label == 2)
                expected[0] += 1;
        }
        Assert.Equal(expected, dw);
        double[] v = { 1.0, -0.5, 0.25, 2.0 };
        var (value, derivative) = B.CountsAndHelpersTangent(w, labels, v);
        Assert.Equal(B.CountsAndHelpers(w, labels), value);
        Assert.Equal(expected.Zip(v, (a, b) => a * b).Sum(), derivative, 12);
    }

    [Fact]
    public void ByteRowsAndGridsAreReadAsData()
    {
        double[] w = { 0.5, -1.5, 2.0 };
        byte[][] rows = { new byte[] { 255, 0, 10 }, new byte[] { 1, 2, 3 } };
        byte[,] grid = { { 0, 255, 5 }, { 100, 200, 250 } };
        var dw = new double[w.Length];
        Assert.Equal(B.ByteImages(w, rows, grid), B.ByteImagesGradient(w, rows, grid, dw));
        for (int j = 0; j < w.Length; j++)
            Assert.Equal((rows[0][j] + grid[0, j] + rows[1][j] + grid[1, j]) / 255.0, dw[j], 12);
        var (_, derivative) = B.ByteImagesTangent(w, rows, grid, new[] { 1.0, 0, 0 });
        Assert.Equal(dw[0], derivative, 12);
    }

    [Fact]
    public void ByteOperatorsWrapAndPromoteAsCSharpDoes()
    {
        double[] w = { 0.5, -1.5, 2.0 };
        byte[] data = { 0, 1, 127, 128, 200, 255 };
        var dw = new double[w.Length];
        Assert.Equal(B.ByteOperators(w, data), B.ByteOperatorsGradient(w, data, dw));
        var expected = new double[w.Length];
        foreach (byte b in data)
        {
            byte c = (byte)(b + 1);
            c = (byte)(c << 1);
            int sum = c + (~b & 0xFF) - b + Math.Min(b, (byte)3) + (b > 100 ? b : byte.MaxValue);
            expected[b == 0 ? 0 : b < 128 ? 1 : 2] += sum / 255.0;
        }
        for (int k = 0; k < w.Length; k++)
            Assert.Equal(expected[k], dw[k], 12);
        var (_, derivative) = B.ByteOperatorsTangent(w, data, new[] { 1.0, 2.0, -1.0 });
        Assert.Equal(expected[0] + 2 * expected[1] - expected[2], derivative, 12);
    }

    [Fact]
    public void GenericMethodsTakeByteIndicesInDoubleAndFloat()
    {
        byte[] b = { 2, 0, 2, 1 };
        var dx = new double[3];
        Assert.Equal(0.5 * 2 + 1.5 * 0 + 0.5 * 2 - 1.0 * 1, B.WeightedGatherGradient(new[] { 1.5, -1.0, 0.5 }, b, dx));
        Assert.Equal(new[] { 0.0, 1.0, 4.0 }, dx);
        var df = new float[3];
        B.WeightedGatherGradient(new[] { 1.5f, -1.0f, 0.5f }, b, df);
        Assert.Equal(new[] { 0f, 1f, 4f }, df);
        var (_, derivative) = B.WeightedGatherTangent(new[] { 1.5, -1.0, 0.5 }, b, new[] { 1.0, 1.0, 1.0 });
        Assert.Equal(5.0, derivative);
    }
}
