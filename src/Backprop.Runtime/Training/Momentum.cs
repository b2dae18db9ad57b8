using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// Gradient descent with (heavy-ball) momentum: v := μ·v + ∂J/∂w, then w := w − α·v, with v = 0 before
/// the first step. This is the form PyTorch's <c>SGD(momentum=μ)</c> uses, so its learning rates carry over.
/// </summary>
public sealed class Momentum<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The usual momentum coefficient.</summary>
    public const double DefaultMomentum = 0.9;

    private readonly T[][] _velocities;
    private readonly T _momentum;

    /// <summary>Creates the optimizer over (parameter, gradient) pairs.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> is not in [0, 1).</exception>
    public Momentum(IEnumerable<(Matrix<T> Parameter, Matrix<T> Gradient)> parameters, LearningRateSchedule learningRate, double momentum = DefaultMomentum)
        : base(parameters, learningRate)
    {
        (MomentumCoefficient, _momentum) = Checked(momentum);
        _velocities = AllocateStatePerParameter();
    }

    /// <summary>Creates the optimizer over every parameter of <paramref name="model"/>, whose gradients <paramref name="gradients"/> holds.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> is not in [0, 1).</exception>
    public Momentum(IModel<T> model, IModelGradients<T> gradients, LearningRateSchedule learningRate, double momentum = DefaultMomentum)
        : base(model, gradients, learningRate)
    {
        (MomentumCoefficient, _momentum) = Checked(momentum);
        _velocities = AllocateStatePerParameter();
    }

    private static (double, T) Checked(double momentum) =>
        momentum >= 0 && momentum < 1 ? (momentum, T.CreateChecked(momentum)) : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");

    /// <summary>μ, the fraction of the velocity kept from one step to the next.</summary>
    public double MomentumCoefficient { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<T> parameter, ReadOnlySpan<T> gradient, T learningRate) =>
        UpdatePart(index, 0, parameter, gradient, learningRate);

    private protected override bool UpdatesInParts => true;

    private protected override void UpdatePart(int index, int offset, Span<T> parameter, ReadOnlySpan<T> gradient, T learningRate)
    {
        Span<T> velocity = _velocities[index].AsSpan(offset, parameter.Length);
        ScaledAdd.Apply(velocity, _momentum, gradient, velocity);
        ScaledAdd.Apply(velocity, -learningRate, parameter, parameter);
    }
}
