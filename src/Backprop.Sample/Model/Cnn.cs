using static Backprop.MatrixOps;

namespace Backprop.Sample.Model;

/// <summary>
/// The convolutional network the sample trains with <c>--model cnn</c>, the PyTorch reference's
/// (<c>../shared/bench/pytorch_cnn.py</c>): conv 5×5×16 → ReLU → max pool 2 → conv 5×5×32 → ReLU → max pool 2 →
/// linear 512 → 10 (each convolution's bias and ReLU applied after its pooling, which is the same function), with the mean softmax cross-entropy as its loss. Only the forward pass is written here; its
/// reverse pass, <c>LossGradient</c>, is generated from it.
/// </summary>
public static partial class Cnn
{
    /// <summary>The first convolution: a 28×28 image through 16 filters of 5×5, giving 16×24×24.</summary>
    public static readonly Conv2DGeometry FirstConvolution = new(1, 28, 28, 16, 5);

    /// <summary>Max pooling of the first convolution's output over 2×2 windows: 16×12×12.</summary>
    public static readonly Pool2DGeometry FirstPooling = new(16, 24, 24, 2);

    /// <summary>The second convolution: 16×12×12 through 32 filters of 5×5×16, giving 32×8×8.</summary>
    public static readonly Conv2DGeometry SecondConvolution = new(16, 12, 12, 32, 5);

    /// <summary>Max pooling of the second convolution's output over 2×2 windows: 32×4×4, the 512 features of the linear layer.</summary>
    public static readonly Pool2DGeometry SecondPooling = new(32, 8, 8, 2);

    /// <summary>The logits of the batch <paramref name="x"/> (one 28×28 image per row), batch × classes.</summary>
    /// <param name="K1">The first convolution's filters, 25 × 16.</param>
    /// <param name="c1">Its biases, one per filter, 1 × 16.</param>
    /// <param name="K2">The second convolution's filters, 400 × 32.</param>
    /// <param name="c2">Its biases, 1 × 32.</param>
    /// <param name="W">The linear layer's weights, 512 × classes.</param>
    /// <param name="b">Its biases, 1 × classes.</param>
    /// <param name="x">The images.</param>
    [Differentiable]
    public static Matrix<float> Logits(Matrix<float> K1, Matrix<float> c1, Matrix<float> K2, Matrix<float> c2, Matrix<float> W, Matrix<float> b,
                                       [NoDerivative] Matrix<float> x)
    {
        // Pooling before the bias and the ReLU computes the same function as after them (a channel's bias and the
        // ReLU are increasing, so they keep each window's largest input the largest) on a quarter of the values.
        var h1 = Relu(AddChannelBias(MaxPool2D(Conv2D(x, K1, FirstConvolution), FirstPooling), c1));
        var h2 = Relu(AddChannelBias(MaxPool2D(Conv2D(h1, K2, SecondConvolution), SecondPooling), c2));
        return MatMul(h2, W) + b;
    }

    /// <summary>The mean softmax cross-entropy of the network's logits for <paramref name="x"/> against the one-hot targets <paramref name="t"/>.</summary>
    [Differentiable]
    public static float Loss(Matrix<float> K1, Matrix<float> c1, Matrix<float> K2, Matrix<float> c2, Matrix<float> W, Matrix<float> b,
                             [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t) =>
        SoftmaxCrossEntropy(Logits(K1, c1, K2, c2, W, b, x), t);
}
