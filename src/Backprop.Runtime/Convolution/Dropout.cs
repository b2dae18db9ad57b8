using System.Numerics;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>
    /// Inverted dropout: each element kept by <paramref name="mask"/> is divided by <c>1 − rate</c>, every other is
    /// 0, so the expected value of each element is unchanged; with <see cref="DropoutMask.Evaluation"/> it is a copy.
    /// </summary>
    public static Matrix<T> Dropout<T>(Matrix<T> x, DropoutMask mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(x.Rows, x.Columns);
        Dropout(x, mask, destination);
        return destination;
    }

    /// <summary><c>destination = Dropout(x, mask)</c>; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Dropout<T>(Matrix<T> x, DropoutMask mask, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(x, destination, nameof(Dropout));
        ApplyDropout(x.Span, mask, destination.Span);
    }

    /// <summary>Pullback of <see cref="Dropout{T}(Matrix{T}, DropoutMask)"/>: <c>dX = dResult</c> where the mask keeps, divided by <c>1 − rate</c>, and 0 elsewhere.</summary>
    [DerivativeOf(nameof(Dropout))]
    public static void DropoutPullback<T>(Matrix<T> x, DropoutMask mask, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dX is null)
            return;
        RequireSameShape(x, dResult, nameof(DropoutPullback));
        RequireSameShape(x, dX, nameof(DropoutPullback));
        ApplyDropout(dResult.Span, mask, dX.Span);
    }

    /// <summary>Tangent of <see cref="Dropout{T}(Matrix{T}, DropoutMask)"/>, which is linear for a fixed mask: <c>dResult = Dropout(dX, mask)</c>.</summary>
    [TangentOf(nameof(Dropout))]
    public static void DropoutTangent<T>(Matrix<T> x, DropoutMask mask, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroDirection(dX, result, dResult, nameof(DropoutTangent)))
            Dropout(dX, mask, dResult);
    }

    /// <summary>
    /// Tangent of <see cref="DropoutPullback{T}"/>: the pullback of <paramref name="dResultTangent"/>. The mask is fixed,
    /// so the pullback does not depend on <c>x</c> and the term in <c>ẋ</c> is 0.
    /// </summary>
    [TangentOf(nameof(DropoutPullback))]
    public static void DropoutPullbackTangent<T>(Matrix<T> x, DropoutMask mask, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dXTangent))
            DropoutPullback(x, mask, result, dResultTangent, dXTangent);
    }

    /// <summary>The mask and the scale of inverted dropout, applied to values and to gradients alike (the operation is linear).</summary>
    private static void ApplyDropout<T>(ReadOnlySpan<T> source, DropoutMask mask, Span<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (mask.Rate == 0)
        {
            source.CopyTo(target);
            return;
        }
        T scale = T.CreateChecked(1 / (1 - mask.Rate));
        for (int i = 0; i < source.Length; i++)
            target[i] = mask.Keeps(i) ? source[i] * scale : T.Zero;
    }
}
