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
            i => parameters[i].Parameter.Span, i => parameters[i].Gradient.Span, samplesPerParameter, epsilon, seed);
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
            i => parameters[i].Parameter, i => parameters[i].Gradient, samplesPerParameter, epsilon, seed);
    }

    private delegate Span<double> ValuesOf(int parameterIndex);

    private static GradientCheckResult Run(
        Func<double> loss,
        (string Name, int Length)[] parameters,
        ValuesOf valuesOf,
        ValuesOf gradientOf,
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
            int[] coordinates = ChooseCoordinates(parameters[p].Length, samplesPerParameter, random);
            var worst = new ParameterGradientError(parameters[p].Name, coordinates.Length, 0, 0, -1, 0, 0);
            foreach (int i in coordinates)
            {
                double numerical = CentralDifference(loss, valuesOf, p, i, epsilon);
                double analytic = gradientOf(p)[i];
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

    private static double CentralDifference(Func<double> loss, ValuesOf valuesOf, int parameter, int index, double epsilon)
    {
        // The span is fetched again after each loss call, which may do anything; the original value is
        // restored by assignment, not by subtracting ε, so rounding cannot drift the parameter.
        double original = valuesOf(parameter)[index];
        valuesOf(parameter)[index] = original + epsilon;
        double plus = loss();
        valuesOf(parameter)[index] = original - epsilon;
        double minus = loss();
        valuesOf(parameter)[index] = original;
        return (plus - minus) / (2 * epsilon);
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
