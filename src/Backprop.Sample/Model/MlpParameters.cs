namespace Backprop.Sample.Model;

/// <summary>
/// The four matrices of <see cref="Mlp"/>: W1 (inputs × hidden), b1 (1 × hidden), W2 (hidden × classes),
/// b2 (1 × classes). The same type holds a model's gradients, which have the parameters' shapes.
/// </summary>
public sealed class MlpParameters : INetwork
{
    /// <summary>Zero-filled parameters of the given layer sizes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public MlpParameters(int inputs, int hidden, int classes)
        : this(new Matrix<float>(inputs, hidden), new Matrix<float>(1, hidden), new Matrix<float>(hidden, classes), new Matrix<float>(1, classes))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
    }

    private MlpParameters(Matrix<float> w1, Matrix<float> b1, Matrix<float> w2, Matrix<float> b2)
    {
        W1 = w1;
        B1 = b1;
        W2 = w2;
        B2 = b2;
    }

    /// <summary>Input-to-hidden weights.</summary>
    public Matrix<float> W1 { get; }

    /// <summary>Hidden biases.</summary>
    public Matrix<float> B1 { get; }

    /// <summary>Hidden-to-output weights.</summary>
    public Matrix<float> W2 { get; }

    /// <summary>Output biases.</summary>
    public Matrix<float> B2 { get; }

    /// <summary>The number of inputs (pixels).</summary>
    public int Inputs => W1.Rows;

    /// <summary>The number of hidden units.</summary>
    public int Hidden => W1.Columns;

    /// <summary>The number of classes.</summary>
    public int Classes => W2.Columns;

    /// <inheritdoc/>
    public string Description => $"{Inputs}-{Hidden}-{Classes} ReLU";

    /// <summary>The matrices with the names they have in <see cref="Mlp.Loss"/> and in model files.</summary>
    public IReadOnlyList<(string Name, Matrix<float> Values)> Tensors => [("W1", W1), ("b1", B1), ("W2", W2), ("b2", B2)];

    /// <summary>He-initialised weights (N(0, 2/fan-in), suited to ReLU) and zero biases, reproducible for a seed.</summary>
    public static MlpParameters He(int inputs, int hidden, int classes, int seed) =>
        new(Matrix<float>.He(inputs, hidden, seed), new Matrix<float>(1, hidden), Matrix<float>.He(hidden, classes, seed + 1), new Matrix<float>(1, classes));

    /// <summary>
    /// Weights drawn from 0.01·N(0, 1) and zero biases: the initialisation of the PyTorch reference
    /// (<c>benchmarks/mnist_vs_pytorch.sh</c>), used by the benchmark so both sides train the same network.
    /// </summary>
    public static MlpParameters SmallNormal(int inputs, int hidden, int classes, int seed) =>
        new(Matrix<float>.RandomNormal(inputs, hidden, 0.01, seed), new Matrix<float>(1, hidden),
            Matrix<float>.RandomNormal(hidden, classes, 0.01, seed + 1), new Matrix<float>(1, classes));

    /// <summary>Zero-filled matrices of this model's shapes, e.g. for its gradients.</summary>
    public MlpParameters ZerosLike() => new(Inputs, Hidden, Classes);

    INetwork INetwork.ZerosLike() => ZerosLike();

    /// <inheritdoc/>
    public float Loss(Matrix<float> x, Matrix<float> t) => Mlp.Loss(W1, B1, W2, B2, x, t);

    /// <inheritdoc/>
    public float LossGradient(Matrix<float> x, Matrix<float> t, INetwork gradients)
    {
        var g = (MlpParameters)gradients;
        return Mlp.LossGradient(W1, B1, W2, B2, x, t, g.W1, g.B1, g.W2, g.B2);
    }

    /// <inheritdoc/>
    public IPredictor CreatePredictor() => new MlpPredictor(this);

    /// <summary>The parameters named W1, b1, W2 and b2 among <paramref name="tensors"/>, read from the model file <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing, or the shapes are not a consistent W1, b1, W2, b2.</exception>
    public static MlpParameters FromTensors(string path, IReadOnlyList<(string Name, Matrix<float> Values)> tensors)
    {
        var stored = tensors.ToDictionary(t => t.Name, t => t.Values, StringComparer.Ordinal);
        Matrix<float> Tensor(string name) => stored.TryGetValue(name, out var values)
            ? values
            : throw new InvalidDataException($"{path}: no tensor '{name}'; a model of this sample has W1, b1, W2 and b2, the file has {string.Join(", ", stored.Keys)}.");
        Matrix<float> w1 = Tensor("W1"), b1 = Tensor("b1"), w2 = Tensor("W2"), b2 = Tensor("b2");
        if (b1.Rows != 1 || b1.Columns != w1.Columns || w2.Rows != w1.Columns || b2.Rows != 1 || b2.Columns != w2.Columns)
            throw new InvalidDataException(
                $"{path}: the tensors do not make a network: W1 {w1.Shape}, b1 {b1.Shape}, W2 {w2.Shape}, b2 {b2.Shape} " +
                "(expected inputs × hidden, 1 × hidden, hidden × classes, 1 × classes).");
        return new MlpParameters(w1, b1, w2, b2);
    }
}
