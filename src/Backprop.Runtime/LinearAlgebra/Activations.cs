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

    /// <summary>Tangent of <see cref="Sigmoid{T}(Matrix{T})"/>, from the output: <c>dResult = dX ⊙ result ⊙ (1 − result)</c>.</summary>
    [TangentOf(nameof(Sigmoid))]
    public static void SigmoidTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SymmetricTangent(x, result, dX, dResult, SigmoidPullback, nameof(SigmoidTangent));

    /// <summary>
    /// Tangent of <see cref="SigmoidPullback{T}"/>, which reads <c>y = result</c> and <c>dResult</c>:
    /// <c>d(dX) = ḋResult ⊙ y(1 − y) + dResult ⊙ ẏ ⊙ (1 − 2y)</c>, with <c>ẏ</c> = <paramref name="resultTangent"/>.
    /// </summary>
    [TangentOf(nameof(SigmoidPullback))]
    public static void SigmoidPullbackTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CurvedPullbackTangent<T, SigmoidCurvature<T>>(x, result, dResult, result, resultTangent, dResultTangent, dXTangent, SigmoidPullback, nameof(SigmoidPullbackTangent));

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

    /// <summary>Tangent of <see cref="Relu{T}(Matrix{T})"/>: <c>dResult = dX</c> where <c>x &gt; 0</c>, else 0.</summary>
    [TangentOf(nameof(Relu))]
    public static void ReluTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SymmetricTangent(x, result, dX, dResult, ReluPullback, nameof(ReluTangent));

    /// <summary>
    /// Tangent of <see cref="ReluPullback{T}"/>: <c>d(dX) = ḋResult</c> where <c>x &gt; 0</c>, else 0. The rectifier is
    /// piecewise linear, so the term in <c>ẋ</c> is 0 almost everywhere (everywhere but at x = 0, where the pullback
    /// jumps and has no derivative).
    /// </summary>
    [TangentOf(nameof(ReluPullback))]
    public static void ReluPullbackTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dXTangent))
            ReluPullback(x, result, dResultTangent, dXTangent);
    }

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

    /// <summary>Tangent of <see cref="Tanh{T}(Matrix{T})"/>, from the output: <c>dResult = dX ⊙ (1 − result²)</c>.</summary>
    [TangentOf(nameof(Tanh))]
    public static void TanhTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SymmetricTangent(x, result, dX, dResult, TanhPullback, nameof(TanhTangent));

    /// <summary>
    /// Tangent of <see cref="TanhPullback{T}"/>, which reads <c>y = result</c> and <c>dResult</c>:
    /// <c>d(dX) = ḋResult ⊙ (1 − y²) − 2·dResult ⊙ y ⊙ ẏ</c>.
    /// </summary>
    [TangentOf(nameof(TanhPullback))]
    public static void TanhPullbackTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CurvedPullbackTangent<T, TanhCurvature<T>>(x, result, dResult, result, resultTangent, dResultTangent, dXTangent, TanhPullback, nameof(TanhPullbackTangent));

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

    /// <summary>Tangent of <see cref="Exp{T}(Matrix{T})"/>, from the output: <c>dResult = dX ⊙ result</c>.</summary>
    [TangentOf(nameof(Exp))]
    public static void ExpTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SymmetricTangent(x, result, dX, dResult, ExpPullback, nameof(ExpTangent));

    /// <summary>Tangent of <see cref="ExpPullback{T}"/>, bilinear in <c>y = result</c> and <c>dResult</c>: <c>d(dX) = ḋResult ⊙ y + dResult ⊙ ẏ</c>.</summary>
    [TangentOf(nameof(ExpPullback))]
    public static void ExpPullbackTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CurvedPullbackTangent<T, ExpCurvature<T>>(x, result, dResult, result, resultTangent, dResultTangent, dXTangent, ExpPullback, nameof(ExpPullbackTangent));

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

    /// <summary>Tangent of <see cref="Log{T}(Matrix{T})"/>: <c>dResult = dX ÷ x</c>.</summary>
    [TangentOf(nameof(Log))]
    public static void LogTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SymmetricTangent(x, result, dX, dResult, LogPullback, nameof(LogTangent));

    /// <summary>Tangent of <see cref="LogPullback{T}"/>, which reads <c>x</c> and <c>dResult</c>: <c>d(dX) = ḋResult ÷ x − dResult ⊙ ẋ ÷ x²</c>.</summary>
    [TangentOf(nameof(LogPullback))]
    public static void LogPullbackTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CurvedPullbackTangent<T, LogCurvature<T>>(x, result, dResult, x, xTangent, dResultTangent, dXTangent, LogPullback, nameof(LogPullbackTangent));

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

    /// <summary>Tangent of <see cref="Square{T}(Matrix{T})"/>: <c>dResult = 2·x ⊙ dX</c>.</summary>
    [TangentOf(nameof(Square))]
    public static void SquareTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SymmetricTangent(x, result, dX, dResult, SquarePullback, nameof(SquareTangent));

    /// <summary>Tangent of <see cref="SquarePullback{T}"/>, bilinear in <c>x</c> and <c>dResult</c>: <c>d(dX) = 2·(ḋResult ⊙ x + dResult ⊙ ẋ)</c>.</summary>
    [TangentOf(nameof(SquarePullback))]
    public static void SquarePullbackTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CurvedPullbackTangent<T, SquareCurvature<T>>(x, result, dResult, x, xTangent, dResultTangent, dXTangent, SquarePullback, nameof(SquarePullbackTangent));

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

    /// <summary>Tangent of <see cref="Sqrt{T}(Matrix{T})"/>, from the output: <c>dResult = dX ÷ (2·result)</c>.</summary>
    [TangentOf(nameof(Sqrt))]
    public static void SqrtTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SymmetricTangent(x, result, dX, dResult, SqrtPullback, nameof(SqrtTangent));

    /// <summary>
    /// Tangent of <see cref="SqrtPullback{T}"/>, which reads <c>y = result</c> and <c>dResult</c>:
    /// <c>d(dX) = ḋResult ÷ 2y − dResult ⊙ ẏ ÷ 2y²</c>.
    /// </summary>
    [TangentOf(nameof(SqrtPullback))]
    public static void SqrtPullbackTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CurvedPullbackTangent<T, SqrtCurvature<T>>(x, result, dResult, result, resultTangent, dResultTangent, dXTangent, SqrtPullback, nameof(SqrtPullbackTangent));

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

    /// <summary>
    /// Tangent of <see cref="Softmax{T}(Matrix{T})"/> row by row, from the output:
    /// <c>dResult = result ⊙ (dX − (dX·result))</c>; the Jacobian <c>diag(y) − y·yᵀ</c> is symmetric.
    /// </summary>
    [TangentOf(nameof(Softmax))]
    public static void SoftmaxTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SymmetricTangent(x, result, dX, dResult, SoftmaxPullback, nameof(SoftmaxTangent));

    /// <summary>
    /// Tangent of <see cref="SoftmaxPullback{T}"/>, which reads <c>y = result</c> and <c>g = dResult</c>, per row:
    /// <c>d(dX) = y ⊙ (ġ − (ġ·y)) + ẏ ⊙ (g − (g·y)) − (g·ẏ)·y</c>, the first term the pullback of <c>ġ</c>.
    /// </summary>
    [TangentOf(nameof(SoftmaxPullback))]
    public static void SoftmaxPullbackTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dXTangent is null)
            return;
        if (IsZeroTangent(dResultTangent, dXTangent))
            RequireSameShape(result, dXTangent, nameof(SoftmaxPullbackTangent));
        else
            SoftmaxPullback(x, result, dResultTangent, dXTangent);
        if (resultTangent is null)
            return;
        RequireSameShape(result, dResult, nameof(SoftmaxPullbackTangent));
        RequireSameShape(result, resultTangent, nameof(SoftmaxPullbackTangent));
        for (int i = 0; i < result.Rows; i++)
        {
            Span<T> y = result.Row(i), g = dResult.Row(i), yTangent = resultTangent.Row(i), target = dXTangent.Row(i);
            T gy = TensorPrimitives.Dot<T>(g, y), gyTangent = TensorPrimitives.Dot<T>(g, yTangent);
            TensorPrimitives.MultiplyAdd<T>(yTangent, g, target, target);
            ScaledAdd.Apply<T>(yTangent, -gy, target, target);
            ScaledAdd.Apply<T>(y, -gyTangent, target, target);
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

    /// <summary>
    /// The tangent of an elementwise operation (or of softmax), whose Jacobian is symmetric: the pullback applied to the
    /// direction, <c>dResult = J·dX = Jᵀ·dX</c>.
    /// </summary>
    private static void SymmetricTangent<T>(Matrix<T> x, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult,
        Action<Matrix<T>, Matrix<T>, Matrix<T>, Matrix<T>?> pullback, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroDirection(dX, result, dResult, operation))
            pullback(x, result, dX, dResult);
    }

    /// <summary>
    /// The tangent of an elementwise pullback <c>dX = dResult ⊙ f'</c>, with <c>f'</c> read from <paramref name="value"/>
    /// (the input or the output): the pullback of <paramref name="dResultTangent"/>, plus the curvature term
    /// <c>TCurvature(value, dResult, valueTangent)</c> = <c>dResult ⊙ (d f')</c> when <paramref name="valueTangent"/> is given.
    /// </summary>
    private static void CurvedPullbackTangent<T, TCurvature>(Matrix<T> x, Matrix<T> result, Matrix<T> dResult, Matrix<T> value, Matrix<T>? valueTangent,
        Matrix<T>? dResultTangent, Matrix<T>? dXTangent, Action<Matrix<T>, Matrix<T>, Matrix<T>, Matrix<T>?> pullback, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCurvature : struct, ICurvatureRule<T>
    {
        if (dXTangent is null)
            return;
        if (IsZeroTangent(dResultTangent, dXTangent))
            RequireSameShape(x, dXTangent, operation);
        else
            pullback(x, result, dResultTangent, dXTangent);
        if (valueTangent is null)
            return;
        RequireSameShape(value, dResult, operation);
        RequireSameShape(value, valueTangent, operation);
        RequireSameShape(value, dXTangent, operation);
        GradientRule.Add<T, TCurvature>(value.Span, dResult.Span, valueTangent.Span, dXTangent.Span);
    }

    /// <summary><c>dy·ẏ·(1 − 2y)</c>, from the sigmoid's <c>σ'' = σ'(1 − 2σ)</c>.</summary>
    private readonly struct SigmoidCurvature<T> : ICurvatureRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T y, T dy, T yTangent) => dy * yTangent * (T.One - (y + y));
        public static Vector<T> Apply(Vector<T> y, Vector<T> dy, Vector<T> yTangent) => dy * yTangent * (Vector<T>.One - (y + y));
    }

    /// <summary><c>−2·dy·y·ẏ</c>, the derivative of <c>1 − y²</c> along <c>ẏ</c>, times dy.</summary>
    private readonly struct TanhCurvature<T> : ICurvatureRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T y, T dy, T yTangent) => -(dy * (y + y) * yTangent);
        public static Vector<T> Apply(Vector<T> y, Vector<T> dy, Vector<T> yTangent) => -(dy * (y + y) * yTangent);
    }

    /// <summary><c>dy·ẏ</c>: the pullback is <c>dy·y</c>.</summary>
    private readonly struct ExpCurvature<T> : ICurvatureRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T y, T dy, T yTangent) => dy * yTangent;
        public static Vector<T> Apply(Vector<T> y, Vector<T> dy, Vector<T> yTangent) => dy * yTangent;
    }

    /// <summary><c>−dy·ẋ/x²</c>: the pullback is <c>dy/x</c>.</summary>
    private readonly struct LogCurvature<T> : ICurvatureRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T dy, T xTangent) => -(dy * xTangent / (x * x));
        public static Vector<T> Apply(Vector<T> x, Vector<T> dy, Vector<T> xTangent) => -(dy * xTangent / (x * x));
    }

    /// <summary><c>2·dy·ẋ</c>: the pullback is <c>2·x·dy</c>.</summary>
    private readonly struct SquareCurvature<T> : ICurvatureRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T dy, T xTangent) => (dy + dy) * xTangent;
        public static Vector<T> Apply(Vector<T> x, Vector<T> dy, Vector<T> xTangent) => (dy + dy) * xTangent;
    }

    /// <summary><c>−dy·ẏ/(2y²)</c>: the pullback is <c>dy/(2y)</c>.</summary>
    private readonly struct SqrtCurvature<T> : ICurvatureRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T y, T dy, T yTangent) => -(dy * yTangent / ((y + y) * y));
        public static Vector<T> Apply(Vector<T> y, Vector<T> dy, Vector<T> yTangent) => -(dy * yTangent / ((y + y) * y));
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
