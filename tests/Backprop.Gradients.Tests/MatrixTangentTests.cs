using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>
/// Forward mode of methods over matrices: a tangent is the gradient dotted with the direction (reverse and forward mode
/// agree to rounding), and both match central differences of the function along the direction.
/// </summary>
public class MatrixTangentTests
{
    /// <summary>Central differences of <paramref name="f"/> along the directions, moving every parameter at once.</summary>
    private static double AlongDirection(Func<double> f, Matrix<double>[] parameters, Matrix<double>[] directions, Action<double>? moveScalar = null, double h = 1e-5)
    {
        void Move(double step)
        {
            for (int p = 0; p < parameters.Length; p++)
                for (int i = 0; i < parameters[p].Length; i++)
                    parameters[p].Span[i] += step * directions[p].Span[i];
            moveScalar?.Invoke(step);
        }
        Move(h);
        double up = f();
        Move(-2 * h);
        double down = f();
        Move(h);
        return (up - down) / (2 * h);
    }

    [Fact]
    public void ATwoLayerNetworksTangentIsItsGradientAlongTheDirection()
    {
        Matrix<double> W1 = Random(4, 5, 400, 0.5), b1 = Random(1, 5, 401, 0.5), W2 = Random(5, 3, 402, 0.5), b2 = Random(1, 3, 403, 0.5);
        Matrix<double> x = Random(6, 4, 404), t = OneHot(6, 3, 405);
        Matrix<double> vW1 = Random(4, 5, 410), vb1 = Random(1, 5, 411), vW2 = Random(5, 3, 412), vb2 = Random(1, 3, 413);
        double lambda = 0.3, vLambda = -0.7;

        var (value, derivative) = MatrixTangentFunctions.TwoLayerLossTangent(W1, b1, W2, b2, lambda, x, t, vW1, vb1, vW2, vb2, vLambda);
        Matrix<double> gW1 = Garbage(W1), gb1 = Garbage(b1), gW2 = Garbage(W2), gb2 = Garbage(b2);
        double loss = MatrixTangentFunctions.TwoLayerLossGradient(W1, b1, W2, b2, lambda, x, t, gW1, gb1, gW2, gb2, out double gLambda);

        Assert.Equal(loss, value, 12);
        double expected = Dot(gW1, vW1) + Dot(gb1, vb1) + Dot(gW2, vW2) + Dot(gb2, vb2) + gLambda * vLambda;
        Assert.Equal(expected, derivative, 1e-10 * Math.Max(1, Math.Abs(expected)));
        double numeric = AlongDirection(() => MatrixTangentFunctions.TwoLayerLoss(W1, b1, W2, b2, lambda, x, t),
            new[] { W1, b1, W2, b2 }, new[] { vW1, vb1, vW2, vb2 }, step => lambda += step * vLambda);
        Assert.Equal(numeric, derivative, 1e-7 * Math.Max(1, Math.Abs(numeric)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void ALayersTangentIsWrittenIntoTheCallersBufferAndMatchesFiniteDifferences(int times)
    {
        Matrix<double> W = Random(3, 3, 420, 0.6), x = Random(2, 3, 421), vW = Random(3, 3, 422), vx = Random(2, 3, 423);
        double scale = 0.8, vScale = 0.4;
        Matrix<double> dresult = Garbage(x);

        var (value, derivative) = MatrixTangentFunctions.RepeatTangent(W, x, scale, times, vW, vx, vScale, dresult);

        Assert.Same(dresult, derivative);
        Assert.Equal(MatrixTangentFunctions.Repeat(W, x, scale, times).Span.ToArray(), value.Span.ToArray());
        // Each element of the result along the direction, by central differences.
        for (int i = 0; i < dresult.Length; i++)
        {
            int element = i;
            double numeric = AlongDirection(() => MatrixTangentFunctions.Repeat(W, x, scale, times).Span[element],
                new[] { W, x }, new[] { vW, vx }, step => scale += step * vScale);
            Assert.Equal(numeric, dresult.Span[i], 1e-7 * Math.Max(1, Math.Abs(numeric)));
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(0.05)]
    [InlineData(-10)]
    public void ATangentThroughABreakInAForeachOverMatricesIsTheGradientAlongTheDirection(double limit)
    {
        Matrix<double>[] W = Enumerable.Range(0, 3).Select(k => Random(3, 3, 430 + k, 0.7)).ToArray();
        Matrix<double>[] vW = Enumerable.Range(0, 3).Select(k => Random(3, 3, 440 + k)).ToArray();
        Matrix<double> x = Random(2, 3, 435), vx = Random(2, 3, 436);

        var (value, derivative) = MatrixTangentFunctions.StackLossTangent(W, x, limit, vW, vx, 0);
        Matrix<double>[] gW = W.Select(Garbage).ToArray();
        Matrix<double> gx = Garbage(x);
        double loss = MatrixTangentFunctions.StackLossGradient(W, x, limit, gW, gx, out _);

        Assert.Equal(loss, value, 12);
        double expected = Enumerable.Range(0, 3).Sum(k => Dot(gW[k], vW[k])) + Dot(gx, vx);
        Assert.Equal(expected, derivative, 1e-10 * Math.Max(1, Math.Abs(expected)));
    }
}
