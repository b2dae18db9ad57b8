using Backprop;

namespace Backprop.Sample;

/// <summary>The worked examples from the seeds' notes on backpropagation, as [Differentiable] C#.</summary>
public static partial class SeedExamples
{
    /// <summary>The chain rule: z = (x + y)², so ∂z/∂x = ∂z/∂y = 2(x + y).</summary>
    [Differentiable]
    public static double SquaredSum(double x, double y)
    {
        double t = x + y;
        return t * t;
    }

    /// <summary>The apple graph: two apples at 100 each, with 10% tax.</summary>
    [Differentiable]
    public static double ApplePrice(double price, double count, double tax) => price * count * tax;

    /// <summary>The sigmoid, whose derivative is y(1 − y).</summary>
    [Differentiable]
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>One-neuron logistic classifier: ŷ = σ(w·x + b), loss J = −[t·log ŷ + (1 − t)·log(1 − ŷ)].</summary>
    [Differentiable]
    public static double LogisticLoss(double w, double b, [NoDerivative] double x, [NoDerivative] double t)
    {
        var z = w * x + b;
        var y = 1 / (1 + Math.Exp(-z));
        return -(t * Math.Log(y) + (1 - t) * Math.Log(1 - y));
    }
}
