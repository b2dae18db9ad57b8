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

    /// <summary>Tangent of <see cref="Add{T}(Matrix{T}, Matrix{T})"/>: <c>dResult = dA + dB</c>.</summary>
    [TangentOf(nameof(Add))]
    public static void AddTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T>? dA, Matrix<T>? dB, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LinearTangent(dA, dB, result, dResult, Add, nameof(AddTangent));

    /// <summary>Tangent of <see cref="AddPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(AddPullback))]
    public static void AddPullbackTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? bTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, Matrix<T>? dBTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dATangent, dBTangent))
            AddPullback(a, b, result, dResultTangent, dATangent, dBTangent);
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

    /// <summary>Tangent of <see cref="Subtract{T}(Matrix{T}, Matrix{T})"/>: <c>dResult = dA − dB</c>.</summary>
    [TangentOf(nameof(Subtract))]
    public static void SubtractTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T>? dA, Matrix<T>? dB, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LinearTangent(dA, dB, result, dResult, Subtract, nameof(SubtractTangent));

    /// <summary>Tangent of <see cref="SubtractPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(SubtractPullback))]
    public static void SubtractPullbackTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? bTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, Matrix<T>? dBTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dATangent, dBTangent))
            SubtractPullback(a, b, result, dResultTangent, dATangent, dBTangent);
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

    /// <summary>Tangent of <see cref="Multiply{T}(Matrix{T}, Matrix{T})"/>, the product rule: <c>dResult = dA ⊙ b + a ⊙ dB</c>.</summary>
    [TangentOf(nameof(Multiply))]
    public static void MultiplyTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T>? dA, Matrix<T>? dB, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(result, dResult, nameof(MultiplyTangent));
        SumOfProducts(dA, b, dB, a, dResult, nameof(MultiplyTangent));
    }

    /// <summary>
    /// Tangent of <see cref="MultiplyPullback{T}"/>, bilinear in the inputs and <c>dResult</c>:
    /// <c>d(dA) = ḋResult ⊙ b + dResult ⊙ ḃ</c>, <c>d(dB) = ḋResult ⊙ a + dResult ⊙ ȧ</c>.
    /// </summary>
    [TangentOf(nameof(MultiplyPullback))]
    public static void MultiplyPullbackTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? bTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, Matrix<T>? dBTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dATangent is not null)
            SumOfProducts(dResultTangent, b, bTangent, dResult, dATangent, nameof(MultiplyPullbackTangent));
        if (dBTangent is not null)
            SumOfProducts(dResultTangent, a, aTangent, dResult, dBTangent, nameof(MultiplyPullbackTangent));
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

    /// <summary>Tangent of <see cref="Divide{T}(Matrix{T}, Matrix{T})"/>, from the quotient: <c>dResult = (dA − result ⊙ dB) ÷ b</c>.</summary>
    [TangentOf(nameof(Divide))]
    public static void DivideTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T>? dA, Matrix<T>? dB, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dB is null)
        {
            if (!IsZeroDirection(dA, result, dResult, nameof(DivideTangent)))
                Divide(dA, b, dResult);
            return;
        }
        Multiply(result, dB, dResult);
        if (dA is null)
            Negate(dResult, dResult);
        else
            Subtract(dA, dResult, dResult);
        Divide(dResult, b, dResult);
    }

    /// <summary>
    /// Tangent of <see cref="DividePullback{T}"/>, which reads <c>b</c>, <c>result</c> and <c>dResult</c>:
    /// <c>d(dA) = (ḋResult − dResult ⊙ ḃ ÷ b) ÷ b</c> and, from <c>dB = −dA ⊙ result</c>,
    /// <c>d(dB) = −(d(dA) ⊙ result + dA ⊙ ṙesult) = −(d(dA) ⊙ result ⊙ b + dResult ⊙ ṙesult) ÷ b</c>. When only
    /// <paramref name="dBTangent"/> is wanted, <c>d(dA)</c> goes through a per-thread scratch matrix.
    /// </summary>
    [TangentOf(nameof(DividePullback))]
    public static void DividePullbackTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? bTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, Matrix<T>? dBTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dATangent is null && dBTangent is null)
            return;
        RequireSameShape(b, dResult, nameof(DividePullbackTangent));
        Matrix<T> aTerm = dATangent ?? TangentScratch<T>.First(b.Rows, b.Columns);
        if (bTangent is null)
        {
            if (IsZeroTangent(dResultTangent, aTerm))
                RequireSameShape(b, aTerm, nameof(DividePullbackTangent));
            else
                Divide(dResultTangent, b, aTerm);
        }
        else
        {
            Divide(dResult, b, aTerm);
            Multiply(aTerm, bTangent, aTerm);
            if (dResultTangent is null)
                Negate(aTerm, aTerm);
            else
                Subtract(dResultTangent, aTerm, aTerm);
            Divide(aTerm, b, aTerm);
        }
        if (dBTangent is null)
            return;
        Multiply(aTerm, result, dBTangent);
        if (resultTangent is not null)
        {
            Multiply(dBTangent, b, dBTangent);
            RequireSameShapes(dResult, resultTangent, dBTangent, nameof(DividePullbackTangent));
            TensorPrimitives.MultiplyAdd<T>(dResult.Span, resultTangent.Span, dBTangent.Span, dBTangent.Span);
            Divide(dBTangent, b, dBTangent);
        }
        Negate(dBTangent, dBTangent);
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

    /// <summary>Tangent of <see cref="Scale{T}(Matrix{T}, T)"/>: <c>dResult = scalar · dA + dScalar · a</c>.</summary>
    [TangentOf(nameof(Scale))]
    public static void ScaleTangent<T>(Matrix<T> a, T scalar, Matrix<T> result, Matrix<T>? dA, T dScalar, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(result, dResult, nameof(ScaleTangent));
        SumOfScaled(dA, scalar, a, dScalar, dResult, nameof(ScaleTangent));
    }

    /// <summary>
    /// Tangent of <see cref="ScalePullback{T}"/>, bilinear: <c>d(dA) = scalar · ḋResult + ṡcalar · dResult</c>,
    /// <c>d(dScalar) = Σ ḋResult ⊙ a + Σ dResult ⊙ ȧ</c>.
    /// </summary>
    [TangentOf(nameof(ScalePullback))]
    public static void ScalePullbackTangent<T>(Matrix<T> a, T scalar, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, T scalarTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, out T dScalarTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, dResult, nameof(ScalePullbackTangent));
        dScalarTangent = DotOrZero(dResultTangent, a, nameof(ScalePullbackTangent)) + DotOrZero(aTangent, dResult, nameof(ScalePullbackTangent));
        if (dATangent is not null)
            SumOfScaled(dResultTangent, scalar, dResult, scalarTangent, dATangent, nameof(ScalePullbackTangent));
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

    /// <summary>Tangent of <see cref="AddScalar{T}(Matrix{T}, T)"/>: <c>dResult = dA + dScalar</c>.</summary>
    [TangentOf(nameof(AddScalar))]
    public static void AddScalarTangent<T>(Matrix<T> a, T scalar, Matrix<T> result, Matrix<T>? dA, T dScalar, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (IsZeroDirection(dA, result, dResult, nameof(AddScalarTangent)))
            dResult.Span.Fill(dScalar);
        else
            AddScalar(dA, dScalar, dResult);
    }

    /// <summary>Tangent of <see cref="AddScalarPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(AddScalarPullback))]
    public static void AddScalarPullbackTangent<T>(Matrix<T> a, T scalar, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, T scalarTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, out T dScalarTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dScalarTangent = T.Zero;
        if (!IsZeroTangent(dResultTangent, dATangent))
            AddScalarPullback(a, scalar, result, dResultTangent, dATangent, out dScalarTangent);
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

    /// <summary>Tangent of <see cref="AddRowVector{T}(Matrix{T}, Matrix{T})"/>: <c>dResult = AddRowVector(dA, dRow)</c>.</summary>
    [TangentOf(nameof(AddRowVector))]
    public static void AddRowVectorTangent<T>(Matrix<T> a, Matrix<T> row, Matrix<T> result, Matrix<T>? dA, Matrix<T>? dRow, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LinearTangent(dA, dRow, result, dResult, AddRowVector, nameof(AddRowVectorTangent));

    /// <summary>Tangent of <see cref="AddRowVectorPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(AddRowVectorPullback))]
    public static void AddRowVectorPullbackTangent<T>(Matrix<T> a, Matrix<T> row, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? rowTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, Matrix<T>? dRowTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dATangent, dRowTangent))
            AddRowVectorPullback(a, row, result, dResultTangent, dATangent, dRowTangent);
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
