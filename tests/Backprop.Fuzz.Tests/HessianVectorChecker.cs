using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Checks <c>FHessianVector</c> at a point where the gradient has just been checked: along a random direction v, each
/// component of H·v must match the central difference of the generated gradient along v,
/// <c>(∇F(x + s·v) − ∇F(x − s·v)) / 2s</c>, under the gradient check's own rules (<see cref="GradientChecker.Trusted"/>)
/// applied to that component of the gradient. The method calls only the public <c>FHessianVector</c>, so it checks
/// whatever emission is behind it.
/// </summary>
internal static class HessianVectorChecker
{
    /// <summary>
    /// Returns a failure's description, if any, and how many product components were compared or skipped. The value
    /// returned must be F's, exactly. Float parameters keep a zero direction (x ± s·v would round, so the step taken
    /// would not be s·v); their rows of H·v are still compared, and the first parameter, always a double, moves.
    /// </summary>
    public static (string? Failure, CheckCounts Counts) Check(FuzzProgram program, MethodInfo product, MethodInfo gradient, object[] point,
        double value, List<Component> gradientAtPoint, Precision precision, Random random)
    {
        object[] direction = program.Parameters.Where(p => p.Differentiable).Select(p => p.Type switch
        {
            FuzzType.DoubleArray => Enumerable.Range(0, p.Length).Select(_ => random.NextDouble() * 2 - 1).ToArray(),
            FuzzType.Float => (object)0f,
            _ => (object)(random.NextDouble() * 2 - 1),
        }).ToArray();
        double returned;
        List<Component> generated;
        try
        {
            (returned, generated) = GradientChecker.InvokeWithOutputs(program, product, point, direction);
        }
        catch (TargetInvocationException exception)
        {
            return ($"the Hessian-vector method threw {exception.InnerException!.GetType().Name} where the function returned {value:R}", default);
        }
        string along = $"along ({string.Join(", ", direction.Select(GradientChecker.Literal))})";
        if (!returned.Equals(value))
            return ($"the Hessian-vector method {along} returned {returned:R}, the function {value:R}", default);

        double h = precision.Step * Math.Max(1, point.Select(Magnitude).Max());
        double[]?[] gradients = Steps(h).Select(s => GradientAt(program, gradient, Shift(program, point, direction, s))).ToArray();
        var (wrong, counts) = Compare(generated.Select(c => c.Value).ToArray(), gradients, gradientAtPoint.Select(c => c.Value).ToArray(), h, precision);
        if (wrong is not (int c, double expected))
            return (null, counts);
        var (parameter, element, component) = generated[c];
        string name = program.Parameters[parameter].Name + (element < 0 ? "" : $"[{element}]");
        return ($"(H·v)[{name}] {along}: generated {component:R}, finite differences of the gradient {expected:R}", counts);
    }

    /// <summary>The steps s of the points x + s·v at which <see cref="Compare"/> takes the gradient: ±h, ±h/2, ±h/64, in that order.</summary>
    public static double[] Steps(double h) => new[] { h, -h, h / 2, -h / 2, h / 64, -h / 64 };

    /// <summary>
    /// Compares each component of a Hessian-vector <paramref name="product"/> (over every differentiable element, in
    /// order) with the central differences of the gradient along v, from <paramref name="gradients"/> at x + s·v for
    /// each of <see cref="Steps"/> (<c>null</c> where the function is not tame or the gradient throws: every component
    /// is then skipped), under the gradient check's rules (<see cref="GradientChecker.Trusted"/>) applied to that
    /// component of the gradient at x. Returns the first component that disagrees, with the estimate, if any, and how
    /// many were compared or skipped.
    /// </summary>
    public static ((int Component, double Expected)? Wrong, CheckCounts Counts) Compare(IReadOnlyList<double> product,
        IReadOnlyList<double>?[] gradients, IReadOnlyList<double> gradientAtPoint, double h, Precision precision)
    {
        if (gradients.Any(g => g is null))
            return (null, new CheckCounts(0, 0, 0, product.Count));
        double[] steps = Steps(h);
        var counts = new CheckCounts();
        for (int c = 0; c < product.Count; c++)
        {
            Difference? Slope(int step)
            {
                double up = gradients[2 * step]![c], down = gradients[2 * step + 1]![c];
                return GradientChecker.IsTame(up) && GradientChecker.IsTame(down) ? new Difference((up - down) / (2 * steps[2 * step]), (up + down) / 2) : null;
            }
            double? estimate = Slope(0) is { } d1 && Slope(1) is { } d2 && Slope(2) is { } d3
                ? GradientChecker.Trusted(d1, d2, d3, gradientAtPoint[c], h, precision)
                : null;
            double component = product[c];
            // Skipped as for the gradient: an untrusted estimate, a non-finite product, or a gradient flat at every step.
            if (estimate is not double expected || !double.IsFinite(component) || (expected == 0 && component != 0))
            {
                counts += new CheckCounts(0, 0, 0, 1);
                continue;
            }
            counts += new CheckCounts(0, 0, 1, 0);
            if (Math.Abs(component - expected) > precision.Tolerance * Math.Max(1, Math.Abs(expected)))
                return ((c, expected), counts);
        }
        return (null, counts);
    }

    /// <summary>The generated gradient at a point, or <c>null</c> where the function there is not tame or the gradient throws (the gradient check's business).</summary>
    private static double[]? GradientAt(FuzzProgram program, MethodInfo gradient, object[] point)
    {
        try
        {
            var (value, components) = GradientChecker.InvokeWithOutputs(program, gradient, point);
            return GradientChecker.IsTame(value) ? components.Select(c => c.Value).ToArray() : null;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    /// <summary>x + s·v, over the differentiable parameters (arrays element by element); the rest stay.</summary>
    private static object[] Shift(FuzzProgram program, object[] point, object[] direction, double s)
    {
        object[] shifted = (object[])point.Clone();
        int d = 0;
        for (int i = 0; i < program.Parameters.Count; i++)
        {
            if (!program.Parameters[i].Differentiable)
                continue;
            shifted[i] = (point[i], direction[d++]) switch
            {
                (double[] x, double[] v) => x.Select((e, k) => e + s * v[k]).ToArray(),
                (double x, double v) => x + s * v,
                _ => point[i],
            };
        }
        return shifted;
    }

    private static double Magnitude(object value) => value switch
    {
        double[] array => array.Max(Math.Abs),
        double x => Math.Abs(x),
        float x => Math.Abs(x),
        _ => 0,
    };
}
