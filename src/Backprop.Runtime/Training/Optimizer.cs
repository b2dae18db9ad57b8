using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop.Training;

/// <summary>
/// Updates parameters in place from their gradients. The optimizer is built over (parameter, gradient) pairs, or over a
/// model and its generated <c>Gradients</c> (every parameter of the model, walked through <see cref="IModel{T}"/>). The
/// caller fills the gradients, then calls <see cref="Step"/>; or a generated train step (<c>{Method}TrainStep</c>) calls
/// <see cref="BeginStep"/> and then <see cref="UpdateParameter(int, Span{T}, ReadOnlySpan{T})"/> for each parameter as
/// soon as its gradient is complete. Either way each parameter gets the same <see cref="Update"/>. All state is
/// allocated by the constructor, so a step allocates nothing.
/// </summary>
public abstract unsafe class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly (Matrix<T> Parameter, Matrix<T> Gradient)[] _pairs;
    /// <summary>Every parameter's name and length, by index: a pair's or the model's walk's.</summary>
    private readonly ParameterLayout[] _layout;
    private T _stepLearningRate;

    /// <summary>Checks that every gradient has its parameter's shape and keeps the pairs.</summary>
    /// <exception cref="ArgumentException">There are no pairs, or a gradient's shape differs from its parameter's.</exception>
    protected Optimizer(IEnumerable<(Matrix<T> Parameter, Matrix<T> Gradient)> parameters, LearningRateSchedule learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(learningRate);
        _pairs = parameters.ToArray();
        if (_pairs.Length == 0)
            throw new ArgumentException("An optimizer needs at least one (parameter, gradient) pair.", nameof(parameters));
        for (int i = 0; i < _pairs.Length; i++)
            Matrix<T>.RequireSameShape(_pairs[i].Parameter, _pairs[i].Gradient, $"{Name} parameter {i} and its gradient");
        _layout = _pairs.Select((p, i) => new ParameterLayout($"parameter {i}", ModelParameterKind.Matrix, p.Parameter.Rows, p.Parameter.Columns, null)).ToArray();
        LearningRate = learningRate;
    }

    /// <summary>
    /// Walks every parameter of <paramref name="model"/> with its gradient in <paramref name="gradients"/> (checking each
    /// shape) and keeps both: each <see cref="Step"/> walks them again.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The gradients are another model's, a gradient's shape differs from its field's, the model has no parameter, or one
    /// cannot be written in place (a scalar in an init-only property or readonly field, or in a struct model, which the
    /// optimizer would hold a copy of).
    /// </exception>
    protected Optimizer(IModel<T> model, IModelGradients<T> gradients, LearningRateSchedule learningRate)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(learningRate);
        _pairs = [];
        _layout = ModelLayout.Of(model, gradients);
        if (_layout.Length == 0)
            throw new ArgumentException($"An optimizer needs at least one parameter; the model '{model.GetType().Name}' has none.", nameof(model));
        ModelLayout.RequireWritable(_layout, Name, nameof(model));
        Model = model;
        ModelGradients = gradients;
        LearningRate = learningRate;
    }

    /// <summary>The (parameter, gradient) pairs, in the order given to the constructor; empty for an optimizer built over a model.</summary>
    public IReadOnlyList<(Matrix<T> Parameter, Matrix<T> Gradient)> Parameters => _pairs;

    /// <summary>The model the optimizer was built over, or <see langword="null"/> for one built over pairs.</summary>
    public IModel<T>? Model { get; }

    /// <summary>The model's gradients the optimizer reads, or <see langword="null"/> for one built over pairs.</summary>
    public IModelGradients<T>? ModelGradients { get; }

    /// <summary>How many parameters it updates: the pairs, or the model's parameters (each matrix of a stack counts once).</summary>
    public int ParameterCount => _layout.Length;

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule LearningRate { get; }

    /// <summary>How many steps have begun (<see cref="Step"/>, or <see cref="BeginStep"/> for a fused train step).</summary>
    public int StepCount { get; private set; }

    /// <summary>The learning rate the next step will use.</summary>
    public double CurrentLearningRate => LearningRate.At(StepCount);

    /// <summary>Applies one update to every parameter from its current gradient.</summary>
    /// <exception cref="InvalidOperationException">A model's parameter changed its length, or the model its number of parameters, since the optimizer was built.</exception>
    public void Step()
    {
        BeginStep();
        if (Model is null)
        {
            for (int i = 0; i < _pairs.Length; i++)
                Apply(i, _pairs[i].Parameter.Span, _pairs[i].Gradient.Span);
            return;
        }
        var visitor = new StepVisitor(this);
        Model.VisitParameters(ref visitor, ModelGradients);
        if (visitor.Count != _layout.Length)
            throw new InvalidOperationException($"{Name}: the model has {visitor.Count} parameters now, but had {_layout.Length} when the optimizer was built.");
    }

    /// <summary>
    /// Begins a step whose updates the caller applies parameter by parameter with <see cref="UpdateParameter(int, Span{T}, ReadOnlySpan{T})"/>
    /// (a generated train step does, as each gradient completes): counts the step and fixes its learning rate.
    /// <see cref="Step"/> is this, then every parameter's update.
    /// </summary>
    public void BeginStep()
    {
        _stepLearningRate = T.CreateChecked(CurrentLearningRate);
        StepCount++;
    }

    /// <summary>
    /// Applies the step begun by <see cref="BeginStep"/> to parameter number <paramref name="index"/> (its place among the
    /// pairs, or in the model's walk) from its gradient: what <see cref="Step"/> does to it.
    /// </summary>
    /// <exception cref="InvalidOperationException">No step has begun.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a parameter's.</exception>
    /// <exception cref="ArgumentException">The parameter or its gradient has another length than the parameter had when the optimizer was built.</exception>
    public void UpdateParameter(int index, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        if (StepCount == 0)
            throw new InvalidOperationException($"{Name}: call BeginStep before updating a parameter.");
        if ((uint)index >= (uint)_layout.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} updates {_layout.Length} parameters.");
        ParameterLayout layout = _layout[index];
        if (parameter.Length != layout.Length || gradient.Length != layout.Length)
            throw new ArgumentException(
                $"{Name}: parameter '{layout.Name}' was {layout.Shape} when the optimizer was built, but now has {parameter.Length} values and its gradient {gradient.Length}.",
                nameof(parameter));
        Apply(index, parameter, gradient);
    }

    /// <summary>As <see cref="UpdateParameter(int, Span{T}, ReadOnlySpan{T})"/>, for a matrix parameter and its gradient.</summary>
    public void UpdateParameter(int index, Matrix<T> parameter, Matrix<T> gradient) => UpdateParameter(index, parameter.Span, gradient.Span);

    /// <summary>
    /// As <see cref="UpdateParameter(int, Span{T}, ReadOnlySpan{T})"/>, for each matrix of a stack (a <c>Matrix&lt;T&gt;[]</c>
    /// field), whose first matrix is parameter number <paramref name="firstIndex"/> and the others follow it.
    /// </summary>
    public void UpdateParameters(int firstIndex, Matrix<T>[] parameters, Matrix<T>[] gradients)
    {
        if (parameters.Length != gradients.Length)
            throw new ArgumentException($"{Name}: {parameters.Length} matrices but {gradients.Length} gradients.", nameof(gradients));
        for (int i = 0; i < parameters.Length; i++)
            UpdateParameter(firstIndex + i, parameters[i].Span, gradients[i].Span);
    }

    /// <summary>
    /// As <see cref="UpdateParameter(int, Span{T}, ReadOnlySpan{T})"/>, for a scalar parameter given by value: returns
    /// its updated value, for the caller to store (a generated train step stores it into the model's field).
    /// </summary>
    public T UpdatedScalar(int index, T parameter, T gradient)
    {
        UpdateParameter(index, new Span<T>(ref parameter), new ReadOnlySpan<T>(in gradient));
        return parameter;
    }

    /// <summary>
    /// Updates parameter number <paramref name="index"/>; <see cref="StepCount"/> already counts this step
    /// (it is t = 1 on the first call), which bias-corrected methods need. This is the one method an optimizer
    /// implements: <see cref="Step"/> and fused train steps both call it, once per parameter per step, in any order, so
    /// it must depend on this parameter's gradient and state alone.
    /// </summary>
    protected abstract void Update(int index, Span<T> parameter, ReadOnlySpan<T> gradient, T learningRate);

    /// <summary>
    /// Values from which a parameter of an optimizer that updates in parts is updated in parts on up to
    /// <see cref="MatrixOps.MaxDegreeOfParallelism"/> threads (128 KiB of float). A gradient as large as this was made
    /// by a product split across the threads in the same shares of its rows, so each thread updates the part of the
    /// parameter whose gradient is in its own cache: at MNIST's shapes, two threads took 28 µs over the first layer's
    /// weights (784×100) when the caller updated them alone, for gradients half made on the other core.
    /// </summary>
    private const int SplitLength = 32 * 1024;

    /// <summary>
    /// Whether <see cref="UpdatePart"/> updates any run of a parameter's values on its own, so that parts of one
    /// parameter may be updated on several threads at once: true of the built-in optimizers, whose updates are elementwise.
    /// </summary>
    private protected virtual bool UpdatesInParts => false;

    /// <summary>
    /// Updates values [<paramref name="offset"/>, offset + length) of parameter <paramref name="index"/>, which
    /// <paramref name="parameter"/> and <paramref name="gradient"/> hold, exactly as <see cref="Update"/> updates them.
    /// </summary>
    private protected virtual void UpdatePart(int index, int offset, Span<T> parameter, ReadOnlySpan<T> gradient, T learningRate) =>
        throw new NotSupportedException($"{Name} does not update parameters in parts.");

    /// <summary>One parameter's update split into parts; lives on the caller's stack while the parts run.</summary>
    private struct SplitUpdate
    {
        public Optimizer<T> Optimizer;
        public int Index, Length, Parts;
        public T* Parameter;
        public T* Gradient;
        public T LearningRate;
    }

    /// <summary>This step's update of parameter <paramref name="index"/>: in parts, when it is large and the optimizer can.</summary>
    private void Apply(int index, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        if (UpdatesInParts && parameter.Length >= SplitLength && MatrixOps.MaxDegreeOfParallelism > 1)
            UpdateInParts(index, parameter, gradient);
        else
            Update(index, parameter, gradient, _stepLearningRate);
    }

    private void UpdateInParts(int index, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        fixed (T* values = parameter)
        fixed (T* gradients = gradient)
        {
            var job = new SplitUpdate
            {
                Optimizer = this, Index = index, Length = parameter.Length, Parts = MatrixOps.MaxDegreeOfParallelism,
                Parameter = values, Gradient = gradients, LearningRate = _stepLearningRate,
            };
            HelperThreads.Run(&UpdateSharePart, Unsafe.AsPointer(ref job), job.Parts);
        }
    }

    /// <summary>Part <paramref name="part"/> of a split update: the share of the values a product split as many ways gives that part's rows.</summary>
    private static void UpdateSharePart(void* state, int part)
    {
        ref SplitUpdate job = ref Unsafe.AsRef<SplitUpdate>(state);
        (int start, int end) = Gemm<T>.Share(job.Length, job.Parts, part);
        job.Optimizer.UpdatePart(job.Index, start, new Span<T>(job.Parameter + start, end - start), new ReadOnlySpan<T>(job.Gradient + start, end - start), job.LearningRate);
    }

    /// <summary>One state buffer per parameter, of its length, for methods that keep running averages.</summary>
    protected T[][] AllocateStatePerParameter() => Array.ConvertAll(_layout, p => new T[p.Length]);

    /// <summary>The optimizer's name in messages: <c>Adam</c>, not <c>Adam`1</c>.</summary>
    private string Name => GetType().Name.Split('`')[0];

    /// <summary>Updates each parameter the model's walk hands over, counting them.</summary>
    private struct StepVisitor(Optimizer<T> optimizer) : IParameterVisitor<T>
    {
        public int Count;

        public void Visit(in ModelParameter<T> parameter) => optimizer.UpdateParameter(Count++, parameter.Values, parameter.Gradient);
    }
}
