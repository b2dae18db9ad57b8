using Backprop.Data;

namespace Backprop.Sample.Model;

/// <summary>
/// A network the sample trains, evaluates and saves: its parameters (which, for a network of zeros, hold its
/// gradients), its loss and generated gradient, and its predictions. <see cref="MlpParameters"/> and
/// <see cref="CnnParameters"/> are the two.
/// </summary>
public interface INetwork
{
    /// <summary>A one-line description of the architecture, e.g. <c>784-256-10 ReLU</c>.</summary>
    string Description { get; }

    /// <summary>The number of inputs (pixels) of an example.</summary>
    int Inputs { get; }

    /// <summary>The number of classes.</summary>
    int Classes { get; }

    /// <summary>The parameter matrices with the names they have in the loss and in model files.</summary>
    IReadOnlyList<(string Name, Matrix<float> Values)> Tensors { get; }

    /// <summary>Zero-filled matrices of this network's shapes, e.g. for its gradients.</summary>
    INetwork ZerosLike();

    /// <summary>The mean softmax cross-entropy on the batch <paramref name="x"/> against one-hot targets <paramref name="t"/>.</summary>
    float Loss(Matrix<float> x, Matrix<float> t);

    /// <summary>The loss, with its gradient written into <paramref name="gradients"/> (a <see cref="ZerosLike"/> of this network).</summary>
    float LossGradient(Matrix<float> x, Matrix<float> t, INetwork gradients);

    /// <summary>A predictor that follows this network's parameters as they are trained.</summary>
    IPredictor CreatePredictor();
}

/// <summary>Classifies images, one per row, reusing its buffers from call to call.</summary>
public interface IPredictor
{
    /// <summary>Writes the predicted class of each row of <paramref name="images"/> to <paramref name="predictions"/>.</summary>
    /// <exception cref="ArgumentException">The number of predictions is not the number of rows, or the rows are not the network's input size.</exception>
    void Predict(Matrix<float> images, Span<int> predictions);
}

/// <summary>The networks the sample can train (<c>--model</c>), and reading either back from a model file.</summary>
public static class Networks
{
    /// <summary>The names <c>--model</c> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["mlp", "cnn"];

    /// <summary>Reads a model file written by either network's <c>Save</c>; which one it is comes from its tensors' names.</summary>
    /// <exception cref="InvalidDataException">The file is not a model file, or its tensors are neither network's.</exception>
    public static INetwork Load(string path) =>
        ModelFile.Load(path).Any(t => t.Name == CnnParameters.FirstKernelName) ? CnnParameters.Load(path) : MlpParameters.Load(path);

    /// <summary>Writes <paramref name="network"/>'s tensors to a model file.</summary>
    public static void Save(this INetwork network, string path) => ModelFile.Save(path, network.Tensors);

    /// <summary>Pairs each parameter with its gradient in <paramref name="gradients"/>, for an optimizer.</summary>
    public static IEnumerable<(Matrix<float> Parameter, Matrix<float> Gradient)> PairedWith(this INetwork network, INetwork gradients) =>
        network.Tensors.Zip(gradients.Tensors, (p, g) => (p.Values, g.Values));
}
