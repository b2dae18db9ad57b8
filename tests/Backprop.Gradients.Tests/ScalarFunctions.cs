using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>One [Differentiable] method per construct family of the scalar foundation.</summary>
public static partial class ScalarFunctions
{
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Arithmetic(double x, double y) => (x + y) * (x - y) / (x * y + 3) - -x + +y / 2;

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ExpLog(double x, double y) => Math.Exp(x * y) + Math.Log(x) + Math.Log(y, x + 2) + Math.Log10(x * y) + Math.Log2(y);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Roots(double x, double y) => Math.Sqrt(x * x + y) + Math.Cbrt(x - y) + Math.Pow(x, y) + Math.Pow(y, 3) + Math.Pow(x, 2);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Trigonometry(double x, double y) =>
        Math.Sin(x) * Math.Cos(y) + Math.Tan(x / 4) + Math.Asin(x / 5) + Math.Acos(y / 5) + Math.Atan(x * y) + Math.Atan2(y, x);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Hyperbolic(double x, double y) => Math.Sinh(x) - Math.Cosh(y) * Math.Tanh(x * y);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Piecewise(double x, double y) =>
        Math.Abs(x) * Math.Max(x, y) + Math.Min(x * y, 1.5) + Math.Clamp(x + y, -1, 2) + Math.Clamp(-3, x, y + 5);

    /// <summary>Piecewise-constant functions have zero derivative; they still shape the value.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Steps(double x, double y) =>
        Math.Floor(x) * y + Math.Ceiling(y) * x + Math.Round(x * y) + Math.Truncate(y) + Math.Sign(x - y) * x;

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Constants(double x)
    {
        const double scale = 2.5;
        const int count = 3;
        return Math.PI * x + Math.E * scale / count + scale * x * x;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double LocalsAndReassignment(double x, double y)
    {
        double a = x * y, b = a + 1, c;
        c = a * b;
        a = a + c;
        x = x * 2;
        y -= x;
        c *= y;
        b /= x;
        a += 3;
        c++;
        return a + b + c + x + y;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double PassiveParameters(double x, [NoDerivative] double scale, int n, long m, bool flag, double y) =>
        x * scale * n + y * m + x * y / n;

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Mixed(float x, double y)
    {
        float half = x / 2;
        double widened = half * y;
        float narrowed = (float)(widened + x);
        return narrowed * y;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float Single(float x, float y)
    {
        float z = MathF.Exp(x * y) + MathF.Sqrt(x);
        z += MathF.Sin(y) * MathF.Max(x, y);
        return z * x - Math.Abs(y);
    }

    /// <summary>A value used many times: the gradient must collect every use.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double SharedSubexpressions(double x, double y)
    {
        double e = Math.Exp(x * y);
        double f = Math.Exp(x * y) * e;
        return e * e + f * x + Math.Exp(x * y);
    }

    /// <summary>A parameter that does not reach the result gets a zero gradient.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double IgnoresY(double x, double y)
    {
        double unused = Math.Exp(y);
        return x * x;
    }

    /// <summary>Regression (found by fuzzing, seed 278): a [NoDerivative] parameter reassigned from a differentiable value carries the gradient on.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ReassignedPassiveParameter(double x, [NoDerivative] double y)
    {
        y -= Math.Max((x + Math.E) * 2, Math.Cbrt(Math.Exp(2.0)));
        return y * y + x;
    }

    /// <summary>Regression (found by fuzzing): atan(x) as Atan2 of values whose squares overflow; the partials must not vanish.</summary>
    [Differentiable]
    public static double Atan2OfHugeValues(double x) => Math.Atan2(x * Math.Exp(x), Math.Exp(x));

    [Differentiable]
    public static float Atan2OfHugeFloats(float x) => MathF.Atan2(x * MathF.Exp(x), MathF.Exp(x));

    /// <summary>
    /// Regression (found by fuzzing, seed 1047339): <c>v - v</c> sends v two huge adjoints (±v·n ≈ ±3·10⁹ at
    /// n = 2·10⁹) that cancel exactly, beside a small one (−1) that must survive them. Through an operator and a call.
    /// </summary>
    [Differentiable]
    public static float CancellingAdjoints(float v, int n) => (v - v) * (v * n) - v;

    [Differentiable]
    public static float CancellingCallAdjoints(float v, int n) => FloatDifference(v, v) * (v * n) - v;

    [Differentiable]
    public static float FloatDifference(float a, float b) => a - b;

    /// <summary>
    /// Regression (found by fuzzing, seeds 1302691 and 1052787): a local function with a loop returns a captured value
    /// whatever its argument, so <c>L(z) - L(z)</c> is exactly 0, yet each call site sends that value an adjoint of
    /// ±10²⁰ from a statement of its own. Added to v0's own 1 one at a time, they swallowed it: ∂F/∂z was 0, not cos z.
    /// </summary>
    [Differentiable]
    public static double CancellingAcrossStatements(double z)
    {
        double v0 = Math.Sin(z);
        double L(double u)
        {
            for (int i = 0; i < 2; i++)
                u = u * z;
            return v0;
        }
        double v7 = L(z) - L(z);
        return 1e20 * v7 + v0;
    }

    /// <summary>
    /// The same with early returns (seed 1302691): each call's <c>return v0;</c> is guarded, so the ±10²⁰ its adjoint
    /// sends v0 is added inside a branch; both must meet before v0's own 1 is added to them.
    /// </summary>
    [Differentiable]
    public static double CancellingInGuardedReturns(double z)
    {
        double v0 = Math.Sin(z);
        double L(double u)
        {
            for (int i = 0; i < 3; i++)
            {
                if (u > 100)
                    return u;
                u = u * z;
            }
            return Math.E + v0;
        }
        double v7 = L(z) - L(2 * z);
        return 1e20 * v7 + v0;
    }

    /// <summary>
    /// Regression (found by fuzzing, seed 1335007): in a double method, a float local's adjoint takes ±20·v0¹⁹ (about
    /// ±1.4·10⁶ at v0 = 1.8) from two statements that cancel exactly, with atan2's partial (0.28) between them. Summed in
    /// float (ulp 0.125) it was rounded away; the adjoint of a float local is now summed in double when the gradient is.
    /// </summary>
    [Differentiable]
    public static double CancellingInAFloatLocal(double x, double y)
    {
        float v0 = (float)(x * y);
        double p = Math.Pow(v0, 20.0);
        double a = Math.Atan2(v0, 2.0);
        double q = Math.Pow(v0, 20.0);
        return p + a - q;
    }

    /// <summary>
    /// Regression (found by fuzzing, seed 1337938): <c>H(y, y)</c>, where H reads <c>Math.Atan2(a - b, c)</c> at
    /// c = 0.75·sin π ≈ 9.2·10⁻¹⁷. H's gradient gives ∂H/∂a and ∂H/∂b each about ±10¹⁶ beside their small terms, and
    /// their sum lost those (0 where the derivative is 1.75 − 3y²); y's share now comes from H's tangent along (1, 1).
    /// </summary>
    [Differentiable]
    public static double AliasedCallWithHugePartials(double y) => HugePartials(y, y);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double HugePartials(double a, double b)
    {
        b += Math.Atan2(a - b, 0.75 * Math.Sin(Math.PI)) * (Math.Acos(Math.Tanh(b) / 2.0) * a);
        return a * 1.75 - b * b * a;
    }

    /// <summary>One value for two of three parameters, and another for the third: x·e^x·z + sin x.</summary>
    [Differentiable]
    public static double AliasedCallBesideAnother(double x, double z) => Product3(x, z, x) + Math.Sin(x);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Product3(double a, double b, double c) => a * b * Math.Exp(c);

    /// <summary>
    /// Regression (found by fuzzing, seed 1353436): the reverse of <c>x += choice</c> copies x's adjoint into choice's
    /// (<c>double dchoice = dx;</c>) just before the branches that add to dx. Setting dx's earlier value aside there took
    /// that copy for dx's own declaration and zeroed it: the gradient was 2 where it is 1 + x/√(1 + x²).
    /// </summary>
    [Differentiable]
    public static double SeedCopiedBeforeBranchesAddingToIt(double x)
    {
        x += ((double)(Math.Sinh(x)) switch { < -1.0 => double.Sqrt(1.0 + (-x) * (-x)), < 1.0 => Math.Min((x + 0.25), ((double)(1.75) switch { < -1.0 => x, < 1.0 => x, _ => 3.0 })), _ => Math.Max(0.25, x) });
        return x;
    }

    /// <summary>The float form of the same (seed 1052787): a block-bodied local function called twice, its results' difference scaled by e^(9e).</summary>
    [Differentiable]
    public static double CancellingAcrossStatementsInFloat(double x)
    {
        float v1 = (float)Math.Tan(Math.Tanh(x));
        double L(double u)
        {
            { }
            return x * v1;
        }
        double v8 = L(x) - L(x);
        return Math.Exp(9.0 * Math.E) * v8 + v1;
    }

    /// <summary>Regression (found by fuzzing, seed 1067548): Math.Clamp returns its value when a bound is NaN, so the value takes the gradient.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ClampWithANaNBound(double x, double y) => 2.0 * Math.Clamp(y, Math.Sqrt(x), 1.0 + x * x);

    /// <summary>
    /// Regression (found by fuzzing, seed 1070181): Clamp in a loop, its bound read from the counter. The rule reads the
    /// bound inside a negation, which the reverse sweep must count as a read (the counter was not stepped back).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ClampInALoop(double x, double w)
    {
        int k = 0;
        while (k < 4)
        {
            k++;
            x += Math.Clamp(Math.Abs(w) * x, -1.0 - 0.25 * k * k, 1.5);
        }
        return x;
    }

    /// <summary>
    /// Locals of one parameter each (x2, x3, x4, wave of x; e of y) whose derivatives the forward sweep carries, a
    /// parameter reassigned (so never carried), and Math.FusedMultiplyAdd.
    /// </summary>
    [Differentiable]
    public static double PowerChain(double x, double y, double z)
    {
        double x2 = x * x;
        double x3 = x2 * x;
        double x4 = (x3 + x3 * x2) / (1 + x2);
        double wave = Math.Sin(x3);
        double e = Math.Exp(-y) * 3;
        double s = 2 * x * e + x4 * Math.Exp(-2 * y);
        s += Math.FusedMultiplyAdd(x3, e, wave);
        z *= s;
        return s + Math.Log(x2 + 1) + z;
    }

    /// <summary>Regression (found by the hostile-input tests): the attribute on the declaring part of a partial method.</summary>
    [Differentiable]
    public static partial double DeclaredPartial(double x, double y);

    public static partial double DeclaredPartial(double x, double y) => Math.Sin(x) * y + x;

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    internal static double Internal(double @double, double @class) => @double * @class + Math.Sin(@class);

    public static partial class Nested
    {
        [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
        private static double Hidden(double x) => x * x * x;

        public static double CallHidden(double x, out double dx) => HiddenGradient(x, out dx);

        public static double HiddenValue(double x) => Hidden(x);
    }
}
