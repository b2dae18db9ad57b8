using Backprop.Testing;
using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>Generated gradients of matrix methods with branches and loops, against central finite differences.</summary>
public class MatrixFlowGradientTests
{
    /// <summary>Three layers of odd widths (7 → 5 → 3 → 4) on a batch of 6.</summary>
    private static (Matrix<double>[] W, Matrix<double>[] b) Layers(int seed, params int[] widths)
    {
        var W = new Matrix<double>[widths.Length - 1];
        var b = new Matrix<double>[widths.Length - 1];
        for (int i = 0; i < W.Length; i++)
        {
            W[i] = Random(widths[i], widths[i + 1], seed + 2 * i, 0.6);
            b[i] = Random(1, widths[i + 1], seed + 2 * i + 1, 0.3);
        }
        return (W, b);
    }

    private static Matrix<double>[] GarbageLike(Matrix<double>[] parameters) => parameters.Select(Garbage).ToArray();

    private static void AssertMatches(Func<double> loss, Matrix<double>[] parameters, Matrix<double>[] gradients)
    {
        for (int i = 0; i < parameters.Length; i++)
            Assert.InRange(MaxRelativeError(loss, parameters[i], gradients[i]), 0, 1e-7);
    }

    private static void AssertScalarMatches(Func<double, double> loss, double at, double gradient)
    {
        const double h = 1e-5;
        double numerical = (-loss(at + 2 * h) + 8 * loss(at + h) - 8 * loss(at - h) + loss(at - 2 * h)) / (12 * h);
        Assert.True(Math.Abs(numerical - gradient) <= 1e-7 * Math.Max(1, Math.Abs(numerical)), $"generated {gradient:R}, finite differences {numerical:R}");
    }

    [Fact]
    public void ALoopOverThreeLayersInArraysMatchesFiniteDifferencesOnEveryParameter()
    {
        var (W, b) = Layers(100, 7, 5, 3, 4);
        Matrix<double> x = Random(6, 7, 110), t = OneHot(6, 4, 111);
        const double lambda = 0.05;
        Matrix<double>[] dW = GarbageLike(W), db = GarbageLike(b);

        double loss = MatrixFlowFunctions.DeepLossGradient(W, b, lambda, x, t, dW, db, out double dLambda);

        Assert.Equal(MatrixFlowFunctions.DeepLoss(W, b, lambda, x, t), loss, 12);
        AssertMatches(() => MatrixFlowFunctions.DeepLoss(W, b, lambda, x, t), W, dW);
        AssertMatches(() => MatrixFlowFunctions.DeepLoss(W, b, lambda, x, t), b, db);
        AssertScalarMatches(l => MatrixFlowFunctions.DeepLoss(W, b, l, x, t), lambda, dLambda);
        // The penalty's share alone: ∂/∂λ (λ·Σ‖Wᵢ‖²) = Σ‖Wᵢ‖².
        Assert.Equal(W.Sum(w => w.Span.ToArray().Sum(v => v * v)), dLambda, 12);
    }

    [Fact]
    public void TheSameLoopWithADifferentNumberOfLayersReusesTheWorkspace()
    {
        // Four layers, then two, then four again: the slots of the longer run stay and the shorter run reads only its own.
        foreach (int[] widths in new[] { new[] { 5, 6, 4, 3, 2 }, new[] { 5, 3, 2 }, new[] { 5, 6, 4, 3, 2 } })
        {
            var (W, b) = Layers(widths.Length * 10, widths);
            Matrix<double> x = Random(4, 5, 120), t = OneHot(4, 2, 121);
            Matrix<double>[] dW = GarbageLike(W), db = GarbageLike(b);
            MatrixFlowFunctions.DeepLossGradient(W, b, 0.1, x, t, dW, db, out _);
            AssertMatches(() => MatrixFlowFunctions.DeepLoss(W, b, 0.1, x, t), W, dW);
            AssertMatches(() => MatrixFlowFunctions.DeepLoss(W, b, 0.1, x, t), b, db);
        }
    }

    [Theory]
    [InlineData(true, 0.8)]
    [InlineData(true, 0.2)]
    [InlineData(false, 0.8)]
    public void EachBranchOfNestedIfsGetsItsOwnGradient(bool squash, double threshold)
    {
        Matrix<double> W = Random(4, 3, 130, 0.7), b = Random(1, 3, 131, 0.3), x = Random(5, 4, 132), t = Random(5, 3, 133);
        const double lambda = 0.3;
        Matrix<double> dW = Garbage(W), db = Garbage(b);

        double loss = MatrixFlowFunctions.BranchLossGradient(W, b, lambda, x, t, squash, threshold, dW, db, out double dLambda);

        double Loss() => MatrixFlowFunctions.BranchLoss(W, b, lambda, x, t, squash, threshold);
        Assert.Equal(Loss(), loss, 12);
        Assert.InRange(MaxRelativeError(Loss, W, dW), 0, 1e-7);
        Assert.InRange(MaxRelativeError(Loss, b, db), 0, 1e-7);
        AssertScalarMatches(l => MatrixFlowFunctions.BranchLoss(W, b, l, x, t, squash, threshold), lambda, dLambda);
        // The penalty's branch decides ∂/∂λ of the penalty: Σw², Σw²·threshold, or Σw² + 1 on top of the data term's share (none: λ is only in the penalty).
        double squares = W.Span.ToArray().Sum(w => w * w);
        Assert.Equal(squash ? threshold > 0.5 ? squares * threshold : squares : squares + 1, dLambda, 12);
    }

    [Fact]
    public void WeightsSharedByEveryIterationCollectEveryIterationsShare()
    {
        Matrix<double> W = Random(4, 4, 140, 0.5), U = Random(3, 4, 141, 0.5), h0 = Random(2, 4, 142, 0.5), t = Random(2, 4, 143, 0.5);
        Matrix<double>[] xs = Enumerable.Range(0, 5).Select(k => Random(2, 3, 150 + k)).ToArray();
        Matrix<double> dW = Garbage(W), dU = Garbage(U), dh0 = Garbage(h0);

        foreach (int steps in new[] { 5, 1, 0, 3 })
        {
            double loss = MatrixFlowFunctions.RecurrentLossGradient(W, U, h0, xs, steps, t, dW, dU, dh0);

            double Loss() => MatrixFlowFunctions.RecurrentLoss(W, U, h0, xs, steps, t);
            Assert.Equal(Loss(), loss, 12);
            foreach (var (parameter, gradient) in new[] { (W, dW), (U, dU), (h0, dh0) })
                Assert.InRange(MaxRelativeError(Loss, parameter, gradient), 0, 1e-7);
            if (steps == 0)
            {
                // No step ran: the weights get zero (not the last call's leftovers), and h0 gets the loss's gradient directly.
                Assert.All(dW.Span.ToArray(), g => Assert.Equal(0, g));
                Assert.All(dU.Span.ToArray(), g => Assert.Equal(0, g));
            }
        }
    }

    [Fact]
    public void NestedLoopsWithABranchOnTheirCountersMatchFiniteDifferences()
    {
        Matrix<double> W = Random(3, 3, 160, 0.6), V = Random(3, 3, 161, 0.6), x = Random(4, 3, 162);
        Matrix<double> dW = Garbage(W), dV = Garbage(V);
        foreach (var (outer, inner) in new[] { (3, 2), (2, 3), (1, 0) })
        {
            double loss = MatrixFlowFunctions.NestedLoopsLossGradient(W, V, x, outer, inner, dW, dV);

            double Loss() => MatrixFlowFunctions.NestedLoopsLoss(W, V, x, outer, inner);
            Assert.Equal(Loss(), loss, 12);
            Assert.InRange(MaxRelativeError(Loss, W, dW), 0, 1e-7);
            Assert.InRange(MaxRelativeError(Loss, V, dV), 0, 1e-7);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(100.0)]
    public void LayersInALoopAndABranchOnTheLossChainThroughTheirWorkspaces(double threshold)
    {
        var (W, b) = Layers(210, 3, 3, 3, 3);
        Matrix<double> V = Random(3, 3, 220, 0.6), x = Random(4, 3, 221), t = Random(4, 3, 222);
        Matrix<double>[] dW = GarbageLike(W), db = GarbageLike(b);
        Matrix<double> dV = Garbage(V);

        double loss = MatrixFlowComposition.LayerLoopLossGradient(W, b, V, x, t, threshold, dW, db, dV, out double dThreshold);

        double Loss() => MatrixFlowComposition.LayerLoopLoss(W, b, V, x, t, threshold);
        Assert.Equal(Loss(), loss, 12);
        AssertMatches(Loss, W, dW);
        AssertMatches(Loss, b, db);
        // The threshold only decides a branch: a comparison has no derivative.
        Assert.Equal(0, dThreshold);
        if (threshold > 0)
            Assert.All(dV.Span.ToArray(), g => Assert.Equal(0, g));
        else
            Assert.InRange(MaxRelativeError(Loss, V, dV), 0, 1e-7);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALayerWhoseResultIsCarriedByALoopChainsInEachIteration(bool second)
    {
        Matrix<double> W = Random(3, 3, 230, 0.6), V = Random(2, 2, 231);
        Matrix<double>[] xs = Enumerable.Range(0, 3).Select(k => Random(2, 3, 232 + k)).ToArray();
        Matrix<double> dW = Garbage(W), dV = Garbage(V);

        double loss = MatrixFlowLayers.PickLossGradient(W, V, xs, second, dW, dV);

        double Loss() => MatrixFlowLayers.PickLoss(W, V, xs, second);
        Assert.Equal(Loss(), loss, 12);
        Assert.InRange(MaxRelativeError(Loss, W, dW), 0, 1e-7);
        Assert.InRange(MaxRelativeError(Loss, V, dV), 0, 1e-7);
    }

    [Fact]
    public void AnArrayOfGradientBuffersOfTheWrongShapeOrLengthIsRefused()
    {
        var (W, b) = Layers(170, 3, 4, 2);
        Matrix<double> x = Random(2, 3, 171), t = OneHot(2, 2, 172);
        Matrix<double>[] dW = GarbageLike(W), db = GarbageLike(b);
        dW[1] = new Matrix<double>(2, 4);

        var shape = Assert.Throws<ArgumentException>(() => MatrixFlowFunctions.DeepLossGradient(W, b, 0.1, x, t, dW, db, out _));
        Assert.Equal("dW", shape.ParamName);
        Assert.Contains("'dW[1]' is 2×4", shape.Message);
        Assert.Contains("'W[1]' is 4×2", shape.Message);

        var length = Assert.Throws<ArgumentException>(() => MatrixFlowFunctions.DeepLossGradient(W, b, 0.1, x, t, GarbageLike(W), db.Take(1).ToArray(), out _));
        Assert.Equal("db", length.ParamName);
        Assert.Contains("1 matrices", length.Message);
        Assert.Contains("has 2", length.Message);
    }

    [Fact]
    public void SteadyStateLoopGradientsAllocateNothingEvenWhenTheBatchShrinks()
    {
        int[] widths = { 784, 64, 32, 10 };
        var W = new Matrix<float>[3];
        var b = new Matrix<float>[3];
        for (int i = 0; i < 3; i++)
        {
            W[i] = Matrix<float>.RandomNormal(widths[i], widths[i + 1], 0.05, 180 + i);
            b[i] = Matrix<float>.RandomNormal(1, widths[i + 1], 0.1, 190 + i);
        }
        Matrix<float>[] dW = W.Select(w => new Matrix<float>(w.Rows, w.Columns)).ToArray(), db = b.Select(v => new Matrix<float>(v.Rows, v.Columns)).ToArray();
        Matrix<float> x = Matrix<float>.RandomUniform(100, 784, 0, 1, 200), t = OneHotFloat(100, 201);
        Matrix<float> lastX = Matrix<float>.RandomUniform(37, 784, 0, 1, 202), lastT = OneHotFloat(37, 203);
        MatrixFlowFunctions.ReluStackLossGradient(W, b, x, t, dW, db);

        float sink = 0;
        Assert.Equal(0, SteadyState.Allocated(() =>
        {
            sink += MatrixFlowFunctions.ReluStackLossGradient(W, b, lastX, lastT, dW, db);
            sink += MatrixFlowFunctions.ReluStackLossGradient(W, b, x, t, dW, db);
        }, calls: 5));
        Assert.True(float.IsFinite(sink));
    }

    private static Matrix<float> OneHotFloat(int rows, int seed)
    {
        var random = new Random(seed);
        var t = new Matrix<float>(rows, 10);
        for (int i = 0; i < rows; i++)
            t[i, random.Next(10)] = 1;
        return t;
    }
}
