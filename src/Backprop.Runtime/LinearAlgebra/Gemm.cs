using System.Numerics;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>The matrix product <c>op(a)·op(b)</c>, where op transposes when its flag is set (no transpose is materialised).</summary>
    /// <exception cref="ArgumentException">The inner dimensions differ.</exception>
    public static Matrix<T> MatMul<T>(Matrix<T> a, Matrix<T> b, bool transposeA = false, bool transposeB = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(transposeA ? a.Columns : a.Rows, transposeB ? b.Rows : b.Columns);
        MatMul(a, b, destination, transposeA, transposeB);
        return destination;
    }

    /// <summary>
    /// <c>destination = op(a)·op(b)</c>, or <c>destination += op(a)·op(b)</c> when <paramref name="accumulate"/>;
    /// op transposes when its flag is set, without materialising the transpose. Allocates nothing. Large
    /// products run on up to <see cref="MaxDegreeOfParallelism"/> threads.
    /// </summary>
    /// <exception cref="ArgumentException">The inner dimensions differ, <paramref name="destination"/> has the
    /// wrong shape, or <paramref name="destination"/> is <paramref name="a"/> or <paramref name="b"/>.</exception>
    public static unsafe void MatMul<T>(Matrix<T> a, Matrix<T> b, Matrix<T> destination, bool transposeA = false, bool transposeB = false, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = transposeA ? a.Columns : a.Rows;
        int k = transposeA ? a.Rows : a.Columns;
        int bDepth = transposeB ? b.Columns : b.Rows;
        int n = transposeB ? b.Rows : b.Columns;
        if (k != bDepth)
            throw new ArgumentException(
                $"MatMul: ({a.Shape}){(transposeA ? "ᵀ" : "")}·({b.Shape}){(transposeB ? "ᵀ" : "")} — inner dimensions {k} and {bDepth} differ");
        RequireShape(destination, m, n, nameof(MatMul), nameof(destination));
        RequireDistinct(destination, a, nameof(MatMul), nameof(destination), nameof(a));
        RequireDistinct(destination, b, nameof(MatMul), nameof(destination), nameof(b));

        int parts = (long)m * n * k >= ParallelThreshold ? MaxDegreeOfParallelism : 1;
        fixed (T* pa = a.Span, pb = b.Span, pc = destination.Span)
            Gemm<T>.Multiply(pa, transposeA, pb, transposeB, pc, m, n, k, accumulate, parts);
    }

    /// <summary>
    /// Pullback of <c>c = op(a)·op(b)</c>: <c>d op(a) = dC·op(b)ᵀ</c> and <c>d op(b) = op(a)ᵀ·dC</c>, each
    /// computed as one product with transpose flags, stored in the shape of <paramref name="a"/> and
    /// <paramref name="b"/>. For an affine layer <c>y = x·w</c> this is <c>dX = dY·Wᵀ</c>, <c>dW = Xᵀ·dY</c>.
    /// </summary>
    /// <param name="a">The left factor as passed to <see cref="MatMul{T}(Matrix{T}, Matrix{T}, bool, bool)"/>.</param>
    /// <param name="b">The right factor as passed to the product.</param>
    /// <param name="dC">Gradient with respect to the product.</param>
    /// <param name="dA">Receives the gradient for <paramref name="a"/> (same shape); <see langword="null"/> to skip.</param>
    /// <param name="dB">Receives the gradient for <paramref name="b"/> (same shape); <see langword="null"/> to skip.</param>
    /// <param name="transposeA">The flag the product was computed with.</param>
    /// <param name="transposeB">The flag the product was computed with.</param>
    /// <param name="accumulate">Add into <paramref name="dA"/> and <paramref name="dB"/> instead of overwriting them.</param>
    public static void MatMulPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> dC, Matrix<T>? dA, Matrix<T>? dB,
        bool transposeA = false, bool transposeB = false, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dA is not null)
        {
            // d op(a) = dC·op(b)ᵀ; when a is stored transposed, dA = (dC·op(b)ᵀ)ᵀ = op(b)·dCᵀ.
            if (transposeA)
                MatMul(b, dC, dA, transposeA: transposeB, transposeB: true, accumulate);
            else
                MatMul(dC, b, dA, transposeA: false, transposeB: !transposeB, accumulate);
        }
        if (dB is not null)
        {
            // d op(b) = op(a)ᵀ·dC; when b is stored transposed, dB = (op(a)ᵀ·dC)ᵀ = dCᵀ·op(a).
            if (transposeB)
                MatMul(dC, a, dB, transposeA: true, transposeB: transposeA, accumulate);
            else
                MatMul(a, dC, dB, transposeA: !transposeA, transposeB: false, accumulate);
        }
    }

    /// <summary>The transpose <c>aᵀ</c>.</summary>
    public static Matrix<T> Transpose<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Columns, a.Rows);
        Transpose(a, destination);
        return destination;
    }

    /// <summary><c>destination = aᵀ</c>, copying in square blocks so both sides stay in cache.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not <c>a.Columns × a.Rows</c>, or is <paramref name="a"/>.</exception>
    public static void Transpose<T>(Matrix<T> a, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireShape(destination, a.Columns, a.Rows, nameof(Transpose), nameof(destination));
        RequireDistinct(destination, a, nameof(Transpose), nameof(destination), nameof(a));
        const int block = 32;
        ReadOnlySpan<T> source = a.Span;
        Span<T> target = destination.Span;
        for (int rowBlock = 0; rowBlock < a.Rows; rowBlock += block)
            for (int columnBlock = 0; columnBlock < a.Columns; columnBlock += block)
                for (int i = rowBlock; i < Math.Min(rowBlock + block, a.Rows); i++)
                    for (int j = columnBlock; j < Math.Min(columnBlock + block, a.Columns); j++)
                        target[j * a.Rows + i] = source[i * a.Columns + j];
    }

    /// <summary>Pullback of <c>y = aᵀ</c>: <c>dA = dYᵀ</c>.</summary>
    public static void TransposePullback<T>(Matrix<T> dY, Matrix<T> dA)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Transpose(dY, dA);
}
