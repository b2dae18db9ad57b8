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
