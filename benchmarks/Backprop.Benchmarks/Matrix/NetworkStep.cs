using static Backprop.MatrixOps;

namespace Backprop.Benchmarks.Matrix;

/// <summary>The 784-100-10 ReLU network whose gradient <see cref="NetworkGradientBenchmarks"/> measures: forward pass and loss only.</summary>
public static partial class NetworkStep
{
    [Differentiable]
    public static float Loss(Matrix<float> W1, Matrix<float> b1, Matrix<float> W2, Matrix<float> b2,
                             [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
    {
        var h = Relu(MatMul(x, W1) + b1);
        var y = MatMul(h, W2) + b2;
        return SoftmaxCrossEntropy(y, t);
    }
}

/// <summary>
/// The same gradient written by hand with the same runtime primitives, as the seeds' layers do it (Affine, Relu,
/// SoftmaxWithLoss, each keeping what its backward needs), with preallocated buffers: the baseline the generated
/// gradient must match.
/// </summary>
public sealed class HandWrittenNetwork(int batch, int hidden, int classes)
{
    private readonly Matrix<float> _a1 = new(batch, hidden), _h = new(batch, hidden), _y = new(batch, classes);
    private readonly Matrix<float> _dY = new(batch, classes), _dH = new(batch, hidden);

    public float LossGradient(Matrix<float> W1, Matrix<float> b1, Matrix<float> W2, Matrix<float> b2, Matrix<float> x, Matrix<float> t,
        Matrix<float> dW1, Matrix<float> db1, Matrix<float> dW2, Matrix<float> db2)
    {
        // Affine 1, ReLU, Affine 2, SoftmaxWithLoss.
        MatMul(x, W1, _a1);
        AddRowVector(_a1, b1, _a1);
        Relu(_a1, _h);
        MatMul(_h, W2, _y);
        AddRowVector(_y, b2, _y);
        float loss = SoftmaxCrossEntropy(_y, t);

        // Backward: dY = (softmax(y) − t)/batch, then the layers in reverse.
        SoftmaxCrossEntropyPullback(_y, t, loss, 1f, _dY);
        ColumnSums(_dY, db2);
        MatMul(_h, _dY, dW2, transposeA: true);
        MatMul(_dY, W2, _dH, transposeB: true);
        ReluPullback(_a1, _h, _dH, _dH);
        ColumnSums(_dH, db1);
        MatMul(x, _dH, dW1, transposeA: true);
        return loss;
    }
}
