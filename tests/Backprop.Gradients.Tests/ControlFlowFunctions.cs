using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>[Differentiable] methods with branches, loops, arrays and calls.</summary>
public static partial class ControlFlowFunctions
{
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double PowerByLoop(double x, int n)
    {
        double p = 1;
        for (int i = 0; i < n; i++)
            p *= x;
        return p;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double NestedLoopProduct(double x, double y, int n, int m)
    {
        double product = 1;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < m; j++)
                product *= x + i * y - j * 0.1;
            product = Math.Sqrt(product * product + 1);
        }
        return product;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double WhileCountingDown(double x, int n)
    {
        double s = x;
        int k = n;
        while (k > 0)
        {
            s = Math.Sin(s) + x / k;
            k--;
        }
        return s;
    }

    /// <summary>sin x = x − x³/3! + x⁵/5! − …, an int step of 2.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double TaylorSin(double x, int terms)
    {
        double sum = 0, term = x;
        for (int k = 1; k < 2 * terms; k += 2)
        {
            sum += term;
            term *= -x * x / ((k + 1) * (k + 2));
        }
        return sum;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Horner(double[] coefficients, double x)
    {
        double result = 0;
        for (int i = coefficients.Length - 1; i >= 0; i--)
            result = result * x + coefficients[i];
        return result;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double LogSumExp(double[] x)
    {
        double max = x[0];
        foreach (double v in x)
            max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += Math.Exp(x[i] - max);
        return max + Math.Log(sum);
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double HelperInLoop(double[] x, double scale)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i++)
            total += Softplus(scale * x[i]) * (i + 1);
        return total;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Level3(double x, double y) => x * Math.Exp(y);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Level2(double x, double y) => Level3(x + y, x) * Level3(y, 0.5);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Level1(double x, double y) => Math.Log(1 + Level2(x, y) * Level2(x, y)) + OtherModel.Cube(x);

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double BranchInLoop(double[] x, [NoDerivative] double threshold)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > threshold)
                s += x[i] * x[i];
            else if (x[i] < -threshold && i % 2 == 0)
                s -= Math.Sin(x[i]) * threshold;
            else
                s += threshold * x[i];
        }
        return s;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ReturnFromLoop(double[] x, [NoDerivative] double limit)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i] * x[i];
            if (s > limit)
                return s * limit;
        }
        return -s;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
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

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double BreakAndContinue(double[] x)
    {
        double s = 1;
        int i = 0;
        do
        {
            i++;
            if (i % 3 == 0)
                continue;
            s = s * 0.5 + x[i - 1] * s;
            if (s > 50 || !(s > -50))
                break;
        } while (i < x.Length);
        return s;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ConditionalsAndComparisons(double x, double y, bool flag)
    {
        double z = x > y ? x * y : (y >= 0 && !flag ? Math.Exp(x) : y - x);
        if (flag || z < 1)
        {
            if (x != y)
                z = z * z;
        }
        else
            z = Math.Log(z);
        return z + (flag ? 1 : 0);
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double LocalArrays(double[] x, int n)
    {
        var prefix = new double[x.Length];
        double running = 0;
        for (int i = 0; i < x.Length; i++)
        {
            running += x[i];
            prefix[i] = running * running;
        }
        for (int i = 1; i < prefix.Length; i++)
            prefix[i] += prefix[i - 1] * 0.5;
        return prefix[x.Length - 1] + prefix[0] * n;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double PassiveHelper(double x, int n)
    {
        double s = x;
        for (int i = 0; i < n; i++)
        {
            if (OtherModel.IsEven(i))
                s = s * x;
            else
                s = s + OtherModel.Twice(i);
        }
        return s;
    }

    /// <summary>Arrays passed whole to another differentiable method: a parameter array and a local one.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ArrayArguments(double[] x, double y)
    {
        var scaled = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            scaled[i] = x[i] * y;
        return OtherModel.SumOfSquares(x, y) + Math.Log(1 + OtherModel.SumOfSquares(scaled, 0.5));
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float FloatArray(float[] x, float y)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++)
            s += MathF.Tanh(x[i] * y);
        return s;
    }

    /// <summary>
    /// An early return of a quotient: the reverse sweep reads the result (d(a/b)/db = −result/b) and restores it, and
    /// FGradient returned the restored value (found by the fuzzer, seeds 59 and 233).
    /// </summary>
    [Differentiable]
    public static double EarlyReturnOfQuotient(double x)
    {
        if (x > -1)
            return x / (1 + x * x);
        return x + 1;
    }

    /// <summary>An early return inside foreach must leave the loop (found by the fuzzer, seed 67).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ReturnInsideForeach(double[] q, double x)
    {
        foreach (double e in q)
        {
            if (e * x > 0.5)
                return e * e * x;
            x = x * 1.5 + e;
        }
        return x * x;
    }

    /// <summary>
    /// A loop-body local read from an array the same iteration then writes: the reverse sweep recomputed <c>e</c> from
    /// the array before undoing the write, so at j = 1 it read the new a[1] (found by the fuzzer, seed 160).
    /// </summary>
    [Differentiable]
    public static double LocalReadBeforeTheArrayChanges(double w)
    {
        var a = new double[3];
        for (int i = 0; i < a.Length; i++)
            a[i] += w;
        foreach (double e in a)
            a[1] += Math.Cos(e);
        for (int j = 0; j < a.Length; j++)
        {
            double e = a[j];
            a[2] += Math.Sin(e);
        }
        return a[1] + a[2];
    }

    /// <summary>
    /// A loop summing into x a term that itself reads x: loop fusion took it for a plain sum (the read of x is one shared
    /// node, counted once), gave x a unit adjoint through the loop and evaluated the term at the updated x (found by the
    /// fuzzer, seed 551).
    /// </summary>
    [Differentiable]
    public static double SumWhoseTermReadsTheSum(double x, double y)
    {
        for (int i = 0; i < 3; i++)
            x -= Math.Atan2(Math.Exp(x), Math.Atan(x / (1 + y * y)));
        double s = y;
        for (int i = 0; i < 4; i++)
            s += Math.Sin(s) * x;
        return x + s;
    }

    /// <summary>
    /// A passive local array filled in a loop and passed to a call: the reverse sweep restored its elements but not the
    /// loop counter indexing them, and threw IndexOutOfRangeException (found by the fuzzer, seeds 1000238, 1001751 and others).
    /// </summary>
    [Differentiable]
    public static double PassiveArrayPassedToACall(double x)
    {
        var a = new double[4];
        for (int i = 0; i < a.Length; i++)
            a[i] += 1.5 * i;
        return OtherModel.SumOfSquares(a, x) + x * a[2];
    }

    /// <summary>A local array allocated after an early return (it was BP1002: the rest of the block ran under a flag).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double ArrayAfterEarlyReturn(double x, int n)
    {
        if (x > 1.5)
            return x * x;
        double t = Math.Sin(x);
        if (x < -1.5)
            return t;
        var a = new double[n];
        for (int i = 0; i < a.Length; i++)
            a[i] = t * i + x;
        double s = 0;
        foreach (double e in a)
            s += e * e;
        return s;
    }

    /// <summary>break and continue directly inside foreach (they were BP1001).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double BreakAndContinueInForeach(double[] q, double x)
    {
        double s = 0;
        foreach (double e in q)
        {
            if (e < -0.5)
                continue;
            s += e * x;
            if (s > 2)
                break;
            s *= Math.Cos(e);
        }
        return s + x;
    }

    /// <summary>
    /// Math.Abs of a NaN that never reaches the result: the gradient called Math.Sign(NaN), which throws where Math.Abs
    /// does not (found by the fuzzer, seed 1007146).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double AbsOfANaNThatIsOverwritten(double x)
    {
        double t = Math.Abs(Math.Log(x)) + 1;
        t = x * x + Math.Abs(x);
        return t;
    }

    /// <summary>
    /// A constant local array passed to a call inside a branch: FTangent rented its zero direction in the branch and
    /// returned it at the end of the method, out of scope (did not compile; found by the fuzzer, seed 1004515).
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ConstantArrayToACallInABranch(double x)
    {
        var a = new double[3];
        double v = x;
        if (x > 0)
        {
            for (int k = 0; k < 2; k++)
                v += OtherModel.SumOfSquares(a, x) + x * k;
        }
        return x * v;
    }

    /// <summary>
    /// A fused loop (a plain sum into v) after a statement whose rule reads its own result (tanh' = 1 − v²): the fused
    /// loop saves nothing, so the reverse sweep read the summed v instead (found by the fuzzer, seed 1029483).
    /// </summary>
    [Differentiable]
    public static double SumAfterAResultReadingRule(double x, double y)
    {
        double v = Math.Tanh(y);
        for (int i = 0; i < 4; i++)
            v += Math.Sin(x * i);
        return v * x;
    }

    /// <summary>
    /// A float parameter summed along into a double (x += f(y)): the fused loop's scaled gradient of y was a double
    /// assigned to a float (did not compile; found by the fuzzer, seed 1015367).
    /// </summary>
    [Differentiable]
    public static double FloatSummedIntoDouble(double x, float y)
    {
        for (int i = 0; i < 3; i++)
            x += y * y + MathF.Sin(y);
        return x * x;
    }
}

public static partial class OtherModel
{
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double SumOfSquares(double[] v, double scale)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++)
            s += v[i] * v[i] * scale;
        return s;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Cube(double x) => x * x * x;

    public static bool IsEven(int i) => i % 2 == 0;

    public static int Twice(int i) => 2 * i;
}
