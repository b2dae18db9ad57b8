namespace Backprop.Gradients.Tests;

/// <summary>Checks a generated gradient against central finite differences in double.</summary>
internal static class FiniteDifferences
{
    /// <summary>
    /// At each point: the gradient method must return exactly the function's value, and each component
    /// must match (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h with h = <paramref name="step"/>·max(1, |xᵢ|), to within
    /// <paramref name="tolerance"/>·max(1, |component|). Functions that round through float need a larger step.
    /// </summary>
    public static void Check(Func<double[], double> function, Func<double[], double[], double> gradient, double[][] points,
        double tolerance = 1e-6, double step = 1e-6)
    {
        foreach (double[] point in points)
        {
            // Garbage in the buffer and a copy of the input: the gradient must overwrite the one and leave the other alone.
            double[] components = Enumerable.Repeat(double.NaN, point.Length).ToArray();
            double[] input = (double[])point.Clone();
            double value = gradient(point, components);
            Assert.Equal(input, point);
            Assert.Equal(function(point), value);
            for (int i = 0; i < point.Length; i++)
            {
                double numerical = Central(function, point, i, step);
                double allowed = tolerance * Math.Max(1, Math.Abs(numerical));
                Assert.True(Math.Abs(components[i] - numerical) <= allowed,
                    $"∂f/∂x{i} at ({string.Join(", ", point)}): generated {components[i]:R}, finite differences {numerical:R}");
            }
        }
    }

    /// <summary>
    /// The Hessian times <paramref name="direction"/> by central differences of a gradient over one flat vector of
    /// inputs: (∇f(p + h·v) − ∇f(p − h·v)) / 2h, the reference for Hessian-vector products.
    /// </summary>
    public static double[] GradientAlong(Func<double[], double[]> gradient, double[] point, double[] direction, double step = 1e-5)
    {
        double[] up = gradient(point.Zip(direction, (p, v) => p + step * v).ToArray());
        double[] down = gradient(point.Zip(direction, (p, v) => p - step * v).ToArray());
        return up.Zip(down, (u, d) => (u - d) / (2 * step)).ToArray();
    }

    public static double Central(Func<double[], double> function, double[] point, int i, double step = 1e-6)
    {
        double h = step * Math.Max(1, Math.Abs(point[i]));
        double[] shifted = (double[])point.Clone();
        shifted[i] = point[i] + h;
        double up = function(shifted);
        shifted[i] = point[i] - h;
        double down = function(shifted);
        return (up - down) / (2 * h);
    }
}
