using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>The control flow methods over matrices share with methods over numbers, checked against central finite differences in double.</summary>
public class MatrixControlFlowTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void AWhileLoopOverACounterMatchesFiniteDifferences(int steps)
    {
        Matrix<double> W = Random(3, 3, 300, 0.5), b = Random(1, 3, 301, 0.5), x = Random(4, 3, 302), t = Random(4, 3, 303);
        Matrix<double> dW = Garbage(W), db = Garbage(b);

        double loss = MatrixControlFlowFunctions.IterateLossGradient(W, b, x, t, steps, dW, db);

        double Loss() => MatrixControlFlowFunctions.IterateLoss(W, b, x, t, steps);
        Assert.Equal(Loss(), loss, 12);
        Assert.InRange(MaxRelativeError(Loss, W, dW), 0, 1e-7);
        Assert.InRange(MaxRelativeError(Loss, b, db), 0, 1e-7);
        if (steps == 0)
            Assert.All(dW.Span.ToArray(), g => Assert.Equal(0, g));
    }

    [Theory]
    [InlineData(0.55, 10)]
    [InlineData(0.9, 3)]
    [InlineData(0.1, 5)]
    public void ADoLoopOnAConditionComputedFromMatricesMatchesFiniteDifferences(double bound, int limit)
    {
        Matrix<double> W = Random(3, 3, 310, 0.7), x = Random(4, 3, 311);
        Matrix<double> dW = Garbage(W);

        double loss = MatrixControlFlowFunctions.UntilLossGradient(W, x, bound, limit, dW, out double dBound);

        double Loss() => MatrixControlFlowFunctions.UntilLoss(W, x, bound, limit);
        Assert.Equal(Loss(), loss, 12);
        Assert.InRange(MaxRelativeError(Loss, W, dW), 0, 1e-7);
        // The bound only decides how many iterations run: no derivative flows through a comparison.
        Assert.Equal(0, dBound);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.2)]
    [InlineData(10)]
    public void AnEarlyReturnFromALoopMatchesFiniteDifferences(double limit)
    {
        Matrix<double>[] W = Enumerable.Range(0, 3).Select(k => Random(3, 3, 320 + k, 0.8)).ToArray();
        Matrix<double> x = Random(2, 3, 325);
        Matrix<double>[] dW = W.Select(Garbage).ToArray();
        Matrix<double> dx = Garbage(x);

        double loss = MatrixControlFlowFunctions.EarlyReturnLossGradient(W, x, limit, dW, dx, out double dLimit);

        double Loss() => MatrixControlFlowFunctions.EarlyReturnLoss(W, x, limit);
        Assert.Equal(Loss(), loss, 12);
        for (int k = 0; k < W.Length; k++)
            Assert.InRange(MaxRelativeError(Loss, W[k], dW[k]), 0, 1e-7);
        Assert.InRange(MaxRelativeError(Loss, x, dx), 0, 1e-7);
        Assert.Equal(0, dLimit);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 0)]
    [InlineData(1, 3)]
    [InlineData(3, 2)]
    public void BreakAndContinueInAForeachOverMatricesMatchFiniteDifferences(int skip, int stop)
    {
        Matrix<double>[] W = Enumerable.Range(0, 4).Select(k => Random(3, 3, 330 + k, 0.6)).ToArray();
        Matrix<double> x = Random(2, 3, 335);
        Matrix<double>[] dW = W.Select(Garbage).ToArray();
        Matrix<double> dx = Garbage(x);

        double loss = MatrixControlFlowFunctions.SkipAndStopLossGradient(W, x, skip, stop, dW, dx);

        double Loss() => MatrixControlFlowFunctions.SkipAndStopLoss(W, x, skip, stop);
        Assert.Equal(Loss(), loss, 12);
        for (int k = 0; k < W.Length; k++)
        {
            Assert.InRange(MaxRelativeError(Loss, W[k], dW[k]), 0, 1e-7);
            // A skipped matrix, and every one from the stop on, gets a zero gradient.
            if (k + 1 == skip || stop > 0 && k + 1 >= stop)
                Assert.All(dW[k].Span.ToArray(), g => Assert.Equal(0, g));
        }
        Assert.InRange(MaxRelativeError(Loss, x, dx), 0, 1e-7);
    }

    [Fact]
    public void ALayerWithALoopOfItsOwnCalledInALoopMatchesFiniteDifferences()
    {
        Matrix<double> W = Random(3, 3, 340, 0.6), V = Random(2, 3, 341, 0.6);
        Matrix<double>[] xs = Enumerable.Range(0, 4).Select(k => Random(2, 2, 345 + k)).ToArray();
        Matrix<double> dW = Garbage(W), dV = Garbage(V);

        double loss = MatrixControlFlowFunctions.SmoothLossGradient(W, V, xs, dW, dV);

        double Loss() => MatrixControlFlowFunctions.SmoothLoss(W, V, xs);
        Assert.Equal(Loss(), loss, 12);
        Assert.InRange(MaxRelativeError(Loss, W, dW), 0, 1e-7);
        Assert.InRange(MaxRelativeError(Loss, V, dV), 0, 1e-7);
    }

    [Fact]
    public void ALayersVectorJacobianProductMatchesFiniteDifferences()
    {
        Matrix<double> W = Random(3, 3, 350, 0.6), x = Random(2, 3, 351), cotangent = Random(2, 3, 352);
        Matrix<double> dW = Garbage(W), dx = Garbage(x), dresult = cotangent.Clone();

        Matrix<double> value = MatrixControlFlowFunctions.SmoothVectorJacobian(W, x, 3, dresult, dW, dx);

        Matrix<double> expected = MatrixControlFlowFunctions.Smooth(W, x, 3);
        Assert.Equal(expected.Span.ToArray(), value.Span.ToArray());
        // The cotangent given is read, never written.
        Assert.Equal(cotangent.Span.ToArray(), dresult.Span.ToArray());
        double Contracted()
        {
            ReadOnlySpan<double> y = MatrixControlFlowFunctions.Smooth(W, x, 3).Span, c = cotangent.Span;
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
                sum += y[i] * c[i];
            return sum;
        }
        Assert.InRange(MaxRelativeError(Contracted, W, dW), 0, 1e-7);
        Assert.InRange(MaxRelativeError(Contracted, x, dx), 0, 1e-7);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void ANumberFromMatricesPassedToAnOperationInABranchMatchesFiniteDifferences(int steps)
    {
        Matrix<double> W = Random(3, 3, 360, 0.5), x = Random(4, 3, 361), v = Random(3, 3, 362);
        Matrix<double> dW = Garbage(W), hW = Garbage(W);

        double loss = MatrixControlFlowFunctions.RescaleLossGradient(W, x, steps, dW);
        var (value, derivative) = MatrixControlFlowFunctions.RescaleLossTangent(W, x, steps, v);
        double product = MatrixControlFlowFunctions.RescaleLossHessianVector(W, x, steps, v, hW);

        double Loss() => MatrixControlFlowFunctions.RescaleLoss(W, x, steps);
        Assert.Equal(Loss(), loss, 12);
        Assert.Equal(Loss(), value, 12);
        Assert.Equal(Loss(), product, 12);
        Assert.InRange(MaxRelativeError(Loss, W, dW), 0, 1e-7);
        // The tangent along v is the gradient's inner product with v.
        Assert.Equal(Dot(dW, v), derivative, 1e-9 * (1 + Math.Abs(derivative)));
        // The Hessian-vector product is the derivative of the gradient along v, by central differences.
        Matrix<double> Gradient(double t)
        {
            Matrix<double> moved = W.Clone(), g = new(3, 3);
            for (int k = 0; k < moved.Length; k++)
                moved.Span[k] += t * v.Span[k];
            MatrixControlFlowFunctions.RescaleLossGradient(moved, x, steps, g);
            return g;
        }
        const double h = 1e-5;
        Matrix<double> plus = Gradient(h), minus = Gradient(-h);
        for (int k = 0; k < hW.Length; k++)
        {
            double expected = (plus.Span[k] - minus.Span[k]) / (2 * h);
            Assert.Equal(expected, hW.Span[k], 1e-6 * (1 + Math.Abs(expected)));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void ASwitchExpressionOverMatricesMatchesFiniteDifferences(int kind)
    {
        Matrix<double> W = Random(3, 3, 370, 0.5), x = Random(4, 3, 371), v = Random(3, 3, 372);
        Matrix<double> dW = Garbage(W);

        double loss = MatrixControlFlowFunctions.ChooseLossGradient(W, x, kind, dW);
        var (value, derivative) = MatrixControlFlowFunctions.ChooseLossTangent(W, x, kind, v);

        double Loss() => MatrixControlFlowFunctions.ChooseLoss(W, x, kind);
        Assert.Equal(Loss(), loss, 12);
        Assert.Equal(Loss(), value, 12);
        Assert.InRange(MaxRelativeError(Loss, W, dW), 0, 1e-7);
        Assert.Equal(Dot(dW, v), derivative, 1e-9 * (1 + Math.Abs(derivative)));
    }

    [Fact]
    public void ASwitchExpressionOverMatricesThrowsWhenNoArmMatches()
    {
        Matrix<double> W = Random(3, 3, 373), x = Random(4, 3, 374);
        Assert.Throws<ArgumentOutOfRangeException>(() => MatrixControlFlowFunctions.ChooseLossGradient(W, x, 7, new Matrix<double>(3, 3)));
    }
}
