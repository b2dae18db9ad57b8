using System.Numerics;
using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Generic math: methods over <c>T : IFloatingPointIeee754&lt;T&gt;</c>, differentiated once and instantiated at double and float.</summary>
public static partial class GenericFunctions
{
    /// <summary>log(1 + eˣ): its derivative is the logistic sigmoid.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static T Softplus<T>(T x) where T : IFloatingPointIeee754<T> => T.Log(T.One + T.Exp(x));

    /// <summary>Σ cᵢ·xⁱ by Horner's rule over a loop, with an integer conversion and a constant: its derivative is Σ i·cᵢ·xⁱ⁻¹.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static T Polynomial<T>(T[] c, T x) where T : IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = c.Length - 1; i >= 0; i--)
            sum = sum * x + c[i];
        return sum * T.CreateChecked(c.Length) / T.CreateChecked(2);
    }

    /// <summary>A branch, T's constants and its comparison operators: a smooth Huber loss.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static TNumber Huber<TNumber>(TNumber x, TNumber delta) where TNumber : IFloatingPointIeee754<TNumber>
    {
        TNumber a = TNumber.Abs(x);
        if (a <= delta)
            return TNumber.CreateChecked(0.5) * x * x;
        return delta * (a - delta / TNumber.CreateChecked(2));
    }

    /// <summary>A reduction over a span with a loop-carried maximum: log Σ exp(xᵢ), whose gradient is the softmax.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static T LogSumExp<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        T max = T.NegativeInfinity;
        foreach (T v in x)
            max = T.Max(max, v);
        T sum = T.Zero;
        for (int i = 0; i < x.Length; i++)
            sum += T.Exp(x[i] - max);
        return max + T.Log(sum);
    }

    /// <summary>A generic calling a generic in a loop: Σ softplus(wᵢ·xᵢ) + sin(w₀)·√(1 + x₀²).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static T Layer<T>(T[] w, T[] x) where T : IFloatingPointIeee754<T>
    {
        T total = T.Sin(w[0]) * T.Sqrt(T.One + x[0] * x[0]);
        for (int i = 0; i < w.Length; i++)
            total += Softplus(w[i] * x[i]);
        return total;
    }

    /// <summary>A double method calling a generic one, T inferred as double.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double SoftplusOfProduct(double x, double y) => Softplus(x * y) + Math.Cos(x);

    /// <summary>A generic array result: polar coordinates, with a Jacobian.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static T[] Polar<T>(T r, T theta) where T : IFloatingPointIeee754<T>
    {
        var p = new T[2];
        p[0] = r * T.Cos(theta);
        p[1] = r * T.Sin(theta);
        return p;
    }

    /// <summary>A tuple of T: one step of a damped spring, with a guard reading T.Epsilon.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static (T X, T V) Step<T>(T x, T v, T k) where T : IFloatingPointIeee754<T>
    {
        T dt = T.CreateChecked(0.1);
        if (k < T.Epsilon)
            k = T.Epsilon;
        v -= k * x * dt;
        return (x + v * dt, v);
    }

    /// <summary>Pow, Atan2, Hypot, Tanh, Clamp and FusedMultiplyAdd of T, with π and e.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static T Mixed<T>(T x, T y) where T : IFloatingPointIeee754<T> =>
        T.Pow(x, y) + T.Atan2(y, x) * T.Pi + T.Hypot(x, y) - T.Tanh(x * y) / T.E
        + T.Clamp(x - y, T.NegativeOne, T.One) + T.FusedMultiplyAdd(x, y, T.CreateChecked(0.25));
}
