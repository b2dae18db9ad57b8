using P = Backprop.Gradients.Tests.PassiveMemberFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>
/// A <c>[NoDerivative]</c> member of an array of structs is data: its gradient, tangent, Hessian-vector product and
/// Hessian entries are 0, whatever the direction given for it, as for a <c>[NoDerivative]</c> parameter.
/// </summary>
public class PassiveMemberTests
{
    private static readonly WeightedSample[] s_samples =
    {
        new() { Value = 0.5, Weight = 2.0 },
        new() { Value = -1.5, Weight = 0.25 },
        new() { Value = 2.0, Weight = -0.75 },
    };

    private const double Scale = 1.3;

    [Fact]
    public void TheWeightsGetNoGradient()
    {
        var gradient = Enumerable.Repeat(new WeightedSample { Value = double.NaN, Weight = double.NaN }, 3).ToArray();
        double value = P.WeightedSquaresGradient(s_samples, Scale, gradient, out double dscale);
        Assert.Equal(P.WeightedSquares(s_samples, Scale), value);
        for (int i = 0; i < s_samples.Length; i++)
        {
            Assert.Equal(2 * s_samples[i].Weight * Scale * s_samples[i].Value, gradient[i].Value, 12);
            Assert.Equal(0.0, gradient[i].Weight);
        }
        Assert.Equal(s_samples.Sum(s => s.Weight * s.Value * s.Value), dscale, 12);
    }

    [Fact]
    public void TheWeightsDirectionsAreNotFollowed()
    {
        WeightedSample[] direction = { new() { Value = 1, Weight = 5 }, new() { Value = -0.5, Weight = -3 }, new() { Value = 0.25, Weight = 7 } };
        var (value, derivative) = P.WeightedSquaresTangent(s_samples, Scale, direction, 0.5);
        Assert.Equal(P.WeightedSquares(s_samples, Scale), value);
        double expected = Enumerable.Range(0, 3).Sum(i => 2 * s_samples[i].Weight * Scale * s_samples[i].Value * direction[i].Value
            + 0.5 * s_samples[i].Weight * s_samples[i].Value * s_samples[i].Value);
        Assert.Equal(expected, derivative, 12);

        // The Hessian along the same direction: ∂²/∂vᵢ² = 2wᵢs, ∂²/∂vᵢ∂s = 2wᵢvᵢ; the weights' rows are 0.
        var product = Enumerable.Repeat(new WeightedSample { Value = double.NaN, Weight = double.NaN }, 3).ToArray();
        P.WeightedSquaresHessianVector(s_samples, Scale, direction, 0.5, product, out double productScale);
        for (int i = 0; i < 3; i++)
        {
            double w = s_samples[i].Weight, v = s_samples[i].Value;
            Assert.Equal(2 * w * Scale * direction[i].Value + 2 * w * v * 0.5, product[i].Value, 12);
            Assert.Equal(0.0, product[i].Weight);
        }
        Assert.Equal(Enumerable.Range(0, 3).Sum(i => 2 * s_samples[i].Weight * s_samples[i].Value * direction[i].Value), productScale, 12);
    }

    [Fact]
    public void TheWeightsRowsAndColumnsOfTheHessianAreZero()
    {
        // Coordinates: the samples' numbers struct after struct (Value, Weight), then the scale.
        var hessian = new double[7, 7];
        P.WeightedSquaresHessian(s_samples, Scale, hessian);
        for (int i = 0; i < 3; i++)
        {
            int weight = 2 * i + 1;
            for (int j = 0; j < 7; j++)
            {
                Assert.Equal(0.0, hessian[weight, j]);
                Assert.Equal(0.0, hessian[j, weight]);
            }
            Assert.Equal(2 * s_samples[i].Weight * Scale, hessian[2 * i, 2 * i], 12);
            Assert.Equal(2 * s_samples[i].Weight * s_samples[i].Value, hessian[2 * i, 6], 12);
        }
    }
}
