using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>The worked examples from the seeds' notes on backpropagation.</summary>
public static partial class SeedExamples
{
    [Differentiable]
    public static double SquaredSum(double x, double y)
    {
        double t = x + y;
        return t * t;
    }

    [Differentiable]
    public static double ApplePrice(double price, double count, double tax) => price * count * tax;

    [Differentiable]
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Differentiable]
    public static double LogisticLoss(double w, double b, [NoDerivative] double x, [NoDerivative] double t)
    {
        var z = w * x + b;
        var y = 1 / (1 + Math.Exp(-z));
        return -(t * Math.Log(y) + (1 - t) * Math.Log(1 - y));
    }
}
