using Backprop.Benchmarks.Matrix;
using Backprop.Training;
using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Training;

/// <summary>
/// One training step of the 784-100-10 network on a batch of 100 (float), per optimizer: the generated train step, each
/// update fused into the reverse sweep where its gradient completes, against the gradient method followed by the
/// optimizer's <c>Step</c>, side by side. The learning rate is tiny, so the weights (and the ReLUs' pattern, which the
/// products' route depends on) stay as seeded however many steps a run takes. The machine is shared, so the minimum and
/// median are shown beside the mean: the fastest iterations are the ones no other work slowed.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class TrainStepBenchmarks
{
    private NetworkModel _model = null!;
    private NetworkModel.Gradients _gradients = null!;
    private Optimizer<float> _optimizer = null!;
    private Matrix<float> _x = null!, _t = null!;

    [Params("sgd", "momentum", "adam")]
    public string Optimizer { get; set; } = null!;

    /// <summary><see cref="MatrixOps.MaxDegreeOfParallelism"/>: one thread is the less disturbed by a shared machine.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        MatrixOps.MaxDegreeOfParallelism = Threads;
        NetworkBatch network = NetworkBatch.Create();
        _model = new NetworkModel(network.W1, network.B1, network.W2, network.B2);
        (_x, _t) = (network.X, network.T);
        _gradients = NetworkModel.Gradients.For(_model);
        _optimizer = Optimizers.Create(Optimizer, _model, _gradients, 1e-7);
    }

    [Benchmark(Baseline = true)]
    public float GradientThenStep()
    {
        float loss = _model.LossGradient(_x, _t, _gradients);
        _optimizer.Step();
        return loss;
    }

    [Benchmark]
    public float TrainStep() => _model.LossTrainStep(_x, _t, _optimizer);
}
