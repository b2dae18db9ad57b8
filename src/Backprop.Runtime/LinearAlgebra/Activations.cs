using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>The logistic sigmoid <c>1 / (1 + e^(−x))</c>, elementwise.</summary>
    public static Matrix<T> Sigmoid<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Allocating(x, Sigmoid);

    /// <summary><c>destination = σ(x)</c>, elementwise; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    public static void Sigmoid<T>(Matrix<T> x, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(x, destination, nameof(Sigmoid));
        TensorPrimitives.Sigmoid<T>(x.Span, destination.Span);
    }

    /// <summary>Pullback of <see cref="Sigmoid{T}(Matrix{T})"/>, from the output: <c>dX = dResult ⊙ result ⊙ (1 − result)</c>.</summary>
    [DerivativeOf(nameof(Sigmoid))]
    public static void SigmoidPullback<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ApplyRule<T, SigmoidDerivative<T>>(result, dResult, dX, nameof(SigmoidPullback));

    /// <summary>The rectifier <c>max(x, 0)</c>, elementwise.</summary>
    public static Matrix<T> Relu<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Allocating(x, Relu);

    /// <summary><c>destination = max(x, 0)</c>, elementwise; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    public static void Relu<T>(Matrix<T> x, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(x, destination, nameof(Relu));
        TensorPrimitives.Max<T>(x.Span, T.Zero, destination.Span);
    }

    /// <summary>Pullback of <see cref="Relu{T}(Matrix{T})"/>: <c>dX = dResult</c> where <c>x &gt; 0</c>, else 0 (the subgradient 0 at x = 0).</summary>
    [DerivativeOf(nameof(Relu))]
    public static void ReluPullback<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ApplyRule<T, ReluDerivative<T>>(x, dResult, dX, nameof(ReluPullback));

    /// <summary>The hyperbolic tangent, elementwise.</summary>
    public static Matrix<T> Tanh<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Allocating(x, Tanh);

    /// <summary><c>destination = tanh(x)</c>, elementwise; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    public static void Tanh<T>(Matrix<T> x, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(x, destination, nameof(Tanh));
        TensorPrimitives.Tanh<T>(x.Span, destination.Span);
    }

    /// <summary>Pullback of <see cref="Tanh{T}(Matrix{T})"/>, from the output: <c>dX = dResult ⊙ (1 − result²)</c>.</summary>
    [DerivativeOf(nameof(Tanh))]
    public static void TanhPullback<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ApplyRule<T, TanhDerivative<T>>(result, dResult, dX, nameof(TanhPullback));

    /// <summary><c>e^x</c>, elementwise.</summary>
    public static Matrix<T> Exp<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Allocating(x, Exp);

    /// <summary><c>destination = e^x</c>, elementwise; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    public static void Exp<T>(Matrix<T> x, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(x, destination, nameof(Exp));
        TensorPrimitives.Exp<T>(x.Span, destination.Span);
    }

    /// <summary>Pullback of <see cref="Exp{T}(Matrix{T})"/>, from the output: <c>dX = dResult ⊙ result</c>.</summary>
    [DerivativeOf(nameof(Exp))]
    public static void ExpPullback<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dX is not null)
            Multiply(dResult, result, dX);
    }

    /// <summary>The natural logarithm, elementwise.</summary>
    public static Matrix<T> Log<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Allocating(x, Log);

    /// <summary><c>destination = ln x</c>, elementwise; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    public static void Log<T>(Matrix<T> x, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(x, destination, nameof(Log));
        TensorPrimitives.Log<T>(x.Span, destination.Span);
    }

    /// <summary>Pullback of <see cref="Log{T}(Matrix{T})"/>: <c>dX = dResult ÷ x</c>.</summary>
    [DerivativeOf(nameof(Log))]
    public static void LogPullback<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dX is not null)
            Divide(dResult, x, dX);
    }

    /// <summary><c>x²</c>, elementwise.</summary>
    public static Matrix<T> Square<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Allocating(x, Square);

    /// <summary><c>destination = x²</c>, elementwise; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    public static void Square<T>(Matrix<T> x, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(x, destination, nameof(Square));
        TensorPrimitives.Multiply<T>(x.Span, x.Span, destination.Span);
    }

    /// <summary>Pullback of <see cref="Square{T}(Matrix{T})"/>: <c>dX = 2·x ⊙ dResult</c>.</summary>
    [DerivativeOf(nameof(Square))]
    public static void SquarePullback<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dX is null)
            return;
        Multiply(dResult, x, dX);
        TensorPrimitives.Multiply<T>(dX.Span, T.CreateChecked(2), dX.Span);
    }

    /// <summary>The square root, elementwise.</summary>
    public static Matrix<T> Sqrt<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Allocating(x, Sqrt);

    /// <summary><c>destination = √x</c>, elementwise; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    public static void Sqrt<T>(Matrix<T> x, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(x, destination, nameof(Sqrt));
        TensorPrimitives.Sqrt<T>(x.Span, destination.Span);
    }

    /// <summary>Pullback of <see cref="Sqrt{T}(Matrix{T})"/>, from the output: <c>dX = dResult ÷ (2·result)</c>.</summary>
    [DerivativeOf(nameof(Sqrt))]
    public static void SqrtPullback<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dX is null)
            return;
        Divide(dResult, result, dX);
        TensorPrimitives.Multiply<T>(dX.Span, T.CreateChecked(0.5), dX.Span);
    }

    /// <summary>Row-wise softmax: each row becomes <c>e^(x − max) / Σ e^(x − max)</c>, stable for large logits.</summary>
    public static Matrix<T> Softmax<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Allocating(x, Softmax);

    /// <summary><c>destination = softmax(x)</c> row by row; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    public static void Softmax<T>(Matrix<T> x, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(x, destination, nameof(Softmax));
        if (x.Columns == 0)
            return;
        ShiftedExponentials(x, destination.Span, ScratchBuffer<T>.Get(x.Rows));
        for (int i = 0; i < x.Rows; i++)
        {
            Span<T> row = destination.Row(i);
            ShortRows.Scale(row, T.One / ShortRows.Sum<T>(row));
        }
    }

    /// <summary>
    /// Pullback of <see cref="Softmax{T}(Matrix{T})"/> row by row, from the output:
    /// <c>dX = result ⊙ (dResult − (dResult·result))</c>, the dot product taken per row.
    /// </summary>
    [DerivativeOf(nameof(Softmax))]
    public static void SoftmaxPullback<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dX is null)
            return;
        RequireSameShape(result, dResult, nameof(SoftmaxPullback));
        RequireSameShape(result, dX, nameof(SoftmaxPullback));
        for (int i = 0; i < result.Rows; i++)
        {
            Span<T> yRow = result.Row(i), dYRow = dResult.Row(i);
            T dot = TensorPrimitives.Dot<T>(dYRow, yRow);
            TensorPrimitives.AddMultiply<T>(dYRow, -dot, yRow, dX.Row(i));
        }
    }

    private static Matrix<T> Allocating<T>(Matrix<T> x, Action<Matrix<T>, Matrix<T>> operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(x.Rows, x.Columns);
        operation(x, destination);
        return destination;
    }

    private static void ApplyRule<T, TRule>(Matrix<T> value, Matrix<T> dY, Matrix<T>? dX, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IGradientRule<T>
    {
        if (dX is null)
            return;
        RequireSameShape(value, dY, operation);
        RequireSameShape(value, dX, operation);
        GradientRule.Apply<T, TRule>(value.Span, dY.Span, dX.Span);
    }

    private readonly struct SigmoidDerivative<T> : IGradientRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T y, T dy) => dy * y * (T.One - y);
        public static Vector<T> Apply(Vector<T> y, Vector<T> dy) => dy * y * (Vector<T>.One - y);
    }

    private readonly struct TanhDerivative<T> : IGradientRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T y, T dy) => dy * (T.One - y * y);
        public static Vector<T> Apply(Vector<T> y, Vector<T> dy) => dy * (Vector<T>.One - y * y);
    }

    private readonly struct ReluDerivative<T> : IGradientRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T dy) => x > T.Zero ? dy : T.Zero;
        public static Vector<T> Apply(Vector<T> x, Vector<T> dy) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), dy, Vector<T>.Zero);
    }
}
