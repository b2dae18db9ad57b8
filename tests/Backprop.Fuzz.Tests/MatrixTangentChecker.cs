using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Checks a matrix program's <c>FTangent</c> at a point where its gradient has just been checked: along a random
/// direction (a matrix of each weight's shape, an array of them for a stack, a number for the scalar) it must return
/// F's value and the gradient · direction, to rounding (<see cref="TangentComparison.Compare"/>).
/// </summary>
internal static class MatrixTangentChecker
{
    /// <param name="gradient">The generated gradient at the point, in the order of <see cref="MatrixFuzz.Components"/>.</param>
    /// <param name="compareDerivatives">Whether finite differences trusted every gradient component (see <see cref="TangentComparison.Compare"/>).</param>
    public static string? Check(MatrixProgram program, MethodInfo tangent, object[] point, double value, double[] gradient, bool compareDerivatives, Random random)
    {
        MatrixParameter[] differentiable = program.Parameters.Where(q => q.Differentiable).ToArray();
        object[] directions = differentiable.Select(q => MatrixValues.RandomValue(q, random)).ToArray();
        double[] terms = differentiable.SelectMany((q, d) => MatrixValues.Elements(q, directions[d])).Select((v, c) => gradient[c] * v).ToArray();
        double scale = terms.Sum(Math.Abs);
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
        return TangentComparison.Compare(result!, value, terms.Sum(), scale, compareDerivatives, Precision.Double,
            $"along ({MatrixValues.Listed(differentiable, directions)})");
    }
}
