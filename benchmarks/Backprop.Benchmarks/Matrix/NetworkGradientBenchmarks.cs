using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Matrix;

/// <summary>One gradient step of the 784-100-10 ReLU network on a batch of 100 (float): generated against hand-written, side by side.</summary>
[MemoryDiagnoser]
public class NetworkGradientBenchmarks
{
    private const int Batch = 100, Inputs = 784, Hidden = 100, Classes = 10;
    private Matrix<float> _w1 = null!, _b1 = null!, _w2 = null!, _b2 = null!, _x = null!, _t = null!;
    private Matrix<float> _dW1 = null!, _db1 = null!, _dW2 = null!, _db2 = null!;
    private HandWrittenNetwork _hand = null!;

    [GlobalSetup]
    public void Setup()
    {
        _w1 = Matrix<float>.RandomNormal(Inputs, Hidden, 0.01, seed: 1);
        _b1 = new Matrix<float>(1, Hidden);
        _w2 = Matrix<float>.RandomNormal(Hidden, Classes, 0.01, seed: 2);
        _b2 = new Matrix<float>(1, Classes);
        _x = Matrix<float>.RandomUniform(Batch, Inputs, 0, 1, seed: 3);
        _t = new Matrix<float>(Batch, Classes);
        var random = new Random(4);
        for (int i = 0; i < Batch; i++)
            _t[i, random.Next(Classes)] = 1;
        _dW1 = new Matrix<float>(Inputs, Hidden);
        _db1 = new Matrix<float>(1, Hidden);
        _dW2 = new Matrix<float>(Hidden, Classes);
        _db2 = new Matrix<float>(1, Classes);
        _hand = new HandWrittenNetwork(Batch, Hidden, Classes);
    }

    [Benchmark(Baseline = true)]
    public float HandWritten() => _hand.LossGradient(_w1, _b1, _w2, _b2, _x, _t, _dW1, _db1, _dW2, _db2);

    [Benchmark]
    public float Generated() => NetworkStep.LossGradient(_w1, _b1, _w2, _b2, _x, _t, _dW1, _db1, _dW2, _db2);
}
