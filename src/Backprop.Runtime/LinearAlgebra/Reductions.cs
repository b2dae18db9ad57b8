using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>The 1×n row of column sums of an m×n matrix: the bias gradient, summed over the batch.</summary>
    public static Matrix<T> ColumnSums<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, columns) = ColumnSumsShape(a);
        var destination = new Matrix<T>(rows, columns);
        ColumnSums(a, destination);
        return destination;
    }

    /// <summary>The shape of <see cref="ColumnSums{T}(Matrix{T})"/>: 1×<c>a.Columns</c>.</summary>
    public static (int Rows, int Columns) ColumnSumsShape<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (1, a.Columns);

    /// <summary><c>destination[0, j] = Σᵢ a[i, j]</c>; <paramref name="destination"/> is 1×<c>a.Columns</c> and must not be <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong shape or is <paramref name="a"/>.</exception>
    public static void ColumnSums<T>(Matrix<T> a, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireShape(destination, 1, a.Columns, nameof(ColumnSums), nameof(destination));
        RequireDistinct(destination, a, nameof(ColumnSums), nameof(destination), nameof(a));
        RowBroadcast.ColumnSums<T>(a.Span, destination.Span);
    }

    /// <summary>Pullback of <see cref="ColumnSums{T}(Matrix{T})"/>: every row of <c>dA</c> is the 1×n <paramref name="dResult"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dResult"/> is not 1×<c>a.Columns</c>, or <paramref name="dA"/> differs in shape from <paramref name="a"/>.</exception>
    [DerivativeOf(nameof(ColumnSums), Shape = nameof(ColumnSumsShape))]
    public static void ColumnSumsPullback<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dA is null)
            return;
        RequireShape(dResult, 1, a.Columns, nameof(ColumnSumsPullback), nameof(dResult));
        RequireSameShape(a, dA, nameof(ColumnSumsPullback));
        for (int i = 0; i < dA.Rows; i++)
            dResult.Span.CopyTo(dA.Row(i));
    }

    /// <summary>Tangent of <see cref="ColumnSums{T}(Matrix{T})"/>: <c>dResult = ColumnSums(dA)</c>.</summary>
    [TangentOf(nameof(ColumnSums))]
    public static void ColumnSumsTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T>? dA, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroDirection(dA, result, dResult, nameof(ColumnSumsTangent)))
            ColumnSums(dA, dResult);
    }

    /// <summary>Tangent of <see cref="ColumnSumsPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(ColumnSumsPullback))]
    public static void ColumnSumsPullbackTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dATangent))
            ColumnSumsPullback(a, result, dResultTangent, dATangent);
    }

    /// <summary>The m×1 column of row sums of an m×n matrix.</summary>
    public static Matrix<T> RowSums<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, columns) = RowSumsShape(a);
        var destination = new Matrix<T>(rows, columns);
        RowSums(a, destination);
        return destination;
    }

    /// <summary>The shape of <see cref="RowSums{T}(Matrix{T})"/>: <c>a.Rows</c>×1.</summary>
    public static (int Rows, int Columns) RowSumsShape<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (a.Rows, 1);

    /// <summary><c>destination[i, 0] = Σⱼ a[i, j]</c>; <paramref name="destination"/> is <c>a.Rows</c>×1 and must not be <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong shape or is <paramref name="a"/>.</exception>
    public static void RowSums<T>(Matrix<T> a, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireShape(destination, a.Rows, 1, nameof(RowSums), nameof(destination));
        RequireDistinct(destination, a, nameof(RowSums), nameof(destination), nameof(a));
        Span<T> sums = destination.Span;
        for (int i = 0; i < a.Rows; i++)
            sums[i] = TensorPrimitives.Sum<T>(a.Row(i));
    }

    /// <summary>Pullback of <see cref="RowSums{T}(Matrix{T})"/>: row i of <c>dA</c> is filled with <c>dResult[i, 0]</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dResult"/> is not <c>a.Rows</c>×1, or <paramref name="dA"/> differs in shape from <paramref name="a"/>.</exception>
    [DerivativeOf(nameof(RowSums), Shape = nameof(RowSumsShape))]
    public static void RowSumsPullback<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dA is null)
            return;
        RequireShape(dResult, a.Rows, 1, nameof(RowSumsPullback), nameof(dResult));
        RequireSameShape(a, dA, nameof(RowSumsPullback));
        for (int i = 0; i < dA.Rows; i++)
            dA.Row(i).Fill(dResult.Span[i]);
    }

    /// <summary>Tangent of <see cref="RowSums{T}(Matrix{T})"/>: <c>dResult = RowSums(dA)</c>.</summary>
    [TangentOf(nameof(RowSums))]
    public static void RowSumsTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T>? dA, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroDirection(dA, result, dResult, nameof(RowSumsTangent)))
            RowSums(dA, dResult);
    }

    /// <summary>Tangent of <see cref="RowSumsPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(RowSumsPullback))]
    public static void RowSumsPullbackTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dATangent))
            RowSumsPullback(a, result, dResultTangent, dATangent);
    }

    /// <summary>The sum of all elements.</summary>
    public static T Sum<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Sum<T>(a.Span);

    /// <summary>Pullback of <see cref="Sum{T}(Matrix{T})"/>: every element of <c>dA</c> is <paramref name="dResult"/>.</summary>
    [DerivativeOf(nameof(Sum))]
    public static void SumPullback<T>(Matrix<T> a, T result, T dResult, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        FillGradient(a, dResult, dA, nameof(SumPullback));

    /// <summary>Tangent of <see cref="Sum{T}(Matrix{T})"/>: <c>dResult = Σ dA</c>.</summary>
    [TangentOf(nameof(Sum))]
    public static void SumTangent<T>(Matrix<T> a, T result, Matrix<T>? dA, out T dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dResult = T.Zero;
        if (dA is null)
            return;
        RequireSameShape(a, dA, nameof(SumTangent));
        dResult = Sum(dA);
    }

    /// <summary>Tangent of <see cref="SumPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(SumPullback))]
    public static void SumPullbackTangent<T>(Matrix<T> a, T result, T dResult, Matrix<T>? aTangent, T resultTangent, T dResultTangent, Matrix<T>? dATangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SumPullback(a, result, dResultTangent, dATangent);

    /// <summary>The mean of all elements (NaN for an empty matrix).</summary>
    public static T Mean<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Sum(a) / T.CreateChecked(a.Length);

    /// <summary>Pullback of <see cref="Mean{T}(Matrix{T})"/>: every element of <c>dA</c> is <c>dResult / (number of elements)</c>.</summary>
    [DerivativeOf(nameof(Mean))]
    public static void MeanPullback<T>(Matrix<T> a, T result, T dResult, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        FillGradient(a, dResult / T.CreateChecked(a.Length), dA, nameof(MeanPullback));

    /// <summary>Tangent of <see cref="Mean{T}(Matrix{T})"/>: <c>dResult</c> is the mean of <c>dA</c>.</summary>
    [TangentOf(nameof(Mean))]
    public static void MeanTangent<T>(Matrix<T> a, T result, Matrix<T>? dA, out T dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SumTangent(a, result, dA, out T sum);
        dResult = sum / T.CreateChecked(a.Length);
    }

    /// <summary>Tangent of <see cref="MeanPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(MeanPullback))]
    public static void MeanPullbackTangent<T>(Matrix<T> a, T result, T dResult, Matrix<T>? aTangent, T resultTangent, T dResultTangent, Matrix<T>? dATangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        MeanPullback(a, result, dResultTangent, dATangent);

    private static void FillGradient<T>(Matrix<T> a, T value, Matrix<T>? dA, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dA is null)
            return;
        RequireSameShape(a, dA, operation);
        dA.Span.Fill(value);
    }
}
