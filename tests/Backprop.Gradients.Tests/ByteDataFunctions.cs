using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Bytes as data: raw pixels and labels in <c>byte[]</c> and spans, read by index, converted, compared and used as indices.</summary>
public static partial class ByteDataFunctions
{
    /// <summary>
    /// Softmax cross-entropy over samples x[i] (an array of arrays) with byte labels, one weight row per class stored
    /// flat (w[k * columns + j]): the label indexes the weights directly (w[labels[i] * columns + j]).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double SoftmaxLoss(double[][] x, byte[] labels, double[] w, int classes)
    {
        double loss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int columns = x[i].Length;
            double max = double.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                double z = 0;
                for (int j = 0; j < columns; j++)
                    z += w[k * columns + j] * x[i][j];
                max = Math.Max(max, z);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++)
            {
                double z = 0;
                for (int j = 0; j < columns; j++)
                    z += w[k * columns + j] * x[i][j];
                sum += Math.Exp(z - max);
            }
            double target = 0;
            for (int j = 0; j < columns; j++)
                target += w[labels[i] * columns + j] * x[i][j];
            loss += Math.Log(sum) + max - target;
        }
        return loss / x.Length;
    }

    /// <summary>
    /// A linear model over raw pixel bytes scaled to [0, 1], a gather of the bias through byte indices, and a byte
    /// local compared with a threshold: Σ tanh(Σⱼ w[j]·pixels[i·n + j] / 255 + bias[idx[i]]) over bright enough samples.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double PixelModel(double[] w, double[] bias, byte[] pixels, byte[] idx)
    {
        int n = w.Length;
        double total = 0;
        for (int i = 0; i < idx.Length; i++)
        {
            byte first = pixels[i * n];
            if (first < 10)
                continue;
            byte k = idx[i];
            double z = bias[k];
            for (int j = 0; j < n; j++)
                z += w[j] * (pixels[i * n + j] / 255.0);
            total += Math.Tanh(z) * bias[k];
        }
        return total;
    }

    /// <summary>
    /// Bytes through spans and casts, in float: Σ (float)b · x[b % x.Length] with b read from a span, a byte local
    /// narrowed by a cast and the sum of two bytes (an int in C#, 300 here, not 44).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float SpanBytes(float[] x, ReadOnlySpan<byte> data, Span<byte> scratch)
    {
        float total = 0;
        for (int i = 0; i < data.Length; i++)
        {
            byte b = data[i];
            int wide = b + scratch[i];
            byte wrapped = (byte)wide;
            total += (float)b * x[b % x.Length] + wide * x[wrapped % x.Length] * 0.01f;
        }
        return total;
    }

    /// <summary>
    /// A local byte array counting labels (incremented, wrapping as a byte does), a switch on a byte, Math.Max of bytes
    /// and a helper with no attribute taking the byte[]: Σₖ counts[k]·w[k]² + Σᵢ w[max(labels[i], 1)] + (label 2 ? w[0] : 0).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double CountsAndHelpers(double[] w, byte[] labels)
    {
        byte[] counts = new byte[w.Length];
        double total = 0;
        foreach (byte label in labels)
        {
            counts[label] += 1;
            switch (label)
            {
                case 2:
                    total += w[0];
                    break;
                default:
                    break;
            }
        }
        for (int k = 0; k < w.Length; k++)
            total += counts[k] * w[k] * w[k];
        return total + Gathered(w, labels);
    }

    private static double Gathered(ReadOnlySpan<double> w, byte[] labels)
    {
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
            sum += w[Math.Max(labels[i], (byte)1)];
        return sum;
    }

    /// <summary>Images as an array of byte rows and as a two-dimensional byte array: Σᵢⱼ w[j]·(rows[i][j] + grid[i, j]) / 255.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ByteImages(double[] w, byte[][] rows, byte[,] grid)
    {
        double total = 0;
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[i].Length; j++)
                total += w[j] * (rows[i][j] + grid[i, j]) / 255.0;
        return total;
    }

    /// <summary>
    /// Byte operators as C# computes them: ++ and &lt;&lt;= wrapping a byte local, ~ and unary − promoting to int, Math.Min
    /// of bytes, a choice of bytes with byte.MaxValue, and a switch expression over a byte choosing the weight.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ByteOperators(double[] w, byte[] data)
    {
        double total = 0;
        foreach (byte b in data)
        {
            byte c = b;
            c++;
            c <<= 1;
            int flipped = ~b & 0xFF;
            int negated = -b;
            byte small = Math.Min(b, (byte)3);
            byte chosen = b > 100 ? b : byte.MaxValue;
            int k = b switch { 0 => 0, < 128 => 1, _ => 2 };
            total += w[k] * (c + flipped + negated + small + chosen) / 255.0;
        }
        return total;
    }

    /// <summary>A generic method over byte indices and weights: Σ x[b[i]]·b[i], for double and float alike.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static T WeightedGather<T>(T[] x, byte[] b) where T : System.Numerics.IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = 0; i < b.Length; i++)
            sum += x[b[i]] * T.CreateChecked(b[i]);
        return sum;
    }
}
