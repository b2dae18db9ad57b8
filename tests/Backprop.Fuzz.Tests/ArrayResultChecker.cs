using System.Globalization;
using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Checks a program returning an array: <c>FJacobian</c> against central finite differences of each output, with the
/// skip rules of <see cref="GradientChecker.Estimate"/>; then <c>FVectorJacobian</c> against uᵀJ and <c>FTangent</c>
/// against J·v for random u and v. Whichever sweeps the Jacobian ran (forward for no more inputs than outputs), the two
/// others run the other kind, so both are compared with finite differences through it. Each method must return the
/// function's value exactly.
/// </summary>
internal static class ArrayResultChecker
{
    public static (FuzzFailure? Failure, CheckCounts Counts) Check(FuzzProgram program, Assembly assembly)
    {
        Type type = assembly.GetType(FuzzProgram.Namespace + "." + program.ClassName)!;
        MethodInfo function = type.GetMethod(FuzzProgram.MethodName)!;
        MethodInfo? jacobian = type.GetMethod(FuzzProgram.MethodName + "Jacobian");
        MethodInfo? vectorJacobian = type.GetMethod(FuzzProgram.MethodName + "VectorJacobian");
        MethodInfo? tangent = type.GetMethod(FuzzProgram.MethodName + "Tangent");
        if (jacobian is null || vectorJacobian is null || tangent is null)
            return (new FuzzFailure(program, FailureKind.Generator, "a Jacobian, vector-Jacobian or tangent method was not generated, and no diagnostic says why"), default);

        Precision precision = program.UsesFloat ? Precision.Float : Precision.Double;
        // Per column of the Jacobian: the parameter, and the element of an array parameter (-1 for a scalar).
        var columns = program.Parameters.Select((p, i) => (p, i)).Where(c => c.p.Differentiable)
            .SelectMany(c => c.p.Type == FuzzType.DoubleArray ? Enumerable.Range(0, c.p.Length).Select(e => (Parameter: c.i, Element: e)) : new[] { (Parameter: c.i, Element: -1) })
            .ToArray();
        var random = new Random(program.Seed);
        var counts = new CheckCounts();
        for (int p = 0; p < GradientChecker.PointsPerProgram; p++)
        {
            object[] point = program.Parameters.Select(parameter => GradientChecker.RandomValue(parameter, random)).ToArray();
            double[]? value = Outputs(function, point, out Type? thrown);
            if (thrown is not null && GradientChecker.ThrowsAlike(jacobian, point.Append(new double[program.Outputs, columns.Length]).ToArray(), thrown, "Jacobian") is string mismatch)
                return (GradientChecker.Failed(program, point, mismatch), counts);
            if (value is null || !value.All(GradientChecker.IsTame))
            {
                counts += new CheckCounts(0, program.Outputs * columns.Length);
                continue;
            }
            var matrix = new double[value.Length, columns.Length];
            if (Run(jacobian, point.Append(matrix).ToArray(), value, "Jacobian", out _) is string jacobianFailure)
                return (GradientChecker.Failed(program, point, jacobianFailure), counts);

            for (int k = 0; k < value.Length; k++)
            {
                int output = k;
                for (int c = 0; c < columns.Length; c++)
                {
                    var (i, element) = columns[c];
                    double? numerical = GradientChecker.Estimate(arguments => Outputs(function, arguments)?[output] ?? double.NaN, point, i, element, precision, value[k]);
                    double component = matrix[k, c];
                    if (numerical is not double expected || !double.IsFinite(component) || (expected == 0 && component != 0))
                    {
                        counts += new CheckCounts(0, 1);
                        continue;
                    }
                    counts += new CheckCounts(1, 0);
                    if (Math.Abs(component - expected) > precision.Tolerance * Math.Max(1, Math.Abs(expected)))
                        return (GradientChecker.Failed(program, point, $"∂F[{k}]/∂{Name(program, i, element)}: Jacobian {component:R}, finite differences {expected:R}"), counts);
                }
            }

            if (CheckVectorJacobian(program, vectorJacobian, point, value, matrix, columns, random) is string vjpFailure)
                return (GradientChecker.Failed(program, point, vjpFailure), counts);
            if (CheckTangent(program, tangent, point, value, matrix, columns, random) is string tangentFailure)
                return (GradientChecker.Failed(program, point, tangentFailure), counts);
        }
        return (null, counts);
    }

    /// <summary>The gradients for a random cotangent u must be uᵀJ, to rounding: relative to Σₖ|uₖJₖc|.</summary>
    private static string? CheckVectorJacobian(FuzzProgram program, MethodInfo method, object[] point, double[] value, double[,] jacobian,
        (int Parameter, int Element)[] columns, Random random)
    {
        double[] u = Enumerable.Range(0, value.Length).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        // An array's gradient buffer starts full of garbage: the method must overwrite it.
        object?[] arguments = point.Append(u).Concat(program.Parameters.Where(q => q.Differentiable)
            .Select(q => q.Type == FuzzType.DoubleArray ? Enumerable.Repeat(12345.0, q.Length).ToArray() : (object?)null)).ToArray();
        if (Run(method, arguments, value, "vector-Jacobian", out _) is string failure)
            return failure;
        var gradient = new List<double>();
        foreach (object? output in arguments.Skip(point.Length + 1))
        {
            if (output is double[] buffer)
                gradient.AddRange(buffer);
            else
                gradient.Add(System.Convert.ToDouble(output, CultureInfo.InvariantCulture));
        }
        for (int c = 0; c < columns.Length; c++)
        {
            int column = c;
            if (Disagrees(gradient[c], Enumerable.Range(0, value.Length).Select(k => u[k] * jacobian[k, column]), program) is string difference)
                return $"the vector-Jacobian product's ∂/∂{Name(program, columns[c].Parameter, columns[c].Element)} for u = {GradientChecker.Literal(u)} {difference}";
        }
        return null;
    }

    /// <summary>The tangent along a random direction v must be J·v, to rounding: relative to Σc|Jₖc·vc|.</summary>
    private static string? CheckTangent(FuzzProgram program, MethodInfo method, object[] point, double[] value, double[,] jacobian,
        (int Parameter, int Element)[] columns, Random random)
    {
        ParameterInfo[] signature = method.GetParameters();
        var directions = new List<object>();
        var v = new double[columns.Length];
        int slot = point.Length, column = 0;
        foreach (FuzzParameter parameter in program.Parameters.Where(q => q.Differentiable))
        {
            double[] direction = Enumerable.Range(0, parameter.Type == FuzzType.DoubleArray ? parameter.Length : 1).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            Type directionType = signature[slot++].ParameterType;
            // Each arm boxed on its own: a conditional would widen a float direction to double.
            object boxed = parameter.Type == FuzzType.DoubleArray ? direction : directionType == typeof(float) ? (object)(float)direction[0] : direction[0];
            directions.Add(boxed);
            foreach (double d in direction)
                v[column++] = boxed is float f ? f : d;
        }
        var derivative = Enumerable.Repeat(12345.0, value.Length).ToArray();
        if (Run(method, point.Concat(directions).Append(derivative).ToArray(), value, "tangent", out object? result) is string failure)
            return failure;
        if (!ReferenceEquals(result!.GetType().GetField("Item2")!.GetValue(result), derivative))
            return "the tangent method's derivative is not the buffer given";
        for (int k = 0; k < value.Length; k++)
        {
            int output = k;
            if (Disagrees(derivative[k], Enumerable.Range(0, columns.Length).Select(c => jacobian[output, c] * v[c]), program) is string difference)
                return $"the tangent's output {k} along ({string.Join(", ", directions.Select(GradientChecker.Literal))}) {difference}";
        }
        return null;
    }

    /// <summary>Calls a derivative method; a failure when it throws or returns other values than the function.</summary>
    private static string? Run(MethodInfo method, object?[] arguments, double[] value, string what, out object? result)
    {
        try
        {
            result = method.Invoke(null, arguments);
        }
        catch (TargetInvocationException exception)
        {
            result = null;
            return $"the {what} method threw {exception.InnerException!.GetType().Name}: {exception.InnerException.Message}";
        }
        object returned = result is double[] ? result : result!.GetType().GetField("Item1")!.GetValue(result)!;
        return ((double[])returned).SequenceEqual(value) ? null
            : $"the {what} method returned {GradientChecker.Literal(returned)}, the function {GradientChecker.Literal(value)}";
    }

    /// <summary>Whether a derivative differs from the sum of <paramref name="terms"/> by more than rounding; skipped (null) when a term is not finite.</summary>
    private static string? Disagrees(double actual, IEnumerable<double> terms, FuzzProgram program)
    {
        double[] parts = terms.ToArray();
        double expected = parts.Sum(), scale = parts.Sum(Math.Abs);
        if (!double.IsFinite(scale) || !double.IsFinite(actual))
            return null;
        double tolerance = (program.UsesFloat ? Precision.Float : Precision.Double).Consistency * Math.Max(1, scale);
        return Math.Abs(actual - expected) <= tolerance ? null : $"is {actual:R}, from the Jacobian {expected:R}";
    }

    /// <summary>The function's outputs, or null when it throws (Math.Sign of NaN, a guard).</summary>
    private static double[]? Outputs(MethodInfo function, object[] arguments) => Outputs(function, arguments, out _);

    private static double[]? Outputs(MethodInfo function, object[] arguments, out Type? thrown)
    {
        thrown = null;
        try
        {
            return (double[])function.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException exception)
        {
            thrown = exception.InnerException!.GetType();
            return null;
        }
    }

    private static string Name(FuzzProgram program, int parameter, int element) =>
        program.Parameters[parameter].Name + (element < 0 ? "" : $"[{element}]");
}
