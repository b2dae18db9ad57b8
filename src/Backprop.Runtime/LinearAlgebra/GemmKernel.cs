using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop;

/// <summary>
/// The matrix product <c>C (+)= op(A)·op(B)</c> over raw row-major storage, in the style of GotoBLAS/BLIS:
/// the depth is cut into blocks of <see cref="DepthBlock"/>, each block of B is packed into contiguous
/// panels one or two vectors wide, and a register-blocked micro-kernel computes
/// <see cref="TileRows"/> rows × one panel of C with fused multiply-adds while the panel stays in L1.
/// A is read in place through a (row stride, depth stride) pair, which serves both A and Aᵀ without
/// packing; only a ragged last group of rows is copied into a zero-padded tile.
/// The loops are compiled fully optimised from the first call (<see cref="MethodImplOptions.AggressiveOptimization"/>):
/// under tiered compilation they would otherwise run for a long while as unoptimised or on-stack-replaced code,
/// at about half speed.
/// </summary>
internal static unsafe class Gemm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows of C per micro-kernel call: 8 rows × 2 vectors = 16 accumulators, half the AVX-512 register file.</summary>
    private const int TileRows = 8;

    /// <summary>Depth per packed block: a 256 × 32 float panel of B is 32 KiB and stays in a 48 KiB L1.</summary>
    private const int DepthBlock = 256;

    /// <summary>Rows of A per block, so that the block (about 256 KiB) stays in L2 while every panel of B passes over it.</summary>
    private const int RowBlock = 256;

    /// <summary>Columns of B packed at once, bounding the packing buffer.</summary>
    private const int ColumnBlock = 1024;

    [ThreadStatic] private static T[]? t_packedB;
    [ThreadStatic] private static T[]? t_raggedA;

    private static readonly delegate*<void*, int, void> s_runPart =
        Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported ? &RunPart<Simd512<T>, Vector512<T>>
        : Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported ? &RunPart<Simd256<T>, Vector256<T>>
        : &RunPart<Scalar<T>, T>;

    /// <summary>The work of one call, shared by every part; lives on the caller's stack.</summary>
    private struct Job
    {
        public T* A;
        public nint ARowStride;
        public nint ADepthStride;
        public T* B;
        public nint BRowStride;
        public bool TransposeB;
        public T* C;
        public int M, N, K;
        public bool Accumulate;
        public int Parts;
    }

    /// <summary>
    /// <c>C (+)= op(A)·op(B)</c> with op(A) m×k and op(B) k×n, all row-major and dense; A is stored m×k, or
    /// k×m when <paramref name="transposeA"/>; B is stored k×n, or n×k when <paramref name="transposeB"/>;
    /// C is m×n. Splits the work into <paramref name="parts"/> pieces run on that many threads.
    /// </summary>
    public static void Multiply(T* a, bool transposeA, T* b, bool transposeB, T* c, int m, int n, int k, bool accumulate, int parts)
    {
        if (m == 0 || n == 0)
            return;
        if (k == 0)
        {
            if (!accumulate)
                new Span<T>(c, m * n).Clear();
            return;
        }
        var job = new Job
        {
            A = a,
            ARowStride = transposeA ? 1 : k,
            ADepthStride = transposeA ? m : 1,
            B = b,
            BRowStride = transposeB ? k : n,
            TransposeB = transposeB,
            C = c,
            M = m,
            N = n,
            K = k,
            Accumulate = accumulate,
            Parts = parts,
        };
        HelperThreads.Run(s_runPart, &job, parts);
    }

    private static void RunPart<TSimd, TVector>(void* state, int part)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        ref readonly Job job = ref Unsafe.AsRef<Job>(state);
        // Split along whichever dimension has more tiles, in whole tiles, so no tile is shared.
        int rowTiles = (job.M + TileRows - 1) / TileRows;
        int panelWidth = 2 * TSimd.Count;
        int columnPanels = (job.N + panelWidth - 1) / panelWidth;
        if (rowTiles >= columnPanels)
        {
            var (first, end) = Share(rowTiles, job.Parts, part);
            Compute<TSimd, TVector>(job, first * TileRows, Math.Min(end * TileRows, job.M), 0, job.N);
        }
        else
        {
            var (first, end) = Share(columnPanels, job.Parts, part);
            Compute<TSimd, TVector>(job, 0, job.M, first * panelWidth, Math.Min(end * panelWidth, job.N));
        }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> near-equal shares of <paramref name="units"/>: [First, End).</summary>
    internal static (int First, int End) Share(int units, int parts, int part) =>
        ((int)((long)units * part / parts), (int)((long)units * (part + 1) / parts));

    /// <summary>Rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) × columns [<paramref name="columnStart"/>, <paramref name="columnEnd"/>) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute<TSimd, TVector>(in Job job, int rowStart, int rowEnd, int columnStart, int columnEnd)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        if (rowStart >= rowEnd || columnStart >= columnEnd)
            return;
        int width = TSimd.Count;
        // Sized for a whole column block whatever this call's share: a smaller batch that stops a product from
        // being split hands one thread every column, and must not grow the buffer then.
        T* packedB = Rent(ref t_packedB, DepthBlock * (ColumnBlock + width));
        T* raggedA = Rent(ref t_raggedA, DepthBlock * TileRows);
        T* scratchTile = stackalloc T[TileRows * 2 * width];
        nint ldc = job.N;

        for (int depthStart = 0; depthStart < job.K; depthStart += DepthBlock)
        {
            int depth = Math.Min(DepthBlock, job.K - depthStart);
            bool accumulate = job.Accumulate || depthStart > 0;
            for (int columnBlock = columnStart; columnBlock < columnEnd; columnBlock += ColumnBlock)
            {
                int columns = Math.Min(ColumnBlock, columnEnd - columnBlock);
                PackB<TSimd, TVector>(job, depthStart, depth, columnBlock, columns, packedB);
                for (int rowBlock = rowStart; rowBlock < rowEnd; rowBlock += RowBlock)
                {
                    int rows = Math.Min(RowBlock, rowEnd - rowBlock);
                    int wholeTileRows = rows / TileRows * TileRows;
                    if (wholeTileRows < rows)
                        PackRaggedRows(job, rowBlock + wholeTileRows, rows - wholeTileRows, depthStart, depth, raggedA);

                    T* panel = packedB;
                    for (int column = 0; column < columns;)
                    {
                        int panelColumns = PanelColumns(columns - column, width);
                        int validColumns = Math.Min(panelColumns, columns - column);
                        for (int row = 0; row < rows; row += TileRows)
                        {
                            int tileRows = Math.Min(TileRows, rows - row);
                            T* c = job.C + (rowBlock + row) * ldc + columnBlock + column;
                            bool whole = tileRows == TileRows;
                            T* a = whole ? job.A + (rowBlock + row) * job.ARowStride + depthStart * job.ADepthStride : raggedA;
                            nint aRowStride = whole ? job.ARowStride : 1;
                            nint aDepthStride = whole ? job.ADepthStride : TileRows;
                            if (whole && validColumns == panelColumns)
                            {
                                Kernel<TSimd, TVector>(panelColumns, a, aRowStride, aDepthStride, panel, depth, c, ldc, accumulate);
                            }
                            else
                            {
                                // Edge tile: compute the full tile aside, then keep only the part inside C.
                                Kernel<TSimd, TVector>(panelColumns, a, aRowStride, aDepthStride, panel, depth, scratchTile, panelColumns, accumulate: false);
                                StoreEdgeTile(scratchTile, panelColumns, c, ldc, tileRows, validColumns, accumulate);
                            }
                        }
                        panel += depth * panelColumns;
                        column += panelColumns;
                    }
                }
            }
        }
    }

    /// <summary>Panels are two vectors wide, except a last panel that one vector covers, to waste less on narrow edges.</summary>
    private static int PanelColumns(int remainingColumns, int vectorWidth) =>
        remainingColumns > vectorWidth ? 2 * vectorWidth : vectorWidth;

    private static void Kernel<TSimd, TVector>(int panelColumns, T* a, nint aRowStride, nint aDepthStride, T* b, int depth, T* c, nint ldc, bool accumulate)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        if (panelColumns == TSimd.Count)
            MicroKernel<TSimd, TVector, OneVectorPanel>(a, aRowStride, aDepthStride, b, depth, c, ldc, accumulate);
        else
            MicroKernel<TSimd, TVector, TwoVectorPanel>(a, aRowStride, aDepthStride, b, depth, c, ldc, accumulate);
    }

    /// <summary>
    /// C[0..8, panel] (+)= A[0..8, 0..depth]·Bpanel, keeping the 8 × panel tile of C in registers. Element (r, k)
    /// of A is at <c>a[r·aRowStride + k·aDepthStride]</c>; the panel holds <c>depth</c> rows of one or two vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel<TSimd, TVector, TPanel>(T* a, nint aRowStride, nint aDepthStride, T* b, int depth, T* c, nint ldc, bool accumulate)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
        where TPanel : struct, IPanelWidth
    {
        bool two = TPanel.TwoVectors;
        int width = TSimd.Count;
        nint panelColumns = two ? 2 * width : width;
        TVector c00 = TSimd.Zero, c01 = TSimd.Zero, c10 = TSimd.Zero, c11 = TSimd.Zero;
        TVector c20 = TSimd.Zero, c21 = TSimd.Zero, c30 = TSimd.Zero, c31 = TSimd.Zero;
        TVector c40 = TSimd.Zero, c41 = TSimd.Zero, c50 = TSimd.Zero, c51 = TSimd.Zero;
        TVector c60 = TSimd.Zero, c61 = TSimd.Zero, c70 = TSimd.Zero, c71 = TSimd.Zero;
        // Rows 0–3 from a, rows 4–7 from a4, each at offsets 0, s, 2s, 3s: few registers, simple addressing.
        T* a4 = a + 4 * aRowStride;
        nint s1 = aRowStride, s2 = 2 * aRowStride, s3 = 3 * aRowStride;
        for (int k = 0; k < depth; k++)
        {
            TVector b0 = TSimd.Load(b);
            TVector b1 = two ? TSimd.Load(b + width) : TSimd.Zero;
            TVector x = TSimd.Broadcast(a[0]);
            c00 = TSimd.MultiplyAdd(x, b0, c00);
            if (two) c01 = TSimd.MultiplyAdd(x, b1, c01);
            x = TSimd.Broadcast(a[s1]);
            c10 = TSimd.MultiplyAdd(x, b0, c10);
            if (two) c11 = TSimd.MultiplyAdd(x, b1, c11);
            x = TSimd.Broadcast(a[s2]);
            c20 = TSimd.MultiplyAdd(x, b0, c20);
            if (two) c21 = TSimd.MultiplyAdd(x, b1, c21);
            x = TSimd.Broadcast(a[s3]);
            c30 = TSimd.MultiplyAdd(x, b0, c30);
            if (two) c31 = TSimd.MultiplyAdd(x, b1, c31);
            x = TSimd.Broadcast(a4[0]);
            c40 = TSimd.MultiplyAdd(x, b0, c40);
            if (two) c41 = TSimd.MultiplyAdd(x, b1, c41);
            x = TSimd.Broadcast(a4[s1]);
            c50 = TSimd.MultiplyAdd(x, b0, c50);
            if (two) c51 = TSimd.MultiplyAdd(x, b1, c51);
            x = TSimd.Broadcast(a4[s2]);
            c60 = TSimd.MultiplyAdd(x, b0, c60);
            if (two) c61 = TSimd.MultiplyAdd(x, b1, c61);
            x = TSimd.Broadcast(a4[s3]);
            c70 = TSimd.MultiplyAdd(x, b0, c70);
            if (two) c71 = TSimd.MultiplyAdd(x, b1, c71);
            a += aDepthStride;
            a4 += aDepthStride;
            b += panelColumns;
        }
        StoreRow<TSimd, TVector, TPanel>(c, c00, c01, accumulate);
        StoreRow<TSimd, TVector, TPanel>(c + ldc, c10, c11, accumulate);
        StoreRow<TSimd, TVector, TPanel>(c + 2 * ldc, c20, c21, accumulate);
        StoreRow<TSimd, TVector, TPanel>(c + 3 * ldc, c30, c31, accumulate);
        StoreRow<TSimd, TVector, TPanel>(c + 4 * ldc, c40, c41, accumulate);
        StoreRow<TSimd, TVector, TPanel>(c + 5 * ldc, c50, c51, accumulate);
        StoreRow<TSimd, TVector, TPanel>(c + 6 * ldc, c60, c61, accumulate);
        StoreRow<TSimd, TVector, TPanel>(c + 7 * ldc, c70, c71, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TSimd, TVector, TPanel>(T* row, TVector left, TVector right, bool accumulate)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
        where TPanel : struct, IPanelWidth
    {
        T* rightHalf = row + TSimd.Count;
        if (accumulate)
        {
            left = TSimd.Add(TSimd.Load(row), left);
            if (TPanel.TwoVectors) right = TSimd.Add(TSimd.Load(rightHalf), right);
        }
        TSimd.Store(row, left);
        if (TPanel.TwoVectors) TSimd.Store(rightHalf, right);
    }

    private static void StoreEdgeTile(T* tile, int tileColumns, T* c, nint ldc, int rows, int columns, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
        {
            var source = new ReadOnlySpan<T>(tile + r * tileColumns, columns);
            var target = new Span<T>(c + r * ldc, columns);
            if (accumulate)
                System.Numerics.Tensors.TensorPrimitives.Add(source, target, target);
            else
                source.CopyTo(target);
        }
    }

    /// <summary>
    /// Copies op(B)[depthStart.., columnStart..] into consecutive panels laid out as the micro-kernel reads
    /// them: per panel, <c>depth</c> rows of its width, zero beyond the last valid column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB<TSimd, TVector>(in Job job, int depthStart, int depth, int columnStart, int columns, T* packed)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        int width = TSimd.Count;
        for (int column = 0; column < columns;)
        {
            int panelColumns = PanelColumns(columns - column, width);
            int validColumns = Math.Min(panelColumns, columns - column);
            if (job.TransposeB)
            {
                // B is stored n×k: column j of op(B) is row j of B, contiguous along the depth.
                if (validColumns < panelColumns)
                    new Span<T>(packed, depth * panelColumns).Clear();
                for (int j = 0; j < validColumns; j++)
                {
                    T* source = job.B + (columnStart + column + j) * job.BRowStride + depthStart;
                    T* target = packed + j;
                    for (int k = 0; k < depth; k++)
                        target[k * panelColumns] = source[k];
                }
            }
            else
            {
                T* source = job.B + depthStart * job.BRowStride + columnStart + column;
                T* target = packed;
                for (int k = 0; k < depth; k++, source += job.BRowStride, target += panelColumns)
                {
                    if (validColumns == panelColumns)
                    {
                        TSimd.Store(target, TSimd.Load(source));
                        if (panelColumns > width)
                            TSimd.Store(target + width, TSimd.Load(source + width));
                    }
                    else
                    {
                        new ReadOnlySpan<T>(source, validColumns).CopyTo(new Span<T>(target, panelColumns));
                        new Span<T>(target + validColumns, panelColumns - validColumns).Clear();
                    }
                }
            }
            packed += depth * panelColumns;
            column += panelColumns;
        }
    }

    /// <summary>Copies the last <paramref name="rows"/> (&lt; 8) rows of an A block into a zero-padded 8-row tile, depth-major.</summary>
    private static void PackRaggedRows(in Job job, int rowStart, int rows, int depthStart, int depth, T* tile)
    {
        new Span<T>(tile, depth * TileRows).Clear();
        for (int r = 0; r < rows; r++)
        {
            T* source = job.A + (rowStart + r) * job.ARowStride + depthStart * job.ADepthStride;
            for (int k = 0; k < depth; k++)
                tile[k * TileRows + r] = source[k * job.ADepthStride];
        }
    }

    /// <summary>A 64-byte-aligned pointer into this thread's pinned buffer, grown when too small; never freed while the thread lives.</summary>
    private static T* Rent(ref T[]? buffer, int length)
    {
        int alignmentPadding = 64 / sizeof(T);
        if (buffer is null || buffer.Length < length + alignmentPadding)
            buffer = GC.AllocateUninitializedArray<T>(length + alignmentPadding, pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (T*)((start + 63) & ~(nint)63);
    }
}

/// <summary>Selects the micro-kernel's panel width at JIT time.</summary>
internal interface IPanelWidth
{
    static abstract bool TwoVectors { get; }
}

internal readonly struct OneVectorPanel : IPanelWidth
{
    public static bool TwoVectors => false;
}

internal readonly struct TwoVectorPanel : IPanelWidth
{
    public static bool TwoVectors => true;
}
