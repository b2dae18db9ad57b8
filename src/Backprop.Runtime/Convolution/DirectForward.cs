using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop;

/// <summary>
/// A float convolution with stride 1 and no padding computed straight from the image, without unrolling it into
/// patches and without transposing the product: each output row of an output channel is a run of 256-bit vectors
/// (8 positions; a row whose width is not a multiple of 8 ends in a vector that overlaps the one before it), and
/// <c>y[f, oy, ox..ox+8] = Σ_{c,i,j} W[(c·K + i)·K + j, f] · x[c, oy + i, ox + j..ox + j + 8]</c> is a fused
/// multiply-add of a broadcast weight and an unaligned load of the image per tap. A tile is 8 output channels ×
/// 2 vectors, 16 accumulators; per tap it loads 2 vectors of the image and 8 weights. The channels-first layout
/// of the images is what the product gives here, so nothing is transposed.
/// </summary>
internal static unsafe class DirectForward
{
    private const int ChannelsPerTile = 8;

    /// <summary>Whether this path computes <paramref name="g"/>: float with FMA, stride 1, no padding, rows at least a vector wide, channels in eights.</summary>
    public static bool Applies<T>(in Conv2DGeometry g) =>
        typeof(T) == typeof(float) && Fma.IsSupported && g.Stride == 1 && g.Padding == 0
        && g.OutputWidth >= Vector256<float>.Count && g.OutputChannels % ChannelsPerTile == 0;

    /// <summary>The image offset of each tap <c>(c·K + i)·K + j</c>: <c>(c·H + i)·W + j</c>.</summary>
    public static void TapOffsets(in Conv2DGeometry g, int* offsets)
    {
        int k = g.KernelSize;
        for (int c = 0, t = 0; c < g.InputChannels; c++)
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++, t++)
                    offsets[t] = (c * g.InputHeight + i) * g.InputWidth + j;
    }

    /// <summary>One image: <paramref name="y"/> (channels × positions) from <paramref name="x"/> (channels × height × width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Image(in Conv2DGeometry g, int* tapOffsets, float* x, float* weights, float* y)
    {
        int width = Vector256<float>.Count;
        int outputWidth = g.OutputWidth, outputHeight = g.OutputHeight, channels = g.OutputChannels, taps = g.PatchSize;
        int vectorsPerRow = (outputWidth + width - 1) / width;
        int vectors = outputHeight * vectorsPerRow;
        for (int f = 0; f < channels; f += ChannelsPerTile)
        {
            for (int v = 0; v < vectors; v += 2)
            {
                // The tile's two vectors; an odd last one is computed twice.
                int first = Position(v, vectorsPerRow, outputWidth), second = Position(Math.Min(v + 1, vectors - 1), vectorsPerRow, outputWidth);
                // Position (oy, ox) reads the image from oy·W + ox.
                float* x0 = x + first / outputWidth * g.InputWidth + first % outputWidth;
                float* x1 = x + second / outputWidth * g.InputWidth + second % outputWidth;
                float* w = weights + f;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
                for (int t = 0; t < taps; t++, w += channels)
                {
                    int offset = tapOffsets[t];
                    Vector256<float> p = Vector256.Load(x0 + offset), q = Vector256.Load(x1 + offset);
                    Vector256<float> c = Vector256.Create(w[0]);
                    a0 = Fma.MultiplyAdd(c, p, a0); b0 = Fma.MultiplyAdd(c, q, b0);
                    c = Vector256.Create(w[1]);
                    a1 = Fma.MultiplyAdd(c, p, a1); b1 = Fma.MultiplyAdd(c, q, b1);
                    c = Vector256.Create(w[2]);
                    a2 = Fma.MultiplyAdd(c, p, a2); b2 = Fma.MultiplyAdd(c, q, b2);
                    c = Vector256.Create(w[3]);
                    a3 = Fma.MultiplyAdd(c, p, a3); b3 = Fma.MultiplyAdd(c, q, b3);
                    c = Vector256.Create(w[4]);
                    a4 = Fma.MultiplyAdd(c, p, a4); b4 = Fma.MultiplyAdd(c, q, b4);
                    c = Vector256.Create(w[5]);
                    a5 = Fma.MultiplyAdd(c, p, a5); b5 = Fma.MultiplyAdd(c, q, b5);
                    c = Vector256.Create(w[6]);
                    a6 = Fma.MultiplyAdd(c, p, a6); b6 = Fma.MultiplyAdd(c, q, b6);
                    c = Vector256.Create(w[7]);
                    a7 = Fma.MultiplyAdd(c, p, a7); b7 = Fma.MultiplyAdd(c, q, b7);
                }
                int positions = g.OutputPositions;
                float* y0 = y + (nint)f * positions + first, y1 = y + (nint)f * positions + second;
                a0.Store(y0); a1.Store(y0 + positions); a2.Store(y0 + 2 * positions); a3.Store(y0 + 3 * positions);
                a4.Store(y0 + 4 * positions); a5.Store(y0 + 5 * positions); a6.Store(y0 + 6 * positions); a7.Store(y0 + 7 * positions);
                b0.Store(y1); b1.Store(y1 + positions); b2.Store(y1 + 2 * positions); b3.Store(y1 + 3 * positions);
                b4.Store(y1 + 4 * positions); b5.Store(y1 + 5 * positions); b6.Store(y1 + 6 * positions); b7.Store(y1 + 7 * positions);
            }
        }
    }

    /// <summary>The output position (oy·OW + ox) where vector <paramref name="v"/> starts; a row's last vector ends at the row's end.</summary>
    private static int Position(int v, int vectorsPerRow, int outputWidth)
    {
        int oy = v / vectorsPerRow, column = v % vectorsPerRow * Vector256<float>.Count;
        return oy * outputWidth + Math.Min(column, outputWidth - Vector256<float>.Count);
    }
}
