using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Arrays of integers and bools as data: labels, indices, edges and masks, read by index, never differentiated.</summary>
public static partial class DataArrayFunctions
{
    /// <summary>
    /// A logistic loss over samples gathered through an index array, weighted by a label-indexed table, skipping
    /// masked samples, with a local table of integers.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double GatherLoss(double[] w, double[] x, int[] labels, int[] index, bool[] mask)
    {
        double total = 0;
        int[] order = { 2, 0, 1 };
        for (int i = 0; i < labels.Length; i++)
        {
            if (!mask[i])
                continue;
            double z = w[labels[i]] * x[index[i]] + w[order[i % 3]];
            total += Math.Log(1 + Math.Exp(-z));
        }
        return total;
    }

    /// <summary>exp of a gather through a helper with no attribute taking the int[] indices and a span of weights per term.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double ExpOfGather(double[] w, int[] index, int[] take) => Math.Exp(Gather(w, index, take));

    private static double Gather(ReadOnlySpan<double> w, int[] index, ReadOnlySpan<int> take)
    {
        double sum = 0;
        for (int i = 0; i < index.Length; i++)
            sum += w[index[i]] * take[i];
        return sum;
    }

    /// <summary>A spring energy over a graph whose edges are pairs of long indices: Σ (pₐ − p_b − rest)².</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double EdgeEnergy(double[] positions, long[] edges, double rest)
    {
        double energy = 0;
        for (int e = 0; e + 1 < edges.Length; e += 2)
        {
            double stretch = positions[edges[e]] - positions[edges[e + 1]] - rest;
            energy += stretch * stretch;
        }
        return energy;
    }
}
