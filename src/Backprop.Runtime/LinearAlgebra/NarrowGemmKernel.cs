using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop;

/// <summary>
/// The matrix product <c>C (+)= op(A)·B</c> for a C at most one 512-bit vector wide (16 floats or 8 doubles), such as a
/// classifier's output layer (10 columns) and its weights' gradient. The packed kernel of <see cref="Gemm{T}"/> pays
/// for packing and edge tiles that such a product cannot amortise: at 100×100·100×10 in float it took 4.96 µs and this
/// kernel 3.05 µs, and for the weights' gradient (A transposed) 5.19 and 2.99 µs (<c>NarrowMatMulBenchmarks</c>, side by
/// side). Each row of B is one masked vector, read from L1 for every group of eight rows of C, which are accumulated in
/// eight registers by fused multiply-adds in depth order; the masked loads and stores touch no element past a row's end.
/// </summary>
internal static unsafe class NarrowGemm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly bool s_supported = Avx512F.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>Rows of C accumulated together: enough independent fused multiply-adds to hide their latency.</summary>
    private const int GroupRows = 8;

    /// <summary>
    /// Computes <c>C (+)= op(A)·B</c> and returns <see langword="true"/> when this kernel applies: AVX-512, float or
    /// double, B not transposed, n at most one vector. Returns <see langword="false"/> without writing C otherwise.
    /// Shapes as <see cref="Gemm{T}.Multiply"/>.
    /// </summary>
    public static bool TryMultiply(T* a, bool transposeA, T* b, bool transposeB, T* c, int m, int n, int k, bool accumulate)
    {
        if (!s_supported || transposeB || n > Vector512<T>.Count || m == 0 || n == 0)
            return false;
        Vector512<T> mask = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(n)));
        // Element (i, p) of op(A): row i of A stored m×k, or column i of A stored k×m.
        nint rowStride = transposeA ? 1 : k, depthStride = transposeA ? m : 1;
        int i = 0;
        for (; i + GroupRows <= m; i += GroupRows)
            Group(a + i * rowStride, rowStride, depthStride, b, c + (nint)i * n, n, k, mask, accumulate);
        for (; i < m; i++)
            Row(a + i * rowStride, depthStride, b, c + (nint)i * n, n, k, mask, accumulate);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Group(T* a, nint rowStride, nint depthStride, T* b, T* c, int n, int k, Vector512<T> mask, bool accumulate)
    {
        Vector512<T> c0 = Vector512<T>.Zero, c1 = Vector512<T>.Zero, c2 = Vector512<T>.Zero, c3 = Vector512<T>.Zero;
        Vector512<T> c4 = Vector512<T>.Zero, c5 = Vector512<T>.Zero, c6 = Vector512<T>.Zero, c7 = Vector512<T>.Zero;
        for (int p = 0; p < k; p++)
        {
            Vector512<T> row = Load(b + (nint)p * n, mask);
            T* column = a + p * depthStride;
            c0 = Simd512<T>.MultiplyAdd(Vector512.Create(column[0]), row, c0);
            c1 = Simd512<T>.MultiplyAdd(Vector512.Create(column[rowStride]), row, c1);
            c2 = Simd512<T>.MultiplyAdd(Vector512.Create(column[2 * rowStride]), row, c2);
            c3 = Simd512<T>.MultiplyAdd(Vector512.Create(column[3 * rowStride]), row, c3);
            c4 = Simd512<T>.MultiplyAdd(Vector512.Create(column[4 * rowStride]), row, c4);
            c5 = Simd512<T>.MultiplyAdd(Vector512.Create(column[5 * rowStride]), row, c5);
            c6 = Simd512<T>.MultiplyAdd(Vector512.Create(column[6 * rowStride]), row, c6);
            c7 = Simd512<T>.MultiplyAdd(Vector512.Create(column[7 * rowStride]), row, c7);
        }
        Finish(c, c0, mask, accumulate);
        Finish(c + n, c1, mask, accumulate);
        Finish(c + 2 * n, c2, mask, accumulate);
        Finish(c + 3 * n, c3, mask, accumulate);
        Finish(c + 4 * n, c4, mask, accumulate);
        Finish(c + 5 * n, c5, mask, accumulate);
        Finish(c + 6 * n, c6, mask, accumulate);
        Finish(c + 7 * n, c7, mask, accumulate);
    }

    private static void Row(T* a, nint depthStride, T* b, T* c, int n, int k, Vector512<T> mask, bool accumulate)
    {
        Vector512<T> sum = Vector512<T>.Zero;
        for (int p = 0; p < k; p++)
            sum = Simd512<T>.MultiplyAdd(Vector512.Create(a[p * depthStride]), Load(b + (nint)p * n, mask), sum);
        Finish(c, sum, mask, accumulate);
    }

    /// <summary>Stores a row of C, first adding its old value when accumulating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(T* c, Vector512<T> sum, Vector512<T> mask, bool accumulate)
    {
        if (accumulate)
            sum = Load(c, mask) + sum;
        if (typeof(T) == typeof(float))
            Avx512F.MaskStore((float*)c, mask.AsSingle(), sum.AsSingle());
        else
            Avx512F.MaskStore((double*)c, mask.AsDouble(), sum.AsDouble());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Load(T* source, Vector512<T> mask) =>
        typeof(T) == typeof(float)
            ? Avx512F.MaskLoad((float*)source, mask.AsSingle(), Vector512<float>.Zero).As<float, T>()
            : Avx512F.MaskLoad((double*)source, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();
}
