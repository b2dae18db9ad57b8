using Backprop;

namespace Backprop.Benchmarks.Scalar;

/// <summary>
/// The functions the scalar benchmarks differentiate. The generator adds
/// <c>LogisticLossGradient</c> and <c>PolyExpGradient</c> beside them.
/// </summary>
public static partial class ScalarFunctions
{
    /// <summary>One-neuron logistic classifier: ŷ = σ(w·x + b), loss J = −[t·log ŷ + (1 − t)·log(1 − ŷ)].</summary>
    [Differentiable]
    public static double LogisticLoss(double w, double b, [NoDerivative] double x, [NoDerivative] double t)
    {
        var z = w * x + b;
        var y = 1 / (1 + Math.Exp(-z));
        return -(t * Math.Log(y) + (1 - t) * Math.Log(1 - y));
    }

    /// <summary>
    /// Ten polynomial-exponential terms: f(x, y, z) = Σₖ cₖ·xᵏ·exp(−k·y·z), k = 1…10,
    /// written out as straight-line code (the generator does not take loops yet).
    /// </summary>
    [Differentiable]
    public static double PolyExp(double x, double y, double z)
    {
        double r = y * z;
        double x2 = x * x;
        double x3 = x2 * x;
        double x4 = x3 * x;
        double x5 = x4 * x;
        double x6 = x5 * x;
        double x7 = x6 * x;
        double x8 = x7 * x;
        double x9 = x8 * x;
        double x10 = x9 * x;
        double s = 2.0 * x * Math.Exp(-r);
        s += -1.5 * x2 * Math.Exp(-2 * r);
        s += 1.2 * x3 * Math.Exp(-3 * r);
        s += -0.9 * x4 * Math.Exp(-4 * r);
        s += 0.7 * x5 * Math.Exp(-5 * r);
        s += -0.5 * x6 * Math.Exp(-6 * r);
        s += 0.35 * x7 * Math.Exp(-7 * r);
        s += -0.25 * x8 * Math.Exp(-8 * r);
        s += 0.15 * x9 * Math.Exp(-9 * r);
        s += -0.1 * x10 * Math.Exp(-10 * r);
        return s;
    }
}
