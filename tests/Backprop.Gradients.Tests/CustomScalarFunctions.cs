using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Scalar [Differentiable] methods calling users' own scalar functions, whose derivatives are [DerivativeOf] pullbacks.</summary>
public static partial class CustomScalarFunctions
{
    private const Derivatives FirstOrder = Derivatives.Gradient | Derivatives.Tangent;

    public static double Cube(double s) => s * s * s;

    [DerivativeOf(nameof(Cube))]
    public static void CubePullback(double s, double result, double dResult, out double dS) => dS = dResult * 3 * s * s;

    public static double Hypot(double a, double b) => Math.Sqrt(a * a + b * b);

    [DerivativeOf(nameof(Hypot))]
    public static void HypotPullback(double a, double b, double result, double dResult, out double dA, out double dB)
    {
        dA = dResult * a / result;
        dB = dResult * b / result;
    }

    public static double Power(double s, int n) => Math.Pow(s, n);

    [DerivativeOf(nameof(Power))]
    public static void PowerPullback(double s, int n, double result, double dResult, out double dS) => dS = dResult * n * Math.Pow(s, n - 1);

    public static double Scaled(double s, [NoDerivative] double k) => k * s * s;

    [DerivativeOf(nameof(Scaled))]
    public static void ScaledPullback(double s, double k, double result, double dResult, out double dS) => dS = dResult * 2 * k * s;

    public static float Softplus(float s) => MathF.Log(1 + MathF.Exp(s));

    [DerivativeOf(nameof(Softplus))]
    public static void SoftplusPullback(float s, float result, float dResult, out float dS) => dS = dResult / (1 + MathF.Exp(-s));

    [Differentiable(FirstOrder)]
    public static double CubeOfProduct(double x, double y) => Cube(x * y) + x;

    [Differentiable(FirstOrder)]
    public static double HypotOfSquare(double x, double y) => 2 * Hypot(x, y * y) - Hypot(y, 1.5);

    [Differentiable(FirstOrder)]
    public static double PowerSum(double x, int n) => Power(x, n) + Power(x * x, 2) + Scaled(x, n);

    [Differentiable(FirstOrder)]
    public static float SoftplusProduct(float x, float y) => Softplus(x * y) * x;

    [Differentiable(FirstOrder)]
    public static double CubeLoop(double x, int n)
    {
        double v = x;
        for (int i = 0; i < n; i++)
            v = 0.5 * Cube(v) + x;
        return v;
    }

    [Differentiable(FirstOrder)]
    public static float SoftplusLoop(float x, int n)
    {
        float v = x;
        for (int i = 0; i < n; i++)
            v = Softplus(v * x) - 0.5f * v;
        return v;
    }

    [Differentiable(FirstOrder)]
    public static double HypotBranch(double x, double y)
    {
        double r;
        if (x > y)
            r = Hypot(x, y) * y;
        else
            r = Cube(y) - x;
        return r + (x < 0 ? Power(x, 3) : x);
    }
}
