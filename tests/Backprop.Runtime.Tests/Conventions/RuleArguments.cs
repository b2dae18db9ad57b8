using System.Reflection;

namespace Backprop.Runtime.Tests.Conventions;

/// <summary>Building and reading the argument arrays through which the convention tests invoke rules by reflection.</summary>
internal static class RuleArguments
{
    /// <summary>A matrix of NaNs: an output that starts so must be overwritten to pass.</summary>
    public static Matrix<double> NaNs(int rows, int columns)
    {
        var m = new Matrix<double>(rows, columns);
        m.Span.Fill(double.NaN);
        return m;
    }

    /// <summary>A copy of every matrix and scalar among <paramref name="values"/>, to show later that none was modified.</summary>
    public static double[][] Snapshot(IEnumerable<object?> values) =>
        [.. values.Select(v => v switch { Matrix<double> m => m.Span.ToArray(), double d => [d], _ => [] })];

    /// <summary>The matrices and scalars among <paramref name="values"/>, flattened into one vector (null counts as nothing).</summary>
    public static double[] Flatten(IEnumerable<object?> values) => [.. Snapshot(values).SelectMany(v => v)];

    /// <summary>The positions of the function's differentiable parameters.</summary>
    public static int[] Differentiable(MethodInfo function) =>
        [.. function.GetParameters().Where(RuleSignature.IsDifferentiable).Select(p => p.Position)];

    /// <summary>Methods with a span parameter cannot be invoked through reflection; their own tests cover them.</summary>
    public static bool IsReflectionCallable(MethodInfo? function) =>
        function is not null && !function.GetParameters().Any(p => p.ParameterType.IsByRefLike);

    /// <summary>A fixed <c>dResult</c> for a pullback: a random matrix of the result's shape, or 0.75 for a scalar.</summary>
    public static object UpstreamGradient(object result) =>
        result is Matrix<double> m ? TestData.Normal<double>(m.Rows, m.Columns, seed: 99) : 0.75;

    /// <summary>
    /// A direction for each argument at <paramref name="positions"/>: a random matrix of its shape, or a scalar; a
    /// <paramref name="seed"/> per set, so two sets differ.
    /// </summary>
    public static object?[] Directions(object?[] arguments, int[] positions, int seed) =>
        [.. positions.Select((position, k) => arguments[position] is Matrix<double> m
            ? TestData.Normal<double>(m.Rows, m.Columns, seed + k)
            : (object)(0.3 + 0.1 * k - 0.01 * seed))];

    /// <summary><paramref name="value"/> + h·<paramref name="direction"/>, a new matrix (or scalar); a null direction is zero.</summary>
    public static object Moved(object value, object? direction, double h)
    {
        if (direction is null)
            return value;
        if (value is double scalar)
            return scalar + h * (double)direction;
        var moved = ((Matrix<double>)value).Clone();
        Scratch.AddScaled<double>(moved.Span, ((Matrix<double>)direction).Span, h);
        return moved;
    }

    /// <summary>The arguments with each one at <paramref name="positions"/> moved by h along its direction.</summary>
    public static object?[] Moved(object?[] arguments, int[] positions, object?[] directions, double h)
    {
        object?[] moved = [.. arguments];
        for (int k = 0; k < positions.Length; k++)
            moved[positions[k]] = Moved(arguments[positions[k]]!, directions[k], h);
        return moved;
    }
}
