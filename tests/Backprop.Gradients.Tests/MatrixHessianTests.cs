using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>
/// Hessian-vector products of methods over matrices against central differences of the gradient along the direction,
/// and the full Hessian of a small one against central differences of the gradient, column by column.
/// </summary>
public class MatrixHessianTests
{
    /// <summary>(∇f(θ + h·v) − ∇f(θ − h·v)) / 2h for every parameter, the gradient given by <paramref name="gradient"/> into fresh buffers.</summary>
    private static double[][] GradientAlong(Func<Matrix<double>[], double[]> gradient, Matrix<double>[] parameters, Matrix<double>[] directions, double h = 1e-5)
    {
        void Move(double step)
        {
            for (int p = 0; p < parameters.Length; p++)
                for (int i = 0; i < parameters[p].Length; i++)
                    parameters[p].Span[i] += step * directions[p].Span[i];
        }
        Move(h);
        double[] up = gradient(parameters);
        Move(-2 * h);
        double[] down = gradient(parameters);
        Move(h);
        return new[] { up.Zip(down, (a, b) => (a - b) / (2 * h)).ToArray() };
    }

    private static void AssertClose(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Fact]
    public void ATwoLayerNetworksHessianVectorProductMatchesDifferencesOfItsGradient()
    {
        Matrix<double> W1 = Random(4, 5, 500, 0.5), b1 = Random(1, 5, 501, 0.5), W2 = Random(5, 3, 502, 0.5), b2 = Random(1, 3, 503, 0.5);
        Matrix<double> x = Random(6, 4, 504), t = OneHot(6, 3, 505);
        Matrix<double> vW1 = Random(4, 5, 510), vb1 = Random(1, 5, 511), vW2 = Random(5, 3, 512), vb2 = Random(1, 3, 513);
        Matrix<double> lambda = Matrix<double>.FromArray(1, 1, new[] { 0.3 }), vLambda = Matrix<double>.FromArray(1, 1, new[] { -0.7 });
        Matrix<double> hW1 = Garbage(W1), hb1 = Garbage(b1), hW2 = Garbage(W2), hb2 = Garbage(b2);

        double value = MatrixHessianFunctions.TwoLayerLossHessianVector(W1, b1, W2, b2, lambda[0, 0], x, t, vW1, vb1, vW2, vb2, vLambda[0, 0], hW1, hb1, hW2, hb2, out double hLambda);

        Assert.Equal(MatrixHessianFunctions.TwoLayerLoss(W1, b1, W2, b2, lambda[0, 0], x, t), value, 12);
        double[] numeric = GradientAlong(p =>
        {
            Matrix<double> g1 = Garbage(W1), g2 = Garbage(b1), g3 = Garbage(W2), g4 = Garbage(b2);
            MatrixHessianFunctions.TwoLayerLossGradient(p[0], p[1], p[2], p[3], p[4][0, 0], x, t, g1, g2, g3, g4, out double gLambda);
            return g1.Span.ToArray().Concat(g2.Span.ToArray()).Concat(g3.Span.ToArray()).Concat(g4.Span.ToArray()).Append(gLambda).ToArray();
        }, new[] { W1, b1, W2, b2, lambda }, new[] { vW1, vb1, vW2, vb2, vLambda })[0];
        double[] products = hW1.Span.ToArray().Concat(hb1.Span.ToArray()).Concat(hW2.Span.ToArray()).Concat(hb2.Span.ToArray()).Append(hLambda).ToArray();
        Assert.Equal(numeric.Length, products.Length);
        for (int i = 0; i < products.Length; i++)
            AssertClose(numeric[i], products[i], 1e-6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    public void AHessianVectorProductThroughALoopWithABreakMatchesDifferencesOfTheGradient(int steps)
    {
        Matrix<double> W = Random(3, 3, 520, 0.6), x = Random(2, 3, 521), vW = Random(3, 3, 522);
        Matrix<double> scale = Matrix<double>.FromArray(1, 1, new[] { 0.9 }), vScale = Matrix<double>.FromArray(1, 1, new[] { 0.5 });
        Matrix<double> hW = Garbage(W), gW = Garbage(W);

        double value = MatrixHessianFunctions.LoopLossGradientHessianVector(W, scale[0, 0], x, steps, vW, vScale[0, 0], gW, out double gScale, hW, out double hScale);

        Assert.Equal(MatrixHessianFunctions.LoopLoss(W, scale[0, 0], x, steps), value, 12);
        double[] numeric = GradientAlong(p =>
        {
            Matrix<double> g = Garbage(W);
            MatrixHessianFunctions.LoopLossGradientHessianVector(p[0], p[1][0, 0], x, steps, vW, 0, g, out double gs, Garbage(W), out _);
            return g.Span.ToArray().Append(gs).ToArray();
        }, new[] { W, scale }, new[] { vW, vScale })[0];
        double[] products = hW.Span.ToArray().Append(hScale).ToArray();
        for (int i = 0; i < products.Length; i++)
            AssertClose(numeric[i], products[i], 1e-6);
    }

    [Fact]
    public void TheHessianOfASmallMethodOverMatricesMatchesDifferencesOfItsGradientAndIsSymmetric()
    {
        Matrix<double> W = Random(2, 3, 530, 0.7), x = Random(4, 2, 531);
        Matrix<double> s = Matrix<double>.FromArray(1, 1, new[] { 1.3 });
        int size = W.Length + 1;
        var hessian = new double[size, size];

        double value = MatrixHessianFunctions.SmallHessian(W, s[0, 0], x, hessian);

        Assert.Equal(MatrixHessianFunctions.Small(W, s[0, 0], x), value, 12);
        for (int column = 0; column < size; column++)
        {
            Matrix<double> vW = Matrix<double>.Zeros(2, 3), vs = Matrix<double>.Zeros(1, 1);
            if (column < W.Length)
                vW.Span[column] = 1;
            else
                vs[0, 0] = 1;
            double[] numeric = GradientAlong(p =>
            {
                Matrix<double> g = Garbage(W);
                MatrixHessianFunctions.SmallGradientHessianVector(p[0], p[1][0, 0], x, vW, 0, g, out double gs, Garbage(W), out _);
                return g.Span.ToArray().Append(gs).ToArray();
            }, new[] { W, s }, new[] { vW, vs })[0];
            for (int row = 0; row < size; row++)
            {
                AssertClose(numeric[row], hessian[row, column], 1e-6);
                Assert.Equal(hessian[row, column], hessian[column, row]);
            }
        }
    }
}
