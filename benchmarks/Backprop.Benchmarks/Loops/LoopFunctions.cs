using Backprop;

namespace Backprop.Benchmarks.Loops;

/// <summary>The loop workloads: their [Differentiable] forms and the gradients a careful person would write.</summary>
public static partial class LoopFunctions
{
    /// <summary>The extended Rosenbrock function, Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)².</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
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

    public static double RosenbrockByHand(double[] x, double[] dx)
    {
        Array.Clear(dx);
        double sum = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            sum += 100 * a * a + b * b;
            dx[i] += -400 * a * x[i] - 2 * b;
            dx[i + 1] += 200 * a;
        }
        return sum;
    }

    /// <summary>A damped iteration whose state is carried through every one of its <paramref name="steps"/> iterations.</summary>
    [Differentiable]
    public static double Iterate(double x, double rate, int steps)
    {
        double s = x;
        for (int i = 0; i < steps; i++)
            s = s * 0.999 + Math.Sin(s * rate) * 0.001;
        return s;
    }

    /// <summary>By hand: the states go into a buffer on the way forward and are read back on the way back.</summary>
    public static double IterateByHand(double x, double rate, int steps, double[] states, out double dx, out double drate)
    {
        double s = x;
        for (int i = 0; i < steps; i++)
        {
            states[i] = s;
            s = s * 0.999 + Math.Sin(s * rate) * 0.001;
        }
        double ds = 1;
        drate = 0;
        for (int i = steps - 1; i >= 0; i--)
        {
            double previous = states[i];
            double c = Math.Cos(previous * rate) * 0.001;
            drate += ds * c * previous;
            ds = ds * (0.999 + c * rate);
        }
        dx = ds;
        return s;
    }
}
