using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>The 1×n row of column sums of an m×n matrix: the bias gradient, summed over the batch.</summary>
    public static Matrix<T> ColumnSums<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(1, a.Columns);
        ColumnSums(a, destination);
        return destination;
    }

    /// <summary><c>destination[0, j] = Σᵢ a[i, j]</c>; <paramref name="destination"/> is 1×<c>a.Columns</c> and must not be <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong shape or is <paramref name="a"/>.</exception>
    public static void ColumnSums<T>(Matrix<T> a, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireShape(destination, 1, a.Columns, nameof(ColumnSums), nameof(destination));
        RequireDistinct(destination, a, nameof(ColumnSums), nameof(destination), nameof(a));
        // Adding whole rows keeps the loop vectorised and reads a in memory order.
        Span<T> sums = destination.Span;
        sums.Clear();
        for (int i = 0; i < a.Rows; i++)
            TensorPrimitives.Add<T>(sums, a.Row(i), sums);
    }

    /// <summary>Pullback of <c>y = ColumnSums(a)</c>: every row of <c>dA</c> is the 1×n <paramref name="dY"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dY"/> is not 1×<c>dA.Columns</c>.</exception>
    public static void ColumnSumsPullback<T>(Matrix<T> dY, Matrix<T> dA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireShape(dY, 1, dA.Columns, nameof(ColumnSumsPullback), nameof(dY));
        for (int i = 0; i < dA.Rows; i++)
            dY.Span.CopyTo(dA.Row(i));
    }

    /// <summary>The m×1 column of row sums of an m×n matrix.</summary>
    public static Matrix<T> RowSums<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, 1);
        RowSums(a, destination);
        return destination;
    }

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

    /// <summary>Pullback of <c>y = RowSums(a)</c>: row i of <c>dA</c> is filled with <c>dY[i, 0]</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dY"/> is not <c>dA.Rows</c>×1.</exception>
    public static void RowSumsPullback<T>(Matrix<T> dY, Matrix<T> dA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireShape(dY, dA.Rows, 1, nameof(RowSumsPullback), nameof(dY));
        for (int i = 0; i < dA.Rows; i++)
            dA.Row(i).Fill(dY.Span[i]);
    }

    /// <summary>The sum of all elements.</summary>
    public static T Sum<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Sum<T>(a.Span);

    /// <summary>Pullback of <c>y = Sum(a)</c>: every element of <c>dA</c> is <paramref name="dY"/>.</summary>
    public static void SumPullback<T>(T dY, Matrix<T> dA)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        dA.Span.Fill(dY);

    /// <summary>The mean of all elements (NaN for an empty matrix).</summary>
    public static T Mean<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Sum(a) / T.CreateChecked(a.Length);

    /// <summary>Pullback of <c>y = Mean(a)</c>: every element of <c>dA</c> is <c>dY / (number of elements)</c>.</summary>
    public static void MeanPullback<T>(T dY, Matrix<T> dA)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        dA.Span.Fill(dY / T.CreateChecked(dA.Length));
}
