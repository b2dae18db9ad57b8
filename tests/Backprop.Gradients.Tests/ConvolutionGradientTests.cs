using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>The generated gradient of a small CNN's loss against central finite differences, with dropout on and off.</summary>
public class ConvolutionGradientTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void CnnLossGradient_MatchesFiniteDifferences(double dropoutRate)
    {
        var secondPool = new Pool2DGeometry(4, 2, 2, 2);
        var dropout = dropoutRate == 0 ? DropoutMask.Evaluation : new DropoutMask(dropoutRate, seed: 5);
        const int batch = 3;
        Matrix<double> x = Random(batch, ConvolutionFunctions.First.InputSize, 1), t = OneHot(batch, 5, 2);
        Matrix<double> W1 = Random(ConvolutionFunctions.First.PatchSize, 3, 3, 0.5), b1 = Random(1, 3, 4, 0.1);
        Matrix<double> W2 = Random(ConvolutionFunctions.Second.PatchSize, 4, 5, 0.5), b2 = Random(1, 4, 6, 0.1);
        Matrix<double> W3 = Random(secondPool.OutputSize, 5, 7, 0.5), b3 = Random(1, 5, 8, 0.1);
        Matrix<double> dW1 = Garbage(W1), db1 = Garbage(b1), dW2 = Garbage(W2), db2 = Garbage(b2), dW3 = Garbage(W3), db3 = Garbage(b3);

        double loss = ConvolutionFunctions.LossGradient(W1, b1, W2, b2, W3, b3, x, t, secondPool, dropout, dW1, db1, dW2, db2, dW3, db3);

        double Loss() => ConvolutionFunctions.Loss(W1, b1, W2, b2, W3, b3, x, t, secondPool, dropout);
        Assert.Equal(Loss(), loss);
        foreach (var (parameter, gradient) in new[] { (W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3) })
            Assert.InRange(MaxRelativeError(Loss, parameter, gradient), 0, 1e-6);
    }
}
