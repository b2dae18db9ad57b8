using BenchmarkDotNet.Attributes;
using static Backprop.MatrixOps;

namespace Backprop.Benchmarks.Matrix;

/// <summary>A network's loss, as written.</summary>
public static partial class NetworkDerivatives
{
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static float Loss(Matrix<float> W1, Matrix<float> b1, Matrix<float> W2, Matrix<float> b2,
                             [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
    {
        var h = Tanh(MatMul(x, W1) + b1);
        var y = MatMul(h, W2) + b2;
        return SoftmaxCrossEntropy(y, t);
    }
}

/// <summary>
/// Every derivative of the 784-100-10 tanh network's loss on a batch of 100 in float, against the loss itself as written
/// (whose operations allocate their results): the gradient, the tangent along a direction, and the Hessian-vector product.
/// </summary>
[MemoryDiagnoser]
public class NetworkDerivativesBenchmarks
{
    private Matrix<float> _w1 = null!, _b1 = null!, _w2 = null!, _b2 = null!, _x = null!, _t = null!;
    private Matrix<float> _vW1 = null!, _vb1 = null!, _vW2 = null!, _vb2 = null!;
    private Matrix<float> _dW1 = null!, _db1 = null!, _dW2 = null!, _db2 = null!;
    private Matrix<float> _hW1 = null!, _hb1 = null!, _hW2 = null!, _hb2 = null!;

    [GlobalSetup]
    public void Setup()
    {
        NetworkBatch network = NetworkBatch.Create();
        (_w1, _b1, _w2, _b2, _x, _t) = network;
        _vW1 = Matrix<float>.RandomNormal(NetworkBatch.Inputs, NetworkBatch.Hidden, 1, seed: 5);
        _vb1 = Matrix<float>.RandomNormal(1, NetworkBatch.Hidden, 1, seed: 6);
        _vW2 = Matrix<float>.RandomNormal(NetworkBatch.Hidden, NetworkBatch.Classes, 1, seed: 7);
        _vb2 = Matrix<float>.RandomNormal(1, NetworkBatch.Classes, 1, seed: 8);
        (_dW1, _db1, _dW2, _db2) = network.Buffers();
        (_hW1, _hb1, _hW2, _hb2) = network.Buffers();
    }

    [Benchmark(Baseline = true)]
    public float Loss() => NetworkDerivatives.Loss(_w1, _b1, _w2, _b2, _x, _t);

    [Benchmark]
    public float Gradient() => NetworkDerivatives.LossGradient(_w1, _b1, _w2, _b2, _x, _t, _dW1, _db1, _dW2, _db2);

    [Benchmark]
    public float Tangent() => NetworkDerivatives.LossTangent(_w1, _b1, _w2, _b2, _x, _t, _vW1, _vb1, _vW2, _vb2).Derivative;

    [Benchmark]
    public float HessianVector() => NetworkDerivatives.LossHessianVector(_w1, _b1, _w2, _b2, _x, _t, _vW1, _vb1, _vW2, _vb2, _hW1, _hb1, _hW2, _hb2);
}
