using System.Globalization;
using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// The finite-difference step (relative to max(1, |x|)), the relative tolerance, and the unit roundoff of the arithmetic.
/// Float programs round to about 7 digits, so they take a wider step and a looser tolerance.
/// </summary>
internal sealed record Precision(double Step, double Tolerance, double Roundoff)
{
    public static readonly Precision Double = new(1e-5, 1e-5, 1.1e-16);
    public static readonly Precision Float = new(1e-2, 1e-2, 6e-8);
}

/// <summary>How many gradient components were compared and how many were skipped as numerically unstable.</summary>
internal readonly record struct CheckCounts(int Checked, int Skipped)
{
    public static CheckCounts operator +(CheckCounts a, CheckCounts b) => new(a.Checked + b.Checked, a.Skipped + b.Skipped);
}

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

        Precision precision = program.UsesFloat ? Precision.Float : Precision.Double;
        var random = new Random(program.Seed);
        var counts = new CheckCounts();
        for (int p = 0; p < PointsPerProgram; p++)
        {
            object[] point = program.Parameters.Select(parameter => RandomValue(parameter, random)).ToArray();
            double value = Invoke(function, point);
            int components = program.Parameters.Where(q => q.Differentiable).Sum(q => q.Type == FuzzType.DoubleArray ? q.Length : 1);
            if (!IsTame(value))
            {
                counts += new CheckCounts(0, components);
                continue;
            }
            // An array's gradient buffer starts full of garbage: the gradient must overwrite it.
            object?[] arguments = point.Concat(program.Parameters.Where(q => q.Differentiable)
                .Select(q => q.Type == FuzzType.DoubleArray ? Enumerable.Repeat(12345.0, q.Length).ToArray() : (object?)null)).ToArray();
            double returned;
            try
            {
                returned = Invoke(gradient, arguments);
            }
            catch (TargetInvocationException exception)
            {
                return (Failed(program, point, $"the gradient method threw {exception.InnerException!.GetType().Name} where the function returned {value:R}"), counts);
            }
            if (!returned.Equals(value))
                return (Failed(program, point, $"the gradient method returned {returned:R}, the function {value:R}"), counts);

            // Every gradient component: (parameter, element or -1 for a scalar, value).
            var generated = new List<(int Parameter, int Element, double Value)>();
            int slot = point.Length;
            for (int i = 0; i < program.Parameters.Count; i++)
            {
                if (!program.Parameters[i].Differentiable)
                    continue;
                if (arguments[slot++] is double[] buffer)
                    generated.AddRange(buffer.Select((g, e) => (i, e, g)));
                else
                    generated.Add((i, -1, System.Convert.ToDouble(arguments[slot - 1], CultureInfo.InvariantCulture)));
            }

            foreach (var (i, element, component) in generated)
            {
                string name = program.Parameters[i].Name + (element < 0 ? "" : $"[{element}]");
                double? numerical = Estimate(function, point, i, element, precision, value);
                // A function flat at every step (estimate exactly 0) with a nonzero gradient is skipped: rounding may have
                // swallowed the parameter's effect, as in (c + 9e18) - 9e18, which finite differences cannot tell from a bug.
                if (numerical is not double expected || !double.IsFinite(component) || (expected == 0 && component != 0))
                {
                    counts += new CheckCounts(0, 1);
                    continue;
                }
                counts += new CheckCounts(1, 0);
                if (Math.Abs(component - expected) > precision.Tolerance * Math.Max(1, Math.Abs(expected)))
                    return (Failed(program, point, $"∂F/∂{name}: generated {component:R}, finite differences {expected:R}"), counts);
            }

            if (tangent is not null && CheckTangent(program, tangent, point, value, generated, random) is string tangentFailure)
                return (Failed(program, point, tangentFailure), counts);
            // Its own random directions: the points and directions of the checks above stay those of every earlier campaign.
            if (type.GetMethod(FuzzProgram.MethodName + "GradientHessianVector") is MethodInfo product
                && HessianVectorCheck.Check(program, product, type.GetMethod(FuzzProgram.MethodName + "HessianVector")!, gradient, point, value,
                    generated.Select(c => c.Value).ToArray(), precision, new Random(unchecked(program.Seed * 7919 + p))) is string productFailure)
                return (Failed(program, point, productFailure), counts);
        }
        return (null, counts);
    }

    /// <summary>
    /// FTangent along a random direction must return F's value exactly and, as its derivative, the gradient · direction:
    /// two exact derivative computations that differ only in rounding, so the tolerance is relative to Σ|gᵢ·vᵢ|.
    /// Skipped where a gradient component is not finite.
    /// </summary>
    private static string? CheckTangent(FuzzProgram program, MethodInfo tangent, object[] point, double value,
        List<(int Parameter, int Element, double Value)> gradient, Random random)
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
        Type tuple = result!.GetType();
        double tangentValue = System.Convert.ToDouble(tuple.GetField("Item1")!.GetValue(result), CultureInfo.InvariantCulture);
        double derivative = System.Convert.ToDouble(tuple.GetField("Item2")!.GetValue(result), CultureInfo.InvariantCulture);
        if (!tangentValue.Equals(value))
            return $"the tangent method returned {tangentValue:R}, the function {value:R}";
        // A non-finite tangent is skipped, as a non-finite gradient component is: an overflowed intermediate gives ∞·0
        // (HTangent(Math.E, x, 0, dx) with cosh(e^…) = ∞ times the constant argument's zero tangent).
        if (!double.IsFinite(derivative))
            return null;
        double tolerance = (program.UsesFloat ? 1e-3 : 1e-9) * Math.Max(1, scale);
        if (Math.Abs(derivative - dot) > tolerance)
            return $"the tangent's derivative along ({string.Join(", ", directions.Select(Literal))}) is {derivative:R}, gradient · direction {dot:R}";
        return null;
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
    private static double? Estimate(MethodInfo function, object[] point, int index, int element, Precision precision, double value)
    {
        double x = element < 0 ? System.Convert.ToDouble(point[index], CultureInfo.InvariantCulture) : ((double[])point[index])[element];
        double h = precision.Step * Math.Max(1, Math.Abs(x));
        Difference? wide = Central(function, point, index, element, x, h);
        Difference? narrow = Central(function, point, index, element, x, h / 2);
        Difference? fine = Central(function, point, index, element, x, h / 64);
        if (wide is not { } d1 || narrow is not { } d2 || fine is not { } d3)
            return null;
        double trusted = precision.Tolerance / 4 * Math.Max(1, Math.Abs(d2.Slope));
        double noise = precision.Roundoff * Math.Max(1, Math.Abs(value)) / (h / 64);
        if (noise > trusted || Math.Abs(d1.Slope - d2.Slope) > trusted || Math.Abs(d3.Slope - d2.Slope) > trusted
            || Math.Abs(value - d3.AtPoint) > trusted * (h / 64))
            return null;
        return (4 * d2.Slope - d1.Slope) / 3;
    }

    /// <summary>A central difference, and the value at the point that the line through its two ends predicts.</summary>
    private readonly record struct Difference(double Slope, double AtPoint);

    /// <summary>A central difference along parameter <paramref name="index"/>, or along one element of an array parameter.</summary>
    private static Difference? Central(MethodInfo function, object[] point, int index, int element, double x, double h)
    {
        object[] shifted = (object[])point.Clone();
        double up, down, fUp, fDown;
        if (element >= 0)
        {
            var array = (double[])((double[])point[index]).Clone();
            shifted[index] = array;
            array[element] = up = x + h;
            fUp = Invoke(function, shifted);
            array[element] = down = x - h;
            fDown = Invoke(function, shifted);
        }
        else
        {
            // Divide by the step actually taken: a float parameter rounds x ± h.
            shifted[index] = Box(x + h, point[index]);
            up = System.Convert.ToDouble(shifted[index], CultureInfo.InvariantCulture);
            fUp = Invoke(function, shifted);
            shifted[index] = Box(x - h, point[index]);
            down = System.Convert.ToDouble(shifted[index], CultureInfo.InvariantCulture);
            fDown = Invoke(function, shifted);
        }
        if (!IsTame(fUp) || !IsTame(fDown) || up - down <= 0)
            return null;
        double slope = (fUp - fDown) / (up - down);
        return new Difference(slope, fDown + slope * (x - down));
    }

    private static bool IsTame(double value) => double.IsFinite(value) && Math.Abs(value) < HugeValue;

    private static object Box(double value, object like) => like is float ? (object)(float)value : value;

    private static object RandomValue(FuzzParameter parameter, Random random) => parameter.Type switch
    {
        FuzzType.DoubleArray => Enumerable.Range(0, parameter.Length).Select(_ => random.NextDouble() * 4 - 2).ToArray(),
        // Each arm boxed on its own: a switch expression would otherwise widen them all to double.
        FuzzType.Double => (object)(random.NextDouble() * 4 - 2),
        FuzzType.Float => (object)(float)(random.NextDouble() * 4 - 2),
        _ => (object)random.Next(-2, 4),
    };

    /// <summary>Calls the method; a throw from the function itself (Math.Sign of NaN) counts as a non-finite value.</summary>
    private static double Invoke(MethodInfo method, object?[] arguments)
    {
        try
        {
            return System.Convert.ToDouble(method.Invoke(null, arguments), CultureInfo.InvariantCulture);
        }
        catch (TargetInvocationException) when (method.Name == FuzzProgram.MethodName)
        {
            return double.NaN;
        }
    }

    private static FuzzFailure Failed(FuzzProgram program, object[] point, string detail) =>
        new(program, FailureKind.WrongGradient,
            $"at ({string.Join(", ", program.Parameters.Select((p, i) => $"{p.Name} = {Literal(point[i])}"))}): {detail}");

    private static string Literal(object value) => value switch
    {
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
        double[] a => "new[] { " + string.Join(", ", a.Select(e => e.ToString("R", CultureInfo.InvariantCulture))) + " }",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
