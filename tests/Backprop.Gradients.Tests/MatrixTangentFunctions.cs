using static Backprop.MatrixOps;

namespace Backprop.Gradients.Tests;

/// <summary>Methods over matrices with forward mode: a two-layer network's loss, and a layer with a loop.</summary>
public static partial class MatrixTangentFunctions
{
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double TwoLayerLoss(Matrix<double> W1, Matrix<double> b1, Matrix<double> W2, Matrix<double> b2, double lambda,
        [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t)
    {
        var h = Tanh(MatMul(x, W1) + b1);
        var y = MatMul(h, W2) + b2;
        return SoftmaxCrossEntropy(y, t) + lambda * Sum(Multiply(W1, W1));
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static Matrix<double> Repeat(Matrix<double> W, Matrix<double> x, double scale, int times)
    {
        var h = x;
        int k = 0;
        while (k < times)
        {
            h = Sigmoid(MatMul(h, W) * scale) + h;
            k++;
        }
        return h;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double StackLoss(Matrix<double>[] W, Matrix<double> x, double limit)
    {
        var h = x;
        foreach (var w in W)
        {
            h = Tanh(MatMul(h, w));
            if (Mean(h) > limit)
                break;
        }
        return MeanSquaredError(h, x);
    }
}
