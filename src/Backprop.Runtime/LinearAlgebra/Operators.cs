using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

/// <summary>
/// The named forms of the operators on <see cref="Matrix{T}"/> and the operators' pullbacks. An operator cannot
/// write into a destination, so each operator's pullback names (<see cref="DerivativeOfAttribute.Into"/>) the
/// destination form of the method the operator calls.
/// </summary>
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

    /// <summary>Pullback of <c>a + b</c> (<see cref="Matrix{T}.op_Addition"/>); see <see cref="PlusPullback{T}"/>.</summary>
    [DerivativeOf(typeof(Matrix<>), "op_Addition", Into = nameof(Plus))]
    public static void AdditionOperatorPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        PlusPullback(a, b, result, dResult, dA, dB);

    /// <summary>Pullback of <c>a − b</c> (<see cref="Matrix{T}.op_Subtraction"/>); see <see cref="SubtractPullback{T}"/>.</summary>
    [DerivativeOf(typeof(Matrix<>), "op_Subtraction", Into = nameof(Subtract))]
    public static void SubtractionOperatorPullback<T>(Matrix<T> a, Matrix<T> b, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA, Matrix<T>? dB)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SubtractPullback(a, b, result, dResult, dA, dB);

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

    /// <summary>Pullback of <c>−a</c> (<see cref="Matrix{T}.op_UnaryNegation"/>); see <see cref="NegatePullback{T}"/>.</summary>
    [DerivativeOf(typeof(Matrix<>), "op_UnaryNegation", Into = nameof(Negate))]
    public static void UnaryNegationOperatorPullback<T>(Matrix<T> a, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dA)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        NegatePullback(a, result, dResult, dA);

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

    /// <summary>The broadcasting decision of <c>+</c>, in one place for the forward and the pullback.</summary>
    private static bool AddsRowToEveryRow<T>(Matrix<T> a, Matrix<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        b.Rows == 1 && a.Rows != 1 && b.Columns == a.Columns;
}
