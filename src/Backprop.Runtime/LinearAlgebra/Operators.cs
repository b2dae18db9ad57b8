using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

// The named forms of the operators on Matrix<T>, and the operators' pullbacks. An operator cannot write into a
// destination, so each operator's pullback names (DerivativeOfAttribute.Into) the destination form of the method
// the operator calls.
public static partial class MatrixOps
{
    /// <summary>
    /// <c>a + b</c> as the <c>+</c> operator computes it: <see cref="AddRowVector{T}(Matrix{T}, Matrix{T})"/> when
    /// <paramref name="b"/> is a 1×<c>a.Columns</c> row and <paramref name="a"/> has several rows (a bias, so that a
    /// layer reads <c>MatMul(x, w) + b</c>), else the elementwise <see cref="Add{T}(Matrix{T}, Matrix{T})"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes are neither equal nor a matrix and a matching row.</exception>
    public static Matrix<T> Plus<T>(Matrix<T> a, Matrix<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        AddsRowToEveryRow(a, b) ? AddRowVector(a, b) : Add(a, b);

    /// <summary><c>destination = a + b</c> as <see cref="Plus{T}(Matrix{T}, Matrix{T})"/> decides; <paramref name="destination"/> may be <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">The shapes are neither equal nor a matrix and a matching row, or <paramref name="destination"/> differs in shape from <paramref name="a"/>.</exception>
    public static void Plus<T>(Matrix<T> a, Matrix<T> b, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (AddsRowToEveryRow(a, b))
            AddRowVector(a, b, destination);
        else
            Add(a, b, destination);
    }

    /// <summary>
    /// Pullback of <see cref="Plus{T}(Matrix{T}, Matrix{T})"/>, which adds a row to every row when the shapes say
    /// so: then <c>dB = ColumnSums(dResult)</c>, else <c>dB = dResult</c>; always <c>dA = dResult</c>.
    /// </summary>
    [DerivativeOf(nameof(Plus))]
    public static void PlusPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (AddsRowToEveryRow(a, b))
            AddRowVectorPullback(a, b, result, dResult, dA, dB);
        else
            AddPullback(a, b, result, dResult, dA, dB);
    }

    /// <summary>Tangent of <see cref="Plus{T}(Matrix{T}, Matrix{T})"/>: <c>dResult = Plus(dA, dB)</c>, which broadcasts a row direction as the forward broadcasts the row.</summary>
    [TangentOf(nameof(Plus))]
    public static void PlusTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T>? dA, Matrix<T>? dB, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LinearTangent(dA, dB, result, dResult, Plus, nameof(PlusTangent));

    /// <summary>Tangent of <see cref="PlusPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(PlusPullback))]
    public static void PlusPullbackTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? bTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, Matrix<T>? dBTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dATangent, dBTangent))
            PlusPullback(a, b, result, dResultTangent, dATangent, dBTangent);
    }

    /// <summary>Pullback of <c>a + b</c> (<see cref="Matrix{T}.op_Addition"/>); see <see cref="PlusPullback{T}"/>.</summary>
    [DerivativeOf(typeof(Matrix<>), "op_Addition", Into = nameof(Plus))]
    public static void AdditionOperatorPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        PlusPullback(a, b, result, dResult, dA, dB);

    /// <summary>Tangent of <c>a + b</c> (<see cref="Matrix{T}.op_Addition"/>); see <see cref="PlusTangent{T}"/>.</summary>
    [TangentOf(typeof(Matrix<>), "op_Addition")]
    public static void AdditionOperatorTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T>? dA, Matrix<T>? dB, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        PlusTangent(a, b, result, dA, dB, dResult);

    /// <summary>Tangent of <see cref="AdditionOperatorPullback{T}"/>; see <see cref="PlusPullbackTangent{T}"/>.</summary>
    [TangentOf(nameof(AdditionOperatorPullback))]
    public static void AdditionOperatorPullbackTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? bTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, Matrix<T>? dBTangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        PlusPullbackTangent(a, b, result, dResult, aTangent, bTangent, resultTangent, dResultTangent, dATangent, dBTangent);

    /// <summary>Pullback of <c>a − b</c> (<see cref="Matrix{T}.op_Subtraction"/>); see <see cref="SubtractPullback{T}"/>.</summary>
    [DerivativeOf(typeof(Matrix<>), "op_Subtraction", Into = nameof(Subtract))]
    public static void SubtractionOperatorPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SubtractPullback(a, b, result, dResult, dA, dB);

    /// <summary>Tangent of <c>a − b</c> (<see cref="Matrix{T}.op_Subtraction"/>); see <see cref="SubtractTangent{T}"/>.</summary>
    [TangentOf(typeof(Matrix<>), "op_Subtraction")]
    public static void SubtractionOperatorTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T>? dA, Matrix<T>? dB, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SubtractTangent(a, b, result, dA, dB, dResult);

    /// <summary>Tangent of <see cref="SubtractionOperatorPullback{T}"/>; see <see cref="SubtractPullbackTangent{T}"/>.</summary>
    [TangentOf(nameof(SubtractionOperatorPullback))]
    public static void SubtractionOperatorPullbackTangent<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? bTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, Matrix<T>? dBTangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SubtractPullbackTangent(a, b, result, dResult, aTangent, bTangent, resultTangent, dResultTangent, dATangent, dBTangent);

    /// <summary>The negation <c>−a</c>, elementwise.</summary>
    public static Matrix<T> Negate<T>(Matrix<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, a.Columns);
        Negate(a, destination);
        return destination;
    }

    /// <summary><c>destination = −a</c>, elementwise; <paramref name="destination"/> may be <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Negate<T>(Matrix<T> a, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, destination, nameof(Negate));
        TensorPrimitives.Negate<T>(a.Span, destination.Span);
    }

    /// <summary>Pullback of <see cref="Negate{T}(Matrix{T})"/>: <c>dA = −dResult</c>.</summary>
    [DerivativeOf(nameof(Negate))]
    public static void NegatePullback<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(a, dResult, nameof(NegatePullback));
        if (dA is not null)
            Negate(dResult, dA);
    }

    /// <summary>Tangent of <see cref="Negate{T}(Matrix{T})"/>: <c>dResult = −dA</c>.</summary>
    [TangentOf(nameof(Negate))]
    public static void NegateTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T>? dA, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroDirection(dA, result, dResult, nameof(NegateTangent)))
            Negate(dA, dResult);
    }

    /// <summary>Tangent of <see cref="NegatePullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(NegatePullback))]
    public static void NegatePullbackTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dATangent))
            NegatePullback(a, result, dResultTangent, dATangent);
    }

    /// <summary>Pullback of <c>−a</c> (<see cref="Matrix{T}.op_UnaryNegation"/>); see <see cref="NegatePullback{T}"/>.</summary>
    [DerivativeOf(typeof(Matrix<>), "op_UnaryNegation", Into = nameof(Negate))]
    public static void UnaryNegationOperatorPullback<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        NegatePullback(a, result, dResult, dA);

    /// <summary>Tangent of <c>−a</c> (<see cref="Matrix{T}.op_UnaryNegation"/>); see <see cref="NegateTangent{T}"/>.</summary>
    [TangentOf(typeof(Matrix<>), "op_UnaryNegation")]
    public static void UnaryNegationOperatorTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T>? dA, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        NegateTangent(a, result, dA, dResult);

    /// <summary>Tangent of <see cref="UnaryNegationOperatorPullback{T}"/>; see <see cref="NegatePullbackTangent{T}"/>.</summary>
    [TangentOf(nameof(UnaryNegationOperatorPullback))]
    public static void UnaryNegationOperatorPullbackTangent<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        NegatePullbackTangent(a, result, dResult, aTangent, resultTangent, dResultTangent, dATangent);

    /// <summary>
    /// <c>destination = scalar · a</c> with the operands in the order of <c>s * a</c>, the destination form of that
    /// operator; the same as <see cref="Scale{T}(Matrix{T}, T, Matrix{T})"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Scale<T>(T scalar, Matrix<T> a, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Scale(a, scalar, destination);

    /// <summary>Pullback of <c>s * a</c> (<see cref="Matrix{T}.op_Multiply(T, Matrix{T})"/>); see <see cref="ScalePullback{T}"/>.</summary>
    [DerivativeOf(typeof(Matrix<>), "op_Multiply", Into = nameof(Scale))]
    public static void MultiplyOperatorPullback<T>(T s, Matrix<T> a, Matrix<T> result, Matrix<T> dResult, out T dS, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ScalePullback(a, s, result, dResult, dA, out dS);

    /// <summary>Pullback of <c>a * s</c> (<see cref="Matrix{T}.op_Multiply(Matrix{T}, T)"/>); see <see cref="ScalePullback{T}"/>.</summary>
    [DerivativeOf(typeof(Matrix<>), "op_Multiply", Into = nameof(Scale))]
    public static void MultiplyOperatorPullback<T>(Matrix<T> a, T s, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, out T dS)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ScalePullback(a, s, result, dResult, dA, out dS);

    /// <summary>Tangent of <c>s * a</c> (<see cref="Matrix{T}.op_Multiply(T, Matrix{T})"/>); see <see cref="ScaleTangent{T}"/>.</summary>
    [TangentOf(typeof(Matrix<>), "op_Multiply")]
    public static void MultiplyOperatorTangent<T>(T s, Matrix<T> a, Matrix<T> result, T dS, Matrix<T>? dA, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ScaleTangent(a, s, result, dA, dS, dResult);

    /// <summary>Tangent of <c>a * s</c> (<see cref="Matrix{T}.op_Multiply(Matrix{T}, T)"/>); see <see cref="ScaleTangent{T}"/>.</summary>
    [TangentOf(typeof(Matrix<>), "op_Multiply")]
    public static void MultiplyOperatorTangent<T>(Matrix<T> a, T s, Matrix<T> result, Matrix<T>? dA, T dS, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ScaleTangent(a, s, result, dA, dS, dResult);

    /// <summary>Tangent of <see cref="MultiplyOperatorPullback{T}(T, Matrix{T}, Matrix{T}, Matrix{T}, out T, Matrix{T})"/>; see <see cref="ScalePullbackTangent{T}"/>.</summary>
    [TangentOf(nameof(MultiplyOperatorPullback))]
    public static void MultiplyOperatorPullbackTangent<T>(T s, Matrix<T> a, Matrix<T> result, Matrix<T> dResult,
        T sTangent, Matrix<T>? aTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, out T dSTangent, Matrix<T>? dATangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ScalePullbackTangent(a, s, result, dResult, aTangent, sTangent, resultTangent, dResultTangent, dATangent, out dSTangent);

    /// <summary>Tangent of <see cref="MultiplyOperatorPullback{T}(Matrix{T}, T, Matrix{T}, Matrix{T}, Matrix{T}, out T)"/>; see <see cref="ScalePullbackTangent{T}"/>.</summary>
    [TangentOf(nameof(MultiplyOperatorPullback))]
    public static void MultiplyOperatorPullbackTangent<T>(Matrix<T> a, T s, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? aTangent, T sTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dATangent, out T dSTangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ScalePullbackTangent(a, s, result, dResult, aTangent, sTangent, resultTangent, dResultTangent, dATangent, out dSTangent);

    /// <summary>The broadcasting decision of <c>+</c>, in one place for the forward and the pullback.</summary>
    private static bool AddsRowToEveryRow<T>(Matrix<T> a, Matrix<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        b.Rows == 1 && a.Rows != 1 && b.Columns == a.Columns;
}
