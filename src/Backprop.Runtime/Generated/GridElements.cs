using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop;

/// <summary>
/// For generated derivative methods of a <c>[Differentiable]</c> method taking a two-dimensional array (<c>double[,] a</c>):
/// the array viewed as the span of its elements in row-major order, which the generated code reads and writes as a
/// one-dimensional array is (<c>a[i, j]</c> is element <c>i * a.GetLength(1) + j</c>), and the checks a gradient or
/// direction of the same shape needs. Nothing is copied or allocated.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GridElements
{
    /// <summary>The elements of <paramref name="array"/>, row after row, as one span over its own memory.</summary>
    /// <exception cref="NullReferenceException"><paramref name="array"/> is <see langword="null"/>, as reading an element of it would throw.</exception>
    public static Span<T> Values<T>(T[,] array) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);

    /// <summary>
    /// The position of element [<paramref name="row"/>, <paramref name="column"/>] of a two-dimensional array of
    /// <paramref name="rows"/> × <paramref name="columns"/> in <see cref="Values{T}"/>: <c>row * columns + column</c>,
    /// checked against both dimensions as <c>array[row, column]</c> is.
    /// </summary>
    /// <exception cref="IndexOutOfRangeException">The row or the column is outside the array, as C# throws for <c>array[row, column]</c>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Offset(int row, int column, int rows, int columns)
    {
        if ((uint)row >= (uint)rows || (uint)column >= (uint)columns)
            throw new IndexOutOfRangeException($"[{row}, {column}] is outside an array of {rows}×{columns}.");
        return row * columns + column;
    }

    /// <summary>
    /// The length of row <paramref name="row"/> of a local array of arrays whose <paramref name="rows"/> rows all have
    /// <paramref name="columns"/> elements (held as a two-dimensional local): <paramref name="columns"/>, once the row is
    /// checked as <c>array[row].Length</c> checks it.
    /// </summary>
    /// <exception cref="IndexOutOfRangeException">The row is outside the array.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RowLength(int row, int rows, int columns)
    {
        if ((uint)row >= (uint)rows)
            throw new IndexOutOfRangeException($"Row {row} is outside an array of {rows} rows.");
        return columns;
    }

    /// <summary>A zeroed two-dimensional array of <paramref name="rows"/> × <paramref name="columns"/> from this thread's pool (a Hessian's scratch direction, gradient and product).</summary>
    public static T[,] Rent<T>(int rows, int columns)
    {
        Stack<T[,]> free = Pool<T>.For(rows, columns);
        if (free.Count == 0)
            return new T[rows, columns];
        T[,] array = free.Pop();
        Array.Clear(array);
        return array;
    }

    /// <summary>Gives back an array from <see cref="Rent{T}"/>.</summary>
    public static void Return<T>(T[,] array) => Pool<T>.For(array.GetLength(0), array.GetLength(1)).Push(array);

    private static class Pool<T>
    {
        [ThreadStatic]
        private static Dictionary<(int, int), Stack<T[,]>>? t_byShape;

        public static Stack<T[,]> For(int rows, int columns)
        {
            t_byShape ??= new Dictionary<(int, int), Stack<T[,]>>();
            if (!t_byShape.TryGetValue((rows, columns), out Stack<T[,]>? stack))
                t_byShape[(rows, columns)] = stack = new Stack<T[,]>();
            return stack;
        }
    }

    /// <summary>The number of elements of a two-dimensional array of <paramref name="rows"/> × <paramref name="columns"/>, for a local made with <c>new T[rows, columns]</c>.</summary>
    /// <exception cref="OverflowException">A dimension is negative, or the product passes <see cref="int.MaxValue"/>, as C# throws for <c>new T[rows, columns]</c>.</exception>
    public static int Length(int rows, int columns)
    {
        if (rows < 0 || columns < 0)
            throw new OverflowException($"An array of {rows}×{columns} has a negative dimension.");
        return checked(rows * columns);
    }

    /// <summary>
    /// Throws unless <paramref name="buffer"/> (a gradient, direction or product, named <paramref name="bufferName"/>) has the
    /// dimensions of <paramref name="value"/>, the parameter named <paramref name="valueName"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">The buffer is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The dimensions differ; the message names both arrays and both shapes.</exception>
    public static void RequireShape<T>(T[,] value, T[,] buffer, string valueName, string bufferName)
    {
        // Names and messages are built only on failure: a derivative call allocates nothing.
        if (buffer is null)
            throw new ArgumentNullException(bufferName);
        if (buffer.GetLength(0) != value.GetLength(0) || buffer.GetLength(1) != value.GetLength(1))
            throw new ArgumentException(
                $"The buffer '{bufferName}' for '{valueName}' is {buffer.GetLength(0)}×{buffer.GetLength(1)}, but '{valueName}' is {value.GetLength(0)}×{value.GetLength(1)}.", bufferName);
    }
}
