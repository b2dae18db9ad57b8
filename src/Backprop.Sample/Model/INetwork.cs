using System.Numerics.Tensors;

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

/// <summary>The networks the sample can train (<c>--model</c>), and what is done the same way to either.</summary>
public static class Networks
{
    /// <summary>The names <c>--model</c> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["mlp", "cnn"];

    /// <summary>Pairs each parameter with its gradient in <paramref name="gradients"/>, for an optimizer.</summary>
    public static IEnumerable<(Matrix<float> Parameter, Matrix<float> Gradient)> PairedWith(this INetwork network, INetwork gradients) =>
        network.Tensors.Zip(gradients.Tensors, (p, g) => (p.Values, g.Values));

    /// <summary>Copies every value into <paramref name="destination"/>, a network of the same shapes (e.g. from <see cref="INetwork.ZerosLike"/>).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void CopyTo(this INetwork network, INetwork destination)
    {
        foreach (var (source, target) in network.PairedWith(destination))
            source.CopyTo(target);
    }

    extension(INetwork network)
    {
        /// <summary>Whether every value is finite: a step that diverged leaves NaN or infinite weights.</summary>
        public bool IsFinite => network.Tensors.All(t => TensorPrimitives.IsFiniteAll<float>(t.Values.Span));
    }
}
