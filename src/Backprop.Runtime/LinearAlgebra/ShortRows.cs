using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Backprop;

/// <summary>
/// Reductions and updates of one matrix row that stay cheap when the row is short: below <see cref="Threshold"/>
/// elements (a 10-class output row) a plain loop, which costs less than the call and vector tail of
/// <see cref="TensorPrimitives"/>; from there on the vectorised library call.
/// </summary>
internal static class ShortRows
{
    /// <summary>The length from which a row goes to <see cref="TensorPrimitives"/>.</summary>
    public const int Threshold = 16;

    /// <summary>The largest element of a nonempty row. A short row compares plainly, so a NaN may be skipped here; callers pass the row through an exponential, which carries a NaN on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Max<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length >= Threshold)
            return TensorPrimitives.Max(row);
        T max = row[0];
        for (int j = 1; j < row.Length; j++)
            if (row[j] > max)
                max = row[j];
        return max;
    }

    /// <summary>The sum of the elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length >= Threshold)
            return TensorPrimitives.Sum(row);
        T sum = T.Zero;
        for (int j = 0; j < row.Length; j++)
            sum += row[j];
        return sum;
    }

    /// <summary>The dot product of two rows of one length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length >= Threshold)
            return TensorPrimitives.Dot(a, b);
        T dot = T.Zero;
        for (int j = 0; j < a.Length; j++)
            dot += a[j] * b[j];
        return dot;
    }

    /// <summary><c>destination = row − value</c>; <paramref name="destination"/> may be <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Subtract<T>(ReadOnlySpan<T> row, T value, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length >= Threshold)
        {
            TensorPrimitives.Subtract(row, value, destination);
            return;
        }
        for (int j = 0; j < row.Length; j++)
            destination[j] = row[j] - value;
    }

    /// <summary><c>row *= factor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scale<T>(Span<T> row, T factor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length >= Threshold)
        {
            TensorPrimitives.Multiply(row, factor, row);
            return;
        }
        for (int j = 0; j < row.Length; j++)
            row[j] *= factor;
    }
}
