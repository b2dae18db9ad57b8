using Backprop.Training;
using static Backprop.MatrixOps;

namespace Backprop.Sample.Model;

/// <summary>
/// The network the sample trains: one hidden ReLU layer and a softmax output,
/// <c>y = relu(x·W1 + b1)·W2 + b2</c>, with the mean softmax cross-entropy as its loss. A model: its four matrices are
/// its parameters, and only the forward pass is written here. The generator adds <c>Mlp.Gradients</c> (a matrix of
/// each parameter's shape), <c>LossGradient</c>, the train step <c>LossTrainStep</c> and the walk (names W1, b1, W2,
/// b2, in this order) that optimizers and model files take.
/// </summary>
public sealed partial class Mlp : INetwork
{
    /// <summary>Zero-filled parameters of the given layer sizes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Mlp(int inputs, int hidden, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        W1 = new Matrix<float>(inputs, hidden);
        b1 = new Matrix<float>(1, hidden);
        W2 = new Matrix<float>(hidden, classes);
        b2 = new Matrix<float>(1, classes);
    }

    /// <summary>Input-to-hidden weights, inputs × hidden.</summary>
    public Matrix<float> W1 { get; }

    /// <summary>Hidden biases, 1 × hidden.</summary>
    public Matrix<float> b1 { get; }

    /// <summary>Hidden-to-output weights, hidden × classes.</summary>
    public Matrix<float> W2 { get; }

    /// <summary>Output biases, 1 × classes.</summary>
    public Matrix<float> b2 { get; }

    /// <summary>The mean softmax cross-entropy of the network's logits for the batch <paramref name="x"/> (one image per row) against the one-hot targets <paramref name="t"/> (batch × classes).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.TrainStep)]
    public float Loss([NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
    {
        var h = Relu(MatMul(x, W1) + b1);
        var y = MatMul(h, W2) + b2;
        return SoftmaxCrossEntropy(y, t);
    }

    /// <inheritdoc/>
    public int Inputs => W1.Rows;

    /// <summary>The number of hidden units.</summary>
    public int Hidden => W1.Columns;

    /// <inheritdoc/>
    public int Classes => W2.Columns;

    /// <inheritdoc/>
    public string Description => $"{Inputs}-{Hidden}-{Classes} ReLU";

    /// <summary>He-initialised weights (N(0, 2/fan-in), suited to ReLU) and zero biases, reproducible for a seed.</summary>
    public static Mlp He(int inputs, int hidden, int classes, int seed)
    {
        var model = new Mlp(inputs, hidden, classes);
        Matrix<float>.He(inputs, hidden, seed).CopyTo(model.W1);
        Matrix<float>.He(hidden, classes, seed + 1).CopyTo(model.W2);
        return model;
    }

    /// <summary>
    /// Weights drawn from 0.01·N(0, 1) and zero biases: the initialisation of the PyTorch reference
    /// (<c>benchmarks/mnist_vs_pytorch.sh</c>), used by the benchmark so both sides train the same network.
    /// </summary>
    public static Mlp SmallNormal(int inputs, int hidden, int classes, int seed)
    {
        var model = new Mlp(inputs, hidden, classes);
        Matrix<float>.RandomNormal(inputs, hidden, 0.01, seed).CopyTo(model.W1);
        Matrix<float>.RandomNormal(hidden, classes, 0.01, seed + 1).CopyTo(model.W2);
        return model;
    }

    /// <summary>
    /// The network a model file's tensors describe, zero-filled: its sizes are read from W1 (inputs × hidden) and W2
    /// (hidden × classes); the values, and the other shapes, are checked when the tensors are copied in.
    /// </summary>
    /// <exception cref="InvalidDataException">W1 or W2 is missing, or they do not chain.</exception>
    public static Mlp ShapedFor(string path, IReadOnlyList<(string Name, Matrix<float> Values)> tensors)
    {
        Matrix<float> Tensor(string name) => tensors.FirstOrDefault(t => t.Name == name).Values
            ?? throw new InvalidDataException($"{path}: no tensor '{name}'; a model of this sample has W1, b1, W2 and b2, the file has {string.Join(", ", tensors.Select(t => t.Name))}.");
        Matrix<float> w1 = Tensor("W1"), w2 = Tensor("W2");
        if (w2.Rows != w1.Columns)
            throw new InvalidDataException($"{path}: the tensors do not make a network: W1 is {w1.Shape} but W2 {w2.Shape} (expected inputs × hidden and hidden × classes).");
        return new Mlp(w1.Rows, w1.Columns, w2.Columns);
    }

    /// <inheritdoc/>
    public INetwork ZerosLike() => new Mlp(Inputs, Hidden, Classes);

    /// <inheritdoc/>
    public IModelGradients<float> CreateGradients() => Gradients.For(this);

    /// <inheritdoc/>
    float INetwork.LossGradient(Matrix<float> x, Matrix<float> t, IModelGradients<float> gradients) => LossGradient(x, t, (Gradients)gradients);

    /// <inheritdoc/>
    public float TrainStep(Matrix<float> x, Matrix<float> t, Optimizer<float> optimizer) => LossTrainStep(x, t, optimizer);

    /// <inheritdoc/>
    public IPredictor CreatePredictor() => new MlpPredictor(this);
}
