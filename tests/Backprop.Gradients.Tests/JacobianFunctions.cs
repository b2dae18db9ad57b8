using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Methods returning arrays, asking for every first-derivative method: vector-Jacobian products, tangents and Jacobians.</summary>
public static partial class JacobianFunctions
{
    private const Derivatives All = Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian;

    /// <summary>Calls to users' functions with [DerivativeOf] pullbacks: their partials feed every row and column.</summary>
    [Differentiable(All)]
    public static double[] CustomCalls(double x, double y)
    {
        var z = new double[3];
        z[0] = CustomScalarFunctions.Cube(x * y);
        z[1] = CustomScalarFunctions.Hypot(x, y) + x;
        z[2] = CustomScalarFunctions.Power(y, 3) * x;
        return z;
    }

    /// <summary>(r, θ) → (r cos θ, r sin θ): two inputs, two outputs (forward sweeps).</summary>
    [Differentiable(All)]
    public static double[] Polar(double r, double theta)
    {
        var p = new double[2];
        p[0] = r * Math.Cos(theta);
        p[1] = r * Math.Sin(theta);
        return p;
    }

    /// <summary>More outputs than inputs (forward sweeps).</summary>
    [Differentiable(All)]
    public static double[] Curve(double t, double s)
    {
        var y = new double[5];
        y[0] = t * s;
        y[1] = Math.Sin(t);
        y[2] = Math.Exp(s);
        y[3] = t * t;
        y[4] = t / s;
        return y;
    }

    /// <summary>More inputs than outputs (reverse sweeps): a weighted sum of squares and a log-sum-exp.</summary>
    [Differentiable(All)]
    public static double[] Summaries(double[] x, double w)
    {
        var y = new double[2];
        double max = x[0];
        foreach (double v in x)
            max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            y[0] += w * x[i] * x[i];
            sum += Math.Exp(x[i] - max);
        }
        y[1] = max + Math.Log(sum);
        return y;
    }

    /// <summary>Mean and variance: loops that only sum into a scalar (the gradient code fuses them), then the result.</summary>
    [Differentiable(All)]
    public static double[] Moments(double[] x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += x[i];
        double mean = sum / x.Length;
        double squares = 0;
        for (int i = 0; i < x.Length; i++)
            squares += (x[i] - mean) * (x[i] - mean);
        var y = new double[2];
        y[0] = mean;
        y[1] = squares / x.Length;
        return y;
    }

    /// <summary>Elementwise with a loop: softplus(βxᵢ)/β.</summary>
    [Differentiable(All)]
    public static double[] SoftplusEach(double[] x, double beta)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = Math.Log(1 + Math.Exp(beta * x[i])) / beta;
        return y;
    }

    /// <summary>A branch, a loop carrying the result forward (the reverse sweep reads it back), an early return and a call.</summary>
    [Differentiable(All)]
    public static double[] Scan(double[] x, double a, int n)
    {
        var y = new double[x.Length];
        if (x.Length == 0)
            return y;
        y[0] = x[0] * a;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > 0)
                y[i] = y[i - 1] * a + x[i];
            else
                y[i] = Sigmoid(x[i] * n) - y[i - 1];
        }
        return y;
    }

    /// <summary>Running products: each output reads the one before, so the reverse sweep restores the result's elements.</summary>
    [Differentiable(All)]
    public static double[] Products(double[] x)
    {
        var y = new double[x.Length];
        y[0] = x[0];
        for (int i = 1; i < x.Length; i++)
            y[i] = y[i - 1] * x[i];
        return y;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>Calls to a differentiable method, more outputs than inputs (forward sweeps through the callee's tangent).</summary>
    [Differentiable(All)]
    public static double[] Gates(double t, [NoDerivative] double c)
    {
        var y = new double[3];
        y[0] = Sigmoid(t);
        y[1] = Sigmoid(c * t);
        y[2] = t * Sigmoid(t * t);
        return y;
    }

    /// <summary>Calls in a loop: n inputs and n weights give n outputs (reverse sweeps through the callee's gradient).</summary>
    [Differentiable(All)]
    public static double[] Layer(double[] x, double[] w)
    {
        var h = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            h[i] = Sigmoid(w[i] * x[i]);
        return h;
    }

    /// <summary>A float result, more inputs than outputs.</summary>
    [Differentiable(All)]
    public static float[] SineEach(float[] x, float a)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = MathF.Sin(a * x[i]);
        return y;
    }

    /// <summary>A float result, no more inputs than outputs.</summary>
    [Differentiable(All)]
    public static float[] PolarSingle(float r, float theta)
    {
        var p = new float[2];
        p[0] = r * MathF.Cos(theta);
        p[1] = r * MathF.Sin(theta);
        return p;
    }

    /// <summary>A tuple result: (r, θ) → (r cos θ, r sin θ), written with statements (forward sweeps).</summary>
    [Differentiable(All)]
    public static (double X, double Y) ToCartesian(double r, double theta)
    {
        var (sin, cos) = Math.SinCos(theta);
        double x = r * cos;
        return (x, r * sin);
    }

    /// <summary>
    /// A tuple result computed by a loop of calls to a helper returning a tuple, with an early return: three inputs, two
    /// outputs (reverse sweeps).
    /// </summary>
    [Differentiable(All)]
    public static (double X, double V) Oscillator(double x, double v, double k)
    {
        for (int i = 0; i < 10; i++)
        {
            if (Math.Abs(x) > 1e6)
                return (x, v);
            (x, v) = Kernels.SpringStep(x, v, k, 0.1);
        }
        return (x, v);
    }

    /// <summary>An array result, called by <see cref="TwoLayers"/>.</summary>
    [Differentiable(All)]
    public static double[] TanhLayer(double[] x, double[] w, double b)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = Math.Tanh(w[i] * x[i] + b);
        return y;
    }

    /// <summary>A scalar of two calls of a method returning an array, each result given a local at the top level.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double TwoLayers(double[] x, double[] w, double b)
    {
        double[] h = TanhLayer(x, w, b);
        double[] g = TanhLayer(h, w, -b);
        double s = 0;
        foreach (double e in g)
            s += e * e;
        return s + h[0];
    }

    /// <summary>A tuple from a loop with an early return, with a [NoDerivative] and an int parameter.</summary>
    [Differentiable(All)]
    public static (double A, double B) Recurrence(double x, [NoDerivative] double s, int n)
    {
        double a = x, b = 1;
        for (int i = 0; i < n; i++)
        {
            if (a > 100)
                return (a, b);
            a = a * s + b;
            b += x;
        }
        return (a, b);
    }

    /// <summary>One input, three outputs, and a caller of a [Differentiable] method returning a tuple.</summary>
    [Differentiable(All)]
    public static (double A, double B, double C) Spread(double t)
    {
        var (x, y) = ToCartesian(1 + t * t, t);
        return (x * y, Math.Exp(-t), x + y);
    }

    /// <summary>A tuple of floats.</summary>
    [Differentiable(All)]
    public static (float X, float Y) ToCartesianSingle(float r, float theta) => (r * MathF.Cos(theta), r * MathF.Sin(theta));

    /// <summary>The default attribute on an array result: the vector-Jacobian product only.</summary>
    [Differentiable]
    public static double[] Squares(double[] x)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = x[i] * x[i];
        return y;
    }
}
