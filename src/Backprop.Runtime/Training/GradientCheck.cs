namespace Backprop.Training;

/// <summary>
/// Compares an analytic gradient with central finite differences,
/// n = (J(w + ε·eᵢ) − J(w − ε·eᵢ)) / 2ε, coordinate by coordinate, all in <see cref="double"/>.
/// </summary>
/// <remarks>
/// The loss closure must read the parameters' current values: the check perturbs one coordinate in
/// place, evaluates the loss twice, and writes the original value back bit for bit before moving on.
/// </remarks>
public static class GradientCheck
{
    /// <summary>The floor of the relative error's denominator, so that a = n = 0 gives 0 rather than NaN.</summary>
    public const double Tiny = 1e-300;

    /// <summary>Checks the gradients of matrix parameters.</summary>
    /// <param name="loss">Evaluates the loss at the parameters' current values.</param>
    /// <param name="parameters">Each parameter with its name and its analytic gradient, of the same shape.</param>
    /// <param name="samplesPerParameter">How many coordinates of each parameter to check, drawn without replacement; −1 checks them all.</param>
    /// <param name="epsilon">The perturbation ε.</param>
    /// <param name="seed">Chooses the sampled coordinates.</param>
    /// <exception cref="ArgumentException">A gradient's shape differs from its parameter's.</exception>
    public static GradientCheckResult Run(
        Func<double> loss,
        IReadOnlyList<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> parameters,
        int samplesPerParameter = -1,
        double epsilon = 1e-5,
        int seed = 0)
    {
        foreach (var (name, parameter, gradient) in parameters)
            Matrix<double>.RequireSameShape(parameter, gradient, $"Gradient check of '{name}'");
        return Run(loss, parameters.Select(p => (p.Name, p.Parameter.Span.Length)).ToArray(),
            new SpanCoordinates(i => parameters[i].Parameter.Span, i => parameters[i].Gradient.Span), samplesPerParameter, epsilon, seed);
    }

    /// <summary>Checks the gradients of array parameters; see the matrix overload.</summary>
    /// <exception cref="ArgumentException">A gradient's length differs from its parameter's.</exception>
    public static GradientCheckResult Run(
        Func<double> loss,
        IReadOnlyList<(string Name, double[] Parameter, double[] Gradient)> parameters,
        int samplesPerParameter = -1,
        double epsilon = 1e-5,
        int seed = 0)
    {
        foreach (var (name, parameter, gradient) in parameters)
            if (parameter.Length != gradient.Length)
                throw new ArgumentException($"Gradient check of '{name}': the parameter has {parameter.Length} values but its gradient {gradient.Length}.", nameof(parameters));
        return Run(loss, parameters.Select(p => (p.Name, p.Parameter.Length)).ToArray(),
            new SpanCoordinates(i => parameters[i].Parameter, i => parameters[i].Gradient), samplesPerParameter, epsilon, seed);
    }

    /// <summary>
    /// Checks the gradients of every parameter of <paramref name="model"/> (each matrix of a stack, array and scalar a
    /// parameter of its own, named by its path: <c>Hidden.W</c>, <c>Ws[1]</c>), against the analytic gradients the model's
    /// gradient method wrote into <paramref name="gradients"/>; see the matrix overload.
    /// </summary>
    /// <param name="loss">Evaluates the loss at the model's current parameters (<c>() =&gt; model.Loss(x, t)</c>).</param>
    /// <param name="model">The model, whose parameters the check perturbs in place and restores.</param>
    /// <param name="gradients">The model's gradients at its current parameters (<c>model.LossGradient(x, t, gradients)</c>).</param>
    /// <param name="samplesPerParameter">How many coordinates of each parameter to check, drawn without replacement; −1 checks them all.</param>
    /// <param name="epsilon">The perturbation ε.</param>
    /// <param name="seed">Chooses the sampled coordinates.</param>
    /// <exception cref="ArgumentException">
    /// The gradients are another model's, a gradient's shape differs from its field's, or a parameter cannot be written in
    /// place (a scalar in an init-only property, a readonly field or a struct model).
    /// </exception>
    public static GradientCheckResult Run(
        Func<double> loss,
        IModel<double> model,
        IModelGradients<double> gradients,
        int samplesPerParameter = -1,
        double epsilon = 1e-5,
        int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ParameterLayout[] layout = ModelLayout.Of(model, gradients);
        ModelLayout.RequireWritable(layout, "A gradient check", nameof(model));
        return Run(loss, layout.Select(p => (p.Name, p.Length)).ToArray(), new ModelCoordinates(model, gradients), samplesPerParameter, epsilon, seed);
    }

    private static GradientCheckResult Run(
        Func<double> loss,
        (string Name, int Length)[] parameters,
        ICoordinates coordinates,
        int samplesPerParameter,
        double epsilon,
        int seed)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (samplesPerParameter is 0 or < -1)
            throw new ArgumentOutOfRangeException(nameof(samplesPerParameter), samplesPerParameter, "Check at least one coordinate per parameter, or pass −1 for all.");
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive and finite.");

        var random = new Random(seed);
        var entries = new ParameterGradientError[parameters.Length];
        for (int p = 0; p < parameters.Length; p++)
        {
            int[] chosen = ChooseCoordinates(parameters[p].Length, samplesPerParameter, random);
            var worst = new ParameterGradientError(parameters[p].Name, chosen.Length, 0, 0, -1, 0, 0);
            foreach (int i in chosen)
            {
                double numerical = CentralDifference(loss, coordinates, p, i, epsilon);
                double analytic = coordinates.Gradient(p, i);
                double absolute = Math.Abs(analytic - numerical);
                double relative = absolute / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numerical)), Tiny);
                worst = worst with { MaxAbsoluteError = Math.Max(worst.MaxAbsoluteError, absolute) };
                // NaN compares false, so a NaN error must be taken explicitly to be reported.
                if (relative > worst.MaxRelativeError || double.IsNaN(relative) || worst.WorstIndex < 0)
                    worst = worst with { MaxRelativeError = relative, WorstIndex = i, WorstAnalytic = analytic, WorstNumerical = numerical };
            }
            entries[p] = worst;
        }
        return new GradientCheckResult(entries);
    }

    private static double CentralDifference(Func<double> loss, ICoordinates coordinates, int parameter, int index, double epsilon)
    {
        // The parameter is found again after each loss call, which may do anything; the original value is
        // restored by assignment, not by subtracting ε, so rounding cannot drift the parameter.
        double original = coordinates.Value(parameter, index);
        coordinates.Set(parameter, index, original + epsilon);
        double plus = loss();
        coordinates.Set(parameter, index, original - epsilon);
        double minus = loss();
        coordinates.Set(parameter, index, original);
        return (plus - minus) / (2 * epsilon);
    }

    /// <summary>Coordinate <c>i</c> of parameter <c>p</c>: its value, read and written in place, and its analytic derivative.</summary>
    private interface ICoordinates
    {
        double Value(int parameter, int index);
        void Set(int parameter, int index, double value);
        double Gradient(int parameter, int index);
    }

    private delegate Span<double> ValuesOf(int parameterIndex);

    /// <summary>Parameters held in matrices or arrays given by the caller.</summary>
    private sealed class SpanCoordinates(ValuesOf values, ValuesOf gradients) : ICoordinates
    {
        public double Value(int parameter, int index) => values(parameter)[index];
        public void Set(int parameter, int index, double value) => values(parameter)[index] = value;
        public double Gradient(int parameter, int index) => gradients(parameter)[index];
    }

    /// <summary>A model's parameters, reached through its walk each time (a walk's spans last one call).</summary>
    private sealed class ModelCoordinates(IModel<double> model, IModelGradients<double> gradients) : ICoordinates
    {
        public double Value(int parameter, int index) => Walk(parameter, index, write: null, gradient: false);
        public void Set(int parameter, int index, double value) => Walk(parameter, index, value, gradient: false);
        public double Gradient(int parameter, int index) => Walk(parameter, index, write: null, gradient: true);

        private double Walk(int parameter, int index, double? write, bool gradient)
        {
            var visitor = new CoordinateVisitor { Parameter = parameter, Index = index, Write = write, FromGradient = gradient };
            model.VisitParameters(ref visitor, gradients);
            return visitor.Read;
        }
    }

    /// <summary>Reads (or writes) one coordinate of the parameter at a place of the walk.</summary>
    private struct CoordinateVisitor : IParameterVisitor<double>
    {
        public int Parameter, Index;
        public double? Write;
        public bool FromGradient;
        public double Read;
        private int _seen;

        public void Visit(in ModelParameter<double> parameter)
        {
            if (_seen++ != Parameter)
                return;
            Span<double> values = FromGradient ? parameter.Gradient : parameter.Values;
            if (Write is double value)
                values[Index] = value;
            Read = values[Index];
        }
    }

    private static int[] ChooseCoordinates(int length, int samples, Random random)
    {
        int[] all = Enumerable.Range(0, length).ToArray();
        if (samples < 0 || samples >= length)
            return all;
        // A partial Fisher–Yates shuffle: the first `samples` entries are a uniform sample without replacement.
        for (int i = 0; i < samples; i++)
        {
            int j = random.Next(i, length);
            (all[i], all[j]) = (all[j], all[i]);
        }
        int[] chosen = all[..samples];
        Array.Sort(chosen);
        return chosen;
    }
}

/// <summary>The outcome of a <see cref="GradientCheck"/>: one entry per parameter, in the order given.</summary>
public sealed record GradientCheckResult(IReadOnlyList<ParameterGradientError> Parameters)
{
    /// <summary>The largest absolute error over all parameters.</summary>
    public double MaxAbsoluteError => Parameters.Max(p => p.MaxAbsoluteError);

    /// <summary>The largest relative error over all parameters (NaN if any coordinate gave NaN).</summary>
    public double MaxRelativeError => Parameters.Any(p => double.IsNaN(p.MaxRelativeError)) ? double.NaN : Parameters.Max(p => p.MaxRelativeError);

    /// <summary>True when every parameter passes <see cref="ParameterGradientError.IsWithin"/>.</summary>
    public bool IsWithin(double relativeTolerance, double absoluteTolerance) =>
        Parameters.All(p => p.IsWithin(relativeTolerance, absoluteTolerance));

    /// <summary>One line per parameter.</summary>
    public override string ToString() => string.Join(Environment.NewLine, Parameters);
}

/// <summary>
/// The check of one parameter. With a the analytic and n the numerical derivative of a coordinate, the
/// absolute error is |a − n| and the relative error |a − n| / max(|a|, |n|, <see cref="GradientCheck.Tiny"/>).
/// </summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="CoordinatesChecked">How many coordinates were compared.</param>
/// <param name="MaxAbsoluteError">The largest absolute error.</param>
/// <param name="MaxRelativeError">The largest relative error.</param>
/// <param name="WorstIndex">The row-major index of the coordinate with the largest relative error.</param>
/// <param name="WorstAnalytic">The analytic derivative there.</param>
/// <param name="WorstNumerical">The numerical derivative there.</param>
public sealed record ParameterGradientError(
    string Name,
    int CoordinatesChecked,
    double MaxAbsoluteError,
    double MaxRelativeError,
    int WorstIndex,
    double WorstAnalytic,
    double WorstNumerical)
{
    /// <summary>
    /// True when the largest relative error is within <paramref name="relativeTolerance"/>, or the largest
    /// absolute error within <paramref name="absoluteTolerance"/> (for derivatives so close to zero that
    /// their relative error is rounding noise). NaN errors never pass.
    /// </summary>
    public bool IsWithin(double relativeTolerance, double absoluteTolerance) =>
        MaxRelativeError <= relativeTolerance || MaxAbsoluteError <= absoluteTolerance;

    /// <summary>E.g. <c>W1: 784 coordinates, max abs 3.1E-10, max rel 2.4E-08 (worst [17]: analytic 0.0123, numerical 0.0123)</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Name}: {CoordinatesChecked} coordinates, max abs {MaxAbsoluteError:G3}, max rel {MaxRelativeError:G3} (worst [{WorstIndex}]: analytic {WorstAnalytic:G6}, numerical {WorstNumerical:G6})");
}
