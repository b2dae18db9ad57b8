namespace Backprop.Benchmarks.Scalar;

/// <summary>
/// One loss written twice: calling a softplus marked [Differentiable], and calling the same softplus as a plain static
/// method (an implicit helper). Their gradients should cost the same.
/// </summary>
public static partial class HelperFunctions
{
    [Differentiable]
    public static double MarkedSoftplus(double v) => Math.Log(1 + Math.Exp(v));

    public static double PlainSoftplus(double v) => Math.Log(1 + Math.Exp(v));

    [Differentiable]
    public static double LossThroughMarked(double[] x, double scale)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i++)
            total += MarkedSoftplus(scale * x[i]);
        return total;
    }

    [Differentiable]
    public static double LossThroughPlain(double[] x, double scale)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i++)
            total += PlainSoftplus(scale * x[i]);
        return total;
    }
}
