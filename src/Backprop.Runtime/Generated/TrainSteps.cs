using System.ComponentModel;
using System.Numerics;
using Backprop.Training;

namespace Backprop;

/// <summary>For generated train steps (<c>{Method}TrainStep</c>): the optimizer's gradients, once it is known to train this model.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TrainSteps
{
    /// <summary>The model's gradients <paramref name="optimizer"/> reads, which the train step <paramref name="method"/> of <paramref name="model"/> writes.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The optimizer was built over pairs, or over another model.</exception>
    public static TGradients GradientsOf<T, TGradients>(Optimizer<T> optimizer, IModel<T> model, string method)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TGradients : class, IModelGradients<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!ReferenceEquals(optimizer.Model, model))
            throw NotOverThisModel(optimizer, model, method);
        // The optimizer's walk checked the gradients' type when it was built over this model.
        return (TGradients)optimizer.ModelGradients!;
    }

    /// <summary>The exception for an optimizer built over pairs or another model: built only then, since a step allocates nothing.</summary>
    private static ArgumentException NotOverThisModel<T>(Optimizer<T> optimizer, IModel<T> model, string method)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string name = optimizer.GetType().Name.Split('`')[0];
        string element = typeof(T) == typeof(float) ? "float" : typeof(T) == typeof(double) ? "double" : typeof(T).Name;
        return new ArgumentException(optimizer.Model is null
            ? $"{method}: the {name} was built over (parameter, gradient) pairs; a train step needs one built over the model: new {name}<{element}>(model, gradients, …)."
            : $"{method}: the {name} was built over another {model.GetType().Name}; build one over this model.", nameof(optimizer));
    }
}
