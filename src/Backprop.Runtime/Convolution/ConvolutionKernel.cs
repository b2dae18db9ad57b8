using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop;

/// <summary>
/// A convolution over a batch of images, by the fastest route that applies:
/// <list type="bullet">
/// <item>Forward, float with stride 1 and no padding: <see cref="DirectForward"/>, straight from the image into the
/// channels × positions layout (no unrolling, no transposes).</item>
/// <item>Pullback with a sparse output gradient (<see cref="SparseGemm{T}.Suits"/>; behind a 2×2 max pooling three
/// in four are zero): <see cref="SparseBackwardPart"/>, one image at a time, products that skip dY's zeros; the
/// weights' gradient from the image itself where <see cref="DirectWeightGradient"/> applies (few patch rows), else
/// from the unrolled image; the input's gradient folded back in registers where <see cref="FoldNarrowRows"/> applies.</item>
/// <item>Otherwise, matrix products through the packed <see cref="Gemm{T}"/>, a group of images at a time.</item>
/// </list>
/// In the last route the group's images are unrolled into one row per output position (im2col,
/// <see cref="Conv2DGeometry.PatchSize"/> values per row), and the product <c>patches · W</c> gives every position's
/// channels at once. Patches are the left factor, which the product reads in place; only the small weights are
/// packed. A group is sized (<see cref="GroupValues"/>) so that its patches stay in L2 between the unrolling and the
/// product, while its products are still tall enough (hundreds to thousands of rows) that their fixed costs are
/// spread thin.
/// </summary>
/// <remarks>
/// <para>In the product route the products give positions × channels; the matrices hold each image channels ×
/// positions, so each image's block is transposed on the way out (forward) and in (backward). The pullback unrolls
/// the images again rather than keeping every group's patches from the forward pass: recomputing them costs a copy,
/// keeping them would take tens of megabytes and leave the cache.</para>
/// <para>A large batch is split by images across <see cref="HelperThreads"/>; each part works in its own thread's
/// buffers, and the weights' gradient is summed per part, then added up by the caller, so no two threads write
/// the same memory.</para>
/// </remarks>
internal static unsafe class ConvolutionKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>About how many values of the output's gradient are counted to choose the pullback's route.</summary>
    private const int DensitySampleValues = 1 << 16;

    /// <summary>About how many patch values a group unrolls: 128 Ki values, 512 KiB of floats, within L2.</summary>
    private const int GroupValues = 1 << 17;

    [ThreadStatic] private static T[]? t_patches;
    [ThreadStatic] private static T[]? t_patchGradients;
    [ThreadStatic] private static T[]? t_positionsByChannels;
    [ThreadStatic] private static T[]? t_weightsTransposed;
    [ThreadStatic] private static T[]? t_weightGradientsTransposed;

    /// <summary>The work of one call, shared by every part; lives on the caller's stack.</summary>
    private struct Job
    {
        public Conv2DGeometry Geometry;
        public T* X;
        public T* Weights;
        public T* Y;
        public T* DX;
        public T* DWeights;
        public T* DWeightsPartials;
        public T* WeightsTransposed;
        public int Batch;
        public int Parts;
    }

    /// <summary>Images per group for <paramref name="g"/>: at least one.</summary>
    private static int GroupSize(in Conv2DGeometry g) => Math.Max(1, GroupValues / (g.OutputPositions * g.PatchSize));

    /// <summary>
    /// Parts of a batch per thread when it is split: a split call waits for its slowest part, and on a machine shared
    /// with other work a helper may be descheduled in the middle of one; with several parts a thread the caller
    /// claims the parts a late helper has not, and waits for one small part at most.
    /// </summary>
    private const int PartsPerThread = 4;

    /// <summary>The parts <paramref name="batch"/> images are split into for <paramref name="threads"/> threads.</summary>
    private static int Parts(int batch, int threads) => threads == 1 ? 1 : Math.Min(batch, PartsPerThread * threads);

    /// <summary><c>y = conv(x, weights)</c> for <paramref name="batch"/> images, on up to <paramref name="threads"/> threads.</summary>
    public static void Forward(in Conv2DGeometry geometry, T* x, T* weights, T* y, int batch, int threads)
    {
        int parts = Parts(batch, threads);
        var job = new Job { Geometry = geometry, X = x, Weights = weights, Y = y, Batch = batch, Parts = parts };
        HelperThreads.Run(DirectForward.Applies<T>(geometry) ? &DirectForwardPart : &ForwardPart, &job, parts, threads);
    }

    private static void DirectForwardPart(void* state, int part)
    {
        ref readonly Job job = ref Unsafe.AsRef<Job>(state);
        Conv2DGeometry g = job.Geometry;
        var (first, end) = Gemm<T>.Share(job.Batch, job.Parts, part);
        int* tapOffsets = stackalloc int[g.PatchSize];
        DirectForward.TapOffsets(g, tapOffsets);
        for (int image = first; image < end; image++)
            DirectForward.Image(g, tapOffsets, (float*)job.X + (nint)image * g.InputSize, (float*)job.Weights, (float*)job.Y + (nint)image * g.OutputSize);
    }

    /// <summary>
    /// The gradients of the input (<paramref name="dx"/>, skipped when null) and of the weights (<paramref name="dWeights"/>,
    /// skipped when null) from the output's gradient <paramref name="dy"/>, both overwritten.
    /// </summary>
    /// <remarks>
    /// When the output's gradient is sparse (<see cref="SparseGemm{T}.Suits"/>), as it is behind a max pooling, which
    /// passes one gradient in four for 2×2 windows, the products skip its zeros (<see cref="SparseBackwardPart"/>);
    /// otherwise they are dense (<see cref="BackwardPart"/>).
    /// </remarks>
    public static void Backward(in Conv2DGeometry geometry, T* x, T* weights, T* dy, T* dx, T* dWeights, int batch, int threads)
    {
        int parts = Parts(batch, threads);
        int weightCount = geometry.PatchSize * geometry.OutputChannels;
        Span<T> partials = dWeights is null || parts == 1 ? default : ScratchBuffer<T>.Get((parts - 1) * weightCount);
        // The density of a sample of whole images decides: the first layer's dY is 0.9 million values, and counting
        // them all took a tenth of its pullback. The route changes only the speed.
        long sample = Math.Min(batch, Math.Max(1, DensitySampleValues / geometry.OutputSize)) * (long)geometry.OutputSize;
        bool sparse = SparseGemm<T>.Suits(dy, sample, geometry.PatchSize);
        T* weightsTransposed = null;
        if (sparse && dx is not null)
        {
            weightsTransposed = Rent(ref t_weightsTransposed, weightCount);
            Transpose(weights, geometry.PatchSize, geometry.OutputChannels, weightsTransposed);
        }
        fixed (T* partialSums = partials)
        {
            var job = new Job
            {
                Geometry = geometry, X = x, Weights = weights, WeightsTransposed = weightsTransposed, Y = dy, DX = dx, DWeights = dWeights,
                DWeightsPartials = partialSums, Batch = batch, Parts = parts,
            };
            HelperThreads.Run(sparse ? &SparseBackwardPart : &BackwardPart, &job, parts, threads);
        }
        for (int part = 1; part < parts && dWeights is not null; part++)
        {
            var sum = new Span<T>(dWeights, weightCount);
            System.Numerics.Tensors.TensorPrimitives.Add(sum, partials.Slice((part - 1) * weightCount, weightCount), sum);
        }
    }

    private static void ForwardPart(void* state, int part)
    {
        ref readonly Job job = ref Unsafe.AsRef<Job>(state);
        Conv2DGeometry g = job.Geometry;
        int positions = g.OutputPositions, channels = g.OutputChannels, patchSize = g.PatchSize, groupSize = GroupSize(g);
        var (first, end) = Gemm<T>.Share(job.Batch, job.Parts, part);
        T* patches = Rent(ref t_patches, groupSize * positions * patchSize + PatchSlack);
        T* outputs = Rent(ref t_positionsByChannels, groupSize * positions * channels);
        for (int start = first; start < end; start += groupSize)
        {
            int images = Math.Min(groupSize, end - start);
            for (int i = 0; i < images; i++)
                Unroll(g, job.X + (nint)(start + i) * g.InputSize, patches + (nint)i * positions * patchSize);
            // patches (positions × patch) · W (patch × channels): every position's output channels.
            Gemm<T>.Multiply(patches, false, job.Weights, false, outputs, images * positions, channels, patchSize, accumulate: false, parts: 1);
            for (int i = 0; i < images; i++)
                Transpose(outputs + (nint)i * positions * channels, positions, channels, job.Y + (nint)(start + i) * g.OutputSize);
        }
    }

    private static void BackwardPart(void* state, int part)
    {
        ref readonly Job job = ref Unsafe.AsRef<Job>(state);
        Conv2DGeometry g = job.Geometry;
        int positions = g.OutputPositions, channels = g.OutputChannels, patchSize = g.PatchSize, groupSize = GroupSize(g);
        var (first, end) = Gemm<T>.Share(job.Batch, job.Parts, part);
        int weightCount = patchSize * channels;
        T* dWeights = job.DWeights is null ? null : part == 0 ? job.DWeights : job.DWeightsPartials + (nint)(part - 1) * weightCount;
        if (dWeights is not null && first == end)
            new Span<T>(dWeights, weightCount).Clear();
        T* patches = Rent(ref t_patches, groupSize * positions * patchSize + PatchSlack);
        T* patchGradients = Rent(ref t_patchGradients, groupSize * positions * patchSize + PatchSlack);
        T* outputGradients = Rent(ref t_positionsByChannels, groupSize * positions * channels);
        for (int start = first; start < end; start += groupSize)
        {
            int images = Math.Min(groupSize, end - start);
            int rows = images * positions;
            for (int i = 0; i < images; i++)
                Transpose(job.Y + (nint)(start + i) * g.OutputSize, channels, positions, outputGradients + (nint)i * positions * channels);
            if (dWeights is not null)
            {
                // dW (patch × channels) += patchesᵀ (patch × positions) · dY (positions × channels).
                for (int i = 0; i < images; i++)
                    Unroll(g, job.X + (nint)(start + i) * g.InputSize, patches + (nint)i * positions * patchSize);
                Gemm<T>.Multiply(patches, true, outputGradients, false, dWeights, patchSize, channels, rows, accumulate: start > first, parts: 1);
            }
            if (job.DX is not null)
            {
                // dPatches (positions × patch) = dY (positions × channels) · Wᵀ (channels × patch), folded back onto the images.
                Gemm<T>.Multiply(outputGradients, false, job.Weights, true, patchGradients, rows, patchSize, channels, accumulate: false, parts: 1);
                for (int i = 0; i < images; i++)
                    Fold(g, patchGradients + (nint)i * positions * patchSize, job.DX + (nint)(start + i) * g.InputSize);
            }
        }
    }

    /// <summary>
    /// The pullback one image at a time, skipping the zeros of the output's gradient dY (channels × positions, as
    /// stored, so it needs no transpose): <c>dWᵀ (channels × patch) += dY · patches</c>, and
    /// <c>dPatches (positions × patch) = dYᵀ · Wᵀ</c> folded back onto the image. Both products take dY as the
    /// sparse left factor of <see cref="SparseGemm{T}"/>; the weights' gradient is summed transposed in this part's
    /// buffer and transposed once at the end.
    /// </summary>
    private static void SparseBackwardPart(void* state, int part)
    {
        ref readonly Job job = ref Unsafe.AsRef<Job>(state);
        Conv2DGeometry g = job.Geometry;
        int positions = g.OutputPositions, channels = g.OutputChannels, patchSize = g.PatchSize;
        var (first, end) = Gemm<T>.Share(job.Batch, job.Parts, part);
        int weightCount = patchSize * channels;
        T* dWeights = job.DWeights is null ? null : part == 0 ? job.DWeights : job.DWeightsPartials + (nint)(part - 1) * weightCount;
        T* patches = Rent(ref t_patches, positions * patchSize + PatchSlack);
        T* patchGradients = Rent(ref t_patchGradients, positions * patchSize + PatchSlack);
        // The weights' gradient is summed transposed, or in DirectWeightGradient's sums where it applies.
        bool direct = DirectWeightGradient.Applies<T>(g);
        int sumsLength = direct ? DirectWeightGradient.SumsLength(g) : weightCount;
        T* dWeightsTransposed = dWeights is null ? null : Rent(ref t_weightGradientsTransposed, sumsLength);
        if (dWeights is not null)
            new Span<T>(dWeightsTransposed, sumsLength).Clear();
        int* positionOffsets = stackalloc int[direct ? positions : 0];
        int* nonzeroPositions = stackalloc int[direct ? positions + Vector256<T>.Count : 0];
        T* nonzeroValues = stackalloc T[direct ? positions + Vector256<T>.Count : 0];
        if (direct)
            DirectWeightGradient.PositionOffsets(g, positionOffsets);
        for (int image = first; image < end; image++)
        {
            T* dy = job.Y + (nint)image * g.OutputSize;
            if (dWeights is not null && direct)
            {
                DirectWeightGradient.Image(g, positionOffsets, (float*)job.X + (nint)image * g.InputSize, (float*)dy, (float*)dWeightsTransposed,
                    lastInMatrix: image == job.Batch - 1, nonzeroPositions, (float*)nonzeroValues);
            }
            else if (dWeights is not null)
            {
                Unroll(g, job.X + (nint)image * g.InputSize, patches);
                SparseGemm<T>.MultiplyOnThisThread(dy, false, patches, dWeightsTransposed, channels, patchSize, positions, accumulate: true);
            }
            if (job.DX is not null)
            {
                SparseGemm<T>.MultiplyOnThisThread(dy, true, job.WeightsTransposed, patchGradients, positions, patchSize, channels, accumulate: false);
                Fold(g, patchGradients, job.DX + (nint)image * g.InputSize);
            }
        }
        if (dWeights is not null && direct)
            DirectWeightGradient.Store(g, (float*)dWeightsTransposed, (float*)dWeights);
        else if (dWeights is not null)
            Transpose(dWeightsTransposed, channels, patchSize, dWeights);
    }

    /// <summary>
    /// im2col, one row per output position: <c>patches[oy·OW + ox, (c·K + i)·K + j] = image[c, oy·S + i − P, ox·S + j − P]</c>,
    /// zero where that falls in the padding. A patch row is written in runs of K values, one per channel and kernel row.
    /// Up to <see cref="PatchSlack"/> values past the last patch may be overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Unroll(in Conv2DGeometry g, T* image, T* patches)
    {
        int k = g.KernelSize, stride = g.Stride, padding = g.Padding, inputChannels = g.InputChannels;
        int height = g.InputHeight, width = g.InputWidth, outputHeight = g.OutputHeight, outputWidth = g.OutputWidth;
        T* imageEnd = image + g.InputSize;
        T* target = patches;
        for (int oy = 0; oy < outputHeight; oy++)
        {
            for (int ox = 0; ox < outputWidth; ox++)
            {
                int left = ox * stride - padding, top = oy * stride - padding;
                if (top >= 0 && top + k <= height && left >= 0 && left + k <= width)
                {
                    // The whole patch inside the image, as every patch is without padding: runs of K. A run no longer
                    // than a vector is copied as one whole vector: the values past the run land where the next run
                    // (or the buffer's slack, see PatchSlack) is written next. A vector read must stay in the image.
                    for (int channel = 0; channel < inputChannels; channel++)
                    {
                        T* source = image + ((nint)channel * height + top) * width + left;
                        for (int i = 0; i < k; i++, target += k, source += width)
                        {
                            if (k <= Vector256<T>.Count && source + Vector256<T>.Count <= imageEnd)
                                Vector256.Store(Vector256.Load(source), target);
                            else
                                for (int j = 0; j < k; j++)
                                    target[j] = source[j];
                        }
                    }
                    continue;
                }
                var (firstColumn, endColumn) = InsideKernel(left, width, k);
                for (int channel = 0; channel < inputChannels; channel++)
                {
                    T* plane = image + (nint)channel * height * width;
                    for (int i = 0; i < k; i++, target += k)
                    {
                        int iy = oy * stride + i - padding;
                        if ((uint)iy >= (uint)height)
                        {
                            for (int j = 0; j < k; j++)
                                target[j] = T.Zero;
                            continue;
                        }
                        T* source = plane + iy * width + left;
                        for (int j = 0; j < firstColumn; j++)
                            target[j] = T.Zero;
                        for (int j = firstColumn; j < endColumn; j++)
                            target[j] = source[j];
                        for (int j = endColumn; j < k; j++)
                            target[j] = T.Zero;
                    }
                }
            }
        }
    }

    /// <summary>The values a buffer of patches needs beyond its patches, for the whole-vector runs of <see cref="Unroll"/> and <see cref="Fold"/>.</summary>
    internal static int PatchSlack => Vector512<T>.Count;

    /// <summary>
    /// col2im, the adjoint of <see cref="Unroll"/>: overwrites <paramref name="image"/> with the sum of every patch entry
    /// that read each pixel. Reads up to <see cref="PatchSlack"/> values past the last patch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Fold(in Conv2DGeometry g, T* patches, T* image)
    {
        if (typeof(T) == typeof(float) && Avx512F.IsSupported && g.Stride == 1 && g.Padding == 0 && g.InputWidth <= Vector512<float>.Count)
        {
            FoldNarrowRows(g, (float*)patches, (float*)image);
            return;
        }
        int k = g.KernelSize, stride = g.Stride, padding = g.Padding, inputChannels = g.InputChannels;
        int height = g.InputHeight, width = g.InputWidth, outputHeight = g.OutputHeight, outputWidth = g.OutputWidth;
        new Span<T>(image, g.InputSize).Clear();
        T* imageEnd = image + g.InputSize;
        Vector256<T> runLanes = Vector256.LessThan(Vector256.CreateSequence(T.Zero, T.One), Vector256.Create(T.CreateTruncating(k)));
        T* source = patches;
        for (int oy = 0; oy < outputHeight; oy++)
        {
            for (int ox = 0; ox < outputWidth; ox++)
            {
                int left = ox * stride - padding, top = oy * stride - padding;
                if (top >= 0 && top + k <= height && left >= 0 && left + k <= width)
                {
                    // As in Unroll, a run no longer than a vector is added as one vector, the lanes past the run masked
                    // off: they write back the pixels they read. A vector must stay in the image (this thread's alone).
                    for (int channel = 0; channel < inputChannels; channel++)
                    {
                        T* target = image + ((nint)channel * height + top) * width + left;
                        for (int i = 0; i < k; i++, source += k, target += width)
                        {
                            if (k <= Vector256<T>.Count && target + Vector256<T>.Count <= imageEnd)
                            {
                                Vector256<T> pixels = Vector256.Load(target);
                                Vector256.Store(Vector256.ConditionalSelect(runLanes, pixels + Vector256.Load(source), pixels), target);
                            }
                            else
                            {
                                for (int j = 0; j < k; j++)
                                    target[j] += source[j];
                            }
                        }
                    }
                    continue;
                }
                var (firstColumn, endColumn) = InsideKernel(left, width, k);
                for (int channel = 0; channel < inputChannels; channel++)
                {
                    T* plane = image + (nint)channel * height * width;
                    for (int i = 0; i < k; i++, source += k)
                    {
                        int iy = oy * stride + i - padding;
                        if ((uint)iy >= (uint)height)
                            continue;
                        T* target = plane + iy * width + left;
                        for (int j = firstColumn; j < endColumn; j++)
                            target[j] += source[j];
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Fold"/> for stride 1, no padding and image rows no wider than a 512-bit vector (the MNIST network's
    /// second layer: 12): each image row is summed in one register from every patch entry that reads it, and stored
    /// once, instead of adding each patch's run of K into the image in memory. The run of output column ox lands in
    /// the row's lanes [ox, ox + K) by loading from ox values before it and masking off the other lanes. Adding the
    /// runs in memory, where each overlaps the previous position's, took 0.8–1.0 ms of the second layer's pullback.
    /// Reads up to <see cref="PatchSlack"/> values past the last patch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FoldNarrowRows(in Conv2DGeometry g, float* patches, float* image)
    {
        int k = g.KernelSize, patchSize = g.PatchSize, inputChannels = g.InputChannels;
        int height = g.InputHeight, width = g.InputWidth, outputHeight = g.OutputHeight, outputWidth = g.OutputWidth;
        Vector512<int> lanes = Vector512.CreateSequence(0, 1);
        Vector512<float>* runLanes = stackalloc Vector512<float>[outputWidth];
        for (int ox = 0; ox < outputWidth; ox++)
            runLanes[ox] = (Vector512.GreaterThanOrEqual(lanes, Vector512.Create(ox)) & Vector512.LessThan(lanes, Vector512.Create(ox + k))).AsSingle();
        Vector512<float> rowLanes = Vector512.LessThan(lanes, Vector512.Create(width)).AsSingle();
        nint step = patchSize - 1;
        for (int channel = 0; channel < inputChannels; channel++)
        {
            for (int row = 0; row < height; row++)
            {
                // Four sums, so that each addition need not wait for the one before (one sum took twice as long).
                Vector512<float> sum0 = Vector512<float>.Zero, sum1 = Vector512<float>.Zero, sum2 = Vector512<float>.Zero, sum3 = Vector512<float>.Zero;
                // Kernel row i of output row oy = row − i reads this row.
                for (int i = Math.Max(0, row - outputHeight + 1); i <= Math.Min(k - 1, row); i++)
                {
                    float* run = patches + (nint)(row - i) * outputWidth * patchSize + (channel * k + i) * k;
                    int ox = 0;
                    for (; ox + 4 <= outputWidth; ox += 4, run += 4 * step)
                    {
                        sum0 += Vector512.Load(run) & runLanes[ox];
                        sum1 += Vector512.Load(run + step) & runLanes[ox + 1];
                        sum2 += Vector512.Load(run + 2 * step) & runLanes[ox + 2];
                        sum3 += Vector512.Load(run + 3 * step) & runLanes[ox + 3];
                    }
                    for (; ox < outputWidth; ox++, run += step)
                        sum0 += Vector512.Load(run) & runLanes[ox];
                }
                Avx512F.MaskStore(image + ((nint)channel * height + row) * width, rowLanes, (sum0 + sum1) + (sum2 + sum3));
            }
        }
    }

    /// <summary>The kernel columns [First, End) whose input column <c>left + j</c> lies inside the image.</summary>
    private static (int First, int End) InsideKernel(int left, int width, int k)
    {
        int first = Math.Max(0, -left);
        int end = Math.Min(k, width - left);
        return (Math.Min(first, end), Math.Max(end, Math.Min(first, end)));
    }

    /// <summary>
    /// <c>target (columns × rows) = sourceᵀ</c> for a row-major <paramref name="rows"/> × <paramref name="columns"/> source.
    /// Floats go 8×8 blocks at a time through AVX shuffles when both sizes are multiples of 8 (the MNIST network's
    /// 576 × 16 and 64 × 32 are): element by element, the first layer's transposes in and out took about as long as
    /// its products.
    /// </summary>
    private static void Transpose(T* source, int rows, int columns, T* target)
    {
        if (typeof(T) == typeof(float) && Avx.IsSupported && rows % 8 == 0 && columns % 8 == 0)
        {
            for (int r = 0; r < rows; r += 8)
                for (int c = 0; c < columns; c += 8)
                    TransposeBlock((float*)source + (nint)r * columns + c, columns, (float*)target + (nint)c * rows + r, rows);
            return;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                target[(nint)c * rows + r] = source[(nint)r * columns + c];
    }

    /// <summary>Transposes the 8×8 block at <paramref name="source"/> (row stride <paramref name="sourceStride"/>) into <paramref name="target"/> (row stride <paramref name="targetStride"/>).</summary>
    private static void TransposeBlock(float* source, int sourceStride, float* target, int targetStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(source), r1 = Avx.LoadVector256(source + sourceStride);
        Vector256<float> r2 = Avx.LoadVector256(source + 2 * sourceStride), r3 = Avx.LoadVector256(source + 3 * sourceStride);
        Vector256<float> r4 = Avx.LoadVector256(source + 4 * sourceStride), r5 = Avx.LoadVector256(source + 5 * sourceStride);
        Vector256<float> r6 = Avx.LoadVector256(source + 6 * sourceStride), r7 = Avx.LoadVector256(source + 7 * sourceStride);
        // Interleave pairs of rows, then pairs of pairs within each 128-bit half, then swap the halves.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(target, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(target + targetStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(target + 2 * targetStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(target + 3 * targetStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(target + 4 * targetStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(target + 5 * targetStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(target + 6 * targetStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(target + 7 * targetStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>
    /// A 64-byte-aligned pointer into this thread's pinned buffer, grown when too small; never freed while the thread
    /// lives. Aligned so that rows of patches 16 floats wide start on cache lines: the sparse products read them whole.
    /// </summary>
    private static T* Rent(ref T[]? buffer, int length)
    {
        int alignmentPadding = 64 / sizeof(T);
        if (buffer is null || buffer.Length < length + alignmentPadding)
            buffer = GC.AllocateUninitializedArray<T>(length + alignmentPadding, pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (T*)((start + 63) & ~(nint)63);
    }
}
