using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Checks a matrix program's <c>FHessianVector</c> at a point where its gradient has just been checked: along a random
/// direction v (a matrix of each weight's shape, a number for the scalar), every element of H·v must match the
/// central difference of the generated gradient along v under the gradient check's rules
/// (<see cref="HessianVectorChecker.Compare"/>). It must return F's value and overwrite every element of its
/// garbage-filled product buffers.
/// </summary>
internal static class MatrixHessianVectorChecker
{
    /// <param name="gradientAtPoint">The generated gradient at the point, in the order of <see cref="MatrixFuzz.Components"/>.</param>
    public static (string? Failure, CheckCounts Counts) Check(MatrixProgram program, MethodInfo product, MethodInfo gradient, object[] point,
        double value, double[] gradientAtPoint, Random random)
    {
        MatrixParameter[] differentiable = program.Parameters.Where(q => q.Differentiable).ToArray();
        object[] direction = differentiable.Select(q => MatrixValues.RandomValue(q, random)).ToArray();
        string along = $"along ({MatrixValues.Listed(differentiable, direction)})";
        double returned;
        double[] generated;
        try
        {
            (returned, generated) = MatrixFuzz.InvokeWithBuffers(program, product, point, direction);
        }
        catch (TargetInvocationException exception)
        {
            return ($"the Hessian-vector method threw {exception.InnerException!.GetType().Name} where the function returned {value:R}", default);
        }
        if (!returned.Equals(value))
            return ($"the Hessian-vector method {along} returned {returned:R}, the function {value:R}", default);
        (int Parameter, int Element)[] components = MatrixFuzz.Components(program);
        string Name(int c) => $"(H·v)[{MatrixValues.Label(program.Parameters[components[c].Parameter], components[c].Element)}]";
        if (MatrixFuzz.GarbageLeft(generated, "Hessian-vector", Name) is string garbage)
            return ($"{garbage} {along}", default);

        double h = Precision.Double.Step * Math.Max(1, components.Max(c => Math.Abs(MatrixValues.Element(point[c.Parameter], c.Element))));
        double[]?[] gradients = HessianVectorChecker.Steps(h).Select(s => GradientAt(program, gradient, Shift(program, point, direction, s))).ToArray();
        var (wrong, counts) = HessianVectorChecker.Compare(generated, gradients, gradientAtPoint, h, Precision.Double);
        return wrong is (int c, double expected)
            ? ($"{Name(c)} {along}: generated {generated[c]:R}, finite differences of the gradient {expected:R}", counts)
            : (null, counts);
    }

    /// <summary>The generated gradient at a point, or <c>null</c> where the function there is not tame or the gradient throws (the gradient check's business).</summary>
    private static double[]? GradientAt(MatrixProgram program, MethodInfo gradient, object[] point)
    {
        try
        {
            var (value, components) = MatrixFuzz.InvokeWithBuffers(program, gradient, point);
            return GradientChecker.IsTame(value) ? components : null;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    /// <summary>x + s·v over the differentiable parameters; the rest stay.</summary>
    private static object[] Shift(MatrixProgram program, object[] point, object[] direction, double s)
    {
        object[] shifted = (object[])point.Clone();
        int d = 0;
        for (int i = 0; i < program.Parameters.Count; i++)
        {
            if (program.Parameters[i].Differentiable)
                shifted[i] = MatrixValues.Shifted(point[i], direction[d++], s);
        }
        return shifted;
    }
}
