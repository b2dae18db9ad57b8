using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Two-dimensional array parameters: read as the span of their elements, with gradients and directions of their dimensions.</summary>
public static partial class GridFunctions
{
    /// <summary>
    /// One explicit step of the heat equation on a grid with zero boundary values, u' = u + r·Δu (the five-point
    /// Laplacian), and its squared distance to a target: Σ (u' − target)². A loop nest with branches at the edges.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double HeatStepLoss(double[,] u, double r, [NoDerivative] double[,] target)
    {
        int rows = u.GetLength(0), columns = u.GetLength(1);
        double loss = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double laplacian = -4 * u[i, j];
                if (i > 0) laplacian += u[i - 1, j];
                if (i < rows - 1) laplacian += u[i + 1, j];
                if (j > 0) laplacian += u[i, j - 1];
                if (j < columns - 1) laplacian += u[i, j + 1];
                double next = u[i, j] + r * laplacian;
                loss += Square(next - target[i, j]);
            }
        }
        return loss;
    }

    /// <summary>The heat step's loss in float, over a float grid, with an int mask of cells that count (data).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float MaskedHeatStepLoss(float[,] u, float r, float[,] target, int[,] mask)
    {
        float loss = 0;
        for (int i = 1; i < u.GetLength(0) - 1; i++)
        {
            for (int j = 1; j < u.GetLength(1) - 1; j++)
            {
                if (mask[i, j] == 0)
                    continue;
                float next = u[i, j] + r * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1] - 4 * u[i, j]);
                float e = next - target[i, j];
                loss += e * e;
            }
        }
        return loss;
    }

    /// <summary>Σ a[i, j]·sin a[i, j] / Length + Rank over a foreach, which visits the elements row after row; its Hessian is diagonal.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Energy(double[,] a)
    {
        double sum = 0;
        foreach (double v in a)
            sum += v * Math.Sin(v);
        return sum / a.Length + a.Rank;
    }

    /// <summary>xᵀ A x with A a [NoDerivative] matrix held in a double[,]: its Hessian is A + Aᵀ.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Quadratic(double[] x, [NoDerivative] double[,] a)
    {
        double sum = 0;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                sum += x[i] * a[i, j] * x[j];
        return sum;
    }

    /// <summary>Two heat steps, the first into a local grid (written with = and +=), then Σ of the second step's squares.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double TwoHeatSteps(double[,] u, double r)
    {
        int rows = u.GetLength(0), columns = u.GetLength(1);
        double[,] next = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                next[i, j] = (1 - 4 * r) * u[i, j];
                if (i > 0) next[i, j] += r * u[i - 1, j];
                if (i < rows - 1) next[i, j] += r * u[i + 1, j];
                if (j > 0) next[i, j] += r * u[i, j - 1];
                if (j < columns - 1) next[i, j] += r * u[i, j + 1];
            }
        }
        double sum = 0;
        for (int i = 0; i < next.GetLength(0); i++)
        {
            for (int j = 0; j < next.GetLength(1); j++)
            {
                double laplacian = -4 * next[i, j];
                if (i > 0) laplacian += next[i - 1, j];
                if (i < rows - 1) laplacian += next[i + 1, j];
                if (j > 0) laplacian += next[i, j - 1];
                if (j < columns - 1) laplacian += next[i, j + 1];
                double after = next[i, j] + r * laplacian;
                sum += after * after;
            }
        }
        return sum / next.Length;
    }

    /// <summary>A loop of simultaneous updates reading a grid, a local array and a maximum: second derivatives through all of them.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Steps(double[,] a, double k)
    {
        double x = a[0, 0], v = a[0, 1];
        for (int i = 0; i < 6; i++)
            (x, v) = (x + 0.1 * v, v - 0.1 * k * x * a[1, i % 2]);
        double[] samples = [x, v, x * k];
        double sum = 0, max = double.MinValue;
        foreach (double s in samples)
        {
            sum += s;
            max = Math.Max(max, s);
        }
        return sum + max + x * v;
    }

    private static double Square(double e) => e * e;
}
