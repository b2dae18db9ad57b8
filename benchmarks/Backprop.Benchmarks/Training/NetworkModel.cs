using static Backprop.MatrixOps;

namespace Backprop.Benchmarks.Training;

/// <summary>The 784-100-10 ReLU network of <see cref="Matrix.NetworkStep"/> as a model: its weights are its fields, and it has a train step.</summary>
public partial class NetworkModel(Matrix<float> w1, Matrix<float> b1, Matrix<float> w2, Matrix<float> b2)
{
    public Matrix<float> W1 = w1, B1 = b1, W2 = w2, B2 = b2;

    [Differentiable(Derivatives.Gradient | Derivatives.TrainStep)]
    public float Loss([NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
    {
        var h = Relu(MatMul(x, W1) + B1);
        var y = MatMul(h, W2) + B2;
        return SoftmaxCrossEntropy(y, t);
    }
}
