using System.Numerics;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>The matrix product <c>op(a)·op(b)</c>, where op transposes when its flag is set (no transpose is materialised).</summary>
    /// <exception cref="ArgumentException">The inner dimensions differ.</exception>
    public static Matrix<T> MatMul<T>(Matrix<T> a, Matrix<T> b, bool transposeA = false, bool transposeB = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, columns) = MatMulShape(a, b, transposeA, transposeB);
        var destination = new Matrix<T>(rows, columns);
        MatMul(a, b, destination, transposeA, transposeB);
        return destination;
    }

    /// <summary>The shape of <see cref="MatMul{T}(Matrix{T}, Matrix{T}, bool, bool)"/>: the rows of <c>op(a)</c> by the columns of <c>op(b)</c>.</summary>
    public static (int Rows, int Columns) MatMulShape<T>(Matrix<T> a, Matrix<T> b, bool transposeA = false, bool transposeB = false)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (transposeA ? a.Columns : a.Rows, transposeB ? b.Rows : b.Columns);

    /// <summary>
    /// <c>destination = op(a)·op(b)</c>, or <c>destination += op(a)·op(b)</c> when <paramref name="accumulate"/>;
    /// op transposes when its flag is set, without materialising the transpose. Allocates nothing. Large
    /// products run on up to <see cref="MaxDegreeOfParallelism"/> threads.
    /// </summary>
    /// <remarks>
    /// When op(b) is not transposed, the result is at least one vector wide (16 floats or 8 doubles with AVX-512)
    /// and at most 30% of op(a)'s entries are nonzero — an MNIST batch has about 19% — the product skips the exact
    /// zeros of op(a): each row of the result is accumulated from the rows of op(b) that the row's nonzero entries
    /// select. A vectorised count of op(a)'s nonzeros (about 1/n of the dense product's work) makes the choice.
    /// The skipped terms are exactly 0·b, so the result is the same up to rounding, except that a NaN or ±∞ in op(b)
    /// reaches the result only through nonzero entries of op(a): where op(a) is zero it contributes 0, not
    /// 0·∞ = NaN, as in sparse BLAS. This is accepted rather than checked for, since a check would read all of
    /// op(b) on every call; NaN and ∞ in op(a) are nonzero and propagate as usual.
    /// </remarks>
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

        bool splits = (long)m * n * k >= ParallelThreshold;
        int parts = splits ? MaxDegreeOfParallelism : 1;
        fixed (T* pa = a.Span, pb = b.Span, pc = destination.Span)
        {
            // The narrow kernel runs on one thread: a product large enough to split keeps the packed kernel's parts. The
            // test is the product's size, not the thread count, so that one product takes one kernel, and gives the same
            // result, at any thread count.
            if (!SparseGemm<T>.TryMultiply(pa, transposeA, pb, transposeB, pc, m, n, k, accumulate, MaxDegreeOfParallelism)
                && !(!splits && NarrowGemm<T>.TryMultiply(pa, transposeA, pb, transposeB, pc, m, n, k, accumulate)))
                Gemm<T>.Multiply(pa, transposeA, pb, transposeB, pc, m, n, k, accumulate, parts);
        }
    }

    /// <summary>
    /// Pullback of <see cref="MatMul{T}(Matrix{T}, Matrix{T}, bool, bool)"/>, <c>result = op(a)·op(b)</c>:
    /// <c>d op(a) = dResult·op(b)ᵀ</c> and <c>d op(b) = op(a)ᵀ·dResult</c>, each computed as one product with
    /// transpose flags and stored in the shape of <paramref name="a"/> and <paramref name="b"/>. For an affine
    /// layer <c>y = x·w</c> this is <c>dX = dY·Wᵀ</c>, <c>dW = Xᵀ·dY</c>. To add into existing gradients instead,
    /// call <see cref="MatMul{T}(Matrix{T}, Matrix{T}, Matrix{T}, bool, bool, bool)"/> with these products and
    /// <c>accumulate: true</c>.
    /// </summary>
    /// <param name="a">The left factor.</param>
    /// <param name="b">The right factor.</param>
    /// <param name="transposeA">The flag the product was computed with.</param>
    /// <param name="transposeB">The flag the product was computed with.</param>
    /// <param name="result">The product (not read).</param>
    /// <param name="dResult">The gradient of the product.</param>
    /// <param name="dA">Receives the gradient of <paramref name="a"/> (same shape); <see langword="null"/> to skip.</param>
    /// <param name="dB">Receives the gradient of <paramref name="b"/> (same shape); <see langword="null"/> to skip.</param>
    [DerivativeOf(nameof(MatMul), Shape = nameof(MatMulShape))]
    public static void MatMulPullback<T>(Matrix<T> a, Matrix<T> b, bool transposeA, bool transposeB, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dA is not null)
            MatMulGradientOfA(b, dResult, transposeA, transposeB, dA, accumulate: false);
        if (dB is not null)
            MatMulGradientOfB(a, dResult, transposeA, transposeB, dB, accumulate: false);
    }

    /// <summary>
    /// Tangent of <see cref="MatMul{T}(Matrix{T}, Matrix{T}, bool, bool)"/>, the product rule:
    /// <c>dResult = op(dA)·op(b) + op(a)·op(dB)</c>, the second product added by the kernel (<c>accumulate: true</c>).
    /// </summary>
    [TangentOf(nameof(MatMul))]
    public static void MatMulTangent<T>(Matrix<T> a, Matrix<T> b, bool transposeA, bool transposeB, Matrix<T> result, Matrix<T>? dA, Matrix<T>? dB, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dA is null && IsZeroDirection(dB, result, dResult, nameof(MatMulTangent)))
            return;
        if (dA is not null)
            MatMul(dA, b, dResult, transposeA, transposeB);
        if (dB is not null)
            MatMul(a, dB, dResult, transposeA, transposeB, accumulate: dA is not null);
    }

    /// <summary>
    /// Tangent of <see cref="MatMulPullback{T}"/>, bilinear in the factors and <c>dResult</c>: the pullback's products
    /// once with <c>ḋResult</c> and once with the other factor's tangent, the second added by the kernel:
    /// <c>d(d op(a)) = ḋResult·op(b)ᵀ + dResult·op(ḃ)ᵀ</c>, <c>d(d op(b)) = op(a)ᵀ·ḋResult + op(ȧ)ᵀ·dResult</c>.
    /// </summary>
    [TangentOf(nameof(MatMulPullback))]
    public static void MatMulPullbackTangent<T>(Matrix<T> a, Matrix<T> b, bool transposeA, bool transposeB, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? bTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, Matrix<T>? dBTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dATangent is not null)
        {
            if (dResultTangent is not null)
                MatMulGradientOfA(b, dResultTangent, transposeA, transposeB, dATangent, accumulate: false);
            if (bTangent is not null)
                MatMulGradientOfA(bTangent, dResult, transposeA, transposeB, dATangent, accumulate: dResultTangent is not null);
            else if (dResultTangent is null)
                ClearGradient(a, dATangent, nameof(MatMulPullbackTangent));
        }
        if (dBTangent is not null)
        {
            if (dResultTangent is not null)
                MatMulGradientOfB(a, dResultTangent, transposeA, transposeB, dBTangent, accumulate: false);
            if (aTangent is not null)
                MatMulGradientOfB(aTangent, dResult, transposeA, transposeB, dBTangent, accumulate: dResultTangent is not null);
            else if (dResultTangent is null)
                ClearGradient(b, dBTangent, nameof(MatMulPullbackTangent));
        }
    }

    /// <summary><c>dA = d op(a) = dResult·op(b)ᵀ</c> in the shape of a (added to <paramref name="dA"/> when <paramref name="accumulate"/>).</summary>
    private static void MatMulGradientOfA<T>(Matrix<T> b, Matrix<T> dResult, bool transposeA, bool transposeB, Matrix<T> dA, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // When a is stored transposed, dA = (dResult·op(b)ᵀ)ᵀ = op(b)·dResultᵀ.
        if (transposeA)
            MatMul(b, dResult, dA, transposeA: transposeB, transposeB: true, accumulate);
        else
            MatMul(dResult, b, dA, transposeA: false, transposeB: !transposeB, accumulate);
    }

    /// <summary><c>dB = d op(b) = op(a)ᵀ·dResult</c> in the shape of b (added to <paramref name="dB"/> when <paramref name="accumulate"/>).</summary>
    private static void MatMulGradientOfB<T>(Matrix<T> a, Matrix<T> dResult, bool transposeA, bool transposeB, Matrix<T> dB, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // When b is stored transposed, dB = (op(a)ᵀ·dResult)ᵀ = dResultᵀ·op(a).
        if (transposeB)
            MatMul(dResult, a, dB, transposeA: true, transposeB: transposeA, accumulate);
        else
            MatMul(a, dResult, dB, transposeA: !transposeA, transposeB: false, accumulate);
    }

    /// <summary>The transpose <c>aᵀ</c>.</summary>
    public static Matrix<T> Transpose<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, columns) = TransposeShape(a);
        var destination = new Matrix<T>(rows, columns);
        Transpose(a, destination);
        return destination;
    }

    /// <summary>The shape of <see cref="Transpose{T}(Matrix{T})"/>: <c>a.Columns</c>×<c>a.Rows</c>.</summary>
    public static (int Rows, int Columns) TransposeShape<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (a.Columns, a.Rows);

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

    /// <summary>Pullback of <see cref="Transpose{T}(Matrix{T})"/>: <c>dA = dResultᵀ</c>.</summary>
    [DerivativeOf(nameof(Transpose), Shape = nameof(TransposeShape))]
    public static void TransposePullback<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dA is not null)
            Transpose(dResult, dA);
    }

    /// <summary>Tangent of <see cref="Transpose{T}(Matrix{T})"/>: <c>dResult = dAᵀ</c>.</summary>
    [TangentOf(nameof(Transpose))]
    public static void TransposeTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T>? dA, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroDirection(dA, result, dResult, nameof(TransposeTangent)))
            Transpose(dA, dResult);
    }

    /// <summary>Tangent of <see cref="TransposePullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(TransposePullback))]
    public static void TransposePullbackTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dATangent))
            TransposePullback(a, result, dResultTangent, dATangent);
    }
}
