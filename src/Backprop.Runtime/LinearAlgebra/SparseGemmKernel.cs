using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop;

/// <summary>Which route <see cref="MatrixOps.MatMul{T}(Matrix{T}, Matrix{T}, Matrix{T}, bool, bool, bool)"/> takes.</summary>
internal enum SparseRoute
{
    /// <summary>The sparse route when op(A) is sparse enough to gain (<see cref="SparseGemm{T}.DensityLimit"/>), else the dense kernel.</summary>
    Automatic,

    /// <summary>Always the dense kernel.</summary>
    Dense,

    /// <summary>The sparse route whenever it applies (op(B) not transposed), whatever the density and width.</summary>
    Sparse,
}

/// <summary>Route selection for tests and benchmarks that must exercise one route.</summary>
internal static class SparseGemm
{
    [ThreadStatic] private static SparseRoute t_route;

    /// <summary>
    /// The route of products called on this thread; <see cref="SparseRoute.Automatic"/> unless a test or benchmark
    /// sets it. Per thread, so that a test forcing one route does not change the products of tests running beside it.
    /// </summary>
    public static SparseRoute Route
    {
        get => t_route;
        set => t_route = value;
    }
}

/// <summary>
/// The matrix product <c>C (+)= op(A)·B</c> that skips the exact zeros of A. Each row i of C is
/// <c>Σ A'[i, p]·B[p, :]</c> over the nonzero entries of row i of op(A): its (p, value) pairs are gathered into a
/// per-thread buffer (with AVX-512, by compress instructions: no branch per entry), then the row of C is accumulated
/// in vector registers, up to <see cref="ChunkVectors"/> vectors of columns at a time, reading rows of B contiguously.
/// For <c>Aᵀ·B</c> (A stored k×m) row i of C is column i of stored A: in float, eight columns at a time are read
/// as 8×8 tiles and transposed in registers; otherwise a column is read with gather instructions (stride m). Either
/// way each vector is compressed the same way, and <c>Aᵀ</c> is never materialised.
/// </summary>
/// <remarks>
/// A skipped term contributes exactly 0; the dense kernel would compute 0·b, which is NaN when b is NaN or ±∞.
/// Such a NaN or ∞ in B therefore does not reach C through positions where A is zero (it still does through every
/// nonzero of A in its row), as in sparse BLAS. NaN and ∞ in A are nonzero and propagate as usual.
/// </remarks>
internal static unsafe class SparseGemm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The highest fraction of nonzero entries in A for which the automatic route goes sparse. Measured at the MNIST
    /// shapes in float (<c>SparseMatMulBenchmarks</c>, README "The matrix product"): at 30% nonzeros the sparse route
    /// takes 84% of the dense kernel's time for <c>X·W</c> and 81% for <c>Xᵀ·dY</c>; at 40%, 111% and 95%.
    /// </summary>
    public const double DensityLimit = 0.30;

    /// <summary>
    /// Entries of each per-thread gather buffer, fixed so that no product ever grows it: a row of op(A) is gathered
    /// in depth blocks of this many.
    /// </summary>
    private const int BufferEntries = 16 * 1024;

    /// <summary>
    /// Bytes of B per depth block of <see cref="Compute{TSimd, TVector, TDepth}"/>, which runs every row of C over one
    /// block of B before the next. Measured for X·W at MNIST's shapes (B 784×100 float, 313 KB): 62, 53, 45, 42, 41,
    /// 43 and 44 µs for blocks of 16, 24, 32, 48, 96, 128 and 192 KiB, against 50 µs unblocked.
    /// </summary>
    private const long BlockBytes = 96 * 1024;

    /// <summary>Room past a buffer's end for a compress store, which writes a whole vector.</summary>
    private const int Slack = 64;

    /// <summary>Vectors of a row of C kept in registers at once: 8 × 16 floats covers a 100-wide row in one pass.</summary>
    private const int ChunkVectors = 8;

    /// <summary>Elements of B copied to cache-line-aligned rows at most (256 KiB of float); a larger B is read in place.</summary>
    private const int PackedEntries = 64 * 1024;

    /// <summary>Average reads per row of B (nonzeros of A over k) from which B is copied to aligned rows.</summary>
    private const int PackingReuse = 64;

    private static readonly int CacheLineElements = 64 / sizeof(T);

    [ThreadStatic] private static T[]? t_packedB;
    [ThreadStatic] private static int[]? t_indices;
    [ThreadStatic] private static T[]? t_values;

    private static readonly bool s_wide512 = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;
    private static readonly bool s_wide256 = Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported;

    /// <summary>The work of one call, shared by every part; lives on the caller's stack.</summary>
    private struct Job
    {
        public T* A;
        public bool TransposeA;
        public T* B;
        public nint BRowStride;
        public T* C;
        public int M, N, K;
        public bool Accumulate;
        public int Parts;
    }

    /// <summary>
    /// Computes <c>C (+)= op(A)·B</c> sparsely and returns <see langword="true"/> when the route applies: B not
    /// transposed, and (automatic route) C at least one vector wide and op(A) no denser than <see cref="DensityLimit"/>.
    /// Returns <see langword="false"/> without writing C otherwise. Shapes as <see cref="Gemm{T}.Multiply"/>; k ≥ 1.
    /// </summary>
    public static bool TryMultiply(T* a, bool transposeA, T* b, bool transposeB, T* c, int m, int n, int k, bool accumulate, int maxParts)
    {
        SparseRoute route = SparseGemm.Route;
        if (route == SparseRoute.Dense || transposeB || m == 0 || n == 0 || k == 0)
            return false;
        // This thread's buffers are made on its first call, whichever route the call takes: made on its first sparse
        // product instead, a calling thread whose products turn sparse only later in training (or whose sparse parts
        // the helpers happened to claim until then) allocated them in the middle of a timed run.
        T* packingBuffer = AlignedPackingBuffer();
        EnsureListBuffers();
        long nonzeros;
        if (route == SparseRoute.Automatic)
        {
            if (VectorWidth(n) == 1)
                return false;
            long limit = (long)(DensityLimit * m * k);
            nonzeros = CountNonzeros(a, (long)m * k, limit);
            if (nonzeros > limit)
                return false;
        }
        else
        {
            nonzeros = (long)m * k;
        }

        var job = new Job { A = a, TransposeA = transposeA, B = b, BRowStride = n, C = c, M = m, N = n, K = k, Accumulate = accumulate };
        // Rows of B that do not start on a cache line make every vector load a split load. Copying B into rows padded
        // to whole cache lines pays when each row of B is read many times (the copy is one pass over B): measured, it
        // saves about a quarter of Xᵀ·dY at MNIST's shapes (B 100×100, each row read ~150 times) and costs X·W (B 784×100,
        // each row read ~19 times) about a tenth.
        int paddedColumns = (n + CacheLineElements - 1) / CacheLineElements * CacheLineElements;
        if ((n % CacheLineElements != 0 || (nint)b % 64 != 0) && nonzeros >= PackingReuse * k && (long)k * paddedColumns <= PackedEntries)
        {
            for (int p = 0; p < k; p++)
                new ReadOnlySpan<T>(b + (nint)p * n, n).CopyTo(new Span<T>(packingBuffer + (nint)p * paddedColumns, n));
            job.B = packingBuffer;
            job.BRowStride = paddedColumns;
        }
        // A sparse multiply-add costs about four dense ones (one load per fused multiply-add, against one per eight
        // in the dense kernel), so the split starts at a quarter of the dense threshold. Measured at MNIST's shapes
        // (about 1.5·10⁶ sparse multiply-adds): two threads take half the time of one when the second core is free.
        job.Parts = nonzeros * n * 4 >= MatrixOps.ParallelThreshold ? maxParts : 1;
        HelperThreads.Run(RunPartFor(n), &job, job.Parts);
        return true;
    }

    /// <summary>
    /// Whether the sparse route suits a product whose op(A) is the <paramref name="length"/> values at
    /// <paramref name="a"/> and whose rows of C are <paramref name="n"/> wide, by the rule of
    /// <see cref="TryMultiply"/> (and its <see cref="SparseGemm.Route"/>, read on the calling thread). For a caller
    /// that splits the work itself and runs products with <see cref="MultiplyOnThisThread"/>.
    /// </summary>
    public static bool Suits(T* a, long length, int n)
    {
        SparseRoute route = SparseGemm.Route;
        if (route != SparseRoute.Automatic || length == 0)
            return route == SparseRoute.Sparse;
        long limit = (long)(DensityLimit * length);
        return VectorWidth(n) > 1 && CountNonzeros(a, length, limit) <= limit;
    }

    /// <summary>
    /// <c>C (+)= op(A)·B</c> by the sparse route on the calling thread, whatever the density; shapes as
    /// <see cref="TryMultiply"/>, k ≥ 1. B is read in place.
    /// </summary>
    public static void MultiplyOnThisThread(T* a, bool transposeA, T* b, T* c, int m, int n, int k, bool accumulate)
    {
        if (m == 0 || n == 0)
            return;
        var job = new Job { A = a, TransposeA = transposeA, B = b, BRowStride = n, C = c, M = m, N = n, K = k, Accumulate = accumulate, Parts = 1 };
        RunPartFor(n)(&job, 0);
    }

    private static delegate*<void*, int, void> RunPartFor(int n) => VectorWidth(n) switch
    {
        1 => &RunPart<Scalar<T>, T>,
        _ when s_wide512 && n >= Vector512<T>.Count => &RunPart<Simd512<T>, Vector512<T>>,
        _ => &RunPart<Simd256<T>, Vector256<T>>,
    };

    private static long CountNonzeros(T* a, long length, long limit) =>
        s_wide512
            ? CountNonzeros<Simd512<T>, Vector512<T>>(a, length, limit)
            : CountNonzeros<Simd256<T>, Vector256<T>>(a, length, limit);

    /// <summary>The widest vector no wider than a row of C: 1 (scalar) when no vector fits.</summary>
    private static int VectorWidth(int n) =>
        s_wide512 && n >= Vector512<T>.Count ? Vector512<T>.Count
        : s_wide256 && n >= Vector256<T>.Count ? Vector256<T>.Count
        : 1;

    /// <summary>The nonzero entries among the first <paramref name="length"/> at <paramref name="a"/>, or any number above <paramref name="limit"/> once it is passed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long CountNonzeros<TSimd, TVector>(T* a, long length, long limit)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        int width = TSimd.Count;
        long count = 0, i = 0;
        const int checkEvery = 64;
        while (i + (long)width * checkEvery <= length)
        {
            for (int v = 0; v < checkEvery; v++, i += width)
                count += BitOperations.PopCount(TSimd.NonzeroMask(TSimd.Load(a + i)));
            if (count > limit)
                return count;
        }
        for (; i + width <= length; i += width)
            count += BitOperations.PopCount(TSimd.NonzeroMask(TSimd.Load(a + i)));
        for (; i < length; i++)
            if (a[i] != T.Zero)
                count++;
        return count;
    }

    private static void RunPart<TSimd, TVector>(void* state, int part)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        ref readonly Job job = ref Unsafe.AsRef<Job>(state);
        var (rowStart, rowEnd) = Gemm<T>.Share(job.M, job.Parts, part);
        EnsureListBuffers();
        int* indices = Pin(t_indices!);
        T* values = Pin(t_values!);
        if (job.TransposeA && typeof(T) == typeof(float) && Avx512F.VL.IsSupported)
            ComputeTransposedFloat<TSimd, TVector>(job, rowStart, rowEnd, indices, (float*)values);
        else if (job.TransposeA)
            Compute<TSimd, TVector, StridedDepth>(job, rowStart, rowEnd, indices, values);
        else
            Compute<TSimd, TVector, ContiguousDepth>(job, rowStart, rowEnd, indices, values);
    }

    /// <summary>
    /// Rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of C, one depth block (<see cref="BlockBytes"/> of
    /// B) at a time: for each row i, gather the nonzeros of row i of op(A) within the block, then accumulate row i of C
    /// from them. Row i of op(A) is row i of A stored m×k (contiguous), or column i of A stored k×m (read with
    /// gathers, stride m).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute<TSimd, TVector, TDepth>(in Job job, int rowStart, int rowEnd, int* indices, T* values)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
        where TDepth : struct, IDepthStride
    {
        int width = TSimd.Count, k = job.K;
        bool strided = TDepth.Strided;
        int depthStride = strided ? job.M : 1;
        // Depth blocks of about BlockBytes of B, each passed over by every row of C in turn, so it stays in cache.
        int depthBlock = (int)Math.Clamp(BlockBytes / (job.BRowStride * sizeof(T)) / width * width, width, BufferEntries);
        for (int depthStart = 0; depthStart < k; depthStart += depthBlock)
        {
            int depthEnd = Math.Min(depthStart + depthBlock, k);
            bool accumulate = job.Accumulate || depthStart > 0;
            for (int i = rowStart; i < rowEnd; i++)
            {
                T* row = strided ? job.A + i : job.A + (nint)i * k;
                int length = 0, p = depthStart;
                for (; p + width <= depthEnd; p += width)
                {
                    T* source = row + (nint)p * depthStride;
                    TVector value = strided ? TSimd.LoadStrided(source, depthStride) : TSimd.Load(source);
                    length += TSimd.CompressNonzero(value, p, indices + length, values + length);
                }
                for (; p < depthEnd; p++)
                    length += Scalar<T>.CompressNonzero(row[(nint)p * depthStride], p, indices + length, values + length);
                Row<TSimd, TVector>(indices, values, length, job.B, job.BRowStride, job.N, job.C + (nint)i * job.N, accumulate);
            }
        }
    }

    /// <summary>
    /// <see cref="Compute{TSimd, TVector, TDepth}"/> for float <c>Aᵀ·B</c> (A stored k×m) without gathers, which
    /// measured slow here (45 µs of the gathering alone for Xᵀ·dY at MNIST's shapes, more than this whole route takes
    /// now): eight columns of A at a time, an 8×8 tile of A is loaded row by row
    /// (contiguous), transposed in registers so that each vector holds eight depths of one column, and each
    /// vector compressed into that column's list. Columns past the last group of eight take the strided route.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeTransposedFloat<TSimd, TVector>(in Job job, int rowStart, int rowEnd, int* indices, float* values)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        const int group = 8;
        const int depthBlock = BufferEntries / group - Slack;
        const int listStride = BufferEntries / group;
        int k = job.K;
        nint m = job.M;
        int* lengths = stackalloc int[group];
        int i = rowStart;
        for (; i + group <= rowEnd; i += group)
        {
            float* column = (float*)job.A + i;
            for (int depthStart = 0; depthStart < k; depthStart += depthBlock)
            {
                int depthEnd = Math.Min(depthStart + depthBlock, k);
                int l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
                int p = depthStart;
                for (; p + group <= depthEnd; p += group)
                {
                    float* s = column + p * m;
                    Vector256<float> r0 = Vector256.Load(s), r1 = Vector256.Load(s + m), r2 = Vector256.Load(s + 2 * m), r3 = Vector256.Load(s + 3 * m);
                    Vector256<float> r4 = Vector256.Load(s + 4 * m), r5 = Vector256.Load(s + 5 * m), r6 = Vector256.Load(s + 6 * m), r7 = Vector256.Load(s + 7 * m);
                    // An all-zero tile (MNIST's borders) adds nothing to any list; the OR of the bits is ±0 exactly when every entry is.
                    if (Vector256.EqualsAll(((r0 | r1) | (r2 | r3)) | ((r4 | r5) | (r6 | r7)), Vector256<float>.Zero))
                        continue;
                    Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                    Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
                    Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
                    Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
                    // Vector c now holds A[p..p+8, i + c].
                    l0 += Simd256<float>.CompressNonzero(Avx.Permute2x128(u0, u4, 0x20), p, indices + l0, values + l0);
                    l1 += Simd256<float>.CompressNonzero(Avx.Permute2x128(u1, u5, 0x20), p, indices + listStride + l1, values + listStride + l1);
                    l2 += Simd256<float>.CompressNonzero(Avx.Permute2x128(u2, u6, 0x20), p, indices + 2 * listStride + l2, values + 2 * listStride + l2);
                    l3 += Simd256<float>.CompressNonzero(Avx.Permute2x128(u3, u7, 0x20), p, indices + 3 * listStride + l3, values + 3 * listStride + l3);
                    l4 += Simd256<float>.CompressNonzero(Avx.Permute2x128(u0, u4, 0x31), p, indices + 4 * listStride + l4, values + 4 * listStride + l4);
                    l5 += Simd256<float>.CompressNonzero(Avx.Permute2x128(u1, u5, 0x31), p, indices + 5 * listStride + l5, values + 5 * listStride + l5);
                    l6 += Simd256<float>.CompressNonzero(Avx.Permute2x128(u2, u6, 0x31), p, indices + 6 * listStride + l6, values + 6 * listStride + l6);
                    l7 += Simd256<float>.CompressNonzero(Avx.Permute2x128(u3, u7, 0x31), p, indices + 7 * listStride + l7, values + 7 * listStride + l7);
                }
                for (; p < depthEnd; p++)
                {
                    float* s = column + p * m;
                    l0 += Scalar<float>.CompressNonzero(s[0], p, indices + l0, values + l0);
                    l1 += Scalar<float>.CompressNonzero(s[1], p, indices + listStride + l1, values + listStride + l1);
                    l2 += Scalar<float>.CompressNonzero(s[2], p, indices + 2 * listStride + l2, values + 2 * listStride + l2);
                    l3 += Scalar<float>.CompressNonzero(s[3], p, indices + 3 * listStride + l3, values + 3 * listStride + l3);
                    l4 += Scalar<float>.CompressNonzero(s[4], p, indices + 4 * listStride + l4, values + 4 * listStride + l4);
                    l5 += Scalar<float>.CompressNonzero(s[5], p, indices + 5 * listStride + l5, values + 5 * listStride + l5);
                    l6 += Scalar<float>.CompressNonzero(s[6], p, indices + 6 * listStride + l6, values + 6 * listStride + l6);
                    l7 += Scalar<float>.CompressNonzero(s[7], p, indices + 7 * listStride + l7, values + 7 * listStride + l7);
                }
                bool accumulate = job.Accumulate || depthStart > 0;
                lengths[0] = l0; lengths[1] = l1; lengths[2] = l2; lengths[3] = l3;
                lengths[4] = l4; lengths[5] = l5; lengths[6] = l6; lengths[7] = l7;
                for (int c = 0; c < group; c++)
                    Row<TSimd, TVector>(indices + c * listStride, (T*)(values + c * listStride), lengths[c], job.B, job.BRowStride, job.N, job.C + (nint)(i + c) * job.N, accumulate);
            }
        }
        if (i < rowEnd)
            Compute<TSimd, TVector, StridedDepth>(job, i, rowEnd, indices, (T*)values);
    }

    /// <summary>
    /// <c>c[0..n) (+)= Σ values[t]·B[indices[t], 0..n)</c>, in chunks of up to <see cref="ChunkVectors"/> vectors; n is
    /// at least one vector. A ragged end of at most a 128-bit vector's elements (4 floats) past a whole vector is
    /// covered by a 128-bit tail read at n − 4 (<see cref="NarrowTail"/>): at n = 100 and 16 floats a vector, six
    /// vectors and the tail, not seven vectors, the seventh a 64-byte load split over two cache lines. A longer ragged
    /// end is covered by a last whole vector read at n − width, overlapping the vector before it. Either way the split
    /// never leaves the last vector or the tail alone in a chunk, so the overlap stays inside one chunk (see <see cref="Chunk"/>).
    /// </summary>
    private static void Row<TSimd, TVector>(int* indices, T* values, int length, T* b, nint ldb, int n, T* c, bool accumulate)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        int width = TSimd.Count;
        for (int column = 0; column < n;)
        {
            int remaining = (n - column + width - 1) / width;
            int vectors = remaining <= ChunkVectors ? remaining : remaining == ChunkVectors + 1 ? ChunkVectors - 1 : ChunkVectors;
            int ragged = (n - column) % width;
            if (vectors == remaining && remaining > 1 && ragged != 0 && ragged <= TailWidth && width > TailWidth)
            {
                switch (vectors - 1)
                {
                    case 1: Chunk<TSimd, TVector, Vectors1, NarrowTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                    case 2: Chunk<TSimd, TVector, Vectors2, NarrowTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                    case 3: Chunk<TSimd, TVector, Vectors3, NarrowTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                    case 4: Chunk<TSimd, TVector, Vectors4, NarrowTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                    case 5: Chunk<TSimd, TVector, Vectors5, NarrowTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                    case 6: Chunk<TSimd, TVector, Vectors6, NarrowTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                    default: Chunk<TSimd, TVector, Vectors7, NarrowTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                }
                return;
            }
            switch (vectors)
            {
                case 1: Chunk<TSimd, TVector, Vectors1, NoTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                case 2: Chunk<TSimd, TVector, Vectors2, NoTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                case 3: Chunk<TSimd, TVector, Vectors3, NoTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                case 4: Chunk<TSimd, TVector, Vectors4, NoTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                case 5: Chunk<TSimd, TVector, Vectors5, NoTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                case 6: Chunk<TSimd, TVector, Vectors6, NoTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                case 7: Chunk<TSimd, TVector, Vectors7, NoTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
                default: Chunk<TSimd, TVector, Vectors8, NoTail>(indices, values, length, b, ldb, n, c, column, accumulate); break;
            }
            column += vectors * width;
        }
    }

    /// <summary>Elements of a 128-bit vector, the width of <see cref="NarrowTail"/>'s tail.</summary>
    private static readonly int TailWidth = 16 / sizeof(T);

    /// <summary><c>a·b + addend</c> on 128-bit vectors, fused for float and double as the wide vectors' multiply-add is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> MultiplyAdd128(Vector128<T> a, Vector128<T> b, Vector128<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), addend.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), addend.AsDouble()).As<double, T>();
        return a * b + addend;
    }

    /// <summary>
    /// Columns [<paramref name="column"/>, column + V·width) ∩ [0, n) of one row of C, V = <typeparamref name="TCount"/>,
    /// in V accumulators. Vectors 0..V−2 sit at fixed distances from the chunk's start; the last one is read at
    /// n − width when it would run past n, overlapping the one before it. Every old value of C is loaded before
    /// anything is stored, so the overlapping columns get the same value from both vectors. With
    /// <typeparamref name="TTail"/> = <see cref="NarrowTail"/> the V vectors all sit at i·width and a 128-bit tail
    /// read at n − <see cref="TailWidth"/> covers the columns past them (overlapping the last vector when fewer than
    /// <see cref="TailWidth"/> remain). Nothing in here is a call (the multiply-adds are inlined): a call would make
    /// the JIT spill the accumulators inside the loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk<TSimd, TVector, TCount, TTail>(int* indices, T* values, int length, T* b, nint ldb, int n, T* c, int column, bool accumulate)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
        where TCount : struct, IVectorCount
        where TTail : struct, ITail
    {
        int count = TCount.Value;
        int width = TSimd.Count;
        bool tail = TTail.Narrow;
        // The last vector's distance from the chunk's start; the others are at i·width.
        nint lastOffset = tail ? (count - 1) * width : Math.Min((count - 1) * width, n - width - column);
        // The tail's distance from the chunk's start (only with a narrow tail).
        nint tailOffset = n - TailWidth - column;
        Vector128<T> e = Vector128<T>.Zero;
        T* bColumn = b + column;
        T* cColumn = c + column;
        TVector c0 = TSimd.Zero, c1 = TSimd.Zero, c2 = TSimd.Zero, c3 = TSimd.Zero;
        TVector c4 = TSimd.Zero, c5 = TSimd.Zero, c6 = TSimd.Zero, c7 = TSimd.Zero;
        int t = 0;
        // Two entries per step into two sets of accumulators, so that consecutive fused multiply-adds into one
        // accumulator do not wait for each other; only where the register file holds both sets.
        if (count <= 4 || Unsafe.SizeOf<TVector>() == 64)
        {
            TVector d0 = TSimd.Zero, d1 = TSimd.Zero, d2 = TSimd.Zero, d3 = TSimd.Zero;
            TVector d4 = TSimd.Zero, d5 = TSimd.Zero, d6 = TSimd.Zero, d7 = TSimd.Zero;
            Vector128<T> f = Vector128<T>.Zero;
            int half = length / 2;
            for (; t < half; t++)
            {
                TVector x = TSimd.Broadcast(values[t]), y = TSimd.Broadcast(values[half + t]);
                T* row = bColumn + (nint)indices[t] * ldb, next = bColumn + (nint)indices[half + t] * ldb;
                if (count == 1) c0 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c0);
                if (count > 1) c0 = TSimd.MultiplyAdd(x, TSimd.Load(row), c0);
                if (count == 2) c1 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c1);
                if (count > 2) c1 = TSimd.MultiplyAdd(x, TSimd.Load(row + 1 * width), c1);
                if (count == 3) c2 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c2);
                if (count > 3) c2 = TSimd.MultiplyAdd(x, TSimd.Load(row + 2 * width), c2);
                if (count == 4) c3 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c3);
                if (count > 4) c3 = TSimd.MultiplyAdd(x, TSimd.Load(row + 3 * width), c3);
                if (count == 5) c4 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c4);
                if (count > 5) c4 = TSimd.MultiplyAdd(x, TSimd.Load(row + 4 * width), c4);
                if (count == 6) c5 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c5);
                if (count > 6) c5 = TSimd.MultiplyAdd(x, TSimd.Load(row + 5 * width), c5);
                if (count == 7) c6 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c6);
                if (count > 7) c6 = TSimd.MultiplyAdd(x, TSimd.Load(row + 6 * width), c6);
                if (count == 8) c7 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c7);
                if (count == 1) d0 = TSimd.MultiplyAdd(y, TSimd.Load(next + lastOffset), d0);
                if (count > 1) d0 = TSimd.MultiplyAdd(y, TSimd.Load(next), d0);
                if (count == 2) d1 = TSimd.MultiplyAdd(y, TSimd.Load(next + lastOffset), d1);
                if (count > 2) d1 = TSimd.MultiplyAdd(y, TSimd.Load(next + 1 * width), d1);
                if (count == 3) d2 = TSimd.MultiplyAdd(y, TSimd.Load(next + lastOffset), d2);
                if (count > 3) d2 = TSimd.MultiplyAdd(y, TSimd.Load(next + 2 * width), d2);
                if (count == 4) d3 = TSimd.MultiplyAdd(y, TSimd.Load(next + lastOffset), d3);
                if (count > 4) d3 = TSimd.MultiplyAdd(y, TSimd.Load(next + 3 * width), d3);
                if (count == 5) d4 = TSimd.MultiplyAdd(y, TSimd.Load(next + lastOffset), d4);
                if (count > 5) d4 = TSimd.MultiplyAdd(y, TSimd.Load(next + 4 * width), d4);
                if (count == 6) d5 = TSimd.MultiplyAdd(y, TSimd.Load(next + lastOffset), d5);
                if (count > 6) d5 = TSimd.MultiplyAdd(y, TSimd.Load(next + 5 * width), d5);
                if (count == 7) d6 = TSimd.MultiplyAdd(y, TSimd.Load(next + lastOffset), d6);
                if (count > 7) d6 = TSimd.MultiplyAdd(y, TSimd.Load(next + 6 * width), d6);
                if (count == 8) d7 = TSimd.MultiplyAdd(y, TSimd.Load(next + lastOffset), d7);
                if (tail) e = MultiplyAdd128(Vector128.Create(values[t]), Vector128.Load(row + tailOffset), e);
                if (tail) f = MultiplyAdd128(Vector128.Create(values[half + t]), Vector128.Load(next + tailOffset), f);
            }
            e += f;
            c0 = TSimd.Add(c0, d0); c1 = TSimd.Add(c1, d1); c2 = TSimd.Add(c2, d2); c3 = TSimd.Add(c3, d3);
            c4 = TSimd.Add(c4, d4); c5 = TSimd.Add(c5, d5); c6 = TSimd.Add(c6, d6); c7 = TSimd.Add(c7, d7);
        }
        for (t = 2 * t; t < length; t++)
        {
            TVector x = TSimd.Broadcast(values[t]);
            T* row = bColumn + (nint)indices[t] * ldb;
            if (count == 1) c0 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c0);
            if (count > 1) c0 = TSimd.MultiplyAdd(x, TSimd.Load(row), c0);
            if (count == 2) c1 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c1);
            if (count > 2) c1 = TSimd.MultiplyAdd(x, TSimd.Load(row + 1 * width), c1);
            if (count == 3) c2 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c2);
            if (count > 3) c2 = TSimd.MultiplyAdd(x, TSimd.Load(row + 2 * width), c2);
            if (count == 4) c3 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c3);
            if (count > 4) c3 = TSimd.MultiplyAdd(x, TSimd.Load(row + 3 * width), c3);
            if (count == 5) c4 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c4);
            if (count > 5) c4 = TSimd.MultiplyAdd(x, TSimd.Load(row + 4 * width), c4);
            if (count == 6) c5 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c5);
            if (count > 6) c5 = TSimd.MultiplyAdd(x, TSimd.Load(row + 5 * width), c5);
            if (count == 7) c6 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c6);
            if (count > 7) c6 = TSimd.MultiplyAdd(x, TSimd.Load(row + 6 * width), c6);
            if (count == 8) c7 = TSimd.MultiplyAdd(x, TSimd.Load(row + lastOffset), c7);
            if (tail) e = MultiplyAdd128(Vector128.Create(values[t]), Vector128.Load(row + tailOffset), e);
        }

        // Offsets of each accumulator: i·width, except the last at lastOffset.
        nint o0 = count == 1 ? lastOffset : 0;
        nint o1 = count == 2 ? lastOffset : width, o2 = count == 3 ? lastOffset : 2 * width, o3 = count == 4 ? lastOffset : 3 * width;
        nint o4 = count == 5 ? lastOffset : 4 * width, o5 = count == 6 ? lastOffset : 5 * width, o6 = count == 7 ? lastOffset : 6 * width;
        nint o7 = lastOffset;
        if (accumulate)
        {
            c0 = TSimd.Add(TSimd.Load(cColumn + o0), c0);
            if (count > 1) c1 = TSimd.Add(TSimd.Load(cColumn + o1), c1);
            if (count > 2) c2 = TSimd.Add(TSimd.Load(cColumn + o2), c2);
            if (count > 3) c3 = TSimd.Add(TSimd.Load(cColumn + o3), c3);
            if (count > 4) c4 = TSimd.Add(TSimd.Load(cColumn + o4), c4);
            if (count > 5) c5 = TSimd.Add(TSimd.Load(cColumn + o5), c5);
            if (count > 6) c6 = TSimd.Add(TSimd.Load(cColumn + o6), c6);
            if (count > 7) c7 = TSimd.Add(TSimd.Load(cColumn + o7), c7);
            if (tail) e = Vector128.Load(cColumn + tailOffset) + e;
        }
        TSimd.Store(cColumn + o0, c0);
        if (count > 1) TSimd.Store(cColumn + o1, c1);
        if (count > 2) TSimd.Store(cColumn + o2, c2);
        if (count > 3) TSimd.Store(cColumn + o3, c3);
        if (count > 4) TSimd.Store(cColumn + o4, c4);
        if (count > 5) TSimd.Store(cColumn + o5, c5);
        if (count > 6) TSimd.Store(cColumn + o6, c6);
        if (count > 7) TSimd.Store(cColumn + o7, c7);
        if (tail) Vector128.Store(e, cColumn + tailOffset);
    }

    /// <summary>
    /// This thread's buffer for B copied to aligned rows. Like the gather buffers it has a fixed size and is allocated
    /// on the thread's first sparse product, whether or not that product copies B, so that no later product allocates.
    /// </summary>
    private static T* AlignedPackingBuffer()
    {
        nint start = (nint)Pin(t_packedB ??= NewBuffer<T>(PackedEntries + CacheLineElements));
        return (T*)((start + 63) & ~(nint)63);
    }

    /// <summary>Makes this thread's lists of a row's nonzeros (positions and values), of a fixed size, if it has none yet.</summary>
    private static void EnsureListBuffers()
    {
        t_indices ??= NewBuffer<int>(BufferEntries + Slack);
        t_values ??= NewBuffer<T>(BufferEntries + Slack);
    }

    private static TElement[] NewBuffer<TElement>(int length) where TElement : unmanaged =>
        GC.AllocateUninitializedArray<TElement>(length, pinned: true);

    /// <summary>The first element of a pinned array.</summary>
    private static TElement* Pin<TElement>(TElement[] buffer) where TElement : unmanaged =>
        (TElement*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
}

/// <summary>Selects the number of accumulators of <see cref="SparseGemm{T}"/>'s row chunk at JIT time.</summary>
internal interface IVectorCount
{
    static abstract int Value { get; }
}

/// <summary>Selects at JIT time whether <see cref="SparseGemm{T}"/>'s row chunk ends in a 128-bit tail.</summary>
internal interface ITail
{
    static abstract bool Narrow { get; }
}

internal readonly struct NoTail : ITail { public static bool Narrow => false; }
internal readonly struct NarrowTail : ITail { public static bool Narrow => true; }

/// <summary>Selects at JIT time how a row of op(A) is read: contiguous (A) or with stride m (Aᵀ, A stored k×m).</summary>
internal interface IDepthStride
{
    static abstract bool Strided { get; }
}

internal readonly struct ContiguousDepth : IDepthStride { public static bool Strided => false; }
internal readonly struct StridedDepth : IDepthStride { public static bool Strided => true; }

internal readonly struct Vectors1 : IVectorCount { public static int Value => 1; }
internal readonly struct Vectors2 : IVectorCount { public static int Value => 2; }
internal readonly struct Vectors3 : IVectorCount { public static int Value => 3; }
internal readonly struct Vectors4 : IVectorCount { public static int Value => 4; }
internal readonly struct Vectors5 : IVectorCount { public static int Value => 5; }
internal readonly struct Vectors6 : IVectorCount { public static int Value => 6; }
internal readonly struct Vectors7 : IVectorCount { public static int Value => 7; }
internal readonly struct Vectors8 : IVectorCount { public static int Value => 8; }
