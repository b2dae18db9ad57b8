using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop;

/// <summary>
/// A convolution as one matrix product per image through the packed <see cref="Gemm{T}"/>: the image is unrolled
/// into its patches (im2col, <see cref="Conv2DGeometry.PatchSize"/> × <see cref="Conv2DGeometry.OutputPositions"/>),
/// and <c>output = Wᵀ·patches</c> is then already channels × positions, the row layout of the output. The pullback
/// unrolls the image again rather than keeping every image's patches from the forward pass: recomputing them costs
/// a copy, keeping them would take tens of megabytes and leave the cache. One image's patches (100 KiB for a
/// 5×5×16 kernel over 8×8 positions) stay in L2 between the unrolling and the product.
/// </summary>
/// <remarks>
/// A large batch is split by images across <see cref="HelperThreads"/>; each part unrolls into its own thread's
/// buffers, and the weights' gradient is summed per part, then added up by the caller, so no two threads write
/// the same memory.
/// </remarks>
internal static unsafe class ConvolutionKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static T[]? t_patches;
    [ThreadStatic] private static T[]? t_patchGradients;

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
        public int Batch;
        public int Parts;
    }

    /// <summary><c>y = conv(x, weights)</c> for <paramref name="batch"/> images, on <paramref name="parts"/> threads.</summary>
    public static void Forward(in Conv2DGeometry geometry, T* x, T* weights, T* y, int batch, int parts)
    {
        var job = new Job { Geometry = geometry, X = x, Weights = weights, Y = y, Batch = batch, Parts = parts };
        HelperThreads.Run(&ForwardPart, &job, parts);
    }

    /// <summary>
    /// The gradients of the input (<paramref name="dx"/>, skipped when null) and of the weights (<paramref name="dWeights"/>,
    /// skipped when null) from the output's gradient <paramref name="dy"/>, both overwritten.
    /// </summary>
    public static void Backward(in Conv2DGeometry geometry, T* x, T* weights, T* dy, T* dx, T* dWeights, int batch, int parts)
    {
        int weightCount = geometry.PatchSize * geometry.OutputChannels;
        Span<T> partials = dWeights is null || parts == 1 ? default : ScratchBuffer<T>.Get((parts - 1) * weightCount);
        fixed (T* partialSums = partials)
        {
            var job = new Job { Geometry = geometry, X = x, Weights = weights, Y = dy, DX = dx, DWeights = dWeights, DWeightsPartials = partialSums, Batch = batch, Parts = parts };
            HelperThreads.Run(&BackwardPart, &job, parts);
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
        ref readonly Conv2DGeometry g = ref job.Geometry;
        var (first, end) = Gemm<T>.Share(job.Batch, job.Parts, part);
        T* patches = Rent(ref t_patches, g.PatchSize * g.OutputPositions);
        for (int image = first; image < end; image++)
        {
            Unroll(g, job.X + (nint)image * g.InputSize, patches);
            // Wᵀ (filters × patch) · patches (patch × positions): the image's output, channel by channel.
            Gemm<T>.Multiply(job.Weights, true, patches, false, job.Y + (nint)image * g.OutputSize,
                g.OutputChannels, g.OutputPositions, g.PatchSize, accumulate: false, parts: 1);
        }
    }

    private static void BackwardPart(void* state, int part)
    {
        ref readonly Job job = ref Unsafe.AsRef<Job>(state);
        ref readonly Conv2DGeometry g = ref job.Geometry;
        var (first, end) = Gemm<T>.Share(job.Batch, job.Parts, part);
        int weightCount = g.PatchSize * g.OutputChannels;
        T* dWeights = job.DWeights is null ? null : part == 0 ? job.DWeights : job.DWeightsPartials + (nint)(part - 1) * weightCount;
        if (dWeights is not null && first == end)
            new Span<T>(dWeights, weightCount).Clear();
        T* patches = Rent(ref t_patches, g.PatchSize * g.OutputPositions);
        T* patchGradients = Rent(ref t_patchGradients, g.PatchSize * g.OutputPositions);
        for (int image = first; image < end; image++)
        {
            T* dy = job.Y + (nint)image * g.OutputSize;
            if (dWeights is not null)
            {
                // dW (patch × filters) += patches (patch × positions) · dyᵀ (positions × filters).
                Unroll(g, job.X + (nint)image * g.InputSize, patches);
                Gemm<T>.Multiply(patches, false, dy, true, dWeights, g.PatchSize, g.OutputChannels, g.OutputPositions, accumulate: image > first, parts: 1);
            }
            if (job.DX is not null)
            {
                // dPatches (patch × positions) = W (patch × filters) · dy (filters × positions), folded back onto the image.
                Gemm<T>.Multiply(job.Weights, false, dy, false, patchGradients, g.PatchSize, g.OutputPositions, g.OutputChannels, accumulate: false, parts: 1);
                Fold(g, patchGradients, job.DX + (nint)image * g.InputSize);
            }
        }
    }

    /// <summary>
    /// im2col: <c>patches[(c·K + i)·K + j, oy·OW + ox] = image[c, oy·S + i − P, ox·S + j − P]</c>, zero where that
    /// falls in the padding. Each patch row is written a run of output columns at a time, the padded ends cleared.
    /// The runs are short (8 and 24 values in the MNIST network), so they are plain loops: a library copy per run
    /// cost more in calls than in copying.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Unroll(in Conv2DGeometry g, T* image, T* patches)
    {
        int k = g.KernelSize, stride = g.Stride, padding = g.Padding;
        int height = g.InputHeight, width = g.InputWidth, outputHeight = g.OutputHeight, outputWidth = g.OutputWidth;
        T* row = patches;
        for (int channel = 0; channel < g.InputChannels; channel++)
        {
            T* plane = image + (nint)channel * height * width;
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++, row += g.OutputPositions)
                {
                    var (firstColumn, endColumn) = InsideColumns(j, width, outputWidth, stride, padding);
                    for (int oy = 0; oy < outputHeight; oy++)
                    {
                        T* target = row + oy * outputWidth;
                        int iy = oy * stride + i - padding;
                        if ((uint)iy >= (uint)height)
                        {
                            new Span<T>(target, outputWidth).Clear();
                            continue;
                        }
                        T* source = plane + iy * width + j - padding;
                        for (int ox = 0; ox < firstColumn; ox++)
                            target[ox] = T.Zero;
                        for (int ox = firstColumn; ox < endColumn; ox++)
                            target[ox] = source[ox * stride];
                        for (int ox = endColumn; ox < outputWidth; ox++)
                            target[ox] = T.Zero;
                    }
                }
            }
        }
    }

    /// <summary>col2im, the adjoint of <see cref="Unroll"/>: overwrites <paramref name="image"/> with the sum of every patch entry that read each pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Fold(in Conv2DGeometry g, T* patches, T* image)
    {
        int k = g.KernelSize, stride = g.Stride, padding = g.Padding;
        int height = g.InputHeight, width = g.InputWidth, outputHeight = g.OutputHeight, outputWidth = g.OutputWidth;
        new Span<T>(image, g.InputSize).Clear();
        T* row = patches;
        for (int channel = 0; channel < g.InputChannels; channel++)
        {
            T* plane = image + (nint)channel * height * width;
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++, row += g.OutputPositions)
                {
                    var (firstColumn, endColumn) = InsideColumns(j, width, outputWidth, stride, padding);
                    for (int oy = 0; oy < outputHeight; oy++)
                    {
                        int iy = oy * stride + i - padding;
                        if ((uint)iy >= (uint)height)
                            continue;
                        T* source = row + oy * outputWidth;
                        T* target = plane + iy * width + j - padding;
                        for (int ox = firstColumn; ox < endColumn; ox++)
                            target[ox * stride] += source[ox];
                    }
                }
            }
        }
    }

    /// <summary>The output columns [First, End) whose input column <c>ox·S + j − P</c> lies inside the image.</summary>
    private static (int First, int End) InsideColumns(int j, int width, int outputWidth, int stride, int padding)
    {
        // ox·S + j − P ≥ 0  ⇔  ox ≥ ⌈(P − j) / S⌉;   ox·S + j − P < width  ⇔  ox < ⌈(width + P − j) / S⌉.
        int first = padding > j ? (padding - j + stride - 1) / stride : 0;
        int end = Math.Min(outputWidth, (width + padding - j + stride - 1) / stride);
        return (Math.Min(first, end), end);
    }

    /// <summary>A pointer into this thread's pinned buffer, grown when too small; never freed while the thread lives.</summary>
    private static T* Rent(ref T[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
            buffer = GC.AllocateUninitializedArray<T>(length, pinned: true);
        return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }
}
