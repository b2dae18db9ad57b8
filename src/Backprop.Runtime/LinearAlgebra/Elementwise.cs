using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>Elementwise sum <c>a + b</c>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Matrix<T> Add<T>(Matrix<T> a, Matrix<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, a.Columns);
        Add(a, b, destination);
        return destination;
    }

    /// <summary><c>destination = a + b</c>, elementwise; <paramref name="destination"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Add<T>(Matrix<T> a, Matrix<T> b, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShapes(a, b, destination, nameof(Add));
        TensorPrimitives.Add<T>(a.Span, b.Span, destination.Span);
    }

    /// <summary>Pullback of <c>y = a + b</c>: <c>dA = dY</c>, <c>dB = dY</c>. Either destination may be <see langword="null"/> or <paramref name="dY"/>.</summary>
    public static void AddPullback<T>(Matrix<T> dY, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dA is not null)
            dY.CopyTo(dA);
        if (dB is not null)
            dY.CopyTo(dB);
    }

    /// <summary>Elementwise difference <c>a − b</c>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Matrix<T> Subtract<T>(Matrix<T> a, Matrix<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, a.Columns);
        Subtract(a, b, destination);
        return destination;
    }

    /// <summary><c>destination = a − b</c>, elementwise; <paramref name="destination"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Subtract<T>(Matrix<T> a, Matrix<T> b, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShapes(a, b, destination, nameof(Subtract));
        TensorPrimitives.Subtract<T>(a.Span, b.Span, destination.Span);
    }

    /// <summary>Pullback of <c>y = a − b</c>: <c>dA = dY</c>, <c>dB = −dY</c>. Either destination may be <see langword="null"/>; <paramref name="dA"/> must not be <paramref name="dY"/> when <paramref name="dB"/> is given.</summary>
    public static void SubtractPullback<T>(Matrix<T> dY, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dB is not null)
        {
            if (dA is not null)
                RequireDistinct(dA, dY, nameof(SubtractPullback), nameof(dA), nameof(dY));
            RequireSameShape(dB, dY, nameof(SubtractPullback));
            TensorPrimitives.Negate<T>(dY.Span, dB.Span);
        }
        if (dA is not null)
            dY.CopyTo(dA);
    }

    /// <summary>Elementwise (Hadamard) product <c>a ⊙ b</c>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Matrix<T> Multiply<T>(Matrix<T> a, Matrix<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, a.Columns);
        Multiply(a, b, destination);
        return destination;
    }

    /// <summary><c>destination = a ⊙ b</c>, elementwise; <paramref name="destination"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Multiply<T>(Matrix<T> a, Matrix<T> b, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShapes(a, b, destination, nameof(Multiply));
        TensorPrimitives.Multiply<T>(a.Span, b.Span, destination.Span);
    }

    /// <summary>Pullback of <c>y = a ⊙ b</c>: <c>dA = dY ⊙ b</c>, <c>dB = dY ⊙ a</c>. Destinations may be <see langword="null"/> and must be distinct from every input.</summary>
    public static void MultiplyPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> dY, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireDistinctGradients(dA, dB, nameof(MultiplyPullback), a, b, dY);
        if (dA is not null)
            Multiply(dY, b, dA);
        if (dB is not null)
            Multiply(dY, a, dB);
    }

    /// <summary>Elementwise quotient <c>a ÷ b</c>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Matrix<T> Divide<T>(Matrix<T> a, Matrix<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, a.Columns);
        Divide(a, b, destination);
        return destination;
    }

    /// <summary><c>destination = a ÷ b</c>, elementwise; <paramref name="destination"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Divide<T>(Matrix<T> a, Matrix<T> b, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShapes(a, b, destination, nameof(Divide));
        TensorPrimitives.Divide<T>(a.Span, b.Span, destination.Span);
    }

    /// <summary>
    /// Pullback of <c>y = a ÷ b</c>: <c>dA = dY ÷ b</c>, <c>dB = −dY ⊙ a ÷ b² = −dA ⊙ y</c>, reusing the output
    /// <paramref name="y"/>. Destinations may be <see langword="null"/> and must be distinct from every input.
    /// </summary>
    public static void DividePullback<T>(Matrix<T> b, Matrix<T> y, Matrix<T> dY, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireDistinctGradients(dA, dB, nameof(DividePullback), b, y, dY);
        if (dA is not null)
            Divide(dY, b, dA);
        if (dB is not null)
        {
            if (dA is not null)
                TensorPrimitives.Multiply<T>(dA.Span, y.Span, dB.Span);
            else
            {
                Divide(dY, b, dB);
                TensorPrimitives.Multiply<T>(dB.Span, y.Span, dB.Span);
            }
            TensorPrimitives.Negate<T>(dB.Span, dB.Span);
        }
    }

    /// <summary>Scalar multiple <c>scalar · a</c>.</summary>
    public static Matrix<T> Scale<T>(Matrix<T> a, T scalar)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, a.Columns);
        Scale(a, scalar, destination);
        return destination;
    }

    /// <summary><c>destination = scalar · a</c>; <paramref name="destination"/> may be <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Scale<T>(Matrix<T> a, T scalar, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, destination, nameof(Scale));
        TensorPrimitives.Multiply<T>(a.Span, scalar, destination.Span);
    }

    /// <summary>
    /// Pullback of <c>y = scalar · a</c>: <c>dA = scalar · dY</c>; returns the gradient for the scalar,
    /// <c>Σ dY ⊙ a</c>. <paramref name="dA"/> may be <see langword="null"/> or <paramref name="dY"/>, but not <paramref name="a"/>.
    /// </summary>
    public static T ScalePullback<T>(Matrix<T> a, T scalar, Matrix<T> dY, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, dY, nameof(ScalePullback));
        T dScalar = TensorPrimitives.Dot<T>(dY.Span, a.Span);
        if (dA is not null)
            Scale(dY, scalar, dA);
        return dScalar;
    }

    /// <summary><c>a + scalar</c>, elementwise.</summary>
    public static Matrix<T> AddScalar<T>(Matrix<T> a, T scalar)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, a.Columns);
        AddScalar(a, scalar, destination);
        return destination;
    }

    /// <summary><c>destination = a + scalar</c>, elementwise; <paramref name="destination"/> may be <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void AddScalar<T>(Matrix<T> a, T scalar, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, destination, nameof(AddScalar));
        TensorPrimitives.Add<T>(a.Span, scalar, destination.Span);
    }

    /// <summary>Pullback of <c>y = a + scalar</c>: <c>dA = dY</c>; returns the gradient for the scalar, <c>Σ dY</c>. <paramref name="dA"/> may be <see langword="null"/>.</summary>
    public static T AddScalarPullback<T>(Matrix<T> dY, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dA is not null)
            dY.CopyTo(dA);
        return TensorPrimitives.Sum<T>(dY.Span);
    }

    /// <summary>Adds the 1×n row vector <paramref name="row"/> to every row of the m×n matrix <paramref name="a"/> (a bias).</summary>
    /// <exception cref="ArgumentException"><paramref name="row"/> is not 1×<c>a.Columns</c>.</exception>
    public static Matrix<T> AddRowVector<T>(Matrix<T> a, Matrix<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, a.Columns);
        AddRowVector(a, row, destination);
        return destination;
    }

    /// <summary><c>destination[i, :] = a[i, :] + row</c> for every row i; <paramref name="destination"/> may be <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="row"/> is not 1×<c>a.Columns</c>, or <paramref name="destination"/> differs in shape from <paramref name="a"/>.</exception>
    public static void AddRowVector<T>(Matrix<T> a, Matrix<T> row, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Rows != 1 || row.Columns != a.Columns)
            throw new ArgumentException($"AddRowVector: ({a.Shape}) + ({row.Shape}) — the row vector must be 1×{a.Columns}");
        RequireSameShape(a, destination, nameof(AddRowVector));
        for (int i = 0; i < a.Rows; i++)
            TensorPrimitives.Add<T>(a.Row(i), row.Span, destination.Row(i));
    }

    /// <summary>
    /// Pullback of <c>y = a + row</c> (row broadcast down the rows): <c>dA = dY</c>, <c>dRow = column sums of dY</c>,
    /// the bias gradient summed over the batch. Either destination may be <see langword="null"/>; <paramref name="dA"/> may be <paramref name="dY"/>.
    /// </summary>
    public static void AddRowVectorPullback<T>(Matrix<T> dY, Matrix<T>? dA, Matrix<T>? dRow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dRow is not null)
            ColumnSums(dY, dRow);
        if (dA is not null)
            dY.CopyTo(dA);
    }

    private static void RequireSameShapes<T>(Matrix<T> a, Matrix<T> b, Matrix<T> destination, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, b, operation);
        RequireShape(destination, a.Rows, a.Columns, operation, nameof(destination));
    }

    private static void RequireSameShape<T>(Matrix<T> a, Matrix<T> b, string operation)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Matrix<T>.RequireSameShape(a, b, operation);

    /// <summary>Two-destination pullbacks write one gradient while still reading the inputs for the other.</summary>
    private static void RequireDistinctGradients<T>(Matrix<T>? dA, Matrix<T>? dB, string operation, Matrix<T> first, Matrix<T> second, Matrix<T>? dY = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireGradientDistinctFromInputs(dA, nameof(dA), operation, first, second, dY);
        RequireGradientDistinctFromInputs(dB, nameof(dB), operation, first, second, dY);
        if (dA is not null && ReferenceEquals(dA, dB))
            throw new ArgumentException($"{operation}: the two gradient destinations must be different matrices.");
    }

    private static void RequireGradientDistinctFromInputs<T>(Matrix<T>? gradient, string gradientName, string operation, Matrix<T> first, Matrix<T> second, Matrix<T>? dY)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradient is null)
            return;
        RequireDistinct(gradient, first, operation, gradientName, "an input");
        RequireDistinct(gradient, second, operation, gradientName, "an input");
        if (dY is not null)
            RequireDistinct(gradient, dY, operation, gradientName, nameof(dY));
    }
}
