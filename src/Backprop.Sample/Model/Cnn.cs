using Backprop.Training;
using static Backprop.MatrixOps;

namespace Backprop.Sample.Model;

/// <summary>
/// The convolutional network the sample trains with <c>--model cnn</c>, the PyTorch reference's
/// (<c>../shared/bench/pytorch_cnn.py</c>): conv 5×5×16 → ReLU → max pool 2 → conv 5×5×32 → ReLU → max pool 2 →
/// linear 512 → 10 (each convolution's bias and ReLU applied after its pooling, which is the same function), with the
/// mean softmax cross-entropy as its loss. A model: its six matrices are its parameters (walked as K1, c1, K2, c2, W,
/// b), and only the forward pass is written here; <c>Cnn.Gradients</c>, <c>LossGradient</c> and the train step
/// <c>LossTrainStep</c> are generated from it.
/// </summary>
public sealed partial class Cnn : INetwork
{
    /// <summary>The first convolution: a 28×28 image through 16 filters of 5×5, giving 16×24×24.</summary>
    public static readonly Conv2DGeometry FirstConvolution = new(1, 28, 28, 16, 5);

    /// <summary>Max pooling of the first convolution's output over 2×2 windows: 16×12×12.</summary>
    public static readonly Pool2DGeometry FirstPooling = new(16, 24, 24, 2);

    /// <summary>The second convolution: 16×12×12 through 32 filters of 5×5×16, giving 32×8×8.</summary>
    public static readonly Conv2DGeometry SecondConvolution = new(16, 12, 12, 32, 5);

    /// <summary>Max pooling of the second convolution's output over 2×2 windows: 32×4×4, the 512 features of the linear layer.</summary>
    public static readonly Pool2DGeometry SecondPooling = new(32, 8, 8, 2);

    /// <summary>The name of the first convolution's filters in model files; only this network has it.</summary>
    public const string FirstKernelName = nameof(K1);

    /// <summary>Zero-filled parameters for <paramref name="classes"/> classes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public Cnn(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        K1 = new Matrix<float>(FirstConvolution.PatchSize, FirstConvolution.OutputChannels);
        c1 = new Matrix<float>(1, FirstConvolution.OutputChannels);
        K2 = new Matrix<float>(SecondConvolution.PatchSize, SecondConvolution.OutputChannels);
        c2 = new Matrix<float>(1, SecondConvolution.OutputChannels);
        W = new Matrix<float>(SecondPooling.OutputSize, classes);
        b = new Matrix<float>(1, classes);
    }

    /// <summary>The first convolution's filters, 25 × 16.</summary>
    public Matrix<float> K1 { get; }

    /// <summary>Its biases, one per filter, 1 × 16.</summary>
    public Matrix<float> c1 { get; }

    /// <summary>The second convolution's filters, 400 × 32.</summary>
    public Matrix<float> K2 { get; }

    /// <summary>Its biases, 1 × 32.</summary>
    public Matrix<float> c2 { get; }

    /// <summary>The linear layer's weights, 512 × classes.</summary>
    public Matrix<float> W { get; }

    /// <summary>Its biases, 1 × classes.</summary>
    public Matrix<float> b { get; }

    /// <summary>The logits of the batch <paramref name="x"/> (one 28×28 image per row), batch × classes.</summary>
    public Matrix<float> Logits(Matrix<float> x)
    {
        // Pooling before the bias and the ReLU computes the same function as after them (a channel's bias and the
        // ReLU are increasing, so they keep each window's largest input the largest) on a quarter of the values.
        var h1 = Relu(AddChannelBias(MaxPool2D(Conv2D(x, K1, FirstConvolution), FirstPooling), c1));
        var h2 = Relu(AddChannelBias(MaxPool2D(Conv2D(h1, K2, SecondConvolution), SecondPooling), c2));
        return MatMul(h2, W) + b;
    }

    /// <summary>The mean softmax cross-entropy of the network's logits for <paramref name="x"/> against the one-hot targets <paramref name="t"/>.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.TrainStep)]
    public float Loss([NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t) => SoftmaxCrossEntropy(Logits(x), t);

    /// <inheritdoc/>
    public int Classes => W.Columns;

    /// <inheritdoc/>
    public int Inputs => FirstConvolution.InputSize;

    /// <inheritdoc/>
    public string Description => $"CNN 1×28×28 → conv 5×5×16 → pool 2 → conv 5×5×32 → pool 2 → {W.Rows}-{Classes}, ReLU";

    /// <summary>He-initialised weights (N(0, 2/fan-in), suited to ReLU) and zero biases, reproducible for a seed, as the PyTorch reference initialises.</summary>
    public static Cnn He(int classes, int seed)
    {
        var model = new Cnn(classes);
        Matrix<float>.He(model.K1.Rows, model.K1.Columns, seed).CopyTo(model.K1);
        Matrix<float>.He(model.K2.Rows, model.K2.Columns, seed + 1).CopyTo(model.K2);
        Matrix<float>.He(model.W.Rows, model.W.Columns, seed + 2).CopyTo(model.W);
        return model;
    }

    /// <summary>
    /// The network a model file's tensors describe, zero-filled: its classes are read from W (512 × classes); the values,
    /// and the other shapes, are checked when the tensors are copied in.
    /// </summary>
    /// <exception cref="InvalidDataException">W is missing.</exception>
    public static Cnn ShapedFor(string path, IReadOnlyList<(string Name, Matrix<float> Values)> tensors) =>
        new(tensors.FirstOrDefault(t => t.Name == nameof(W)).Values?.Columns
            ?? throw new InvalidDataException($"{path}: no tensor 'W'; a CNN of this sample has K1, c1, K2, c2, W and b, the file has {string.Join(", ", tensors.Select(t => t.Name))}."));

    /// <inheritdoc/>
    public INetwork ZerosLike() => new Cnn(Classes);

    /// <inheritdoc/>
    public IModelGradients<float> CreateGradients() => Gradients.For(this);

    /// <inheritdoc/>
    float INetwork.LossGradient(Matrix<float> x, Matrix<float> t, IModelGradients<float> gradients) => LossGradient(x, t, (Gradients)gradients);

    /// <inheritdoc/>
    public float TrainStep(Matrix<float> x, Matrix<float> t, Optimizer<float> optimizer) => LossTrainStep(x, t, optimizer);

    /// <inheritdoc/>
    public IPredictor CreatePredictor() => new CnnPredictor(this);
}
