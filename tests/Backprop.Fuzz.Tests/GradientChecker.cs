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

        Precision precision = program.UsesFloat ? Precision.Float : Precision.Double;
        var random = new Random(program.Seed);
        var counts = new CheckCounts();
        for (int p = 0; p < PointsPerProgram; p++)
        {
            object[] point = program.Parameters.Select(parameter => RandomValue(parameter.Type, random)).ToArray();
            double value = Invoke(function, point);
            if (!IsTame(value))
            {
                counts += new CheckCounts(0, program.Parameters.Count(q => q.Differentiable));
                continue;
            }
            object?[] arguments = point.Concat(program.Parameters.Where(q => q.Differentiable).Select(_ => (object?)null)).ToArray();
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

            int slot = point.Length;
            for (int i = 0; i < program.Parameters.Count; i++)
            {
                if (!program.Parameters[i].Differentiable)
                    continue;
                double generated = System.Convert.ToDouble(arguments[slot++], CultureInfo.InvariantCulture);
                double? numerical = Estimate(function, point, i, precision, value);
                // A function flat at every step (estimate exactly 0) with a nonzero gradient is skipped: rounding may have
                // swallowed the parameter's effect, as in (c + 9e18) - 9e18, which finite differences cannot tell from a bug.
                if (numerical is not double expected || !double.IsFinite(generated) || (expected == 0 && generated != 0))
                {
                    counts += new CheckCounts(0, 1);
                    continue;
                }
                counts += new CheckCounts(1, 0);
                if (Math.Abs(generated - expected) > precision.Tolerance * Math.Max(1, Math.Abs(expected)))
                {
                    return (Failed(program, point,
                        $"∂F/∂{program.Parameters[i].Name}: generated {generated:R}, finite differences {expected:R}"), counts);
                }
            }
        }
        return (null, counts);
    }

    /// <summary>
    /// The derivative along parameter <paramref name="index"/> by central differences at steps h and h/2, combined by
    /// Richardson extrapolation. <c>null</c> (skip) when any value is non-finite or huge; when the function's rounding,
    /// magnified by the smallest step, could exceed a quarter of the tolerance; or when the estimates at h, h/2 and
    /// h/64 disagree by more than a quarter of the tolerance: a kink (Abs, Max, Min, Clamp) or jump (Floor, Round,
    /// Sign, %) lies within the step, or the function curves too fast for the step. Only estimates whose own error is
    /// well inside the tolerance are compared with the gradient.
    /// </summary>
    private static double? Estimate(MethodInfo function, object[] point, int index, Precision precision, double value)
    {
        double x = System.Convert.ToDouble(point[index], CultureInfo.InvariantCulture);
        double h = precision.Step * Math.Max(1, Math.Abs(x));
        double? wide = Central(function, point, index, x, h);
        double? narrow = Central(function, point, index, x, h / 2);
        double? fine = Central(function, point, index, x, h / 64);
        if (wide is not double d1 || narrow is not double d2 || fine is not double d3)
            return null;
        double trusted = precision.Tolerance / 4 * Math.Max(1, Math.Abs(d2));
        double noise = precision.Roundoff * Math.Max(1, Math.Abs(value)) / (h / 64);
        if (noise > trusted || Math.Abs(d1 - d2) > trusted || Math.Abs(d3 - d2) > trusted)
            return null;
        return (4 * d2 - d1) / 3;
    }

    private static double? Central(MethodInfo function, object[] point, int index, double x, double h)
    {
        object[] shifted = (object[])point.Clone();
        shifted[index] = Box(x + h, point[index]);
        object up = shifted[index];
        double fUp = Invoke(function, shifted);
        shifted[index] = Box(x - h, point[index]);
        object down = shifted[index];
        double fDown = Invoke(function, shifted);
        // Divide by the step actually taken: a float parameter rounds x ± h.
        double taken = System.Convert.ToDouble(up, CultureInfo.InvariantCulture) - System.Convert.ToDouble(down, CultureInfo.InvariantCulture);
        return IsTame(fUp) && IsTame(fDown) && taken > 0 ? (fUp - fDown) / taken : null;
    }

    private static bool IsTame(double value) => double.IsFinite(value) && Math.Abs(value) < HugeValue;

    private static object Box(double value, object like) => like is float ? (object)(float)value : value;

    private static object RandomValue(FuzzType type, Random random) => type switch
    {
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
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
