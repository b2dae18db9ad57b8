using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015) with bias correction. With g = ∂J/∂w and t the step number (1 on the first step):
/// m := β₁·m + (1 − β₁)·g; v := β₂·v + (1 − β₂)·g²; m̂ = m / (1 − β₁ᵗ); v̂ = v / (1 − β₂ᵗ);
/// w := w − α·m̂ / (√v̂ + ε). On the first step m̂ = g and v̂ = g², so each weight moves by about α·sign(g).
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Default β₁, the decay of the gradient's running mean.</summary>
    public const double DefaultBeta1 = 0.9;

    /// <summary>Default β₂, the decay of the squared gradient's running mean.</summary>
    public const double DefaultBeta2 = 0.999;

    /// <summary>Default ε, which keeps the step finite where v̂ is zero.</summary>
    public const double DefaultEpsilon = 1e-8;

    private readonly T[][] _means;
    private readonly T[][] _squareMeans;
    private readonly T _beta1, _beta2, _epsilon;

    /// <summary>Creates the optimizer over (parameter, gradient) pairs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A β is not in [0, 1) or ε is not positive.</exception>
    public Adam(
        IEnumerable<(Matrix<T> Parameter, Matrix<T> Gradient)> parameters,
        LearningRateSchedule learningRate,
        double beta1 = DefaultBeta1,
        double beta2 = DefaultBeta2,
        double epsilon = DefaultEpsilon)
        : base(parameters, learningRate)
    {
        (_beta1, _beta2, _epsilon) = Checked(beta1, beta2, epsilon);
        (Beta1, Beta2, Epsilon) = (beta1, beta2, epsilon);
        _means = AllocateStatePerParameter();
        _squareMeans = AllocateStatePerParameter();
    }

    /// <summary>Creates the optimizer over every parameter of <paramref name="model"/>, whose gradients <paramref name="gradients"/> holds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A β is not in [0, 1) or ε is not positive.</exception>
    public Adam(
        IModel<T> model,
        IModelGradients<T> gradients,
        LearningRateSchedule learningRate,
        double beta1 = DefaultBeta1,
        double beta2 = DefaultBeta2,
        double epsilon = DefaultEpsilon)
        : base(model, gradients, learningRate)
    {
        (_beta1, _beta2, _epsilon) = Checked(beta1, beta2, epsilon);
        (Beta1, Beta2, Epsilon) = (beta1, beta2, epsilon);
        _means = AllocateStatePerParameter();
        _squareMeans = AllocateStatePerParameter();
    }

    private static (T Beta1, T Beta2, T Epsilon) Checked(double beta1, double beta2, double epsilon)
    {
        if (!(beta1 >= 0 && beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β₁ must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β₂ must be in [0, 1).");
        if (!(epsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive.");
        return (T.CreateChecked(beta1), T.CreateChecked(beta2), T.CreateChecked(epsilon));
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<T> parameter, ReadOnlySpan<T> gradient, T learningRate) =>
        UpdatePart(index, 0, parameter, gradient, learningRate);

    private protected override bool UpdatesInParts => true;

    private protected override void UpdatePart(int index, int offset, Span<T> parameter, ReadOnlySpan<T> gradient, T learningRate)
    {
        // The corrections are computed in double: β^t in T = float loses the small differences 1 − β₂ᵗ
        // that matter in the first steps.
        T meanCorrection = T.One / T.CreateChecked(1 - Math.Pow(Beta1, StepCount));
        T squareMeanCorrection = T.One / T.CreateChecked(1 - Math.Pow(Beta2, StepCount));
        T oneMinusBeta1 = T.One - _beta1, oneMinusBeta2 = T.One - _beta2;
        Span<T> mean = _means[index].AsSpan(offset, parameter.Length);
        Span<T> squareMean = _squareMeans[index].AsSpan(offset, parameter.Length);
        for (int i = 0; i < parameter.Length; i++)
        {
            T g = gradient[i];
            mean[i] = _beta1 * mean[i] + oneMinusBeta1 * g;
            squareMean[i] = _beta2 * squareMean[i] + oneMinusBeta2 * g * g;
            parameter[i] -= learningRate * (mean[i] * meanCorrection) / (T.Sqrt(squareMean[i] * squareMeanCorrection) + _epsilon);
        }
    }
}
