using System.Globalization;
using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Checks <c>FGradientHessianVector</c> along a random direction v: it must return F's value and FGradient's gradient
/// exactly (it runs the gradient's own code), and as its product H·v the central difference of the (already checked)
/// gradient along v, at steps h and h/2 combined by Richardson extrapolation. A component is compared only where the
/// estimates at h, h/2 and h/64 agree within a quarter of the tolerance and the gradient's rounding, magnified by the
/// step, stays below that: elsewhere a kink or branch lies within the step, or the gradient's own rounding (which
/// cancellation can make far larger than its magnitude suggests: seed 1,001,062) swamps the difference. The step is
/// wider than the gradient check's (10⁻³ in double): a second derivative from differences of a computed gradient. <c>FHessianVector</c>, which drops what only the gradient needs,
/// must give the same products bit for bit.
/// </summary>
internal static class HessianVectorCheck
{
    public static string? Check(FuzzProgram program, MethodInfo product, MethodInfo productOnly, MethodInfo gradient, object[] point, double value,
        double[] expectedGradient, Precision precision, Random random)
    {
        ParameterInfo[] signature = product.GetParameters();
        var differentiable = program.Parameters.Select((p, i) => (Parameter: p, Index: i)).Where(q => q.Parameter.Differentiable).ToList();
        var directions = new List<double[]>();
        var directionArguments = new List<object>();
        int slot = point.Length;
        foreach (var (parameter, _) in differentiable)
        {
            Type type = signature[slot++].ParameterType;
            double[] direction = Enumerable.Range(0, parameter.Type == FuzzType.DoubleArray ? parameter.Length : 1).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            directions.Add(direction);
            directionArguments.Add(parameter.Type == FuzzType.DoubleArray ? direction : type == typeof(float) ? (object)(float)direction[0] : direction[0]);
        }
        object? Buffer(FuzzParameter p) => p.Type == FuzzType.DoubleArray ? Enumerable.Repeat(12345.0, p.Length).ToArray() : null;
        object?[] arguments = point.Concat(directionArguments)
            .Concat(differentiable.Select(q => Buffer(q.Parameter)))
            .Concat(differentiable.Select(q => Buffer(q.Parameter))).ToArray();
        double returned;
        try
        {
            returned = System.Convert.ToDouble(product.Invoke(null, arguments), CultureInfo.InvariantCulture);
        }
        catch (TargetInvocationException exception)
        {
            return $"the Hessian-vector product threw {exception.InnerException!.GetType().Name} where the function returned {value:R}";
        }
        if (!returned.Equals(value))
            return $"the Hessian-vector product returned {returned:R}, the function {value:R}";
        int first = point.Length + directionArguments.Count;
        double[] gradientOut = Flatten(arguments.Skip(first).Take(differentiable.Count));
        double[] products = Flatten(arguments.Skip(first + differentiable.Count));
        for (int k = 0; k < gradientOut.Length; k++)
        {
            if (!gradientOut[k].Equals(expectedGradient[k]))
                return $"the Hessian-vector product's gradient component {k} is {gradientOut[k]:R}, FGradient's {expectedGradient[k]:R}";
        }

        object?[] alone = point.Concat(directionArguments).Concat(differentiable.Select(q => Buffer(q.Parameter))).ToArray();
        try
        {
            double aloneValue = System.Convert.ToDouble(productOnly.Invoke(null, alone), CultureInfo.InvariantCulture);
            if (!aloneValue.Equals(value))
                return $"FHessianVector returned {aloneValue:R}, the function {value:R}";
        }
        catch (TargetInvocationException exception)
        {
            return $"FHessianVector threw {exception.InnerException!.GetType().Name} where FGradientHessianVector returned {value:R}";
        }
        double[] aloneProducts = Flatten(alone.Skip(point.Length + directionArguments.Count));
        for (int k = 0; k < products.Length; k++)
        {
            if (!aloneProducts[k].Equals(products[k]))
                return $"FHessianVector's product component {k} is {aloneProducts[k]:R}, FGradientHessianVector's {products[k]:R}";
        }

        double step = Math.Max(precision.Step, 1e-3) * Math.Max(1, point.Select(Magnitude).DefaultIfEmpty(0).Max());
        double[]? wide = Difference(program, gradient, point, differentiable, directions, step);
        double[]? narrow = Difference(program, gradient, point, differentiable, directions, step / 2);
        double[]? fine = Difference(program, gradient, point, differentiable, directions, step / 64);
        if (wide is null || narrow is null || fine is null)
            return null;
        double gradientScale = expectedGradient.Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int k = 0; k < products.Length; k++)
        {
            double trusted = precision.Tolerance / 4 * Math.Max(1, Math.Abs(narrow[k]));
            double noise = precision.Roundoff * Math.Max(1, gradientScale) / (step / 64);
            if (!double.IsFinite(products[k]) || !double.IsFinite(wide[k]) || !double.IsFinite(narrow[k]) || !double.IsFinite(fine[k]) || noise > trusted
                || Math.Abs(wide[k] - narrow[k]) > trusted || Math.Abs(fine[k] - narrow[k]) > trusted)
                continue;
            double expected = (4 * narrow[k] - wide[k]) / 3;
            if (Math.Abs(products[k] - expected) > precision.Tolerance * Math.Max(1, Math.Abs(expected)))
                return $"(H·v)[{k}] along ({string.Join("; ", directions.Select(d => string.Join(", ", d.Select(e => e.ToString("R", CultureInfo.InvariantCulture)))))}): generated {products[k]:R}, finite differences of the gradient {expected:R}";
        }
        return null;
    }

    /// <summary>(∇F(x + hv) − ∇F(x − hv)) / 2h, flattened; <c>null</c> when the gradient throws or is not finite there.</summary>
    private static double[]? Difference(FuzzProgram program, MethodInfo gradient, object[] point, List<(FuzzParameter Parameter, int Index)> differentiable, List<double[]> directions, double h)
    {
        double[]? up = GradientAt(program, gradient, Shift(point, differentiable, directions, h));
        double[]? down = GradientAt(program, gradient, Shift(point, differentiable, directions, -h));
        if (up is null || down is null)
            return null;
        return up.Zip(down, (a, b) => (a - b) / (2 * h)).ToArray();
    }

    private static object[] Shift(object[] point, List<(FuzzParameter Parameter, int Index)> differentiable, List<double[]> directions, double h)
    {
        object[] shifted = (object[])point.Clone();
        for (int d = 0; d < differentiable.Count; d++)
        {
            int i = differentiable[d].Index;
            shifted[i] = point[i] switch
            {
                double[] array => array.Select((x, e) => x + h * directions[d][e]).ToArray(),
                float x => (object)(float)(x + h * directions[d][0]),
                double x => x + h * directions[d][0],
                var other => other,
            };
        }
        return shifted;
    }

    private static double[]? GradientAt(FuzzProgram program, MethodInfo gradient, object[] point)
    {
        object?[] arguments = point.Concat(program.Parameters.Where(q => q.Differentiable)
            .Select(q => q.Type == FuzzType.DoubleArray ? new double[q.Length] : (object?)null)).ToArray();
        try
        {
            gradient.Invoke(null, arguments);
        }
        catch (TargetInvocationException)
        {
            return null;
        }
        double[] components = Flatten(arguments.Skip(point.Length));
        return components.All(double.IsFinite) ? components : null;
    }

    private static double[] Flatten(IEnumerable<object?> outputs) =>
        outputs.SelectMany(o => o is double[] array ? array : new[] { System.Convert.ToDouble(o, CultureInfo.InvariantCulture) }).ToArray();

    private static double Magnitude(object value) => value switch
    {
        double[] array => array.Select(Math.Abs).DefaultIfEmpty(0).Max(),
        float f => Math.Abs(f),
        double d => Math.Abs(d),
        _ => 0,
    };
}
