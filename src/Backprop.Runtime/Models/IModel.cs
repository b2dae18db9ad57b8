using System.Numerics;

namespace Backprop;

/// <summary>
/// A model whose parameters can be walked without reflection: the Backprop generator implements it on every model (a
/// type with a <c>[Differentiable]</c> instance method, and every layer it holds) whose parameters share the element
/// type <typeparamref name="T"/>. Optimizers, model files and gradient checks take a model through it
/// (<c>docs/models.md</c>).
/// </summary>
public interface IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Calls <paramref name="visitor"/> once per parameter, in declaration order, a layer's parameters where the layer is
    /// declared (named by their path, <c>Hidden.W</c>) and each matrix of a stack on its own (<c>Ws</c>, index 0, 1, …),
    /// each with its gradient in <paramref name="gradients"/> when given.
    /// </summary>
    /// <param name="visitor">Called once per parameter.</param>
    /// <param name="gradients">This model's generated <c>Gradients</c>, or <see langword="null"/> to walk the parameters alone.</param>
    /// <exception cref="ArgumentException"><paramref name="gradients"/> belongs to another model type, or a member has another shape than its field.</exception>
    /// <exception cref="ArgumentNullException">A member of <paramref name="gradients"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A parameter field (or a layer holding one) is <see langword="null"/>.</exception>
    void VisitParameters<TVisitor>(ref TVisitor visitor, IModelGradients<T>? gradients = null)
        where TVisitor : IParameterVisitor<T>;
}

/// <summary>
/// Marks a model's generated <c>Gradients</c>, so that what takes a model and its gradients
/// (<c>new Sgd&lt;T&gt;(model, gradients, …)</c>) is typed by their element type. It has no members: the model's walk
/// (<see cref="IModel{T}.VisitParameters"/>) reads the gradients it describes.
/// </summary>
public interface IModelGradients<T> where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>Receives a model's parameters from <see cref="IModel{T}.VisitParameters"/>, one call each.</summary>
public interface IParameterVisitor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Called once per parameter; the spans are valid during the call only.</summary>
    void Visit(in ModelParameter<T> parameter);
}
