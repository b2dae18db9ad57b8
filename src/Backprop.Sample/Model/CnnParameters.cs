namespace Backprop.Sample.Model;

/// <summary>
/// The six matrices of <see cref="Cnn"/>: K1 (25 × 16) and c1 (1 × 16), K2 (400 × 32) and c2 (1 × 32), W (512 × classes)
/// and b (1 × classes). The same type holds the network's gradients, which have the parameters' shapes.
/// </summary>
public sealed class CnnParameters : INetwork
{
    /// <summary>The name of the first convolution's filters in model files; only this network has it.</summary>
    public const string FirstKernelName = "K1";

    /// <summary>The names of the parameters in <see cref="Tensors"/> and in model files, in order.</summary>
    public static readonly IReadOnlyList<string> Names = [FirstKernelName, "c1", "K2", "c2", "W", "b"];

    /// <summary>Zero-filled parameters for <paramref name="classes"/> classes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public CnnParameters(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        K1 = new Matrix<float>(Cnn.FirstConvolution.PatchSize, Cnn.FirstConvolution.OutputChannels);
        C1 = new Matrix<float>(1, Cnn.FirstConvolution.OutputChannels);
        K2 = new Matrix<float>(Cnn.SecondConvolution.PatchSize, Cnn.SecondConvolution.OutputChannels);
        C2 = new Matrix<float>(1, Cnn.SecondConvolution.OutputChannels);
        W = new Matrix<float>(Cnn.SecondPooling.OutputSize, classes);
        B = new Matrix<float>(1, classes);
    }

    /// <summary>The first convolution's filters.</summary>
    public Matrix<float> K1 { get; }

    /// <summary>The first convolution's biases.</summary>
    public Matrix<float> C1 { get; }

    /// <summary>The second convolution's filters.</summary>
    public Matrix<float> K2 { get; }

    /// <summary>The second convolution's biases.</summary>
    public Matrix<float> C2 { get; }

    /// <summary>The linear layer's weights.</summary>
    public Matrix<float> W { get; }

    /// <summary>The linear layer's biases.</summary>
    public Matrix<float> B { get; }

    /// <inheritdoc/>
    public int Classes => W.Columns;

    /// <summary>The number of inputs (pixels).</summary>
    public int Inputs => Cnn.FirstConvolution.InputSize;

    /// <inheritdoc/>
    public string Description => $"CNN 1×28×28 → conv 5×5×16 → pool 2 → conv 5×5×32 → pool 2 → {W.Rows}-{Classes}, ReLU";

    /// <inheritdoc/>
    public IReadOnlyList<(string Name, Matrix<float> Values)> Tensors => [(Names[0], K1), (Names[1], C1), (Names[2], K2), (Names[3], C2), (Names[4], W), (Names[5], B)];

    /// <summary>He-initialised weights (N(0, 2/fan-in), suited to ReLU) and zero biases, reproducible for a seed, as the PyTorch reference initialises.</summary>
    public static CnnParameters He(int classes, int seed)
    {
        var model = new CnnParameters(classes);
        Matrix<float>.He(model.K1.Rows, model.K1.Columns, seed).CopyTo(model.K1);
        Matrix<float>.He(model.K2.Rows, model.K2.Columns, seed + 1).CopyTo(model.K2);
        Matrix<float>.He(model.W.Rows, model.W.Columns, seed + 2).CopyTo(model.W);
        return model;
    }

    /// <inheritdoc/>
    public INetwork ZerosLike() => new CnnParameters(Classes);

    /// <inheritdoc/>
    public float Loss(Matrix<float> x, Matrix<float> t) => Cnn.Loss(K1, C1, K2, C2, W, B, x, t);

    /// <inheritdoc/>
    public float LossGradient(Matrix<float> x, Matrix<float> t, INetwork gradients)
    {
        var g = (CnnParameters)gradients;
        return Cnn.LossGradient(K1, C1, K2, C2, W, B, x, t, g.K1, g.C1, g.K2, g.C2, g.W, g.B);
    }

    /// <inheritdoc/>
    public IPredictor CreatePredictor() => new CnnPredictor(this);

    /// <summary>The parameters named K1, c1, K2, c2, W and b among <paramref name="tensors"/>, read from the model file <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or has another shape than this network's.</exception>
    public static CnnParameters FromTensors(string path, IReadOnlyList<(string Name, Matrix<float> Values)> tensors)
    {
        var stored = tensors.ToDictionary(t => t.Name, t => t.Values, StringComparer.Ordinal);
        if (!stored.TryGetValue("W", out Matrix<float>? w))
            throw new InvalidDataException($"{path}: no tensor 'W'; a CNN of this sample has {string.Join(", ", Names)}, the file has {string.Join(", ", stored.Keys)}.");
        var model = new CnnParameters(w.Columns);
        foreach (var (name, destination) in model.Tensors)
        {
            if (!stored.TryGetValue(name, out Matrix<float>? values))
                throw new InvalidDataException($"{path}: no tensor '{name}'; a CNN of this sample has {string.Join(", ", Names)}, the file has {string.Join(", ", stored.Keys)}.");
            if (values.Rows != destination.Rows || values.Columns != destination.Columns)
                throw new InvalidDataException($"{path}: tensor '{name}' is {values.Shape}, but this CNN's is {destination.Shape}.");
            values.CopyTo(destination);
        }
        return model;
    }
}
