namespace Backprop.Training;

/// <summary>
/// The learning rate α as a function of the number of optimizer steps already taken. A plain
/// <see cref="double"/> converts implicitly to a <see cref="ConstantLearningRate"/>.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>The learning rate for the step that follows <paramref name="completedSteps"/> earlier steps.</summary>
    public abstract double At(int completedSteps);

    /// <summary>A constant learning rate.</summary>
    public static implicit operator LearningRateSchedule(double rate) => new ConstantLearningRate(rate);

    private protected static void RequirePositive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, "Must be a positive, finite number.");
    }
}

/// <summary>α = <see cref="Rate"/> at every step.</summary>
public sealed record ConstantLearningRate : LearningRateSchedule
{
    /// <summary>Creates a constant schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is not positive and finite.</exception>
    public ConstantLearningRate(double rate)
    {
        RequirePositive(rate, nameof(rate));
        Rate = rate;
    }

    /// <summary>The learning rate.</summary>
    public double Rate { get; }

    /// <inheritdoc/>
    public override double At(int completedSteps) => Rate;
}

/// <summary>
/// Step decay: α = <see cref="Initial"/> · <see cref="Factor"/>^⌊steps / <see cref="StepsPerDecay"/>⌋,
/// e.g. halving the rate every epoch.
/// </summary>
public sealed record StepDecayLearningRate : LearningRateSchedule
{
    /// <summary>Creates a step-decay schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not positive and finite, <paramref name="factor"/> is not in (0, 1], or <paramref name="stepsPerDecay"/> is not positive.</exception>
    public StepDecayLearningRate(double initial, double factor, int stepsPerDecay)
    {
        RequirePositive(initial, nameof(initial));
        if (!(factor > 0 && factor <= 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The decay factor must be in (0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepsPerDecay);
        Initial = initial;
        Factor = factor;
        StepsPerDecay = stepsPerDecay;
    }

    /// <summary>The rate for the first <see cref="StepsPerDecay"/> steps.</summary>
    public double Initial { get; }

    /// <summary>The multiplier applied every <see cref="StepsPerDecay"/> steps.</summary>
    public double Factor { get; }

    /// <summary>How many steps share one rate.</summary>
    public int StepsPerDecay { get; }

    /// <inheritdoc/>
    public override double At(int completedSteps) => Initial * Math.Pow(Factor, completedSteps / StepsPerDecay);
}

/// <summary>
/// Cosine annealing: α = <see cref="Minimum"/> + ½(<see cref="Initial"/> − <see cref="Minimum"/>)(1 + cos(π·t / <see cref="TotalSteps"/>))
/// for t = min(steps, <see cref="TotalSteps"/>), falling smoothly from <see cref="Initial"/> to <see cref="Minimum"/> and staying there.
/// </summary>
public sealed record CosineLearningRate : LearningRateSchedule
{
    /// <summary>Creates a cosine schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initial"/> is not positive and finite, <paramref name="minimum"/> is not in [0, <paramref name="initial"/>], or <paramref name="totalSteps"/> is not positive.</exception>
    public CosineLearningRate(double initial, int totalSteps, double minimum = 0)
    {
        RequirePositive(initial, nameof(initial));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        if (!(minimum >= 0 && minimum <= initial))
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"The minimum rate must be in [0, {initial}].");
        Initial = initial;
        TotalSteps = totalSteps;
        Minimum = minimum;
    }

    /// <summary>The rate at the first step.</summary>
    public double Initial { get; }

    /// <summary>The step at which the rate reaches <see cref="Minimum"/>.</summary>
    public int TotalSteps { get; }

    /// <summary>The rate from <see cref="TotalSteps"/> on.</summary>
    public double Minimum { get; }

    /// <inheritdoc/>
    public override double At(int completedSteps)
    {
        double progress = Math.Min(completedSteps, TotalSteps) / (double)TotalSteps;
        return Minimum + 0.5 * (Initial - Minimum) * (1 + Math.Cos(Math.PI * progress));
    }
}
