using static Backprop.MatrixOps;

namespace Backprop.Gradients.Tests;

/// <summary>
/// A small convolutional network for the generator to differentiate: the geometries are passive values (static
/// fields and a parameter) passed through to the operations, as the sample's MNIST network does.
/// </summary>
public static partial class ConvolutionFunctions
{
    /// <summary>2 channels of 7×6, 3 filters of 3×3 with stride 1 and padding 1.</summary>
    public static readonly Conv2DGeometry First = new(2, 7, 6, 3, 3, stride: 1, padding: 1);

    /// <summary>Max pooling of the first layer's 3×7×6 output over 2×2 windows: 3×3×3.</summary>
    public static readonly Pool2DGeometry FirstPool = new(3, 7, 6, 2);

    /// <summary>The pooled 3×3×3 through 4 filters of 2×2 with stride 2 and padding 1: 4×2×2.</summary>
    public static readonly Conv2DGeometry Second = new(3, 3, 3, 4, 2, stride: 2, padding: 1);

    /// <summary>Conv → bias → ReLU → max pool → conv → bias → tanh → average pool (over <paramref name="secondPool"/>) → dropout → linear → softmax cross-entropy.</summary>
    [Differentiable]
    public static double Loss(Matrix<double> W1, Matrix<double> b1, Matrix<double> W2, Matrix<double> b2, Matrix<double> W3, Matrix<double> b3,
        [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t, Pool2DGeometry secondPool, DropoutMask dropout)
    {
        var h1 = MaxPool2D(Relu(AddChannelBias(Conv2D(x, W1, First), b1)), FirstPool);
        var h2 = AvgPool2D(Tanh(AddChannelBias(Conv2D(h1, W2, Second), b2)), secondPool);
        var y = MatMul(Dropout(h2, dropout), W3) + b3;
        return SoftmaxCrossEntropy(y, t);
    }
}
