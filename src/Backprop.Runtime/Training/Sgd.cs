using System.Numerics;

namespace Backprop.Training;

/// <summary>Plain gradient descent: w := w − α·∂J/∂w.</summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer over (parameter, gradient) pairs.</summary>
    public Sgd(IEnumerable<(Matrix<T> Parameter, Matrix<T> Gradient)> parameters, LearningRateSchedule learningRate)
        : base(parameters, learningRate)
    {
    }

    /// <summary>Creates the optimizer over every parameter of <paramref name="model"/>, whose gradients <paramref name="gradients"/> holds.</summary>
    public Sgd(IModel<T> model, IModelGradients<T> gradients, LearningRateSchedule learningRate)
        : base(model, gradients, learningRate)
    {
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<T> parameter, ReadOnlySpan<T> gradient, T learningRate) =>
        UpdatePart(index, 0, parameter, gradient, learningRate);

    private protected override bool UpdatesInParts => true;

    private protected override void UpdatePart(int index, int offset, Span<T> parameter, ReadOnlySpan<T> gradient, T learningRate) =>
        ScaledAdd.Apply(gradient, -learningRate, parameter, parameter);
}
