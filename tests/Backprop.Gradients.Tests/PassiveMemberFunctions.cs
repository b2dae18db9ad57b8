using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>A sample with a weight that is data: an array of it is differentiated in its values only.</summary>
public struct WeightedSample
{
    public double Value;
    [NoDerivative] public double Weight;
}

/// <summary>Methods over arrays of structs with a <c>[NoDerivative]</c> member, in every mode.</summary>
public static partial class PassiveMemberFunctions
{
    /// <summary>Σ wᵢ·s·vᵢ² + Σ wᵢ: ∂/∂vᵢ = 2wᵢ·s·vᵢ, ∂/∂s = Σ wᵢvᵢ², and nothing for the weights, which are data.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double WeightedSquares(WeightedSample[] samples, double scale)
    {
        double sum = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            WeightedSample sample = samples[i];
            sum += sample.Weight * scale * sample.Value * sample.Value;
            if (samples[i].Weight > 0)
                sum += samples[i].Weight;
        }
        return sum;
    }
}
