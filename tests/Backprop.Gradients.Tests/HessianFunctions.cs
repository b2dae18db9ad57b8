using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Methods asking for second derivatives, across the construct families.</summary>
public static partial class HessianFunctions
{
    private const Derivatives All = Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian;

    [Differentiable(All)]
    public static double Rosenbrock(double[] x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            sum += 100 * a * a + b * b;
        }
        return sum;
    }

    [Differentiable(All)]
    public static double Smooth(double x, double y, [NoDerivative] double c, int n)
    {
        double s = Math.Exp(x * y) / (1 + y * y) + Math.Sin(x) * Math.Log(1 + x * x);
        for (int k = 1; k <= n; k++)
            s += Math.Pow(x, 2) * Math.Tanh(y / k) * c;
        return x > y ? s * s : Math.Sqrt(s * s + 1);
    }

    [Differentiable(All)]
    public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

    /// <summary>x³e⁻ʸ + x²y + x³, through locals whose derivatives the gradient carries forward (x2, x3 of x; e of y).</summary>
    [Differentiable(All)]
    public static double CarriedChain(double x, double y)
    {
        double x2 = x * x;
        double x3 = x2 * x;
        double e = Math.Exp(-y);
        return x3 * e + Math.FusedMultiplyAdd(x2, y, x3);
    }

    [Differentiable(All)]
    public static double CallsAndArrays(double[] w, double t)
    {
        var h = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
            h[i] = Softplus(w[i] * t);
        double total = 0;
        foreach (double v in h)
            total += v * v;
        return total + Rosenbrock(w);
    }

    [Differentiable(All)]
    public static float Single(float x, float y) => MathF.Exp(x * y) + x * x * y;

    /// <summary>Regression (found by fuzzing the Hessian-vector product, seed 17 and others): an ordinary bool/int helper called with floating-point arguments.</summary>
    [Differentiable(All)]
    public static double CallsOrdinaryHelpers(double x, double y) => IsPositive(x * y) ? x * x * y * Twice(Sign((float)y)) : Math.Sin(x) * y;

    private static bool IsPositive(double v) => v > 0;

    private static int Sign(float v) => v < 0 ? -1 : 1;

    private static int Twice(int k) => 2 * k;

    /// <summary>A value carried through every iteration: the product's reverse pass pops each state and its tangent from the tape.</summary>
    [Differentiable(All)]
    public static double Iterate(double x, double rate, int steps)
    {
        double s = x;
        for (int i = 0; i < steps; i++)
        {
            s = s * 0.999 + Math.Sin(s * rate) * 0.001;
            if (s > 2)
                break;
        }
        return s * s;
    }

    /// <summary>A [NoDerivative] parameter reassigned from a moving value, branches on a moving value, and a float array.</summary>
    [Differentiable(All)]
    public static float Mixed(float[] w, float t, [NoDerivative] float c)
    {
        float total = 0;
        for (int i = 0; i < w.Length; i++)
        {
            c = c * 0.5f + w[i];
            total += w[i] > 0 ? MathF.Tanh(c * t) : c * c * t;
        }
        return total;
    }
}
