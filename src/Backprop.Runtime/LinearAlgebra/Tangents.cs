using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

// What the tangent rules ([TangentOf]) beside each operation share: a null direction is a zero one, and the product
// rule's sums of two terms, either of which may be absent.
public static partial class MatrixOps
{
    /// <summary>
    /// Checks that <paramref name="dResult"/> has the result's shape; when <paramref name="direction"/> is
    /// <see langword="null"/> (a zero direction) clears <paramref name="dResult"/> and returns <see langword="true"/>.
    /// </summary>
    private static bool IsZeroDirection<T>([NotNullWhen(false)] Matrix<T>? direction, Matrix<T> result, Matrix<T> dResult, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(result, dResult, operation);
        if (direction is not null)
            return false;
        dResult.Span.Clear();
        return true;
    }

    /// <summary>
    /// For the tangent of a pullback that is linear in its <c>dResult</c> alone: when <paramref name="dResultTangent"/>
    /// is <see langword="null"/> every output is zero, so clears them and returns <see langword="true"/>.
    /// </summary>
    private static bool IsZeroTangent<T>([NotNullWhen(false)] Matrix<T>? dResultTangent, Matrix<T>? first, Matrix<T>? second = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dResultTangent is not null)
            return false;
        first?.Span.Clear();
        second?.Span.Clear();
        return true;
    }

    /// <summary>Zeros in <paramref name="gradient"/>, which must have the shape of <paramref name="input"/>: a pullback's tangent along zero directions.</summary>
    private static void ClearGradient<T>(Matrix<T> input, Matrix<T> gradient, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(input, gradient, operation);
        gradient.Span.Clear();
    }

    /// <summary>
    /// The tangent of an operation linear in both matrix arguments (a sum, a broadcast): <c>dResult = combine(dA, dB)</c>,
    /// a <see langword="null"/> direction counting as zeros. <paramref name="combine"/> must accept its destination as
    /// its first argument.
    /// </summary>
    private static void LinearTangent<T>(Matrix<T>? dA, Matrix<T>? dB, Matrix<T> result, Matrix<T> dResult, Action<Matrix<T>, Matrix<T>, Matrix<T>> combine, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dB is null)
        {
            if (!IsZeroDirection(dA, result, dResult, operation))
                dA.CopyTo(dResult);
            return;
        }
        RequireSameShape(result, dResult, operation);
        if (dA is null)
            dResult.Span.Clear();
        combine(dA ?? dResult, dB, dResult);
    }

    /// <summary>
    /// <c>destination = p ⊙ q + r ⊙ s</c>, the product rule; a <see langword="null"/> <paramref name="p"/> or
    /// <paramref name="r"/> drops its term (zeros when both are null).
    /// </summary>
    private static void SumOfProducts<T>(Matrix<T>? p, Matrix<T> q, Matrix<T>? r, Matrix<T> s, Matrix<T> destination, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p is not null)
            Multiply(p, q, destination);
        if (r is null)
        {
            if (p is null)
            {
                RequireSameShape(q, destination, operation);
                destination.Span.Clear();
            }
        }
        else if (p is null)
            Multiply(r, s, destination);
        else
        {
            RequireSameShapes(r, s, destination, operation);
            TensorPrimitives.MultiplyAdd<T>(r.Span, s.Span, destination.Span, destination.Span);
        }
    }

    /// <summary><c>destination = pScale·p + qScale·q</c>; a <see langword="null"/> <paramref name="p"/> drops its term.</summary>
    private static void SumOfScaled<T>(Matrix<T>? p, T pScale, Matrix<T> q, T qScale, Matrix<T> destination, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Scale(q, qScale, destination);
        if (p is null)
            return;
        RequireSameShape(p, destination, operation);
        ScaledAdd.Apply<T>(p.Span, pScale, destination.Span, destination.Span);
    }

    /// <summary><c>Σ x ⊙ y</c>, 0 for a <see langword="null"/> (zero) <paramref name="x"/>.</summary>
    private static T DotOrZero<T>(Matrix<T>? x, Matrix<T> y, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x is null)
            return T.Zero;
        RequireSameShape(x, y, operation);
        return TensorPrimitives.Dot<T>(x.Span, y.Span);
    }

    /// <summary><c>destination += source</c>, for a rule's second term computed into <see cref="TangentScratch{T}"/>.</summary>
    private static void AddInto<T>(Matrix<T> source, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Add(destination, source, destination);

    /// <summary>
    /// Per-thread matrices for a rule's second term where no kernel accumulates, reshaped in place
    /// (<see cref="Matrix{T}.Reuse"/>), so rules allocate nothing in steady state; valid until the next rule on this thread.
    /// </summary>
    private static class TangentScratch<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static Matrix<T>? t_first;
        [ThreadStatic] private static Matrix<T>? t_second;

        public static Matrix<T> First(int rows, int columns) => Matrix<T>.Reuse(ref t_first, rows, columns);

        public static Matrix<T> Second(int rows, int columns) => Matrix<T>.Reuse(ref t_second, rows, columns);
    }
}
