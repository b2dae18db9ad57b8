using static Backprop.MatrixOps;

namespace Backprop.Gradients.Tests;

/// <summary>Second derivatives of methods over matrices, by forward over reverse through each operation's pullback and its tangent rule.</summary>
public static partial class MatrixHessianFunctions
{
    [Differentiable(Derivatives.Gradient | Derivatives.Hessian)]
    public static double TwoLayerLoss(Matrix<double> W1, Matrix<double> b1, Matrix<double> W2, Matrix<double> b2, double lambda,
        [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t)
    {
        var h = Tanh(MatMul(x, W1) + b1);
        var y = MatMul(h, W2) + b2;
        return SoftmaxCrossEntropy(y, t) + lambda * Sum(Multiply(W1, W1));
    }

    [Differentiable(Derivatives.Hessian)]
    public static double LoopLoss(Matrix<double> W, double scale, [NoDerivative] Matrix<double> x, int steps)
    {
        var h = x;
        for (int k = 0; k < steps; k++)
        {
            h = Sigmoid(MatMul(h, W) * scale);
            if (Mean(h) > 0.9)
                break;
        }
        return Sum(Square(h)) + Mean(Exp(W));
    }

    [Differentiable(Derivatives.Hessian)]
    public static double Small(Matrix<double> W, double s, [NoDerivative] Matrix<double> x) => Mean(Square(Tanh(MatMul(x, W) * s)));
}
