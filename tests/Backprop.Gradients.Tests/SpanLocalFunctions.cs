using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Span locals: stackalloc'd and array-backed, written and read by index, passed to calls taking spans.</summary>
public static partial class SpanLocalFunctions
{
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double SumOfSquares(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (double e in v)
            sum += e * e;
        return sum;
    }

    /// <summary>
    /// The steps between neighbours in a stackalloc'd span, their sum of squares S taken in a loop and a branch through a
    /// call, then halved in place: k·S + k·S/4 = 1.25·k·S for k &gt; 0 (−1.25·S otherwise).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Roughness(double[] x, double k)
    {
        Span<double> step = stackalloc double[x.Length - 1];
        for (int i = 0; i < step.Length; i++)
            step[i] = x[i + 1] - x[i];
        double total = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            if (k > 0)
                total += k * SumOfSquares(step);
            else
                total -= SumOfSquares(step);
            for (int i = 0; i < step.Length; i++)
                step[i] *= 0.5;
        }
        return total;
    }

    /// <summary>
    /// A float span stackalloc'd with its elements, one made by new and one by a collection expression:
    /// √(a⁴ + b⁴ + (ab)⁴) + 2ab.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static float SoftNorm(float a, float b)
    {
        Span<float> t = stackalloc float[] { a, b, a * b };
        Span<float> u = new float[t.Length];
        Span<float> c = [a, 2 * b];
        for (int i = 0; i < t.Length; i++)
            u[i] = t[i] * t[i];
        float sum = 0;
        foreach (float v in u)
            sum += v * v;
        return MathF.Sqrt(sum) + c[0] * c[1];
    }

    /// <summary>A tuple from a span local: the mean and largest of a², b², (ab)².</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static (double Mean, double Max) Squares(double a, double b)
    {
        Span<double> t = stackalloc double[3];
        t[0] = a;
        t[1] = b;
        t[2] = a * b;
        double sum = 0, max = double.NegativeInfinity;
        for (int i = 0; i < t.Length; i++)
        {
            double square = t[i] * t[i];
            sum += square;
            if (square > max)
                max = square;
        }
        return (sum / t.Length, max);
    }
}
