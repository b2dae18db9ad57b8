using BenchmarkDotNet.Attributes;
using Backprop.Sample.Model;
using Backprop.Training;
using static Backprop.MatrixOps;

namespace Backprop.Benchmarks.Convolution;

/// <summary>
/// Where one training step of the sample's CNN (batch 100, float) spends its time: the whole step (generated
/// gradient and momentum update, which must allocate nothing), and each kind of work in it on the step's own
/// shapes: the convolutions forward and backward (the backward passes fed gradients through max pooling, as in the
/// step), the second layer's unrolling of images into patches (im2col) for its weights' gradient, pooling, bias and
/// ReLU, and the update.
/// </summary>
[MemoryDiagnoser]
public class CnnStepBenchmarks
{
    private const int Batch = 100;
    private static readonly Conv2DGeometry Conv1 = Cnn.FirstConvolution, Conv2 = Cnn.SecondConvolution;
    private static readonly Pool2DGeometry Pool1 = Cnn.FirstPooling, Pool2 = Cnn.SecondPooling;

    private Cnn _model = null!;
    private Cnn.Gradients _gradients = null!;
    private Optimizer<float> _optimizer = null!;
    private Matrix<float> _x = null!, _t = null!, _y1 = null!, _pooled1 = null!, _y2 = null!, _dY1 = null!, _dPooled1 = null!, _dY2 = null!;
    private Matrix<float> _patches2 = null!;

    /// <summary>The thread count of the products (the sample's <c>--threads</c>).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        MaxDegreeOfParallelism = Threads;
        _model = Cnn.He(10, seed: 1);
        _gradients = Cnn.Gradients.For(_model);
        _optimizer = Optimizers.Create<float>("momentum", _model, _gradients, new ConstantLearningRate(0.01));
        // MNIST-like: four pixels in five are background (exactly 0).
        var random = new Random(2);
        _x = new Matrix<float>(Batch, Conv1.InputSize);
        for (int i = 0; i < _x.Length; i++)
            _x.Span[i] = random.NextDouble() < 0.8 ? 0 : random.NextSingle();
        _t = new Matrix<float>(Batch, 10);
        for (int i = 0; i < Batch; i++)
            _t[i, random.Next(10)] = 1;
        _y1 = Conv2D(_x, _model.K1, Conv1);
        _pooled1 = Relu(MaxPool2D(_y1, Pool1));
        _y2 = Conv2D(_pooled1, _model.K2, Conv2);
        // The convolutions' output gradients as the step has them: through max pooling, one in four nonzero.
        _dY1 = new Matrix<float>(Batch, Conv1.OutputSize);
        MaxPool2DPullback(_y1, Pool1, _pooled1, Matrix<float>.RandomNormal(Batch, Pool1.OutputSize, 1, seed: 3), _dY1);
        _dPooled1 = Matrix<float>.RandomNormal(Batch, Pool1.OutputSize, 1, seed: 4);
        _dY2 = new Matrix<float>(Batch, Conv2.OutputSize);
        MaxPool2DPullback(_y2, Pool2, MaxPool2D(_y2, Pool2), Matrix<float>.RandomNormal(Batch, Pool2.OutputSize, 1, seed: 5), _dY2);
        // One image's patches, one row per output position, and the slack im2col's whole-vector runs may write.
        _patches2 = new Matrix<float>(1, Conv2.OutputPositions * Conv2.PatchSize + ConvolutionKernel<float>.PatchSlack);
    }

    [Benchmark(Baseline = true, Description = "whole step: gradient + update")]
    public float Step()
    {
        float loss = _model.LossGradient(_x, _t, _gradients);
        _optimizer.Step();
        return loss;
    }

    [Benchmark(Description = "im2col, second layer, all images (its weights' gradient unrolls; nothing else does)")]
    public unsafe void Unroll()
    {
        fixed (float* pooled = _pooled1.Span, patches2 = _patches2.Span)
        {
            for (int image = 0; image < Batch; image++)
                ConvolutionKernel<float>.Unroll(Conv2, pooled + image * Conv2.InputSize, patches2);
        }
    }

    [Benchmark(Description = "conv 1 forward")]
    public void Conv1Forward() => Conv2D(_x, _model.K1, Conv1, _y1);

    [Benchmark(Description = "conv 2 forward")]
    public void Conv2Forward() => Conv2D(_pooled1, _model.K2, Conv2, _y2);

    [Benchmark(Description = "conv 1 backward (dW)")]
    public void Conv1Backward() => Conv2DPullback(_x, _model.K1, Conv1, _y1, _dY1, null, _gradients.K1);

    [Benchmark(Description = "conv 2 backward (dX, dW)")]
    public void Conv2Backward() => Conv2DPullback(_pooled1, _model.K2, Conv2, _y2, _dY2, _dPooled1, _gradients.K2);

    [Benchmark(Description = "max pool 1, forward + backward")]
    public void Pool()
    {
        MaxPool2D(_y1, Pool1, _pooled1);
        MaxPool2DPullback(_y1, Pool1, _pooled1, _dPooled1, _dY1);
    }

    [Benchmark(Description = "bias + ReLU 1 (after pooling), forward + backward")]
    public void BiasAndRelu()
    {
        AddChannelBias(_pooled1, _model.c1, _pooled1);
        Relu(_pooled1, _pooled1);
        ReluPullback(_pooled1, _pooled1, _dPooled1, _dPooled1);
        AddChannelBiasPullback(_pooled1, _model.c1, _pooled1, _dPooled1, null, _gradients.c1);
    }

    [Benchmark(Description = "momentum update")]
    public void Update() => _optimizer.Step();
}
