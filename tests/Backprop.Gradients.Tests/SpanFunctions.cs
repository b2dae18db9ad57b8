using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Span parameters: read as arrays, with span gradient and product buffers and read-only span directions.</summary>
public static partial class SpanFunctions
{
    /// <summary>
    /// log Σ exp(xᵢ·s_take[i]) over a span, written with the usual shift by a maximum (here of x, over a foreach): the
    /// shift cancels, so the gradient is the softmax's. <c>take</c> picks each term's scale (data).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double LogSumExp(ReadOnlySpan<double> x, Span<double> scale, ReadOnlySpan<int> take)
    {
        double max = double.NegativeInfinity;
        foreach (double v in x)
            max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += Math.Exp(x[i] * scale[take[i]] - max);
        return max + Math.Log(sum);
    }

    /// <summary>A tuple of floats from an array and a span: the weighted mean and spread.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static (float Mean, float Spread) Moments(float[] x, ReadOnlySpan<float> w)
    {
        float sum = 0, squares = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += w[i] * x[i];
            squares += w[i] * x[i] * x[i];
        }
        float mean = sum / x.Length;
        return (mean, squares / x.Length - mean * mean);
    }

    /// <summary>A float span, and an array result whose Jacobian sweeps pass scratch arrays as spans.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static float[] Scaled(ReadOnlySpan<float> x, float a)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = a * x[i] * x[i];
        return y;
    }
}
