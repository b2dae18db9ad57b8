using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Rows of arrays of arrays passed to methods: the callee's body inlined, reading the row in place.</summary>
public static partial class RowCallFunctions
{
    /// <summary>
    /// A logistic loss over samples x[i] (an array of arrays, differentiated) with byte labels: each margin from a
    /// [Differentiable] Dot given the row, a penalty from a helper given a row local, chosen per label by ?:.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Loss(double[][] x, byte[] labels, double[] w, double lambda)
    {
        double loss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double z = labels[i] == 1 ? Dot(x[i], w) : -Dot(x[i], w);
            loss += Math.Log(1 + Math.Exp(-z));
            var row = x[i];
            loss += lambda * SquaredNorm(row);
        }
        return loss;
    }

    /// <summary>w · x[i] for samples read as data, in every mode, through a helper that passes its row on.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Energy([NoDerivative] double[][] x, double[] w)
    {
        double energy = 0;
        foreach (var sample in x)
            energy += Math.Exp(Scaled(sample, w, 0.5));
        return energy;
    }

    /// <summary>
    /// Σ tanh(h[j]) for a layer's output h computed from the first sample's row by a helper returning an array (inlined
    /// where its result is declared).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double FirstLayer(double[][] x, double[] w)
    {
        double[] h = Layer(x[0], w);
        double total = 0;
        for (int j = 0; j < h.Length; j++)
            total += Math.Tanh(h[j]);
        return total;
    }

    private static double[] Layer(double[] v, double[] w)
    {
        var h = new double[w.Length];
        for (int j = 0; j < w.Length; j++)
            h[j] = v[j] * w[j];
        return h;
    }

    /// <summary>
    /// Rows passed to a helper with an early return inside its loop, and in a loop's condition: Σ over the leading
    /// samples whose first positive element, weighted, is positive, of that value squared.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double LeadingPositive(double[][] x, double[] w)
    {
        double total = 0;
        int i = 0;
        while (i < x.Length && FirstPositive(x[i], w) > 0)
        {
            double v = FirstPositive(x[i], w);
            total += v * v;
            i++;
        }
        return total;
    }

    private static double FirstPositive(double[] a, double[] w)
    {
        for (int j = 0; j < a.Length; j++)
        {
            if (a[j] > 0)
                return a[j] * w[j];
        }
        return 0;
    }

    /// <summary>Σ exp(½ x[i] · w) with the samples differentiated too, in every mode: rows passed to Dot in FHessianVector.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double SampleEnergy(double[][] x, double[] w)
    {
        double energy = 0;
        for (int i = 0; i < x.Length; i++)
            energy += Math.Exp(0.5 * Dot(x[i], w));
        return energy;
    }

    /// <summary>a · b.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
            sum += a[j] * b[j];
        return sum;
    }

    private static double SquaredNorm(ReadOnlySpan<double> a)
    {
        double sum = 0;
        foreach (double v in a)
            sum += v * v;
        return sum;
    }

    private static double Scaled(double[] a, double[] b, double s) => s * Dot(a, b);
}
