using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop;

/// <summary>
/// For generated derivative methods of a <c>[Differentiable]</c> method taking an array of arrays (<c>double[][] x</c>):
/// the rows read and written in place through one index, so that generated code treats the parameter, and its
/// gradient or direction of the same row lengths, as it does a one-dimensional array. Element <c>x[i][j]</c> is
/// <c>this[At(i, j)]</c>: the row in the high bits of the index, the column in the low <c>shift</c> bits (the
/// smallest power of two that holds the longest row). Nothing is copied or allocated.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct RowElements<T>
{
    private readonly T[][] _rows;
    private readonly int _shift;

    /// <summary>Views <paramref name="rows"/> (its rows may have different lengths).</summary>
    /// <exception cref="NullReferenceException"><paramref name="rows"/> is <see langword="null"/>, as reading it would throw.</exception>
    /// <exception cref="ArgumentException">Rows × the longest row, rounded up to a power of two, passes 2³¹: the index would not fit an int.</exception>
    public RowElements(T[][] rows)
    {
        _rows = rows;
        int longest = 0;
        foreach (T[]? row in rows)
            longest = Math.Max(longest, row?.Length ?? 0);
        _shift = longest <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(longest - 1));
        // The largest index, (rows << shift) - 1, must be an int.
        if (_shift >= 31 || (long)rows.Length << _shift > 1L << 31)
            throw new ArgumentException($"An array of {rows.Length} rows of up to {longest} elements is too large for the derivative methods to index; pass fewer rows at a time.", nameof(rows));
    }

    /// <summary>The number of rows, <c>x.Length</c>.</summary>
    public int Length => _rows.Length;

    /// <summary>The length of row <paramref name="row"/>, <c>x[row].Length</c>.</summary>
    public int RowLength(int row) => _rows[row].Length;

    /// <summary>The index of element [<paramref name="row"/>][<paramref name="column"/>] for <see cref="this[int]"/>.</summary>
    /// <exception cref="IndexOutOfRangeException">
    /// The row is outside the array, or the column past the longest row's end (a column past its own row's end throws
    /// where the element is read), as C# throws for <c>x[row][column]</c>.
    /// </exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int At(int row, int column)
    {
        if ((uint)row >= (uint)_rows.Length || (uint)column >= 1u << _shift)
            throw new IndexOutOfRangeException($"[{row}][{column}] is outside an array of {_rows.Length} rows.");
        return row << _shift | column;
    }

    /// <summary>The element at an index from <see cref="At"/>.</summary>
    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _rows[index >> _shift][index & ((1 << _shift) - 1)];
    }

    /// <summary>Zeroes every row (a gradient's, before the reverse sweep adds into it).</summary>
    public void Clear()
    {
        foreach (T[] row in _rows)
            Array.Clear(row);
    }
}

/// <summary>Checks and scratch for the derivative buffers of arrays of arrays (see <see cref="RowElements{T}"/>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RowElements
{
    /// <summary>How many numbers <paramref name="rows"/> holds, row after row (a <see langword="null"/> row holds none): its columns in a Jacobian, its rows and columns in a Hessian.</summary>
    public static int Count<T>(T[][] rows)
    {
        int count = 0;
        foreach (T[]? row in rows)
            count = checked(count + (row?.Length ?? 0));
        return count;
    }

    /// <summary>
    /// Zeroed rows of <paramref name="like"/>'s lengths, the array and each row from this thread's pool (a Hessian's or
    /// Jacobian's scratch direction, gradient and product); give them back with <see cref="Return{T}"/>.
    /// </summary>
    public static T[][] Rent<T>(T[][] like)
    {
        T[][] rows = Scratch.Rent<T[]>(like.Length);
        for (int i = 0; i < rows.Length; i++)
            rows[i] = Scratch.Rent<T>(like[i]?.Length ?? 0);
        return rows;
    }

    /// <summary>Gives back rows from <see cref="Rent{T}"/>, each row and the array that holds them.</summary>
    public static void Return<T>(T[][] rows)
    {
        for (int i = 0; i < rows.Length; i++)
        {
            Scratch.Return(rows[i]);
            rows[i] = null!;
        }
        Scratch.Return(rows);
    }

    /// <summary>
    /// Throws unless <paramref name="buffer"/> (a gradient or direction, named <paramref name="bufferName"/>) has as many rows
    /// as <paramref name="value"/> (the parameter named <paramref name="valueName"/>), each of the same length.
    /// </summary>
    /// <exception cref="ArgumentNullException">The buffer, or one of its rows, is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The number of rows or a row's length differs; the message names both arrays and both sizes.</exception>
    public static void RequireShape<T>(T[][] value, T[][] buffer, string valueName, string bufferName)
    {
        if (buffer is null)
            throw new ArgumentNullException(bufferName);
        if (buffer.Length != value.Length)
            throw new ArgumentException($"The buffer '{bufferName}' for '{valueName}' has {buffer.Length} rows, but '{valueName}' has {value.Length}.", bufferName);
        for (int i = 0; i < value.Length; i++)
        {
            if (buffer[i] is null)
                throw new ArgumentNullException(bufferName, $"Row {i} of '{bufferName}' is null.");
            int length = value[i]?.Length ?? 0;
            if (buffer[i].Length != length)
                throw new ArgumentException($"Row {i} of the buffer '{bufferName}' for '{valueName}' has length {buffer[i].Length}, but row {i} of '{valueName}' has length {length}.", bufferName);
        }
    }
}
