using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Arrays of arrays as parameters: rows read in place, gradients and directions of the same row lengths.</summary>
public static partial class JaggedFunctions
{
    /// <summary>
    /// The logistic loss over samples x[i] with labels 0 or 1: Σ log(1 + exp(−y·(w·x[i] + b))), y = ±1. Differentiated with
    /// respect to the samples too, to check the gradient of an array of arrays.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double LogisticLoss(double[][] x, int[] labels, double[] w, double b)
    {
        double loss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double z = b;
            for (int j = 0; j < x[i].Length; j++)
                z += w[j] * x[i][j];
            double y = labels[i] == 1 ? 1 : -1;
            loss += Math.Log(1 + Math.Exp(-y * z));
        }
        return loss;
    }

    /// <summary>
    /// Softmax cross-entropy over samples (data, [NoDerivative]) with one weight row per class (differentiated, an
    /// array of arrays): rows named by locals and foreach.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double SoftmaxLoss([NoDerivative] double[][] x, int[] labels, double[][] w)
    {
        double loss = 0;
        int i = 0;
        foreach (var sample in x)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < w.Length; k++)
            {
                var weights = w[k];
                double z = 0;
                for (int j = 0; j < weights.Length; j++)
                    z += weights[j] * sample[j];
                max = Math.Max(max, z);
            }
            double sum = 0, target = 0;
            for (int k = 0; k < w.Length; k++)
            {
                double z = 0;
                for (int j = 0; j < sample.Length; j++)
                    z += w[k][j] * sample[j];
                sum += Math.Exp(z - max);
                if (k == labels[i])
                    target = z;
            }
            loss += Math.Log(sum) + max - target;
            i++;
        }
        return loss / x.Length;
    }

    /// <summary>A float function of ragged rows: Σᵢ Σⱼ (j + 1)·x[i][j]² / x[i].Length, with a scale.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float Ragged(float[][] x, float scale)
    {
        float sum = 0;
        foreach (float[] row in x)
        {
            float part = 0;
            for (int j = 0; j < row.Length; j++)
                part += (j + 1) * row[j] * row[j];
            sum += part / row.Length;
        }
        return scale * sum;
    }

    /// <summary>A [NoDerivative] array of arrays of ints (neighbour lists) as data beside a double[], with its Hessian.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Smoothness(double[] u, int[][] neighbours)
    {
        double sum = 0;
        for (int i = 0; i < neighbours.Length; i++)
            foreach (int n in neighbours[i])
                sum += (u[i] - u[n]) * (u[i] - u[n]);
        return 0.5 * sum;
    }
}
