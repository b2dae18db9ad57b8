using System.Globalization;
using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// The finite-difference step (relative to max(1, |x|)), the relative tolerance, the unit roundoff of the arithmetic,
/// and the tolerance between two exact derivative computations that differ only in rounding (a tangent against
/// gradient · direction, relative to the sum of the terms' magnitudes). Float programs round to about 7 digits, so
/// they take a wider step and looser tolerances.
/// </summary>
internal sealed record Precision(double Step, double Tolerance, double Roundoff, double Consistency)
{
    public static readonly Precision Double = new(1e-5, 1e-5, 1.1e-16, 1e-9);
    public static readonly Precision Float = new(1e-2, 1e-2, 6e-8, 1e-3);
}

/// <summary>How many gradient and Hessian-vector components were compared and how many were skipped as numerically unstable.</summary>
internal readonly record struct CheckCounts(int Checked, int Skipped, int ProductsChecked = 0, int ProductsSkipped = 0)
{
    public static CheckCounts operator +(CheckCounts a, CheckCounts b) =>
        new(a.Checked + b.Checked, a.Skipped + b.Skipped, a.ProductsChecked + b.ProductsChecked, a.ProductsSkipped + b.ProductsSkipped);
}

/// <summary>A central difference, and the value at the point that the line through its two ends predicts.</summary>
internal readonly record struct Difference(double Slope, double AtPoint);

/// <summary>One component of a gradient (or of a Hessian-vector product): the parameter's index, the element (−1 for a scalar), the value.</summary>
internal readonly record struct Component(int Parameter, int Element, double Value);

/// <summary>
/// Checks a loaded program's generated gradient against central finite differences in double, at random points
/// drawn from the program's seed. A component is compared only where finite differences can be trusted; see
/// <see cref="Estimate"/> and docs/reliability.md for the rules that skip the rest.
/// </summary>
internal static class GradientChecker
{
    public const int PointsPerProgram = 5;

    /// <summary>Beyond this magnitude the function's rounding error swamps a finite difference.</summary>
    private const double HugeValue = 1e6;

    /// <summary>Checks one program; returns the failure, if any, and the counts.</summary>
    public static (FuzzFailure? Failure, CheckCounts Counts) Check(FuzzProgram program, Assembly assembly)
    {
        Type type = assembly.GetType(FuzzProgram.Namespace + "." + program.ClassName)!;
        MethodInfo function = type.GetMethod(FuzzProgram.MethodName)!;
        MethodInfo? gradient = type.GetMethod(FuzzProgram.MethodName + "Gradient");
        if (gradient is null)
            return (new FuzzFailure(program, FailureKind.Generator, "no gradient method was generated, and no diagnostic says why"), default);
        MethodInfo? tangent = type.GetMethod(FuzzProgram.MethodName + "Tangent");
        if (program.Tangent && tangent is null)
            return (new FuzzFailure(program, FailureKind.Generator, "no tangent method was generated, and no diagnostic says why"), default);
        MethodInfo? product = type.GetMethod(FuzzProgram.MethodName + "HessianVector");
        if (program.Hessian && product is null)
            return (new FuzzFailure(program, FailureKind.Generator, "no Hessian-vector method was generated, and no diagnostic says why"), default);
        // Its own stream, so that checking the product leaves the points (and tangent directions) where they were.
        var productRandom = new Random(~program.Seed);

        Precision precision = program.UsesFloat ? Precision.Float : Precision.Double;
        var random = new Random(program.Seed);
        var counts = new CheckCounts();
        for (int p = 0; p < PointsPerProgram; p++)
        {
            object[] point = program.Parameters.Select(parameter => RandomValue(parameter, random)).ToArray();
            var (value, thrown) = Evaluate(function, point);
            int components = program.Parameters.Where(q => q.Differentiable).Sum(q => q.Type == FuzzType.DoubleArray ? q.Length : 1);
            if (thrown is not null && ThrowsAlike(gradient, point.Concat(Buffers(program)).ToArray(), thrown, "gradient") is string mismatch)
                return (Failed(program, point, mismatch), counts);
            if (!IsTame(value))
            {
                counts += new CheckCounts(0, components);
                continue;
            }
            double returned;
            List<Component> generated;
            try
            {
                (returned, generated) = InvokeWithOutputs(program, gradient, point);
            }
            catch (TargetInvocationException exception)
            {
                return (Failed(program, point, $"the gradient method threw {exception.InnerException!.GetType().Name} where the function returned {value:R}"), counts);
            }
            if (!returned.Equals(value))
                return (Failed(program, point, $"the gradient method returned {returned:R}, the function {value:R}"), counts);

            bool everyComponentTrusted = true;
            foreach (var (i, element, component) in generated)
            {
                string name = program.Parameters[i].Name + (element < 0 ? "" : $"[{element}]");
                double? numerical = Estimate(arguments => Invoke(function, arguments), point, i, element, precision, value);
                // A function flat at every step (estimate exactly 0) with a nonzero gradient is skipped: rounding may have
                // swallowed the parameter's effect, as in (c + 9e18) - 9e18, which finite differences cannot tell from a bug.
                if (numerical is not double expected || !double.IsFinite(component) || (expected == 0 && component != 0))
                {
                    counts += new CheckCounts(0, 1);
                    everyComponentTrusted = false;
                    continue;
                }
                counts += new CheckCounts(1, 0);
                if (Math.Abs(component - expected) > precision.Tolerance * Math.Max(1, Math.Abs(expected)))
                    return (Failed(program, point, $"∂F/∂{name}: generated {component:R}, finite differences {expected:R}"), counts);
            }

            if (tangent is not null && CheckTangent(program, tangent, point, value, generated, everyComponentTrusted, random) is string tangentFailure)
                return (Failed(program, point, tangentFailure), counts);
            if (product is not null)
            {
                var (productFailure, productCounts) = HessianVectorChecker.Check(program, product, gradient, point, value, generated, precision, productRandom);
                counts += productCounts;
                if (productFailure is not null)
                    return (Failed(program, point, productFailure), counts);
            }
        }
        return (null, counts);
    }

    /// <summary>
    /// Calls a method taking the program's parameters and then one output per differentiable parameter (an <c>out</c>
    /// scalar or an array buffer, which starts full of garbage: the method must overwrite it), after any
    /// <paramref name="inputs"/> of its own; returns its result and the outputs, component by component.
    /// </summary>
    public static (double Returned, List<Component> Outputs) InvokeWithOutputs(FuzzProgram program, MethodInfo method, object[] point, IEnumerable<object>? inputs = null)
    {
        object?[] arguments = point.Concat(inputs ?? Array.Empty<object>()).Concat(Buffers(program)).ToArray();
        double returned = System.Convert.ToDouble(method.Invoke(null, arguments), CultureInfo.InvariantCulture);
        var outputs = new List<Component>();
        int slot = arguments.Length - program.Parameters.Count(q => q.Differentiable);
        for (int i = 0; i < program.Parameters.Count; i++)
        {
            if (!program.Parameters[i].Differentiable)
                continue;
            if (arguments[slot++] is double[] buffer)
                outputs.AddRange(buffer.Select((g, e) => new Component(i, e, g)));
            else
                outputs.Add(new Component(i, -1, System.Convert.ToDouble(arguments[slot - 1], CultureInfo.InvariantCulture)));
        }
        return (returned, outputs);
    }

    /// <summary>One output per differentiable parameter: <c>null</c> for an <c>out</c> scalar, a buffer full of garbage for an array.</summary>
    private static IEnumerable<object?> Buffers(FuzzProgram program) => program.Parameters.Where(q => q.Differentiable)
        .Select(q => q.Type == FuzzType.DoubleArray ? Enumerable.Repeat(12345.0, q.Length).ToArray() : (object?)null);

    /// <summary>
    /// Where F throws (a guard, a throw arm, Math.Sign of NaN), a derivative method must throw the same exception: the
    /// generated methods run every statement kept for its effect in F's order. Returns the mismatch, if any.
    /// </summary>
    internal static string? ThrowsAlike(MethodInfo method, object?[] arguments, Type thrown, string what)
    {
        try
        {
            method.Invoke(null, arguments);
        }
        catch (TargetInvocationException exception)
        {
            Type type = exception.InnerException!.GetType();
            return type == thrown ? null : $"the {what} method threw {type.Name} where the function threw {thrown.Name}";
        }
        return $"the {what} method did not throw where the function threw {thrown.Name}";
    }

    /// <summary>FTangent along a random direction, judged by <see cref="TangentComparison.Compare"/>.</summary>
    private static string? CheckTangent(FuzzProgram program, MethodInfo tangent, object[] point, double value,
        List<Component> gradient, bool compareDerivatives, Random random)
    {
        ParameterInfo[] signature = tangent.GetParameters();
        var directions = new List<object>();
        double dot = 0, scale = 0;
        int slot = point.Length;
        for (int i = 0; i < program.Parameters.Count; i++)
        {
            FuzzParameter parameter = program.Parameters[i];
            if (!parameter.Differentiable)
                continue;
            Type directionType = signature[slot++].ParameterType;
            double[] direction = Enumerable.Range(0, parameter.Type == FuzzType.DoubleArray ? parameter.Length : 1).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            if (parameter.Type == FuzzType.DoubleArray)
                directions.Add(direction);
            else
                directions.Add(directionType == typeof(float) ? (object)(float)direction[0] : direction[0]);
            foreach (var (_, element, g) in gradient.Where(c => c.Parameter == i))
            {
                double v = parameter.Type == FuzzType.DoubleArray ? direction[element]
                    : System.Convert.ToDouble(directions[^1], CultureInfo.InvariantCulture);
                dot += g * v;
                scale += Math.Abs(g * v);
            }
        }
        if (!double.IsFinite(scale))
            return null;
        object? result;
        try
        {
            result = tangent.Invoke(null, point.Concat(directions).ToArray());
        }
        catch (TargetInvocationException exception)
        {
            return $"the tangent method threw {exception.InnerException!.GetType().Name} where the function returned {value:R}";
        }
        return TangentComparison.Compare(result!, value, dot, scale, compareDerivatives, program.UsesFloat ? Precision.Float : Precision.Double,
            $"along ({string.Join(", ", directions.Select(Literal))})");
    }

    /// <summary>
    /// The derivative along parameter <paramref name="index"/> by central differences at steps h and h/2, combined by
    /// Richardson extrapolation. <c>null</c> (skip) when any value is non-finite or huge; when the function's rounding,
    /// magnified by the smallest step, could exceed a quarter of the tolerance; when the estimates at h, h/2 and
    /// h/64 disagree by more than a quarter of the tolerance: a kink (Abs, Max, Min, Clamp) or jump (Floor, Round,
    /// Sign, %) lies within the step, or the function curves too fast for the step; or when F at the point itself
    /// is off the line through its neighbours at ±h/64 by more than that band times h/64: a jump at the point, which
    /// central differences never evaluate (a branch on <c>|(float)x| &gt; x</c> flips at every float rounding). Only
    /// estimates whose own error is well inside the tolerance are compared with the gradient.
    /// </summary>
    internal static double? Estimate(Func<object[], double> function, object[] point, int index, int element, Precision precision, double value)
    {
        double x = element < 0 ? System.Convert.ToDouble(point[index], CultureInfo.InvariantCulture) : ((double[])point[index])[element];
        return Estimate(at => At(function, point, index, element, at), x, precision.Step * Math.Max(1, Math.Abs(x)), value, precision);
    }

    /// <summary>
    /// The derivative at <paramref name="x"/> of a function of one coordinate, by central differences at steps h, h/2 and
    /// h/64 (<see cref="Trusted"/>). <paramref name="at"/> evaluates the function where asked and returns the coordinate
    /// it actually used (a float rounds x ± h), so the differences divide by the step actually taken.
    /// </summary>
    public static double? Estimate(Func<double, (double Coordinate, double Value)> at, double x, double h, double value, Precision precision) =>
        Central(at, x, h) is { } wide && Central(at, x, h / 2) is { } narrow && Central(at, x, h / 64) is { } fine
            ? Trusted(wide, narrow, fine, value, h, precision)
            : null;

    /// <summary>
    /// The Richardson extrapolation of central differences at steps h (<paramref name="wide"/>), h/2 and h/64 of a
    /// quantity whose value at the point is <paramref name="value"/>, or <c>null</c> where rules 2–4 say it cannot be
    /// trusted: rounding magnified by the smallest step, estimates that disagree across steps, or a jump at the point.
    /// </summary>
    public static double? Trusted(Difference wide, Difference narrow, Difference fine, double value, double h, Precision precision)
    {
        double trusted = precision.Tolerance / 4 * Math.Max(1, Math.Abs(narrow.Slope));
        double noise = precision.Roundoff * Math.Max(1, Math.Abs(value)) / (h / 64);
        if (noise > trusted || Math.Abs(wide.Slope - narrow.Slope) > trusted || Math.Abs(fine.Slope - narrow.Slope) > trusted
            || Math.Abs(value - fine.AtPoint) > trusted * (h / 64))
            return null;
        return (4 * narrow.Slope - wide.Slope) / 3;
    }

    /// <summary>A central difference around <paramref name="x"/>, or <c>null</c> where the function is not tame at either end.</summary>
    private static Difference? Central(Func<double, (double Coordinate, double Value)> at, double x, double h)
    {
        var (up, fUp) = at(x + h);
        var (down, fDown) = at(x - h);
        if (!IsTame(fUp) || !IsTame(fDown) || up - down <= 0)
            return null;
        double slope = (fUp - fDown) / (up - down);
        return new Difference(slope, fDown + slope * (x - down));
    }

    /// <summary>F with parameter <paramref name="index"/> (or one element of an array parameter) set to <paramref name="x"/>, and the coordinate as passed.</summary>
    private static (double Coordinate, double Value) At(Func<object[], double> function, object[] point, int index, int element, double x)
    {
        object[] shifted = (object[])point.Clone();
        if (element >= 0)
        {
            var array = (double[])((double[])point[index]).Clone();
            array[element] = x;
            shifted[index] = array;
            return (x, function(shifted));
        }
        shifted[index] = Box(x, point[index]);
        return (System.Convert.ToDouble(shifted[index], CultureInfo.InvariantCulture), function(shifted));
    }

    public static bool IsTame(double value) => double.IsFinite(value) && Math.Abs(value) < HugeValue;

    private static object Box(double value, object like) => like is float ? (object)(float)value : value;

    internal static object RandomValue(FuzzParameter parameter, Random random) => parameter.Type switch
    {
        FuzzType.DoubleArray => Enumerable.Range(0, parameter.Length).Select(_ => random.NextDouble() * 4 - 2).ToArray(),
        FuzzType.IntArray => Enumerable.Range(0, parameter.Length).Select(_ => random.Next(0, 6)).ToArray(),
        // Each arm boxed on its own: a switch expression would otherwise widen them all to double.
        FuzzType.Double => (object)(random.NextDouble() * 4 - 2),
        FuzzType.Float => (object)(float)(random.NextDouble() * 4 - 2),
        _ => (object)random.Next(-2, 4),
    };

    /// <summary>Calls the method; a throw from the function itself (Math.Sign of NaN, a guard) counts as a non-finite value.</summary>
    private static double Invoke(MethodInfo method, object?[] arguments) => Evaluate(method, arguments).Value;

    /// <summary>The function's value, or NaN and the type of the exception it threw.</summary>
    private static (double Value, Type? Thrown) Evaluate(MethodInfo function, object?[] arguments)
    {
        try
        {
            return (System.Convert.ToDouble(function.Invoke(null, arguments), CultureInfo.InvariantCulture), null);
        }
        catch (TargetInvocationException exception)
        {
            return (double.NaN, exception.InnerException!.GetType());
        }
    }

    internal static FuzzFailure Failed(FuzzProgram program, object[] point, string detail) =>
        new(program, FailureKind.WrongGradient,
            $"at ({string.Join(", ", program.Parameters.Select((p, i) => $"{p.Name} = {Literal(point[i])}"))}): {detail}");

    public static string Literal(object value) => value switch
    {
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
        double[] a => "new[] { " + string.Join(", ", a.Select(e => e.ToString("R", CultureInfo.InvariantCulture))) + " }",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
