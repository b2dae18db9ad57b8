using static Backprop.Gradients.Tests.FiniteDifferences;
using S = Backprop.Gradients.Tests.SeedExamples;

namespace Backprop.Gradients.Tests;

/// <summary>The seeds' worked examples: closed forms from the notes, and finite differences.</summary>
public class SeedExampleTests
{
    [Theory]
    [InlineData(1.5, 2.0)]
    [InlineData(-3.0, 0.25)]
    public void ChainRuleOfSquaredSum(double x, double y)
    {
        S.SquaredSumGradient(x, y, out double dx, out double dy);
        Assert.Equal(2 * (x + y), dx, 12);
        Assert.Equal(2 * (x + y), dy, 12);
        Check(p => S.SquaredSum(p[0], p[1]), (p, g) => S.SquaredSumGradient(p[0], p[1], out g[0], out g[1]), new[] { new[] { x, y } });
    }

    [Fact]
    public void AppleGraph()
    {
        double total = S.ApplePriceGradient(100, 2, 1.1, out double dPrice, out double dCount, out double dTax);
        Assert.Equal(220, total, 10);
        Assert.Equal(2.2, dPrice, 12);
        Assert.Equal(110, dCount, 10);
        Assert.Equal(200, dTax, 10);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(-2.0)]
    [InlineData(4.0)]
    public void SigmoidDerivativeIsYTimesOneMinusY(double x)
    {
        double y = S.SigmoidGradient(x, out double dx);
        Assert.Equal(y * (1 - y), dx, 14);
        Check(p => S.Sigmoid(p[0]), (p, g) => S.SigmoidGradient(p[0], out g[0]), new[] { new[] { x } });
    }

    [Theory]
    [InlineData(0.3, -0.1, 2.0, 1.0)]
    [InlineData(-1.2, 0.4, 0.5, 0.0)]
    [InlineData(2.0, 1.0, -1.5, 1.0)]
    public void LogisticNeuronWithCrossEntropy(double w, double b, double x, double t)
    {
        S.LogisticLossGradient(w, b, x, t, out double dw, out double db);
        double y = 1 / (1 + Math.Exp(-(w * x + b)));
        Assert.Equal((y - t) * x, dw, 12);
        Assert.Equal(y - t, db, 12);
        Check(p => S.LogisticLoss(p[0], p[1], x, t), (p, g) => S.LogisticLossGradient(p[0], p[1], x, t, out g[0], out g[1]), new[] { new[] { w, b } });
    }
}
