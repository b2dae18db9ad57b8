using Backprop.Testing;
using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>Generated gradients of matrix methods against closed forms and central finite differences.</summary>
public class MatrixGradientTests
{
    [Fact]
    public void SeedNetworkGradientsEqualTheClosedFormsOfSeed001()
    {
        Matrix<double> X = Random(1, 10, 1), W1 = Random(10, 15, 2, 0.5), B1 = Random(1, 15, 3, 0.5), W2 = Random(15, 5, 4, 0.5), B2 = Random(1, 5, 5, 0.5);
        Matrix<double> T = OneHot(1, 5, 6);
        Matrix<double> dW1 = Garbage(W1), dB1 = Garbage(B1), dW2 = Garbage(W2), dB2 = Garbage(B2);

        double error = MatrixFunctions.SeedNetworkErrorGradient(W1, B1, W2, B2, X, T, dW1, dB1, dW2, dB2);

        // The seed's forward pass and its closed forms, in plain loops.
        double[] z1 = new double[15], z2 = new double[5];
        for (int j = 0; j < 15; j++)
            z1[j] = Sigmoid(B1[0, j] + Enumerable.Range(0, 10).Sum(i => X[0, i] * W1[i, j]));
        for (int k = 0; k < 5; k++)
            z2[k] = Sigmoid(B2[0, k] + Enumerable.Range(0, 15).Sum(j => z1[j] * W2[j, k]));
        Assert.Equal(0.5 * Enumerable.Range(0, 5).Sum(k => (z2[k] - T[0, k]) * (z2[k] - T[0, k])), error, 12);
        double[] delta2 = Enumerable.Range(0, 5).Select(k => (z2[k] - T[0, k]) * z2[k] * (1 - z2[k])).ToArray();   // dB2 = (Z2 − T)⊙Z2⊙(1 − Z2)
        double[] dZ1 = Enumerable.Range(0, 15).Select(j => Enumerable.Range(0, 5).Sum(k => delta2[k] * W2[j, k])).ToArray(); // dZ1 = dB2·W2ᵀ
        double[] delta1 = Enumerable.Range(0, 15).Select(j => dZ1[j] * z1[j] * (1 - z1[j])).ToArray();
        for (int k = 0; k < 5; k++)
        {
            Assert.Equal(delta2[k], dB2[0, k], 12);
            for (int j = 0; j < 15; j++)
                Assert.Equal(z1[j] * delta2[k], dW2[j, k], 12);                                                       // dW2 = Z1ᵀ·dB2
        }
        for (int j = 0; j < 15; j++)
        {
            Assert.Equal(delta1[j], dB1[0, j], 12);
            for (int i = 0; i < 10; i++)
                Assert.Equal(X[0, i] * delta1[j], dW1[i, j], 12);                                                     // dW1 = Xᵀ·dB1
        }

        double Loss() => MatrixFunctions.SeedNetworkError(W1, B1, W2, B2, X, T);
        foreach (var (parameter, gradient) in new[] { (W1, dW1), (B1, dB1), (W2, dW2), (B2, dB2) })
            Assert.InRange(MaxRelativeError(Loss, parameter, gradient), 0, 1e-7);
    }

    private static double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));

    [Fact]
    public void TwoLayerNetPassesTheGradientCheckAndItsSoftmaxGradientIsYMinusTOverTheBatch()
    {
        const int batch = 100;
        Matrix<double> x = Matrix<double>.RandomUniform(batch, 784, 0, 1, 7), t = OneHot(batch, 10, 8);
        Matrix<double> W1 = Random(784, 50, 9, 0.05), b1 = Random(1, 50, 10, 0.1), W2 = Random(50, 10, 11, 0.3), b2 = Random(1, 10, 12, 0.1);
        Matrix<double> dW1 = Garbage(W1), db1 = Garbage(b1), dW2 = Garbage(W2), db2 = Garbage(b2);

        double loss = MatrixFunctions.TwoLayerLossGradient(W1, b1, W2, b2, x, t, dW1, db1, dW2, db2);
        Assert.Equal(MatrixFunctions.TwoLayerLoss(W1, b1, W2, b2, x, t), loss);

        // ∂L/∂b2 = Σ over the batch of (softmax(y) − t)/batch, y = relu(x·W1 + b1)·W2 + b2.
        Matrix<double> y = MatrixOps.MatMul(MatrixOps.Relu(MatrixOps.MatMul(x, W1) + b1), W2) + b2;
        for (int k = 0; k < 10; k++)
        {
            double expected = 0;
            for (int n = 0; n < batch; n++)
            {
                double max = Enumerable.Range(0, 10).Max(j => y[n, j]);
                double denominator = Enumerable.Range(0, 10).Sum(j => Math.Exp(y[n, j] - max));
                expected += (Math.Exp(y[n, k] - max) / denominator - t[n, k]) / batch;
            }
            Assert.Equal(expected, db2[0, k], 12);
        }

        double Loss() => MatrixFunctions.TwoLayerLoss(W1, b1, W2, b2, x, t);
        var sample = new Random(13);
        foreach (var (parameter, gradient) in new[] { (W1, dW1), (b1, db1), (W2, dW2), (b2, db2) })
        {
            var coordinates = Enumerable.Range(0, 60).Select(_ => sample.Next(parameter.Length)).ToList();
            Assert.InRange(MaxRelativeError(Loss, parameter, gradient, coordinates, step: 1e-4), 0, 1e-6);
        }
    }

    [Fact]
    public void LayersSkipConnectionsAndScalarsChain()
    {
        Matrix<double> x = Random(8, 6, 21), t = Random(8, 6, 22);
        Matrix<double> W1 = Random(6, 6, 23, 0.4), b1 = Random(1, 6, 24, 0.2), W2 = Random(6, 6, 25, 0.4), b2 = Random(1, 6, 26, 0.2);
        double lambda = 0.3;
        Matrix<double> dW1 = Garbage(W1), db1 = Garbage(b1), dW2 = Garbage(W2), db2 = Garbage(b2);

        double loss = MatrixComposition.ResidualLossGradient(W1, b1, W2, b2, lambda, x, t, dW1, db1, dW2, db2, out double dLambda);

        Assert.Equal(MatrixComposition.ResidualLoss(W1, b1, W2, b2, lambda, x, t), loss, 12);
        double Loss() => MatrixComposition.ResidualLoss(W1, b1, W2, b2, lambda, x, t);
        foreach (var (parameter, gradient) in new[] { (W1, dW1), (b1, db1), (W2, dW2), (b2, db2) })
            Assert.InRange(MaxRelativeError(Loss, parameter, gradient), 0, 1e-7);
        double h = 1e-6;
        double numerical = (MatrixComposition.ResidualLoss(W1, b1, W2, b2, lambda + h, x, t) - MatrixComposition.ResidualLoss(W1, b1, W2, b2, lambda - h, x, t)) / (2 * h);
        Assert.Equal(numerical, dLambda, 7);
    }

    [Fact]
    public void UsersScalarPullbackChainsThroughMatrixCode()
    {
        Matrix<double> W = Random(3, 4, 31, 0.5), dW = Garbage(W);
        const double scale = 0.7;

        double value = MatrixComposition.CubedNormGradient(W, scale, dW, out double dScale);

        double norm = W.Span.ToArray().Sum(w => w * w);
        Assert.Equal(Math.Pow(scale * norm, 3), value, 12);
        // d/dW (s·Σw²)³ = 3(s·Σw²)²·s·2w; d/ds = 3(s·Σw²)²·Σw².
        for (int i = 0; i < W.Length; i++)
            Assert.Equal(3 * Math.Pow(scale * norm, 2) * scale * 2 * W.Span[i], dW.Span[i], 12);
        Assert.Equal(3 * Math.Pow(scale * norm, 2) * norm, dScale, 12);
    }

    [Fact]
    public void AGradientBufferOfTheWrongShapeIsRefusedWithBothShapes()
    {
        Matrix<double> W = Random(3, 4, 41), wrong = new(4, 3);
        var exception = Assert.Throws<ArgumentException>(() => MatrixComposition.CubedNormGradient(W, 1, wrong, out _));
        Assert.Contains("dW", exception.Message);
        Assert.Contains("4×3", exception.Message);
        Assert.Contains("3×4", exception.Message);
    }

    [Fact]
    public void SteadyStateGradientCallsAllocateNothingEvenWhenTheBatchShrinks()
    {
        Matrix<double> W1 = Random(784, 50, 51, 0.05), b1 = Random(1, 50, 52), W2 = Random(50, 10, 53, 0.3), b2 = Random(1, 10, 54);
        Matrix<double> dW1 = Garbage(W1), db1 = Garbage(b1), dW2 = Garbage(W2), db2 = Garbage(b2);
        Matrix<double> x = Matrix<double>.RandomUniform(100, 784, 0, 1, 55), t = OneHot(100, 10, 56);
        Matrix<double> lastX = Matrix<double>.RandomUniform(37, 784, 0, 1, 57), lastT = OneHot(37, 10, 58);
        MatrixFunctions.TwoLayerLossGradient(W1, b1, W2, b2, x, t, dW1, db1, dW2, db2);

        double sink = 0;
        Assert.Equal(0, SteadyState.Allocated(() =>
        {
            sink += MatrixFunctions.TwoLayerLossGradient(W1, b1, W2, b2, x, t, dW1, db1, dW2, db2);
            sink += MatrixFunctions.TwoLayerLossGradient(W1, b1, W2, b2, lastX, lastT, dW1, db1, dW2, db2);
        }, calls: 5));
        Assert.True(double.IsFinite(sink));
    }
}
