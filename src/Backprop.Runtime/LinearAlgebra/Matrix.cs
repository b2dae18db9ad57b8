using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop;

/// <summary>
/// A dense, row-major, contiguous matrix of <typeparamref name="T"/> (<see cref="float"/> for training,
/// <see cref="double"/> for gradient checks). Element (i, j) lives at <c>i * Columns + j</c>.
/// </summary>
/// <remarks>
/// The storage may be larger than the matrix (<see cref="Capacity"/> ≥ <see cref="Length"/>) after
/// <see cref="Reuse"/> reshaped a matrix to fewer elements; every member sees only the first
/// <c>Rows * Columns</c> elements.
/// </remarks>
public sealed class Matrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _data;

    /// <summary>Creates a zero-filled matrix of the given shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    public Matrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rows = rows;
        Columns = columns;
        _data = new T[checked(rows * columns)];
    }

    private Matrix(int rows, int columns, T[] data)
    {
        Rows = rows;
        Columns = columns;
        _data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; private set; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; private set; }

    /// <summary>Number of elements, <c>Rows * Columns</c>.</summary>
    public int Length => Rows * Columns;

    /// <summary>The number of elements the storage holds, at least <see cref="Length"/>; <see cref="Reuse"/> reshapes within it.</summary>
    public int Capacity => _data.Length;

    /// <summary>The shape as text, e.g. <c>100×784</c>, as used in error messages.</summary>
    public string Shape => $"{Rows}×{Columns}";

    /// <summary>All elements in row-major order.</summary>
    public Span<T> Span => _data.AsSpan(0, Length);

    /// <summary>The elements of row <paramref name="row"/>.</summary>
    public Span<T> Row(int row)
    {
        if ((uint)row >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row index must be in [0, {Rows}) for a {Shape} matrix.");
        return _data.AsSpan(row * Columns, Columns);
    }

    /// <summary>Element (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public ref T this[int row, int column]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)row >= (uint)Rows || (uint)column >= (uint)Columns)
                throw new IndexOutOfRangeException($"Index ({row}, {column}) is outside a {Shape} matrix.");
            return ref _data[row * Columns + column];
        }
    }

    /// <summary>A zero-filled matrix.</summary>
    public static Matrix<T> Zeros(int rows, int columns) => new(rows, columns);

    /// <summary>
    /// A <paramref name="rows"/>×<paramref name="columns"/> matrix with unspecified contents for a workspace
    /// <paramref name="slot"/>: the slot's matrix itself, reshaped in place without allocating, when its
    /// <see cref="Capacity"/> suffices; otherwise a new matrix, which is stored in the slot. Reshaping to fewer
    /// elements keeps the larger storage, so a smaller last batch neither allocates nor evicts the buffer the
    /// next full batch needs.
    /// </summary>
    /// <remarks>Anyone else holding the slot's matrix sees the new shape.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    public static Matrix<T> Reuse(ref Matrix<T>? slot, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (slot is null || slot.Capacity < checked(rows * columns))
            return slot = new Matrix<T>(rows, columns);
        slot.Rows = rows;
        slot.Columns = columns;
        return slot;
    }

    /// <summary>A matrix over a copy of <paramref name="values"/>, given in row-major order.</summary>
    /// <exception cref="ArgumentException">The length of <paramref name="values"/> is not <c>rows * columns</c>.</exception>
    public static Matrix<T> FromArray(int rows, int columns, ReadOnlySpan<T> values)
    {
        var m = new Matrix<T>(rows, columns);
        if (values.Length != m.Length)
            throw new ArgumentException($"A {m.Shape} matrix needs {m.Length} values, got {values.Length}.", nameof(values));
        values.CopyTo(m._data);
        return m;
    }

    /// <summary>A matrix from a rectangular array.</summary>
    public static Matrix<T> FromArray(T[,] values)
    {
        var m = new Matrix<T>(values.GetLength(0), values.GetLength(1));
        for (int i = 0; i < m.Rows; i++)
            for (int j = 0; j < m.Columns; j++)
                m._data[i * m.Columns + j] = values[i, j];
        return m;
    }

    /// <summary>Independent draws from N(<paramref name="mean"/>, <paramref name="standardDeviation"/>²), reproducible for a seed.</summary>
    public static Matrix<T> RandomNormal(int rows, int columns, double standardDeviation, int seed, double mean = 0)
    {
        var m = new Matrix<T>(rows, columns);
        var random = new Random(seed);
        for (int i = 0; i < m.Length; i++)
            m._data[i] = T.CreateChecked(mean + standardDeviation * StandardNormal(random));
        return m;
    }

    /// <summary>Independent draws from U(<paramref name="low"/>, <paramref name="high"/>), reproducible for a seed.</summary>
    public static Matrix<T> RandomUniform(int rows, int columns, double low, double high, int seed)
    {
        var m = new Matrix<T>(rows, columns);
        var random = new Random(seed);
        for (int i = 0; i < m.Length; i++)
            m._data[i] = T.CreateChecked(low + (high - low) * random.NextDouble());
        return m;
    }

    /// <summary>He initialisation for a <paramref name="rows"/>-input layer: N(0, 2 / rows), suited to ReLU.</summary>
    public static Matrix<T> He(int rows, int columns, int seed) => RandomNormal(rows, columns, Math.Sqrt(2.0 / rows), seed);

    /// <summary>Xavier/Glorot uniform initialisation: U(−a, a) with a = √(6 / (rows + columns)), suited to sigmoid and tanh.</summary>
    public static Matrix<T> Xavier(int rows, int columns, int seed)
    {
        double a = Math.Sqrt(6.0 / (rows + columns));
        return RandomUniform(rows, columns, -a, a, seed);
    }

    /// <summary>A deep copy.</summary>
    public Matrix<T> Clone() => new(Rows, Columns, Span.ToArray());

    /// <summary>Copies every element into <paramref name="destination"/>, which must have the same shape.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyTo(Matrix<T> destination)
    {
        RequireSameShape(this, destination, nameof(CopyTo));
        Span.CopyTo(destination.Span);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming both shapes when they differ.</summary>
    public static void RequireSameShape(Matrix<T> a, Matrix<T> b, string operation)
    {
        if (a.Rows != b.Rows || a.Columns != b.Columns)
            throw new ArgumentException($"{operation}: shapes ({a.Shape}) and ({b.Shape}) differ.");
    }

    /// <summary>
    /// <c>a + b</c> (<see cref="MatrixOps.Plus{T}(Matrix{T}, Matrix{T})"/>): the elementwise sum when the shapes
    /// match; when <paramref name="b"/> is a 1×<c>a.Columns</c> row and <paramref name="a"/> has several rows, the
    /// row is added to every row of <paramref name="a"/>, so that a layer reads <c>MatMul(x, w) + b</c>.
    /// Differentiable: <see cref="MatrixOps.AdditionOperatorPullback{T}"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes are neither equal nor a matrix and a matching row.</exception>
    public static Matrix<T> operator +(Matrix<T> a, Matrix<T> b) => MatrixOps.Plus(a, b);

    /// <summary>
    /// The elementwise difference <c>a − b</c> (<see cref="MatrixOps.Subtract{T}(Matrix{T}, Matrix{T})"/>).
    /// Differentiable: <see cref="MatrixOps.SubtractionOperatorPullback{T}"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Matrix<T> operator -(Matrix<T> a, Matrix<T> b) => MatrixOps.Subtract(a, b);

    /// <summary>
    /// The negation <c>−a</c> (<see cref="MatrixOps.Negate{T}(Matrix{T})"/>).
    /// Differentiable: <see cref="MatrixOps.UnaryNegationOperatorPullback{T}"/>.
    /// </summary>
    public static Matrix<T> operator -(Matrix<T> a) => MatrixOps.Negate(a);

    /// <summary>
    /// The scalar multiple <c>s·a</c> (<see cref="MatrixOps.Scale{T}(Matrix{T}, T)"/>).
    /// Differentiable: <see cref="MatrixOps.MultiplyOperatorPullback{T}(T, Matrix{T}, Matrix{T}, Matrix{T}, out T, Matrix{T})"/>.
    /// </summary>
    public static Matrix<T> operator *(T s, Matrix<T> a) => MatrixOps.Scale(a, s);

    /// <summary>
    /// The scalar multiple <c>a·s</c> (<see cref="MatrixOps.Scale{T}(Matrix{T}, T)"/>).
    /// Differentiable: <see cref="MatrixOps.MultiplyOperatorPullback{T}(Matrix{T}, T, Matrix{T}, Matrix{T}, Matrix{T}, out T)"/>.
    /// </summary>
    public static Matrix<T> operator *(Matrix<T> a, T s) => MatrixOps.Scale(a, s);

    /// <inheritdoc/>
    public override string ToString() => $"Matrix<{typeof(T).Name}>({Shape})";

    private static double StandardNormal(Random random)
    {
        // Box–Muller; 1 − NextDouble() lies in (0, 1], so the logarithm is finite.
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
