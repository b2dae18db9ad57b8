using System.Numerics;

namespace Backprop;

/// <summary>
/// The loops of max and average pooling over images stored one per row, channels × height × width. Every
/// channel of every image is one plane; the kernels walk planes in memory order, so a batch is one pass.
/// </summary>
internal static class PoolingKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void MaxForward(in Pool2DGeometry g, ReadOnlySpan<T> x, Span<T> y)
    {
        int planeSize = g.Height * g.Width, outputPlaneSize = g.OutputHeight * g.OutputWidth;
        for (int plane = 0, planes = x.Length / planeSize; plane < planes; plane++)
        {
            ReadOnlySpan<T> input = x.Slice(plane * planeSize, planeSize);
            Span<T> output = y.Slice(plane * outputPlaneSize, outputPlaneSize);
            for (int oy = 0; oy < g.OutputHeight; oy++)
                for (int ox = 0; ox < g.OutputWidth; ox++)
                    output[oy * g.OutputWidth + ox] = input[ArgMax(g, input, oy, ox)];
        }
    }

    /// <summary>Clears <paramref name="dx"/>, then adds each output's gradient at its window's largest input.</summary>
    public static void MaxBackward(in Pool2DGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
    {
        dx.Clear();
        int planeSize = g.Height * g.Width, outputPlaneSize = g.OutputHeight * g.OutputWidth;
        for (int plane = 0, planes = x.Length / planeSize; plane < planes; plane++)
        {
            ReadOnlySpan<T> input = x.Slice(plane * planeSize, planeSize);
            ReadOnlySpan<T> outputGradient = dy.Slice(plane * outputPlaneSize, outputPlaneSize);
            Span<T> inputGradient = dx.Slice(plane * planeSize, planeSize);
            for (int oy = 0; oy < g.OutputHeight; oy++)
                for (int ox = 0; ox < g.OutputWidth; ox++)
                    inputGradient[ArgMax(g, input, oy, ox)] += outputGradient[oy * g.OutputWidth + ox];
        }
    }

    public static void AverageForward(in Pool2DGeometry g, ReadOnlySpan<T> x, Span<T> y)
    {
        T scale = T.One / T.CreateChecked(g.WindowSize * g.WindowSize);
        int planeSize = g.Height * g.Width, outputPlaneSize = g.OutputHeight * g.OutputWidth;
        for (int plane = 0, planes = x.Length / planeSize; plane < planes; plane++)
        {
            ReadOnlySpan<T> input = x.Slice(plane * planeSize, planeSize);
            Span<T> output = y.Slice(plane * outputPlaneSize, outputPlaneSize);
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    T sum = T.Zero;
                    for (int i = 0; i < g.WindowSize; i++)
                        for (int j = 0; j < g.WindowSize; j++)
                            sum += input[(oy * g.Stride + i) * g.Width + ox * g.Stride + j];
                    output[oy * g.OutputWidth + ox] = sum * scale;
                }
            }
        }
    }

    /// <summary>Clears <paramref name="dx"/>, then adds each output's gradient, divided by the window's area, to every input of its window.</summary>
    public static void AverageBackward(in Pool2DGeometry g, ReadOnlySpan<T> dy, Span<T> dx)
    {
        dx.Clear();
        T scale = T.One / T.CreateChecked(g.WindowSize * g.WindowSize);
        int planeSize = g.Height * g.Width, outputPlaneSize = g.OutputHeight * g.OutputWidth;
        for (int plane = 0, planes = dx.Length / planeSize; plane < planes; plane++)
        {
            ReadOnlySpan<T> outputGradient = dy.Slice(plane * outputPlaneSize, outputPlaneSize);
            Span<T> inputGradient = dx.Slice(plane * planeSize, planeSize);
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    T share = outputGradient[oy * g.OutputWidth + ox] * scale;
                    for (int i = 0; i < g.WindowSize; i++)
                        for (int j = 0; j < g.WindowSize; j++)
                            inputGradient[(oy * g.Stride + i) * g.Width + ox * g.Stride + j] += share;
                }
            }
        }
    }

    /// <summary>The index in <paramref name="plane"/> of the largest input of window (<paramref name="oy"/>, <paramref name="ox"/>), the first on ties; NaN wins, so it propagates.</summary>
    private static int ArgMax(in Pool2DGeometry g, ReadOnlySpan<T> plane, int oy, int ox)
    {
        int best = oy * g.Stride * g.Width + ox * g.Stride;
        for (int i = 0; i < g.WindowSize; i++)
        {
            int rowStart = (oy * g.Stride + i) * g.Width + ox * g.Stride;
            for (int j = 0; j < g.WindowSize; j++)
            {
                int index = rowStart + j;
                if (plane[index] > plane[best] || (T.IsNaN(plane[index]) && !T.IsNaN(plane[best])))
                    best = index;
            }
        }
        return best;
    }
}
