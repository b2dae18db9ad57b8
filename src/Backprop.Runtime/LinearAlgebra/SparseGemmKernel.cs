using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

/// <summary>Process-wide route selection, for tests and benchmarks that must exercise one route.</summary>
internal static class SparseGemm
{
    /// <summary>The route products take; <see cref="SparseRoute.Automatic"/> unless a test or benchmark sets it.</summary>
    public static SparseRoute Route { get; set; } = SparseRoute.Automatic;
}

/// <summary>
/// The matrix product <c>C (+)= op(A)·B</c> that skips the exact zeros of A. Each row i of C is
/// <c>Σ A'[i, p]·B[p, :]</c> over the nonzero entries of row i of op(A): its (p, value) pairs are gathered into a
/// per-thread buffer with a vectorised scan, then the row of C is accumulated in vector registers, up to
/// <see cref="ChunkVectors"/> vectors of columns at a time, reading rows of B contiguously. For <c>Aᵀ·B</c>
/// (A stored k×m) row i of C is column i of stored A: the scan reads a block of one vector of columns of A
/// across all of A's rows and gathers the lists of that many rows of C at once, so <c>Aᵀ</c> is never
/// materialised and C is written exactly once.
/// </summary>
/// <remarks>
/// A skipped term contributes exactly 0; the dense kernel would compute 0·b, which is NaN when b is NaN or ±∞.
/// Such a NaN or ∞ in B therefore does not reach C through positions where A is zero (it still does through every
/// nonzero of A in its row), as in sparse BLAS. NaN and ∞ in A are nonzero and propagate as usual.
/// </remarks>
internal static unsafe class SparseGemm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The highest fraction of nonzero entries in A for which the automatic route goes sparse. Measured on this
    /// machine (see README, "The matrix product"): at the MNIST shapes the sparse route breaks even with the dense
    /// kernel at about 40–45% nonzeros; below the limit it wins with margin, above it would lose.
    /// </summary>
    public const double DensityLimit = 0.35;

    /// <summary>
    /// Capacity of the gather buffers before any product asks for more: 16 lists of depth 1024, so that every product
    /// up to that depth (the MNIST ones included) allocates nothing on a thread's first call either.
    /// </summary>
    private const int MinimumBufferEntries = 16 * 1024;

    /// <summary>Vectors of a row of C kept in registers at once: 8 × 16 floats covers a 100-wide row in one pass.</summary>
    private const int ChunkVectors = 8;

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
        long nonzeros;
        if (route == SparseRoute.Automatic)
        {
            if (VectorWidth(n) == 1)
                return false;
            long limit = (long)(DensityLimit * m * k);
            nonzeros = s_wide512
                ? CountNonzeros<Simd512<T>, Vector512<T>>(a, (long)m * k, limit)
                : CountNonzeros<Simd256<T>, Vector256<T>>(a, (long)m * k, limit);
            if (nonzeros > limit)
                return false;
        }
        else
        {
            nonzeros = (long)m * k;
        }

        var job = new Job { A = a, TransposeA = transposeA, B = b, C = c, M = m, N = n, K = k, Accumulate = accumulate };
        job.Parts = nonzeros * n >= MatrixOps.ParallelThreshold ? maxParts : 1;
        delegate*<void*, int, void> runPart = VectorWidth(n) switch
        {
            1 => &RunPart<Scalar<T>, T>,
            _ when s_wide512 && n >= Vector512<T>.Count => &RunPart<Simd512<T>, Vector512<T>>,
            _ => &RunPart<Simd256<T>, Vector256<T>>,
        };
        HelperThreads.Run(runPart, &job, job.Parts);
        return true;
    }

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
        int width = TSimd.Count;
        // Stored A k×m is gathered one block of vector-width rows of C at a time; split in whole blocks.
        int unit = job.TransposeA ? width : 1;
        int units = (job.M + unit - 1) / unit;
        var (first, end) = Gemm<T>.Share(units, job.Parts, part);
        int rowStart = first * unit, rowEnd = Math.Min(end * unit, job.M);
        if (rowStart >= rowEnd)
            return;
        int lists = job.TransposeA ? width : 1;
        int* indices = Rent(ref t_indices, lists * job.K);
        T* values = Rent(ref t_values, lists * job.K);
        int* lengths = stackalloc int[lists];
        if (job.TransposeA)
            ComputeTransposed<TSimd, TVector>(job, rowStart, rowEnd, indices, values, lengths);
        else
            Compute<TSimd, TVector>(job, rowStart, rowEnd, indices, values);
    }

    /// <summary>Rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of C for A stored m×k: gather row i of A, then compute row i of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute<TSimd, TVector>(in Job job, int rowStart, int rowEnd, int* indices, T* values)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        int width = TSimd.Count, k = job.K;
        for (int i = rowStart; i < rowEnd; i++)
        {
            T* row = job.A + (nint)i * k;
            int length = 0, p = 0;
            for (; p + width <= k; p += width)
            {
                ulong mask = TSimd.NonzeroMask(TSimd.Load(row + p));
                while (mask != 0)
                {
                    int lane = BitOperations.TrailingZeroCount(mask);
                    indices[length] = p + lane;
                    values[length] = row[p + lane];
                    length++;
                    mask &= mask - 1;
                }
            }
            for (; p < k; p++)
            {
                if (row[p] != T.Zero)
                {
                    indices[length] = p;
                    values[length] = row[p];
                    length++;
                }
            }
            Row<TSimd, TVector>(indices, values, length, job.B, job.N, job.C + (nint)i * job.N, job.Accumulate);
        }
    }

    /// <summary>
    /// Rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of C for A stored k×m: row i of C takes column i of
    /// A. One vector of A's columns is read across all k rows, filling one list (capacity k) per column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeTransposed<TSimd, TVector>(in Job job, int rowStart, int rowEnd, int* indices, T* values, int* lengths)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        int width = TSimd.Count, k = job.K;
        nint m = job.M;
        for (int block = rowStart; block < rowEnd; block += width)
        {
            int columns = Math.Min(width, rowEnd - block);
            new Span<int>(lengths, width).Clear();
            T* column = job.A + block;
            if (columns == width)
            {
                for (int p = 0; p < k; p++)
                {
                    T* source = column + p * m;
                    ulong mask = TSimd.NonzeroMask(TSimd.Load(source));
                    while (mask != 0)
                    {
                        int lane = BitOperations.TrailingZeroCount(mask);
                        int slot = lane * k + lengths[lane]++;
                        indices[slot] = p;
                        values[slot] = source[lane];
                        mask &= mask - 1;
                    }
                }
            }
            else
            {
                for (int p = 0; p < k; p++)
                {
                    T* source = column + p * m;
                    for (int lane = 0; lane < columns; lane++)
                    {
                        if (source[lane] != T.Zero)
                        {
                            int slot = lane * k + lengths[lane]++;
                            indices[slot] = p;
                            values[slot] = source[lane];
                        }
                    }
                }
            }
            for (int lane = 0; lane < columns; lane++)
                Row<TSimd, TVector>(indices + lane * k, values + lane * k, lengths[lane], job.B, job.N, job.C + (block + lane) * (nint)job.N, job.Accumulate);
        }
    }

    /// <summary><c>c[0..n) (+)= Σ values[t]·B[indices[t], 0..n)</c>, in chunks of up to <see cref="ChunkVectors"/> vectors.</summary>
    private static void Row<TSimd, TVector>(int* indices, T* values, int length, T* b, int n, T* c, bool accumulate)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        int width = TSimd.Count;
        for (int column = 0; column < n;)
        {
            int vectors = Math.Min(ChunkVectors, (n - column + width - 1) / width);
            switch (vectors)
            {
                case 1: Chunk<TSimd, TVector, Vectors1>(indices, values, length, b, n, c, column, accumulate); break;
                case 2: Chunk<TSimd, TVector, Vectors2>(indices, values, length, b, n, c, column, accumulate); break;
                case 3: Chunk<TSimd, TVector, Vectors3>(indices, values, length, b, n, c, column, accumulate); break;
                case 4: Chunk<TSimd, TVector, Vectors4>(indices, values, length, b, n, c, column, accumulate); break;
                case 5: Chunk<TSimd, TVector, Vectors5>(indices, values, length, b, n, c, column, accumulate); break;
                case 6: Chunk<TSimd, TVector, Vectors6>(indices, values, length, b, n, c, column, accumulate); break;
                case 7: Chunk<TSimd, TVector, Vectors7>(indices, values, length, b, n, c, column, accumulate); break;
                default: Chunk<TSimd, TVector, Vectors8>(indices, values, length, b, n, c, column, accumulate); break;
            }
            column += vectors * width;
        }
    }

    /// <summary>
    /// Columns [<paramref name="column"/>, column + V·width) of one row of C, V = <typeparamref name="TCount"/>, in V
    /// accumulators. A vector that would run past column n is read at n − width instead (inside the row of B) and
    /// only its lanes from its intended start are stored: a ragged tail costs one vector, not scalar work.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk<TSimd, TVector, TCount>(int* indices, T* values, int length, T* b, int n, T* c, int column, bool accumulate)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
        where TCount : struct, IVectorCount
    {
        int count = TCount.Value;
        int width = TSimd.Count;
        nint last = n - width;
        nint o0 = Math.Min(column, last), o1 = Math.Min(column + width, last), o2 = Math.Min(column + 2 * width, last);
        nint o3 = Math.Min(column + 3 * width, last), o4 = Math.Min(column + 4 * width, last), o5 = Math.Min(column + 5 * width, last);
        nint o6 = Math.Min(column + 6 * width, last), o7 = Math.Min(column + 7 * width, last);
        TVector c0 = TSimd.Zero, c1 = TSimd.Zero, c2 = TSimd.Zero, c3 = TSimd.Zero;
        TVector c4 = TSimd.Zero, c5 = TSimd.Zero, c6 = TSimd.Zero, c7 = TSimd.Zero;
        for (int t = 0; t < length; t++)
        {
            TVector x = TSimd.Broadcast(values[t]);
            T* row = b + (nint)indices[t] * n;
            c0 = TSimd.MultiplyAdd(x, TSimd.Load(row + o0), c0);
            if (count > 1) c1 = TSimd.MultiplyAdd(x, TSimd.Load(row + o1), c1);
            if (count > 2) c2 = TSimd.MultiplyAdd(x, TSimd.Load(row + o2), c2);
            if (count > 3) c3 = TSimd.MultiplyAdd(x, TSimd.Load(row + o3), c3);
            if (count > 4) c4 = TSimd.MultiplyAdd(x, TSimd.Load(row + o4), c4);
            if (count > 5) c5 = TSimd.MultiplyAdd(x, TSimd.Load(row + o5), c5);
            if (count > 6) c6 = TSimd.MultiplyAdd(x, TSimd.Load(row + o6), c6);
            if (count > 7) c7 = TSimd.MultiplyAdd(x, TSimd.Load(row + o7), c7);
        }
        Store<TSimd, TVector>(c, o0, column, c0, accumulate);
        if (count > 1) Store<TSimd, TVector>(c, o1, column + width, c1, accumulate);
        if (count > 2) Store<TSimd, TVector>(c, o2, column + 2 * width, c2, accumulate);
        if (count > 3) Store<TSimd, TVector>(c, o3, column + 3 * width, c3, accumulate);
        if (count > 4) Store<TSimd, TVector>(c, o4, column + 4 * width, c4, accumulate);
        if (count > 5) Store<TSimd, TVector>(c, o5, column + 5 * width, c5, accumulate);
        if (count > 6) Store<TSimd, TVector>(c, o6, column + 6 * width, c6, accumulate);
        if (count > 7) Store<TSimd, TVector>(c, o7, column + 7 * width, c7, accumulate);
    }

    /// <summary>Stores the vector computed for columns from <paramref name="offset"/>, keeping only the columns from <paramref name="start"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TSimd, TVector>(T* c, nint offset, nint start, TVector sum, bool accumulate)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        if (offset == start)
        {
            if (accumulate)
                sum = TSimd.Add(TSimd.Load(c + offset), sum);
            TSimd.Store(c + offset, sum);
            return;
        }
        StoreTail<TSimd, TVector>(c, offset, start, sum, accumulate);
    }

    private static void StoreTail<TSimd, TVector>(T* c, nint offset, nint start, TVector sum, bool accumulate)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        int width = TSimd.Count;
        T* lanes = stackalloc T[width];
        TSimd.Store(lanes, sum);
        for (nint lane = start - offset; lane < width; lane++)
            c[offset + lane] = accumulate ? c[offset + lane] + lanes[lane] : lanes[lane];
    }

    /// <summary>A pointer into this thread's pinned buffer, grown when too small; never freed while the thread lives.</summary>
    private static TElement* Rent<TElement>(ref TElement[]? buffer, int length) where TElement : unmanaged
    {
        if (buffer is null || buffer.Length < length)
            buffer = GC.AllocateUninitializedArray<TElement>(Math.Max(length, MinimumBufferEntries), pinned: true);
        return (TElement*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }
}

/// <summary>Selects the number of accumulators of <see cref="SparseGemm{T}"/>'s row chunk at JIT time.</summary>
internal interface IVectorCount
{
    static abstract int Value { get; }
}

internal readonly struct Vectors1 : IVectorCount { public static int Value => 1; }
internal readonly struct Vectors2 : IVectorCount { public static int Value => 2; }
internal readonly struct Vectors3 : IVectorCount { public static int Value => 3; }
internal readonly struct Vectors4 : IVectorCount { public static int Value => 4; }
internal readonly struct Vectors5 : IVectorCount { public static int Value => 5; }
internal readonly struct Vectors6 : IVectorCount { public static int Value => 6; }
internal readonly struct Vectors7 : IVectorCount { public static int Value => 7; }
internal readonly struct Vectors8 : IVectorCount { public static int Value => 8; }
