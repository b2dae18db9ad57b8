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

    /// <summary>Pullback of <see cref="Add{T}(Matrix{T}, Matrix{T})"/>: <c>dA = dResult</c>, <c>dB = dResult</c>.</summary>
    [DerivativeOf(nameof(Add))]
    public static void AddPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, dResult, nameof(AddPullback));
        CopyToGradient(dResult, dA);
        CopyToGradient(dResult, dB);
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

    /// <summary>Pullback of <see cref="Subtract{T}(Matrix{T}, Matrix{T})"/>: <c>dA = dResult</c>, <c>dB = −dResult</c>.</summary>
    [DerivativeOf(nameof(Subtract))]
    public static void SubtractPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, dResult, nameof(SubtractPullback));
        CopyToGradient(dResult, dA);
        if (dB is not null)
            Negate(dResult, dB);
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

    /// <summary>
    /// Pullback of <see cref="Multiply{T}(Matrix{T}, Matrix{T})"/>: <c>dA = dResult ⊙ b</c>, <c>dB = dResult ⊙ a</c>.
    /// The gradients must be distinct from every input and from each other.
    /// </summary>
    [DerivativeOf(nameof(Multiply))]
    public static void MultiplyPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireDistinctGradients(dA, dB, nameof(MultiplyPullback), a, b, dResult);
        if (dA is not null)
            Multiply(dResult, b, dA);
        if (dB is not null)
            Multiply(dResult, a, dB);
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
    /// Pullback of <see cref="Divide{T}(Matrix{T}, Matrix{T})"/>: <c>dA = dResult ÷ b</c>,
    /// <c>dB = −dResult ⊙ a ÷ b² = −dA ⊙ result</c>, reusing the quotient. The gradients must be distinct from
    /// <paramref name="b"/>, <paramref name="result"/>, <paramref name="dResult"/> and each other.
    /// </summary>
    [DerivativeOf(nameof(Divide))]
    public static void DividePullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(b, dResult, nameof(DividePullback));
        RequireSameShape(result, dResult, nameof(DividePullback));
        RequireDistinctGradients(dA, dB, nameof(DividePullback), b, result, dResult);
        if (dA is not null)
            Divide(dResult, b, dA);
        if (dB is not null)
        {
            if (dA is not null)
                Multiply(dA, result, dB);
            else
            {
                Divide(dResult, b, dB);
                Multiply(dB, result, dB);
            }
            Negate(dB, dB);
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
    /// Pullback of <see cref="Scale{T}(Matrix{T}, T)"/>: <c>dA = scalar · dResult</c>, <c>dScalar = Σ dResult ⊙ a</c>.
    /// <paramref name="dA"/> must not be <paramref name="a"/>.
    /// </summary>
    [DerivativeOf(nameof(Scale))]
    public static void ScalePullback<T>(Matrix<T> a, T scalar, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, out T dScalar)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, dResult, nameof(ScalePullback));
        dScalar = TensorPrimitives.Dot<T>(dResult.Span, a.Span);
        if (dA is not null)
            Scale(dResult, scalar, dA);
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

    /// <summary>Pullback of <see cref="AddScalar{T}(Matrix{T}, T)"/>: <c>dA = dResult</c>, <c>dScalar = Σ dResult</c>.</summary>
    [DerivativeOf(nameof(AddScalar))]
    public static void AddScalarPullback<T>(Matrix<T> a, T scalar, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, out T dScalar)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, dResult, nameof(AddScalarPullback));
        dScalar = TensorPrimitives.Sum<T>(dResult.Span);
        CopyToGradient(dResult, dA);
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
        RowBroadcast.AddRow<T>(a.Span, row.Span, destination.Span);
    }

    /// <summary>
    /// Pullback of <see cref="AddRowVector{T}(Matrix{T}, Matrix{T})"/> (the row broadcast down the rows):
    /// <c>dA = dResult</c>, <c>dRow = ColumnSums(dResult)</c>, the bias gradient summed over the batch.
    /// </summary>
    [DerivativeOf(nameof(AddRowVector))]
    public static void AddRowVectorPullback<T>(Matrix<T> a, Matrix<T> row, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dRow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, dResult, nameof(AddRowVectorPullback));
        if (dRow is not null)
        {
            RequireSameShape(row, dRow, nameof(AddRowVectorPullback));
            ColumnSums(dResult, dRow);
        }
        CopyToGradient(dResult, dA);
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

    /// <summary>A gradient that passes <paramref name="source"/> through unchanged; nothing when nobody wants it.</summary>
    private static void CopyToGradient<T>(Matrix<T> source, Matrix<T>? gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradient is not null)
            source.CopyTo(gradient);
    }

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
