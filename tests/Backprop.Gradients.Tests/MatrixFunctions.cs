using static Backprop.MatrixOps;

namespace Backprop.Gradients.Tests;

/// <summary>Matrix methods the generator differentiates in this project's build; their gradients are checked in MatrixGradientTests.</summary>
public static partial class MatrixFunctions
{
    /// <summary>Seed 001: the 10-15-5 network with sigmoid activations and the error ½(Z₂ − T)², summed over the outputs.</summary>
    [Differentiable]
    public static double SeedNetworkError(Matrix<double> W1, Matrix<double> B1, Matrix<double> W2, Matrix<double> B2,
        [NoDerivative] Matrix<double> X, [NoDerivative] Matrix<double> T)
    {
        var Z1 = Sigmoid(MatMul(X, W1) + B1);
        var Z2 = Sigmoid(MatMul(Z1, W2) + B2);
        return 0.5 * Sum(Square(Z2 - T));
    }

    /// <summary>The seeds' TwoLayerNet: Affine → ReLU → Affine → SoftmaxWithLoss.</summary>
    [Differentiable]
    public static double TwoLayerLoss(Matrix<double> W1, Matrix<double> b1, Matrix<double> W2, Matrix<double> b2,
        [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t)
    {
        var h = Relu(MatMul(x, W1) + b1);
        var y = MatMul(h, W2) + b2;
        return SoftmaxCrossEntropy(y, t);
    }
}

/// <summary>Layers, scalars mixed with matrices, values used twice, and users' own derivative rules.</summary>
public static partial class MatrixComposition
{
    /// <summary>A layer: another [Differentiable] method calls it, and its gradients chain through its own workspace.</summary>
    [Differentiable]
    public static Matrix<double> Dense(Matrix<double> x, Matrix<double> W, Matrix<double> b) => Tanh(MatMul(x, W) + b);

    /// <summary>The same layer twice (separate workspaces), a skip connection (h1 used twice), and an L2 penalty with a differentiable weight.</summary>
    [Differentiable]
    public static double ResidualLoss(Matrix<double> W1, Matrix<double> b1, Matrix<double> W2, Matrix<double> b2, double lambda,
        [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t)
    {
        var h1 = Dense(x, W1, b1);
        var h2 = Dense(h1, W2, b2) + h1;
        var loss = MeanSquaredError(h2, t);
        loss = loss + lambda * Sum(Multiply(W1, W1)) + 0.5 * lambda * lambda;
        return loss / 2.0 - Mean(Softplus(h2)) * lambda;
    }

    /// <summary>A user's matrix function, with its destination form and its pullback beside it.</summary>
    public static Matrix<double> Softplus(Matrix<double> x)
    {
        var y = new Matrix<double>(x.Rows, x.Columns);
        Softplus(x, y);
        return y;
    }

    public static void Softplus(Matrix<double> x, Matrix<double> destination)
    {
        for (int i = 0; i < x.Length; i++)
            destination.Span[i] = Math.Log(1 + Math.Exp(x.Span[i]));
    }

    [DerivativeOf(nameof(Softplus))]
    public static void SoftplusPullback(Matrix<double> x, Matrix<double> result, Matrix<double> dResult, Matrix<double>? dX)
    {
        if (dX is null)
            return;
        for (int i = 0; i < x.Length; i++)
            dX.Span[i] = dResult.Span[i] / (1 + Math.Exp(-x.Span[i]));
    }

    /// <summary>A user's scalar function with its pullback, called from matrix code.</summary>
    public static double Cube(double s) => s * s * s;

    [DerivativeOf(nameof(Cube))]
    public static void CubePullback(double s, double result, double dResult, out double dS) => dS = dResult * 3 * s * s;

    [Differentiable]
    public static double CubedNorm(Matrix<double> W, double scale) => Cube(scale * Sum(Square(W)));
}
