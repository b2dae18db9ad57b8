using static Backprop.MatrixOps;

namespace Backprop.Sample.Model;

/// <summary>
/// The network the sample trains: one hidden ReLU layer and a softmax output,
/// <c>y = relu(x·W1 + b1)·W2 + b2</c>, with the mean softmax cross-entropy as its loss. Only the forward
/// pass is written here; <c>LossGradient</c>, its reverse pass, is generated from it.
/// </summary>
public static partial class Mlp
{
    /// <summary>The mean softmax cross-entropy of the network's logits for the batch <paramref name="x"/> against the one-hot targets <paramref name="t"/>.</summary>
    /// <param name="W1">Input-to-hidden weights, pixels × hidden.</param>
    /// <param name="b1">Hidden biases, 1 × hidden.</param>
    /// <param name="W2">Hidden-to-output weights, hidden × classes.</param>
    /// <param name="b2">Output biases, 1 × classes.</param>
    /// <param name="x">The batch's images, one per row.</param>
    /// <param name="t">The batch's one-hot targets, batch × classes.</param>
    [Differentiable]
    public static float Loss(Matrix<float> W1, Matrix<float> b1, Matrix<float> W2, Matrix<float> b2,
                             [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
    {
        var h = Relu(MatMul(x, W1) + b1);
        var y = MatMul(h, W2) + b2;
        return SoftmaxCrossEntropy(y, t);
    }
}
