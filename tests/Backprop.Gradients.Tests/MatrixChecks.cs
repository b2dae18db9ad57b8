namespace Backprop.Gradients.Tests;

/// <summary>Matrices for gradient tests, and the check of a matrix gradient against central finite differences.</summary>
internal static class MatrixChecks
{
    public static Matrix<double> Random(int rows, int columns, int seed, double scale = 1) => Matrix<double>.RandomNormal(rows, columns, scale, seed);

    /// <summary>Σᵢ aᵢ·bᵢ over the elements of two matrices of one shape.</summary>
    public static double Dot(Matrix<double> a, Matrix<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a.Span[i] * b.Span[i];
        return sum;
    }

    public static Matrix<double> OneHot(int rows, int classes, int seed)
    {
        var random = new Random(seed);
        var t = new Matrix<double>(rows, classes);
        for (int i = 0; i < rows; i++)
            t[i, random.Next(classes)] = 1;
        return t;
    }

    /// <summary>Buffers full of NaN: the gradient must overwrite every element.</summary>
    public static Matrix<double> Garbage(Matrix<double> like)
    {
        var m = new Matrix<double>(like.Rows, like.Columns);
        m.Span.Fill(double.NaN);
        return m;
    }

    /// <summary>
    /// The largest relative error |g − n| / max(|g|, |n|) of the generated gradient over <paramref name="coordinates"/> of
    /// <paramref name="parameter"/> (all when null); two values within 1e-10 count as equal. n is the fourth-order central difference
    /// (−f(w+2h) + 8f(w+h) − 8f(w−h) + f(w−2h)) / 12h, whose truncation error (h⁴) and rounding error (ε·|f|/h) both stay
    /// far below 1e-6 of the gradients here. A coordinate where n at h and at h/2 disagree by more than 1e-7 relative
    /// straddles a kink (a ReLU switching within 2h) and is skipped; at most a tenth of the coordinates may be.
    /// </summary>
    public static double MaxRelativeError(Func<double> loss, Matrix<double> parameter, Matrix<double> gradient, IEnumerable<int>? coordinates = null, double step = 1e-3)
    {
        double worst = 0;
        int checkedCount = 0, skipped = 0;
        foreach (int i in coordinates ?? Enumerable.Range(0, parameter.Length))
        {
            double numerical = Derivative(loss, parameter, i, step);
            double finer = Derivative(loss, parameter, i, step / 2);
            if (Math.Abs(numerical - finer) > 1e-7 * Math.Max(Math.Abs(numerical), 1e-3))
            {
                skipped++;
                continue;
            }
            checkedCount++;
            // Below 1e-10 apart, both are zero to within the differences' rounding (a ReLU unit dead for the whole batch).
            double difference = Math.Abs(gradient.Span[i] - numerical);
            double error = difference <= 1e-10 ? 0 : difference / Math.Max(Math.Abs(gradient.Span[i]), Math.Abs(numerical));
            Assert.False(double.IsNaN(error), $"coordinate {i}: generated {gradient.Span[i]}");
            worst = Math.Max(worst, error);
        }
        Assert.True(skipped * 10 <= checkedCount + skipped, $"{skipped} of {checkedCount + skipped} coordinates straddle a kink");
        return worst;
    }

    public static double Derivative(Func<double> loss, Matrix<double> parameter, int i, double h)
    {
        double saved = parameter.Span[i];
        double At(double offset)
        {
            parameter.Span[i] = saved + offset;
            return loss();
        }
        double value = (-At(2 * h) + 8 * At(h) - 8 * At(-h) + At(-2 * h)) / (12 * h);
        parameter.Span[i] = saved;
        return value;
    }
}
