using System.Reflection;

namespace Backprop.Gradients.Tests;

/// <summary>
/// Forward mode against reverse mode and finite differences: for every method that asks for both, at
/// random points and directions, <c>FTangent</c>'s derivative equals ∇F·direction (the gradient is
/// checked against finite differences elsewhere) and the central difference of F along the direction.
/// </summary>
public class TangentTests
{
    public static IEnumerable<object[]> Methods() =>
        new[] { typeof(ScalarFunctions), typeof(ScalarFunctions.Nested), typeof(ControlFlowFunctions), typeof(CustomScalarFunctions), typeof(OtherModel) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<DifferentiableAttribute>() is { Derivatives: var d } && d.HasFlag(Derivatives.Tangent))
            .Select(m => new object[] { m.DeclaringType!.Name + "." + m.Name });

    [Theory]
    [MemberData(nameof(Methods))]
    public void TangentIsGradientAlongDirection(string name)
    {
        MethodInfo function = Find(name, "");
        MethodInfo gradient = Find(name, "Gradient");
        MethodInfo tangent = Find(name, "Tangent");
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) & 0xffff);
        ParameterInfo[] parameters = function.GetParameters();
        for (int trial = 0; trial < 3; trial++)
        {
            object[] inputs = parameters.Select(p => Input(p, random)).ToArray();
            var differentiable = Enumerable.Range(0, parameters.Length).Where(i => IsDifferentiable(parameters[i])).ToList();
            object[] directions = differentiable.Select(i => Input(parameters[i], random)).ToArray();

            object[] gradientArguments = inputs.Select(Copy).Concat(differentiable.Select(i => Zero(parameters[i]))).ToArray();
            double value = Convert.ToDouble(gradient.Invoke(null, gradientArguments));
            double expected = 0;
            for (int k = 0; k < differentiable.Count; k++)
                expected += Dot(gradientArguments[inputs.Length + k], directions[k]);

            object[] tangentArguments = inputs.Select(Copy).Concat(directions).ToArray();
            object result = tangent.Invoke(null, tangentArguments)!;
            double tangentValue = Convert.ToDouble(result.GetType().GetField("Item1")!.GetValue(result));
            double derivative = Convert.ToDouble(result.GetType().GetField("Item2")!.GetValue(result));

            bool single = function.ReturnType == typeof(float) || parameters.Any(p => p.ParameterType == typeof(float) || p.ParameterType == typeof(float[]));
            double tolerance = single ? 1e-3 : 1e-9;
            Assert.Equal(value, tangentValue);
            Assert.True(Math.Abs(derivative - expected) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{name}: tangent {derivative:R}, gradient·direction {expected:R}");
            if (!single)
            {
                double h = 1e-6;
                double up = Convert.ToDouble(function.Invoke(null, Shifted(inputs, differentiable, directions, h)));
                double down = Convert.ToDouble(function.Invoke(null, Shifted(inputs, differentiable, directions, -h)));
                double numerical = (up - down) / (2 * h);
                Assert.True(Math.Abs(derivative - numerical) <= 1e-5 * Math.Max(1, Math.Abs(numerical)), $"{name}: tangent {derivative:R}, finite differences {numerical:R}");
            }
        }
    }

    private static MethodInfo Find(string name, string suffix)
    {
        string[] parts = name.Split('.');
        Type type = new[] { typeof(ScalarFunctions), typeof(ScalarFunctions.Nested), typeof(ControlFlowFunctions), typeof(CustomScalarFunctions), typeof(OtherModel) }.Single(t => t.Name == parts[0]);
        return type.GetMethod(parts[1] + suffix, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
    }

    private static bool IsDifferentiable(ParameterInfo p) =>
        p.GetCustomAttribute<NoDerivativeAttribute>() is null && (p.ParameterType == typeof(double) || p.ParameterType == typeof(float) || p.ParameterType == typeof(double[]) || p.ParameterType == typeof(float[]));

    /// <summary>Inputs away from kinks and domain edges: values in [0.3, 1.3], arrays of 6, counts of 3.</summary>
    private static object Input(ParameterInfo p, Random random)
    {
        double Next() => 0.3 + random.NextDouble();
        Type t = p.ParameterType;
        return t == typeof(double) ? Next()
            : t == typeof(float) ? (float)Next()
            : t == typeof(double[]) ? Enumerable.Range(0, 6).Select(_ => Next()).ToArray()
            : t == typeof(float[]) ? Enumerable.Range(0, 6).Select(_ => (float)Next()).ToArray()
            : t == typeof(int) ? 3
            : t == typeof(long) ? 4L
            : t == typeof(bool) ? random.Next(2) == 0
            : throw new NotSupportedException(t.Name);
    }

    private static object Zero(ParameterInfo p) =>
        p.ParameterType == typeof(double[]) ? new double[6] : p.ParameterType == typeof(float[]) ? new float[6] : p.ParameterType == typeof(float) ? 0f : (object)0.0;

    private static object Copy(object value) => value is Array array ? array.Clone() : value;

    private static double Dot(object gradient, object direction) => (gradient, direction) switch
    {
        (double[] g, double[] d) => g.Zip(d, (a, b) => a * b).Sum(),
        (float[] g, float[] d) => g.Zip(d, (a, b) => (double)a * b).Sum(),
        _ => Convert.ToDouble(gradient) * Convert.ToDouble(direction),
    };

    private static object[] Shifted(object[] inputs, List<int> differentiable, object[] directions, double h)
    {
        object[] shifted = inputs.Select(Copy).ToArray();
        for (int k = 0; k < differentiable.Count; k++)
        {
            int i = differentiable[k];
            shifted[i] = shifted[i] switch
            {
                double[] a => a.Zip((double[])directions[k], (x, d) => x + h * d).ToArray(),
                double x => x + h * (double)directions[k],
                _ => throw new NotSupportedException(),
            };
        }
        return shifted;
    }
}
