using System.Numerics;
using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Local arrays reassigned and swapped: ping-pong buffers, aliases written through either name, views of parameters.</summary>
public static partial class ReboundArrayFunctions
{
    /// <summary>
    /// Explicit heat steps u ← A·u (fixed ends, uᵢ += k·(uᵢ₋₁ − 2uᵢ + uᵢ₊₁) inside) in two buffers swapped each step, then
    /// Σ uᵢ²: with uₜ = Aᵗ·u₀, the gradient for u₀ is 2·(Aᵗ)ᵀ·uₜ.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Heat(double[] u0, double k, int steps)
    {
        var current = new double[u0.Length];
        var next = new double[u0.Length];
        for (int i = 0; i < u0.Length; i++)
            current[i] = u0[i];
        for (int step = 0; step < steps; step++)
        {
            next[0] = current[0];
            next[next.Length - 1] = current[current.Length - 1];
            for (int i = 1; i < current.Length - 1; i++)
                next[i] = current[i] + k * (current[i - 1] - 2 * current[i] + current[i + 1]);
            (current, next) = (next, current);
        }
        double energy = 0;
        foreach (double u in current)
            energy += u * u;
        return energy;
    }

    /// <summary>The same steps in float, the buffers rotated through a third name (var t = a; a = b; b = t;), with a damping branch.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float HeatRotated(float[] u0, float k, int steps)
    {
        float[] current = new float[u0.Length];
        float[] next = new float[u0.Length];
        for (int i = 0; i < u0.Length; i++)
            current[i] = u0[i];
        for (int step = 0; step < steps; step++)
        {
            next[0] = current[0];
            next[next.Length - 1] = current[current.Length - 1];
            for (int i = 1; i < current.Length - 1; i++)
            {
                float laplacian = current[i - 1] - 2 * current[i] + current[i + 1];
                next[i] = laplacian > 0 ? current[i] + k * laplacian : current[i] + 0.5f * k * laplacian;
            }
            float[] swap = current;
            current = next;
            next = swap;
        }
        float energy = 0;
        for (int i = 0; i < current.Length; i++)
            energy += current[i] * current[i];
        return energy;
    }

    /// <summary>Two names for one array, both written: after a = b, a write through a is a write to b's element.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Aliased(double[] x, double w)
    {
        var a = new double[x.Length];
        var b = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            a[i] = x[i] * w;
            b[i] = x[i] + w;
        }
        double before = a[0] * b[1];
        a = b;
        a[0] = a[0] * w;
        b[1] += a[0] * a[1];
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += b[i] * a[i];
        return sum + before;
    }

    /// <summary>
    /// Aliases made and broken in a loop, under branches: each round writes through whichever name refers to the scratch
    /// array, and the names trade places when x₀ is positive.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double AliasedInALoop(double[] x, double w)
    {
        var scratch = new double[x.Length];
        var other = new double[x.Length];
        double[] view = other;
        double total = 0;
        for (int round = 0; round < 3; round++)
        {
            view = round % 2 == 0 ? scratch : other;
            for (int i = 0; i < x.Length; i++)
                view[i] += Math.Sin(w * x[i] + round);
            if (x[0] > 0)
                (scratch, other) = (other, scratch);
            total += scratch[round % x.Length] * other[(round + 1) % x.Length] + view[0];
        }
        return total;
    }

    /// <summary>
    /// A loop-body local read from an array that the loop then writes through another name for it: the reverse sweep must
    /// not compute the local again from the element after the write.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double AliasedLoopLocal(double[] x, double w)
    {
        var a = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            a[i] = x[i];
        double[] b = a;
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = a[i];
            b[i] = Math.Sin(b[i] * w) + e;
            total += e * a[i];
        }
        return total;
    }

    /// <summary>
    /// A local naming a parameter, read through, then a local array: Σ sᵢ² over s = x, or over s = 2·y when the flag is set,
    /// plus a [NoDerivative] array that shares the name in a branch.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Views(double[] x, double[] y, [NoDerivative] double[] weights, bool doubled, bool weighted)
    {
        double[] s = x;
        var twice = new double[y.Length];
        if (doubled)
        {
            for (int i = 0; i < y.Length; i++)
                twice[i] = 2 * y[i];
            s = twice;
        }
        double sum = 0;
        for (int i = 0; i < s.Length; i++)
            sum += s[i] * s[i];
        double[] scale = x;
        if (weighted)
            scale = weights;
        return sum + Dot(scale, y);
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    /// <summary>Integer arrays swapped as data: the order in which x is visited alternates each round.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Orders(double[] x, int rounds)
    {
        int[] order = { 2, 0, 1 };
        int[] other = { 1, 2, 0 };
        double acc = 1;
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < order.Length; i++)
                acc = acc * 0.5 + x[order[i]] * x[other[i]];
            (order, other) = (other, order);
        }
        return acc;
    }

    /// <summary>
    /// An array result from buffers rotated through a third name: three relaxation steps aᵢ ← aᵢ + k·(aᵢ₊₁ − aᵢ)
    /// (cyclic), then the squares. Its Jacobian's sweeps take every local array from scratch and give each back once.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] Relax(double[] x, double k)
    {
        var result = new double[x.Length];
        var a = new double[x.Length];
        var b = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            a[i] = x[i];
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < a.Length; i++)
                b[i] = a[i] + k * (a[(i + 1) % a.Length] - a[i]);
            var t = a;
            a = b;
            b = t;
        }
        for (int i = 0; i < a.Length; i++)
            result[i] = a[i] * a[i];
        return result;
    }

    /// <summary>An array result written through another name for it: 2xᵢ², then result₀ += result₁.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] WrittenThroughAView(double[] x)
    {
        var result = new double[x.Length];
        double[] view = result;
        for (int i = 0; i < x.Length; i++)
            view[i] = 2 * x[i] * x[i];
        result[0] += view[1];
        return result;
    }

    /// <summary>Heat steps in a local function that swaps the arrays it captures, called twice.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double SteppedByALocalFunction(double[] x, double k)
    {
        var a = new double[x.Length];
        var b = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            a[i] = x[i];
        void Step()
        {
            b[0] = a[0];
            b[b.Length - 1] = a[a.Length - 1];
            for (int i = 1; i < a.Length - 1; i++)
                b[i] = a[i] + k * (a[i - 1] - 2 * a[i] + a[i + 1]);
            (a, b) = (b, a);
        }
        Step();
        Step();
        double energy = 0;
        for (int i = 0; i < a.Length; i++)
            energy += a[i] * a[i];
        return energy;
    }

    /// <summary>Three names for one array after a = b = c, written through each: (x₀w + x₁)·w, then + x₂, then squared.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Chained(double[] x, double w)
    {
        var a = new double[1];
        var b = new double[1];
        var c = new double[1];
        c[0] = x[0] * w;
        a = b = c;
        b[0] += x[1];
        a[0] *= w;
        c[0] += x[2];
        return a[0] * b[0];
    }

    /// <summary>Generic ping-pong: a moving average of x applied n times, then Σ.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static T Smooth<T>(T[] x, int n) where T : IFloatingPointIeee754<T>
    {
        var a = new T[x.Length];
        var b = new T[x.Length];
        for (int i = 0; i < x.Length; i++)
            a[i] = x[i] * x[i];
        for (int pass = 0; pass < n; pass++)
        {
            for (int i = 0; i < a.Length; i++)
                b[i] = (a[i] + a[(i + 1) % a.Length]) / T.CreateChecked(2);
            (a, b) = (b, a);
        }
        T sum = T.Zero;
        foreach (T v in a)
            sum += v;
        return sum;
    }
}
