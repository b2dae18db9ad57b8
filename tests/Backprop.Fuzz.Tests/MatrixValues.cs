using System.Globalization;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// A matrix program's arguments at a test point, its directions and its gradient and product buffers, read and shifted.
/// A parameter's elements are numbered in order: a scalar's one, a matrix's row-major, an array's matrix by matrix.
/// </summary>
internal static class MatrixValues
{
    /// <summary>What gradient and product buffers hold before the call: the method must overwrite every element.</summary>
    public const double Garbage = 12345;

    /// <summary>
    /// Weights, inputs and the scalar uniform in [−1, 1], targets in [0, 1], labels one-hot per row, the count 0–3; a
    /// differentiable parameter's value is also a direction of its shape.
    /// </summary>
    public static object RandomValue(MatrixParameter parameter, Random random) => parameter.Role switch
    {
        // Each arm boxed on its own: a switch expression of a double and an int would otherwise widen the int.
        MatrixRole.Scalar => (object)(random.NextDouble() * 2 - 1),
        MatrixRole.Count => (object)random.Next(0, 4),
        MatrixRole.WeightArray or MatrixRole.InputArray => Enumerable.Range(0, parameter.Length).Select(_ => RandomMatrix(parameter, random)).ToArray(),
        _ => RandomMatrix(parameter, random),
    };

    private static Matrix<double> RandomMatrix(MatrixParameter parameter, Random random)
    {
        var matrix = new Matrix<double>(parameter.Rows, parameter.Columns);
        for (int i = 0; i < matrix.Length; i++)
        {
            matrix.Span[i] = parameter.Role switch
            {
                MatrixRole.Target => random.NextDouble(),
                MatrixRole.Labels => 0,
                _ => random.NextDouble() * 2 - 1,
            };
        }
        if (parameter.Role == MatrixRole.Labels)
        {
            for (int row = 0; row < parameter.Rows; row++)
                matrix.Span[row * parameter.Columns + random.Next(parameter.Columns)] = 1;
        }
        return matrix;
    }

    /// <summary>The buffer a differentiable parameter's gradient (or product) goes into, full of <see cref="Garbage"/>: a matrix, an array of them, or <c>null</c> for a scalar's out parameter.</summary>
    public static object? Buffer(MatrixParameter parameter) => parameter.Role switch
    {
        MatrixRole.Weight => Filled(parameter),
        MatrixRole.WeightArray => Enumerable.Range(0, parameter.Length).Select(_ => Filled(parameter)).ToArray(),
        _ => null,
    };

    private static Matrix<double> Filled(MatrixParameter parameter)
    {
        var matrix = new Matrix<double>(parameter.Rows, parameter.Columns);
        matrix.Span.Fill(Garbage);
        return matrix;
    }

    /// <summary>Element <paramref name="element"/> of a scalar, a matrix or an array of matrices.</summary>
    public static double Element(object value, int element) => value switch
    {
        Matrix<double> matrix => matrix.Span[element],
        Matrix<double>[] array => array[element / array[0].Length].Span[element % array[0].Length],
        _ => (double)value,
    };

    /// <summary>Every element of a parameter's value (or of its gradient, direction or product), in order.</summary>
    public static double[] Elements(MatrixParameter parameter, object value) =>
        Enumerable.Range(0, parameter.Elements).Select(e => Element(value, e)).ToArray();

    /// <summary><c>x + s·v</c> for a matrix or a scalar (a new matrix).</summary>
    public static object Shifted(object x, object v, double s)
    {
        if (x is not Matrix<double> matrix)
            return (double)x + s * (double)v;
        var shifted = new Matrix<double>(matrix.Rows, matrix.Columns);
        for (int i = 0; i < matrix.Length; i++)
            shifted.Span[i] = matrix.Span[i] + s * ((Matrix<double>)v).Span[i];
        return shifted;
    }

    /// <summary>A copy of <paramref name="value"/> with one element set to <paramref name="x"/> (the other matrices of an array shared, not copied).</summary>
    public static object With(object value, int element, double x)
    {
        switch (value)
        {
            case Matrix<double> matrix:
                return WithElement(matrix, element, x);
            case Matrix<double>[] array:
                var copy = (Matrix<double>[])array.Clone();
                int size = array[0].Length;
                copy[element / size] = WithElement(array[element / size], element % size, x);
                return copy;
            default:
                return x;
        }
    }

    private static Matrix<double> WithElement(Matrix<double> matrix, int element, double x)
    {
        var copy = new Matrix<double>(matrix.Rows, matrix.Columns);
        matrix.Span.CopyTo(copy.Span);
        copy.Span[element] = x;
        return copy;
    }

    /// <summary>How an element is named in a report: <c>s</c>, <c>W0[3]</c>, <c>V1[2][0]</c> (the array's third matrix).</summary>
    public static string Label(MatrixParameter parameter, int element) => parameter.Role switch
    {
        MatrixRole.Scalar => parameter.Name,
        MatrixRole.WeightArray => $"{parameter.Name}[{element / (parameter.Rows * parameter.Columns)}][{element % (parameter.Rows * parameter.Columns)}]",
        _ => $"{parameter.Name}[{element}]",
    };

    /// <summary>Values as a report lists them: <c>W0 = 1×2 { 0.5, -0.25 }, s = 0.125</c>.</summary>
    public static string Listed(IEnumerable<MatrixParameter> parameters, IEnumerable<object> values) =>
        string.Join(", ", parameters.Zip(values, (q, v) => $"{q.Name} = {Literal(v)}"));

    public static string Literal(object value) => value switch
    {
        Matrix<double> matrix => $"{matrix.Rows}×{matrix.Columns} {{ {string.Join(", ", matrix.Span.ToArray().Select(e => e.ToString("R", CultureInfo.InvariantCulture)))} }}",
        Matrix<double>[] array => "[ " + string.Join(", ", array.Select(Literal)) + " ]",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
