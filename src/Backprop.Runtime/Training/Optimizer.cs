using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// Updates parameters in place from their gradients. The optimizer holds the
/// (parameter, gradient) pairs it was built with; the caller fills the gradients, then calls
/// <see cref="Step"/>. All state is allocated by the constructor, so <see cref="Step"/> allocates nothing.
/// </summary>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly (Matrix<T> Parameter, Matrix<T> Gradient)[] _parameters;

    /// <summary>Checks that every gradient has its parameter's shape and keeps the pairs.</summary>
    /// <exception cref="ArgumentException">There are no pairs, or a gradient's shape differs from its parameter's.</exception>
    protected Optimizer(IEnumerable<(Matrix<T> Parameter, Matrix<T> Gradient)> parameters, LearningRateSchedule learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(learningRate);
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0)
            throw new ArgumentException("An optimizer needs at least one (parameter, gradient) pair.", nameof(parameters));
        for (int i = 0; i < _parameters.Length; i++)
            Matrix<T>.RequireSameShape(_parameters[i].Parameter, _parameters[i].Gradient, $"{GetType().Name} parameter {i} and its gradient");
        LearningRate = learningRate;
    }

    /// <summary>The (parameter, gradient) pairs, in the order given to the constructor.</summary>
    public IReadOnlyList<(Matrix<T> Parameter, Matrix<T> Gradient)> Parameters => _parameters;

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule LearningRate { get; }

    /// <summary>How many times <see cref="Step"/> has run.</summary>
    public int StepCount { get; private set; }

    /// <summary>The learning rate the next <see cref="Step"/> will use.</summary>
    public double CurrentLearningRate => LearningRate.At(StepCount);

    /// <summary>Applies one update to every parameter from its current gradient.</summary>
    public void Step()
    {
        T learningRate = T.CreateChecked(CurrentLearningRate);
        StepCount++;
        for (int i = 0; i < _parameters.Length; i++)
            Update(i, _parameters[i].Parameter.Span, _parameters[i].Gradient.Span, learningRate);
    }

    /// <summary>
    /// Updates parameter number <paramref name="index"/>; <see cref="StepCount"/> already counts this step
    /// (it is t = 1 on the first call), which bias-corrected methods need.
    /// </summary>
    protected abstract void Update(int index, Span<T> parameter, ReadOnlySpan<T> gradient, T learningRate);

    /// <summary>One state buffer per parameter, of its length, for methods that keep running averages.</summary>
    protected T[][] AllocateStatePerParameter() => Array.ConvertAll(_parameters, p => new T[p.Parameter.Length]);
}
