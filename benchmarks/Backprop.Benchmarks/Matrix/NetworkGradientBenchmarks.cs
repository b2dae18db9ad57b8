using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Matrix;

/// <summary>One gradient step of the 784-100-10 ReLU network on a batch of 100 (float): generated against hand-written, side by side.</summary>
[MemoryDiagnoser]
public class NetworkGradientBenchmarks
{
    private Matrix<float> _w1 = null!, _b1 = null!, _w2 = null!, _b2 = null!, _x = null!, _t = null!;
    private Matrix<float> _dW1 = null!, _db1 = null!, _dW2 = null!, _db2 = null!;
    private HandWrittenNetwork _hand = null!;

    [GlobalSetup]
    public void Setup()
    {
        NetworkBatch network = NetworkBatch.Create();
        (_w1, _b1, _w2, _b2, _x, _t) = network;
        (_dW1, _db1, _dW2, _db2) = network.Buffers();
        _hand = new HandWrittenNetwork(NetworkBatch.Batch, NetworkBatch.Hidden, NetworkBatch.Classes);
    }

    [Benchmark(Baseline = true)]
    public float HandWritten() => _hand.LossGradient(_w1, _b1, _w2, _b2, _x, _t, _dW1, _db1, _dW2, _db2);

    [Benchmark]
    public float Generated() => NetworkStep.LossGradient(_w1, _b1, _w2, _b2, _x, _t, _dW1, _db1, _dW2, _db2);
}
