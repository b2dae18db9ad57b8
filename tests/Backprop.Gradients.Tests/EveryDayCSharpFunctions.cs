using System.Diagnostics;
using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Counts the calls that <see cref="EveryDayCSharpFunctions"/> make for their effect alone.</summary>
public static class EffectLog
{
    [ThreadStatic]
    private static int t_count;

    public static int Count => t_count;

    public static void Reset() => t_count = 0;

    public static void Record(double value, int step)
    {
        if (double.IsNaN(value) || step < 0)
            throw new InvalidOperationException("EffectLog saw a value the forward pass never computes.");
        t_count++;
    }
}

public enum Smoothing
{
    None,
    Soft,
    Hard,
}

/// <summary>Constants from outside the methods that read them.</summary>
public static class Coefficients
{
    public static readonly double[] Simpson = { 1, 4, 1 };
    public static readonly double Half = 0.5;
    public static double Gain => 1.25;
    public static readonly Smoothing Preferred = Smoothing.Soft;
}

/// <summary>Plain helper methods, in a type that is not partial: none is marked, and they call each other.</summary>
public static class Kernels
{
    public static double Square(double x) => x * x;

    public static double Gaussian(double x, double width) => Math.Exp(-Square(x / width) / 2);

    /// <summary>A loop and a branch, calling another helper.</summary>
    public static (double R, double Theta) Polar(double x, double y) => (Math.Sqrt(x * x + y * y), Math.Atan2(y, x));

    /// <summary>A damped spring's semi-implicit Euler step, with statements, an early return and a tuple result.</summary>
    public static (double X, double V) SpringStep(double x, double v, double k, double dt)
    {
        double force = -k * x - 0.1 * v;
        if (Math.Abs(force) > 1e6)
            return (x, 0);
        v += force * dt;
        x += v * dt;
        return (x, v);
    }

    /// <summary>A tuple of floats from statements.</summary>
    public static (float Product, float Sum) ProductAndSum(float a, float b)
    {
        float product = a * b;
        float sum = a + b;
        return (product, sum);
    }

    /// <summary>A tuple computed in a loop, read from an array.</summary>
    public static (double Sum, double Max) SumAndMax(double[] values)
    {
        double sum = 0, max = double.NegativeInfinity;
        foreach (double e in values)
        {
            sum += e;
            max = Math.Max(max, e);
        }
        return (sum, max);
    }

    public static double SmoothNorm(double[] v, double epsilon)
    {
        double sum = epsilon;
        foreach (double e in v)
            sum += e < 0 ? Square(-e) : Square(e);
        return Math.Sqrt(sum);
    }
}

/// <summary>[Differentiable] methods written the way everyday numerical C# is: guards, throws, logs, tables, enums, helpers.</summary>
public static partial class EveryDayCSharpFunctions
{
    /// <summary>Argument validation, a log in a loop and a throw expression, around a smooth function of x and y.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Guarded(double x, double y, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (y <= 0)
            throw new ArgumentOutOfRangeException(nameof(y), $"y must be positive, was {y}");
        Debug.Assert(n < 1000, "n is a small count");
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += Math.Sqrt(y) * Math.Sin(x * (i + 1));
            EffectLog.Record(s, i);
        }
        double r = s < 50 ? Math.Log(60 - s) : throw new InvalidOperationException($"the sum {s} reached 50");
        return r * x;
    }

    /// <summary>Chained assignment, integer bit operations (a hash picking a sign), and bools combined with &amp; | ^.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double BitsAndChains(double x, double y, int seed)
    {
        double a, b;
        a = b = x * y;
        int hash = seed * -1640531535;
        int bits = hash >>> 16 & 0xFF;
        bits ^= bits << 3;
        bits = ~bits >>> 1;
        bool negative = (bits & 1) == 1 ^ seed < 0 | false;
        var c = a = b + Math.Sin(x);
        return negative ? -a * c : a * c + (bits % 7) * y;
    }

    /// <summary>Coefficient tables (static readonly, an initializer, a collection expression), a static property and an enum.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Tabled(double x, double y, Smoothing smoothing)
    {
        double[] w = { 1, 4, 1 };
        double[] v = [x, y, x * y];
        double s = 0;
        for (int i = 0; i < Coefficients.Simpson.Length; i++)
            s += Coefficients.Simpson[i] * w[i] * v[i];
        v[1] = s * Coefficients.Half;
        Smoothing chosen = smoothing;
        if (chosen == Smoothing.Hard || Coefficients.Preferred == smoothing)
            s = Math.Tanh(s) + v[1] * v[2];
        return s * Coefficients.Gain + (int)chosen;
    }

    /// <summary>A switch statement over an enum (with a guarded or-pattern), a switch expression with relational arms, and is-patterns.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Switched(double x, double y, Smoothing smoothing, int n)
    {
        double s;
        switch (smoothing)
        {
            case Smoothing.None:
                s = x * y;
                break;
            case Smoothing.Soft or Smoothing.Hard when n > 0:
                s = Math.Tanh(x * y);
                if (smoothing == Smoothing.Hard)
                    s *= s;
                break;
            default:
                return y * y;
        }
        double piece = x switch
        {
            < -1 => -x,
            < 1 => x * x * 0.5 + 0.5,
            _ => x,
        };
        double weight = (n % 3) switch
        {
            0 => y,
            1 => x * y,
            var r when r > 1 => r * y,
            _ => throw new InvalidOperationException("n % 3 is never negative here"),
        };
        bool near = y is > -0.5 and < 0.5 or 2;
        return s + piece * weight + (near ? y * x : 0);
    }

    private static double Softplus(double x) => x > 20 ? x : Math.Log(1 + Math.Exp(x));

    internal static double Blend(double a, double b, [NoDerivative] double t) => (1 - t) * a + t * Softplus(b);

    /// <summary>Helpers without attributes: private and internal ones here, public ones in a type that is not partial, in a loop.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double WithHelpers(double x, double y, int n)
    {
        double total = 0;
        for (int i = 0; i < n; i++)
            total += Kernels.Gaussian(x - i, y) * Softplus(x * y);
        return total + Blend(x, y, 0.25) + Kernels.Square(y);
    }

    /// <summary>An array through a helper: its gradient comes back in a buffer.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double NormOfScaled(double[] v, double scale)
    {
        var scaled = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
            scaled[i] = v[i] * scale;
        return Kernels.SmoothNorm(scaled, 1e-3);
    }

    /// <summary>A spring integrated with tuple swaps, Math.SinCos deconstructed, named tuple locals read and written.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Spring(double x0, double v0, double k, int steps)
    {
        double x = x0, v = v0;
        const double dt = 0.1;
        for (int i = 0; i < steps; i++)
            (x, v) = (x + v * dt, v - k * x * dt);
        var (s, c) = Math.SinCos(x);
        (double Re, double Im) z = (c * v, s);
        z.Re *= k;
        (x, _) = (z.Im + x, 0);
        return z.Re + z.Item2 * x;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Scale(double w, [NoDerivative] double x) => w * x + Math.Sin(x);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Dot(double[] w, [NoDerivative] double[] x)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++)
            s += w[i] * x[i];
        return s;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ScaleBy(double w, double s) => Scale(w, s);

    /// <summary>
    /// Values that vary with w and s passed to [NoDerivative] parameters: a parameter, a computed local array, a value
    /// carried around a loop. The gradient must flow through them all the same.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double ThroughNoDerivative(double w, double s)
    {
        double total = Scale(w, s);
        double[] weights = { w, 2 * w };
        double[] inputs = [s * s, s];
        total += Dot(weights, inputs);
        double carried = 1;
        for (int i = 0; i < 3; i++)
        {
            total += Scale(w, carried);
            carried *= s;
        }
        return total + Scale(s, 0.5) + Mix(w, s * s);
    }

    /// <summary>An implicit helper with a [NoDerivative] parameter, given a value that varies above.</summary>
    private static double Mix(double a, [NoDerivative] double t) => (1 - t) * a + t * Math.Tanh(a);

    /// <summary>Local functions: a static one, one capturing a local, one calling another, in a loop.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double WithLocalFunctions(double x, double y)
    {
        double scale = 2 * y;
        static double Sq(double v) => v * v;
        double Scaled(double v) { return scale * Sq(v) + Math.Sin(v); }
        double s = 0;
        for (int i = 0; i < 3; i++)
        {
            s += Scaled(x + i);
            scale *= 0.5;
        }
        return s + Sq(y);
    }

    /// <summary>
    /// Local functions with statements: one with a loop and an early return, a void one accumulating into a local it
    /// captures (with an early return), one returning a tuple, and one-expression ones needing statements (a conditional)
    /// in a loop's condition and on the right of &amp;&amp;, and a call of one passed another call of it.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double LocalFunctionsWithStatements(double x, double y)
    {
        double total = 0;
        double Power(double v, int n)
        {
            double p = 1;
            for (int i = 0; i < n; i++)
            {
                if (Math.Abs(p) > 1e9)
                    return p;
                p *= v;
            }
            return p;
        }
        void Accumulate(double v)
        {
            if (v < -100)
                return;
            total += v * Math.Exp(-v * v);
        }
        (double Lo, double Hi) Bounds(double v)
        {
            double spread = 0.5 + v * v;
            return (v - spread, v + spread);
        }
        double Magnitude(double v) => v < 0 ? -v : v;
        double Blend(double u, double w)
        {
            double t = u * w;
            return t + Math.Sin(u);
        }

        total += Blend(x, Blend(y, x));
        Accumulate(x);
        Accumulate(x * y);
        var (lo, hi) = Bounds(y);
        total += Power(x, 3) * lo + hi;
        int steps = 0;
        double z = y;
        while (Magnitude(z) < 5 && steps < 10)
        {
            z = z * 1.5 + 0.1 * x;
            steps++;
        }
        if (steps > 0 && Magnitude(x) > 0.01)
            total += z;
        return total;
    }

    /// <summary>In float: x³·y through a local function with a loop and an early return, plus a tuple helper's (x·y, x + y).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static float LocalFunctionsInFloat(float x, float y)
    {
        float Power(float v, int n)
        {
            float p = 1;
            for (int i = 0; i < n; i++)
            {
                if (MathF.Abs(p) > 1e30f)
                    return p;
                p *= v;
            }
            return p;
        }
        var (product, sum) = Kernels.ProductAndSum(x, y);
        return Power(x, 3) * y + product * sum;
    }

    /// <summary>Helpers with statements returning tuples: a spring integrated over a loop, and a sum and maximum of an array.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double ThroughSpringSteps(double x, double k)
    {
        double v = 0;
        for (int i = 0; i < 20; i++)
            (x, v) = Kernels.SpringStep(x, v, k, 0.05);
        double[] samples = [x, v, x * k];
        var (sum, max) = Kernels.SumAndMax(samples);
        return sum + max + x * v;
    }

    /// <summary>Loop conditions and the right of || computed with statements (conditional expressions over numbers), evaluated each time C# evaluates them.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double ConditionsWithStatements(double x, double y)
    {
        double s = y;
        int n = 0;
        while ((s > 0 ? s : -s) < 4 && n < 20)
        {
            s = s * 1.3 + x;
            n++;
        }
        do
        {
            s *= 0.5;
            n++;
        } while ((s > 0 ? s : -s) > 1 && n < 40);
        if (n > 100 || (x > 0 ? x : -x) > 0.5)
            s += x * x;
        return s * y;
    }

    /// <summary>
    /// Inlined calls where only one branch runs (the arms of ?: and of a switch expression), with default and named
    /// arguments, elements of tuples computed on the spot (<c>Polar(x, y).R</c>), and a [Differentiable] method returning
    /// a tuple from a loop with an early return, called in a loop.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double InlinedCallsInBranches(double x, double y)
    {
        double Scale(double v, double k = 2)
        {
            double r = v * k;
            return r + Math.Sin(r);
        }
        double s = x > 0 ? Scale(x) : Scale(k: 3, v: y);
        s += y switch { < 0.5 => Scale(y), _ => Scale(x, y) };
        s += Kernels.SpringStep(x, y, 1.5, 0.1).V + Math.SinCos(y).Cos * Kernels.Polar(x, y).R;
        for (int i = 0; i < 3; i++)
        {
            var (a, b) = JacobianFunctions.Recurrence(s, 0.5, i);
            s = a * 0.1 + b * 0.01;
        }
        return s;
    }

    /// <summary>
    /// An int local of 1 in integer divisions: 1 / 2 is 0 and 7 / 1 / 2 is 3. The generated code, which reads such a
    /// local as the literal, folded them as 0.5 and 3.5: a silently wrong value and gradient (fuzz seed 1034224).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double IntegerDivisionOfALocal(double x, double y)
    {
        int one = 1;
        return x * y + x * (one / 2) + y * (7 / one / 2);
    }

    /// <summary>A helper returning a tuple of numbers, deconstructed twice.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double ThroughPolar(double x, double y)
    {
        var (r, theta) = Kernels.Polar(x, y);
        (double a, double b) = Kernels.Polar(r, x);
        return r * Math.Cos(theta) + a * b;
    }

    /// <summary>What the fuzzer found: a switch over a const, a parenthesized collection element, an array after a nested
    /// early return, a guard reading a tuple element, and a guard on an int local.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double FuzzerFindings(double x, double y)
    {
        const double c0 = 1.5;
        double s = c0 switch { < -1.0 => x, < 1.0 => 2 * x, _ => 3 * x };
        switch (c0)
        {
            case < 1.0:
                s += y;
                break;
            default:
                s += 2 * y;
                break;
        }
        int v0 = 1;
        ArgumentOutOfRangeException.ThrowIfNegative(v0);
        (double Re, double Im) t = (x, y);
        if (t.Re > 1e300)
            throw new ArgumentOutOfRangeException(nameof(x), $"x is {t.Re}");
        if (y < -10) { s *= 2; } else { { if (x > 10) return s; } }
        double[] a = [(x * y), x, 3.0];
        return s + a[0] * a[1] + a[2];
    }
}
