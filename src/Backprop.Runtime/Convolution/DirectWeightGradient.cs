using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop;

/// <summary>
/// The weights' gradient of a float convolution with stride 1, no padding and few patch rows (input channels × kernel
/// size at most 8: the MNIST network's first layer has 5), from a sparse output gradient, straight from the image:
/// for each nonzero <c>dY[f, oy, ox] = d</c>, every patch row <c>(c, i)</c> adds <c>d · x[c, oy + i, ox..ox + 8]</c>
/// into its own register, whose first K lanes are <c>dWᵀ[f, (c, i, 0..K)]</c> (the others are discarded). Neither
/// the patches nor their product exist: the unrolling alone took a third of the first layer's pullback.
/// </summary>
internal static unsafe class DirectWeightGradient
{
    private const int MaxRows = 8;

    /// <summary>Output positions at most, so that a channel's list of nonzeros fits on the stack.</summary>
    private const int MaxPositions = 4096;

    /// <summary>Whether this path computes the weights' gradient of <paramref name="g"/>.</summary>
    public static bool Applies<T>(in Conv2DGeometry g) =>
        typeof(T) == typeof(float) && Fma.IsSupported && g.Stride == 1 && g.Padding == 0
        && g.InputChannels * g.KernelSize <= MaxRows && g.KernelSize <= Vector256<float>.Count && g.OutputPositions <= MaxPositions;

    /// <summary>Floats of the sums <see cref="Image"/> adds into: one 8-lane row per output channel and patch row.</summary>
    public static int SumsLength(in Conv2DGeometry g) => g.OutputChannels * g.InputChannels * g.KernelSize * Vector256<float>.Count;

    /// <summary>The image offset <c>oy·W + ox</c> of each output position.</summary>
    public static void PositionOffsets(in Conv2DGeometry g, int* offsets)
    {
        for (int oy = 0, p = 0; oy < g.OutputHeight; oy++)
            for (int ox = 0; ox < g.OutputWidth; ox++, p++)
                offsets[p] = oy * g.InputWidth + ox;
    }

    /// <summary>
    /// Adds one image's contribution to <paramref name="sums"/>. A row's 8 lanes read up to 8 − K values past
    /// its patch, beyond the image's last pixel for its last row: <paramref name="lastInMatrix"/> says that there is
    /// no next image there, and then every read is a masked load of the K lanes. <paramref name="indices"/> and
    /// <paramref name="values"/> hold the list of an output channel's nonzero gradients: positions + 8 entries each.
    /// </summary>
    /// <remarks>
    /// The nonzeros are listed first (compress instructions, no branch per position), then walked in two halves into
    /// two sets of sums, so that consecutive multiply-adds into one register do not wait for each other. Walking the
    /// set bits of each vector's mask instead mispredicted the end of nearly every vector's loop, and took 1.4 ms for
    /// the first layer's batch of 100, more than unrolling the images and using the sparse product (0.9 ms).
    /// </remarks>
    public static void Image(in Conv2DGeometry g, int* positionOffsets, float* x, float* dy, float* sums, bool lastInMatrix, int* indices, float* values)
    {
        switch (g.InputChannels * g.KernelSize)
        {
            case 1: Image<Vectors1>(g, positionOffsets, x, dy, sums, lastInMatrix, indices, values); break;
            case 2: Image<Vectors2>(g, positionOffsets, x, dy, sums, lastInMatrix, indices, values); break;
            case 3: Image<Vectors3>(g, positionOffsets, x, dy, sums, lastInMatrix, indices, values); break;
            case 4: Image<Vectors4>(g, positionOffsets, x, dy, sums, lastInMatrix, indices, values); break;
            case 5: Image<Vectors5>(g, positionOffsets, x, dy, sums, lastInMatrix, indices, values); break;
            case 6: Image<Vectors6>(g, positionOffsets, x, dy, sums, lastInMatrix, indices, values); break;
            case 7: Image<Vectors7>(g, positionOffsets, x, dy, sums, lastInMatrix, indices, values); break;
            default: Image<Vectors8>(g, positionOffsets, x, dy, sums, lastInMatrix, indices, values); break;
        }
    }

    /// <summary><see cref="Image"/> with the patch rows known at JIT time (<typeparamref name="TRows"/>): a test of the row count per multiply-add was a third of the loop's instructions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Image<TRows>(in Conv2DGeometry g, int* positionOffsets, float* x, float* dy, float* sums, bool lastInMatrix, int* indices, float* values)
        where TRows : struct, IVectorCount
    {
        int k = g.KernelSize, rows = TRows.Value, positions = g.OutputPositions, width = Vector256<float>.Count;
        int planeSize = g.InputHeight * g.InputWidth;
        int* rowOffsets = stackalloc int[MaxRows];
        for (int r = 0; r < MaxRows; r++)
            rowOffsets[r] = r < rows ? r / k * planeSize + r % k * g.InputWidth : 0;
        RowOffsets o = new(rowOffsets);
        Vector256<float> kernelLanes = Vector256.LessThan(Vector256.CreateSequence(0, 1), Vector256.Create(k)).AsSingle();
        for (int f = 0; f < g.OutputChannels; f++)
        {
            float* gradients = dy + (nint)f * positions;
            int length = 0, p = 0;
            for (; p + width <= positions; p += width)
                length += Simd256<float>.CompressNonzero(Vector256.Load(gradients + p), p, indices + length, values + length);
            for (; p < positions; p++)
                length += Scalar<float>.CompressNonzero(gradients[p], p, indices + length, values + length);

            float* fSums = sums + f * rows * width;
            Sums a = Sums.Load<TRows>(fSums), b = default;
            int half = length / 2;
            if (lastInMatrix)
            {
                for (int t = 0; t < length; t++)
                    a.AddMasked<TRows>(Vector256.Create(values[t]), x + positionOffsets[indices[t]], o, kernelLanes);
            }
            else
            {
                for (int t = 0; t < half; t++)
                {
                    a.Add<TRows>(Vector256.Create(values[t]), x + positionOffsets[indices[t]], o);
                    b.Add<TRows>(Vector256.Create(values[half + t]), x + positionOffsets[indices[half + t]], o);
                }
                if (length % 2 == 1)
                    a.Add<TRows>(Vector256.Create(values[length - 1]), x + positionOffsets[indices[length - 1]], o);
            }
            a.AddAndStore<TRows>(b, fSums);
        }
    }

    /// <summary>The image offsets of patch rows 1–7 from row 0 (0 past the last row).</summary>
    private readonly struct RowOffsets(int* offsets)
    {
        public readonly nint O1 = offsets[1], O2 = offsets[2], O3 = offsets[3], O4 = offsets[4], O5 = offsets[5], O6 = offsets[6], O7 = offsets[7];
    }

    /// <summary>One output channel's sums, one register per patch row; only the first <c>TRows</c> are used.</summary>
    private struct Sums
    {
        private Vector256<float> _s0, _s1, _s2, _s3, _s4, _s5, _s6, _s7;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Sums Load<TRows>(float* sums) where TRows : struct, IVectorCount
        {
            int w = Vector256<float>.Count;
            Sums s = default;
            s._s0 = Vector256.Load(sums);
            if (TRows.Value > 1) s._s1 = Vector256.Load(sums + w);
            if (TRows.Value > 2) s._s2 = Vector256.Load(sums + 2 * w);
            if (TRows.Value > 3) s._s3 = Vector256.Load(sums + 3 * w);
            if (TRows.Value > 4) s._s4 = Vector256.Load(sums + 4 * w);
            if (TRows.Value > 5) s._s5 = Vector256.Load(sums + 5 * w);
            if (TRows.Value > 6) s._s6 = Vector256.Load(sums + 6 * w);
            if (TRows.Value > 7) s._s7 = Vector256.Load(sums + 7 * w);
            return s;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add<TRows>(Vector256<float> d, float* patch, in RowOffsets o) where TRows : struct, IVectorCount
        {
            _s0 = Fma.MultiplyAdd(d, Vector256.Load(patch), _s0);
            if (TRows.Value > 1) _s1 = Fma.MultiplyAdd(d, Vector256.Load(patch + o.O1), _s1);
            if (TRows.Value > 2) _s2 = Fma.MultiplyAdd(d, Vector256.Load(patch + o.O2), _s2);
            if (TRows.Value > 3) _s3 = Fma.MultiplyAdd(d, Vector256.Load(patch + o.O3), _s3);
            if (TRows.Value > 4) _s4 = Fma.MultiplyAdd(d, Vector256.Load(patch + o.O4), _s4);
            if (TRows.Value > 5) _s5 = Fma.MultiplyAdd(d, Vector256.Load(patch + o.O5), _s5);
            if (TRows.Value > 6) _s6 = Fma.MultiplyAdd(d, Vector256.Load(patch + o.O6), _s6);
            if (TRows.Value > 7) _s7 = Fma.MultiplyAdd(d, Vector256.Load(patch + o.O7), _s7);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AddMasked<TRows>(Vector256<float> d, float* patch, in RowOffsets o, Vector256<float> lanes) where TRows : struct, IVectorCount
        {
            _s0 = Fma.MultiplyAdd(d, Avx.MaskLoad(patch, lanes), _s0);
            if (TRows.Value > 1) _s1 = Fma.MultiplyAdd(d, Avx.MaskLoad(patch + o.O1, lanes), _s1);
            if (TRows.Value > 2) _s2 = Fma.MultiplyAdd(d, Avx.MaskLoad(patch + o.O2, lanes), _s2);
            if (TRows.Value > 3) _s3 = Fma.MultiplyAdd(d, Avx.MaskLoad(patch + o.O3, lanes), _s3);
            if (TRows.Value > 4) _s4 = Fma.MultiplyAdd(d, Avx.MaskLoad(patch + o.O4, lanes), _s4);
            if (TRows.Value > 5) _s5 = Fma.MultiplyAdd(d, Avx.MaskLoad(patch + o.O5, lanes), _s5);
            if (TRows.Value > 6) _s6 = Fma.MultiplyAdd(d, Avx.MaskLoad(patch + o.O6, lanes), _s6);
            if (TRows.Value > 7) _s7 = Fma.MultiplyAdd(d, Avx.MaskLoad(patch + o.O7, lanes), _s7);
        }

        /// <summary>Stores these sums plus <paramref name="other"/>'s at <paramref name="sums"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void AddAndStore<TRows>(in Sums other, float* sums) where TRows : struct, IVectorCount
        {
            int w = Vector256<float>.Count;
            (_s0 + other._s0).Store(sums);
            if (TRows.Value > 1) (_s1 + other._s1).Store(sums + w);
            if (TRows.Value > 2) (_s2 + other._s2).Store(sums + 2 * w);
            if (TRows.Value > 3) (_s3 + other._s3).Store(sums + 3 * w);
            if (TRows.Value > 4) (_s4 + other._s4).Store(sums + 4 * w);
            if (TRows.Value > 5) (_s5 + other._s5).Store(sums + 5 * w);
            if (TRows.Value > 6) (_s6 + other._s6).Store(sums + 6 * w);
            if (TRows.Value > 7) (_s7 + other._s7).Store(sums + 7 * w);
        }
    }

    /// <summary>Writes the weights' gradient (patch × channels) from the sums: <c>dW[(c·K + i)·K + j, f] = sums[f, (c, i), j]</c>.</summary>
    public static void Store(in Conv2DGeometry g, float* sums, float* dWeights)
    {
        int k = g.KernelSize, rows = g.InputChannels * k, channels = g.OutputChannels, width = Vector256<float>.Count;
        for (int f = 0; f < channels; f++)
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < k; j++)
                    dWeights[(r * k + j) * channels + f] = sums[(f * rows + r) * width + j];
    }
}
