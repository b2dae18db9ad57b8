using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Local arrays of arrays made with rows of one length (the loop giving the rows right after the declaration).</summary>
public static partial class JaggedLocalFunctions
{
    /// <summary>
    /// Two layers of a small network kept in a local double[][] (rows[l][j]), each from the one before, written in
    /// loops and read back: Σⱼ tanh(rows[1][j]), rows[0][j] = x[j]·w[j], rows[1][j] = rows[0][j] + rows[0][(j + 1) % n]·s.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double TwoLayers(double[] x, double[] w, double s)
    {
        int n = x.Length;
        var rows = new double[2][];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = new double[n];
        for (int j = 0; j < n; j++)
            rows[0][j] = x[j] * w[j];
        for (int j = 0; j < rows[1].Length; j++)
        {
            rows[1][j] = rows[0][j];
            rows[1][j] += rows[0][(j + 1) % n] * s;
        }
        double total = 0;
        for (int l = 0; l < rows.Length; l++)
            for (int j = 0; j < rows[l].Length; j++)
                total += l == 1 ? Math.Tanh(rows[l][j]) : 0;
        return total;
    }

    /// <summary>In float, rows of a length given by a parameter: Σᵢⱼ rows[i][j]², rows[i][j] = x[i]·(j + 1).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float Table(float[] x, int columns)
    {
        float[][] rows = new float[x.Length][];
        for (int i = 0; i < x.Length; i++)
            rows[i] = new float[columns];
        float total = 0;
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < columns; j++)
            {
                rows[i][j] = x[i] * (j + 1);
                total += rows[i][j] * rows[i][j];
            }
        return total;
    }

    /// <summary>A row's length read through an index the caller gives: rows[row].Length · x[0], throwing for a row outside as C# does.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double RowLengthTimesFirst(double[] x, int row)
    {
        var rows = new double[2][];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = new double[x.Length];
        rows[0][0] = x[0];
        return rows[row].Length * rows[0][0];
    }
}
