using System.Numerics;
using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Roll-outs: a [Differentiable] step function returning an array, called in loops and its result reassigned.</summary>
public static partial class RollOutFunctions
{
    /// <summary>One step of a damped linear recurrence: sᵢ ← p·sᵢ + q.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] Damped(double[] s, double p, double q)
    {
        var next = new double[s.Length];
        for (int i = 0; i < s.Length; i++)
            next[i] = p * s[i] + q;
        return next;
    }

    /// <summary>
    /// Σᵢ of the state after <paramref name="steps"/> steps from s₀: sₙ = pⁿ·s₀ + q·(1 − pⁿ)/(1 − p), so ∂/∂s₀ᵢ = pⁿ,
    /// ∂/∂q = m·(1 − pⁿ)/(1 − p) for m elements, and ∂/∂p = Σᵢ n·pⁿ⁻¹·s₀ᵢ + m·q·d/dp[(1 − pⁿ)/(1 − p)].
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double RollOut(double[] s0, double p, double q, int steps)
    {
        var s = s0;
        for (int k = 0; k < steps; k++)
            s = Damped(s, p, q);
        double sum = 0;
        foreach (double v in s)
            sum += v;
        return sum;
    }

    /// <summary>A pendulum chain's semi-implicit Euler step over positions and velocities.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double[] Euler(double[] state, double k, [NoDerivative] double dt)
    {
        int n = state.Length / 2;
        var next = new double[state.Length];
        for (int i = 0; i < n; i++)
        {
            double force = -k * Math.Sin(state[i]);
            next[n + i] = state[n + i] + dt * force;
            next[i] = state[i] + dt * next[n + i];
        }
        return next;
    }

    /// <summary>
    /// A simulation: steps declared in the loop, an extra half-strength step under a branch every third step, one more
    /// reassignment at the top level, and the final state returned (its Jacobian chains the steps' products).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] Simulate(double[] state0, double k, int steps)
    {
        var result = new double[state0.Length];
        double[] state = state0;
        for (int t = 0; t < steps; t++)
        {
            var next = Euler(state, k, 0.1);
            if (t % 3 == 2)
                next = Euler(next, 0.5 * k, 0.1);
            state = next;
        }
        state = Euler(state, k * k, 0.05);
        for (int i = 0; i < result.Length; i++)
            result[i] = state[i];
        return result;
    }

    /// <summary>A float recurrence sᵢ ← p·sᵢ + sᵢ₊₁·(1 − p) (cyclic), rolled out, then a loss on the state.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float[] Mix(float[] s, float p)
    {
        var next = new float[s.Length];
        for (int i = 0; i < s.Length; i++)
            next[i] = p * s[i] + s[(i + 1) % s.Length] * (1 - p);
        return next;
    }

    /// <summary>A generic step, sᵢ ← p·sᵢ, rolled out n times from a generic method: Σ pⁿ·s₀ᵢ.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static T[] Decay<T>(T[] s, T p) where T : IFloatingPointIeee754<T>
    {
        var next = new T[s.Length];
        for (int i = 0; i < s.Length; i++)
            next[i] = p * s[i];
        return next;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static T Decayed<T>(T[] s0, T p, int n) where T : IFloatingPointIeee754<T>
    {
        T[] s = s0;
        for (int k = 0; k < n; k++)
            s = Decay(s, p);
        T sum = T.Zero;
        foreach (T v in s)
            sum += v;
        return sum;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float MixedLoss(float[] s0, float p, int steps)
    {
        float[] s = s0;
        for (int k = 0; k < steps; k++)
            s = Mix(s, p);
        float loss = 0;
        for (int i = 0; i < s.Length; i++)
            loss += (i + 1) * s[i] * s[i];
        return loss;
    }
}
