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
/// 2 or 3 vectors (see <see cref="Image"/>); per tap it loads those vectors of the image and 8 weights. The channels-first layout
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
    /// <remarks>
    /// Tiles of three vectors (24 accumulators, 11 loads per 24 multiply-adds) where the image's vectors come in
    /// threes, as the first layer's 72 do: 0.93 of the time of tiles of two there. Otherwise tiles of two, which
    /// waste nothing on the second layer's 8 vectors, where threes computed a ninth and took as long.
    /// </remarks>
    public static void Image(in Conv2DGeometry g, int* tapOffsets, float* x, float* weights, float* y)
    {
        int vectors = g.OutputHeight * ((g.OutputWidth + Vector256<float>.Count - 1) / Vector256<float>.Count);
        if (vectors % 3 == 0)
            Image<Vectors3>(g, tapOffsets, x, weights, y);
        else
            Image<Vectors2>(g, tapOffsets, x, weights, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Image<TTile>(in Conv2DGeometry g, int* tapOffsets, float* x, float* weights, float* y)
        where TTile : struct, IVectorCount
    {
        bool three = TTile.Value == 3;
        int width = Vector256<float>.Count;
        int outputWidth = g.OutputWidth, outputHeight = g.OutputHeight, channels = g.OutputChannels, taps = g.PatchSize;
        int vectorsPerRow = (outputWidth + width - 1) / width;
        int vectors = outputHeight * vectorsPerRow;
        for (int f = 0; f < channels; f += ChannelsPerTile)
        {
            for (int v = 0; v < vectors; v += TTile.Value)
            {
                // The tile's vectors; past the last, the last is computed again.
                int first = Position(v, vectorsPerRow, outputWidth), second = Position(Math.Min(v + 1, vectors - 1), vectorsPerRow, outputWidth);
                int third = Position(Math.Min(v + 2, vectors - 1), vectorsPerRow, outputWidth);
                // Position (oy, ox) reads the image from oy·W + ox.
                float* x0 = x + first / outputWidth * g.InputWidth + first % outputWidth;
                float* x1 = x + second / outputWidth * g.InputWidth + second % outputWidth;
                float* x2 = x + third / outputWidth * g.InputWidth + third % outputWidth;
                float* w = weights + f;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
                Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
                for (int t = 0; t < taps; t++, w += channels)
                {
                    int offset = tapOffsets[t];
                    Vector256<float> p = Vector256.Load(x0 + offset), q = Vector256.Load(x1 + offset), r = three ? Vector256.Load(x2 + offset) : default;
                    Vector256<float> c = Vector256.Create(w[0]);
                    a0 = Fma.MultiplyAdd(c, p, a0); b0 = Fma.MultiplyAdd(c, q, b0); if (three) c0 = Fma.MultiplyAdd(c, r, c0);
                    c = Vector256.Create(w[1]);
                    a1 = Fma.MultiplyAdd(c, p, a1); b1 = Fma.MultiplyAdd(c, q, b1); if (three) c1 = Fma.MultiplyAdd(c, r, c1);
                    c = Vector256.Create(w[2]);
                    a2 = Fma.MultiplyAdd(c, p, a2); b2 = Fma.MultiplyAdd(c, q, b2); if (three) c2 = Fma.MultiplyAdd(c, r, c2);
                    c = Vector256.Create(w[3]);
                    a3 = Fma.MultiplyAdd(c, p, a3); b3 = Fma.MultiplyAdd(c, q, b3); if (three) c3 = Fma.MultiplyAdd(c, r, c3);
                    c = Vector256.Create(w[4]);
                    a4 = Fma.MultiplyAdd(c, p, a4); b4 = Fma.MultiplyAdd(c, q, b4); if (three) c4 = Fma.MultiplyAdd(c, r, c4);
                    c = Vector256.Create(w[5]);
                    a5 = Fma.MultiplyAdd(c, p, a5); b5 = Fma.MultiplyAdd(c, q, b5); if (three) c5 = Fma.MultiplyAdd(c, r, c5);
                    c = Vector256.Create(w[6]);
                    a6 = Fma.MultiplyAdd(c, p, a6); b6 = Fma.MultiplyAdd(c, q, b6); if (three) c6 = Fma.MultiplyAdd(c, r, c6);
                    c = Vector256.Create(w[7]);
                    a7 = Fma.MultiplyAdd(c, p, a7); b7 = Fma.MultiplyAdd(c, q, b7); if (three) c7 = Fma.MultiplyAdd(c, r, c7);
                }
                int positions = g.OutputPositions;
                Store(y + (nint)f * positions + first, positions, a0, a1, a2, a3, a4, a5, a6, a7);
                Store(y + (nint)f * positions + second, positions, b0, b1, b2, b3, b4, b5, b6, b7);
                if (three)
                    Store(y + (nint)f * positions + third, positions, c0, c1, c2, c3, c4, c5, c6, c7);
            }
        }
    }

    /// <summary>Stores one vector of each of 8 channels, <paramref name="positions"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, int positions, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3,
                              Vector256<float> v4, Vector256<float> v5, Vector256<float> v6, Vector256<float> v7)
    {
        v0.Store(y); v1.Store(y + positions); v2.Store(y + 2 * positions); v3.Store(y + 3 * positions);
        v4.Store(y + 4 * positions); v5.Store(y + 5 * positions); v6.Store(y + 6 * positions); v7.Store(y + 7 * positions);
    }

    /// <summary>The output position (oy·OW + ox) where vector <paramref name="v"/> starts; a row's last vector ends at the row's end.</summary>
    private static int Position(int v, int vectorsPerRow, int outputWidth)
    {
        int oy = v / vectorsPerRow, column = v % vectorsPerRow * Vector256<float>.Count;
        return oy * outputWidth + Math.Min(column, outputWidth - Vector256<float>.Count);
    }
}
