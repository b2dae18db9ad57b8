using Backprop.Training;

namespace Backprop.Sample.Model;

/// <summary>
/// A network the sample trains, evaluates and saves: a model (<see cref="IModel{T}"/>) whose parameters, their names and
/// their gradients come from its generated walk, with its loss, its generated gradient and train step, and its
/// predictions. <see cref="Mlp"/> and <see cref="Cnn"/> are the two.
/// </summary>
public interface INetwork : IModel<float>
{
    /// <summary>A one-line description of the architecture, e.g. <c>784-256-10 ReLU</c>.</summary>
    string Description { get; }

    /// <summary>The number of inputs (pixels) of an example.</summary>
    int Inputs { get; }

    /// <summary>The number of classes.</summary>
    int Classes { get; }

    /// <summary>A network of this one's shapes, zero-filled: a copy's destination, or a file's.</summary>
    INetwork ZerosLike();

    /// <summary>The network's generated <c>Gradients</c>, allocated with every shape taken from it.</summary>
    IModelGradients<float> CreateGradients();

    /// <summary>The mean softmax cross-entropy on the batch <paramref name="x"/> against one-hot targets <paramref name="t"/>.</summary>
    float Loss(Matrix<float> x, Matrix<float> t);

    /// <summary>The loss, with its gradient written into <paramref name="gradients"/> (from <see cref="CreateGradients"/>).</summary>
    float LossGradient(Matrix<float> x, Matrix<float> t, IModelGradients<float> gradients);

    /// <summary>
    /// One training step through the generated <c>LossTrainStep</c>: the loss, its gradient, and
    /// <paramref name="optimizer"/>'s update of each parameter as soon as its gradient is complete. Returns the loss
    /// before the update.
    /// </summary>
    float TrainStep(Matrix<float> x, Matrix<float> t, Optimizer<float> optimizer);

    /// <summary>A predictor that follows this network's parameters as they are trained.</summary>
    IPredictor CreatePredictor();
}
