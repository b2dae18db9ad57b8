using Backprop.Testing;
using static Backprop.Gradients.Tests.FiniteDifferences;
using C = Backprop.Gradients.Tests.ControlFlowFunctions;

namespace Backprop.Gradients.Tests;

public class ControlFlowGradientTests
{
    private delegate double ArrayAndScalarGradient(double[] q, double x, double[] dq, out double dx);

    /// <summary>Checks a method of (double[] q, double x) over q's <paramref name="length"/> elements and x together; a point holds them in that order.</summary>
    private static void CheckArrayAndScalar(Func<double[], double, double> function, ArrayAndScalarGradient gradient, int length, double[][] points) =>
        Check(p => function(p[..length], p[length]), (p, g) =>
        {
            double[] dq = new double[length];
            double value = gradient(p[..length], p[length], dq, out g[length]);
            dq.CopyTo(g, 0);
            return value;
        }, points);

    private static double[][] Points(int length, int count, double low, double high, int seed = 7)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, length).Select(_ => low + (high - low) * random.NextDouble()).ToArray()).ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void PowerByLoop(int n)
    {
        Check(p => C.PowerByLoop(p[0], n), (p, g) => C.PowerByLoopGradient(p[0], n, out g[0]), new[] { new[] { 1.3 }, new[] { -0.7 } });
        C.PowerByLoopGradient(1.5, n, out double dx);
        Assert.Equal(n * Math.Pow(1.5, n - 1), dx, 12);
    }

    [Fact]
    public void NestedLoopsWithLoopCarriedProduct() =>
        Check(p => C.NestedLoopProduct(p[0], p[1], 3, 4), (p, g) => C.NestedLoopProductGradient(p[0], p[1], 3, 4, out g[0], out g[1]), Points(2, 4, 0.5, 1.5));

    [Fact]
    public void WhileLoopCountingDown() =>
        Check(p => C.WhileCountingDown(p[0], 6), (p, g) => C.WhileCountingDownGradient(p[0], 6, out g[0]), Points(1, 4, -2, 2));

    [Fact]
    public void TaylorSeriesForSin()
    {
        Check(p => C.TaylorSin(p[0], 8), (p, g) => C.TaylorSinGradient(p[0], 8, out g[0]), Points(1, 4, -2, 2));
        C.TaylorSinGradient(0.6, 12, out double dx);
        Assert.Equal(Math.Cos(0.6), dx, 12);
    }

    [Fact]
    public void HornersRule()
    {
        foreach (double[] point in Points(6, 4, -1, 1))
        {
            double[] coefficients = point[..5];
            double x = point[5];
            CheckArrayAndScalar(C.Horner, C.HornerGradient, 5, new[] { point });
            // d/dc_k = x^k.
            double[] gradient = new double[5];
            C.HornerGradient(coefficients, x, gradient, out _);
            for (int k = 0; k < 5; k++)
                Assert.Equal(Math.Pow(x, k), gradient[k], 12);
        }
    }

    [Fact]
    public void LogSumExpGivesSoftmax()
    {
        Check(C.LogSumExp, (p, g) => C.LogSumExpGradient(p, g), Points(7, 4, -3, 3));
        double[] x = { 0.5, -1, 2, 0.25 };
        double[] gradient = new double[4];
        C.LogSumExpGradient(x, gradient);
        double total = x.Sum(Math.Exp);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(Math.Exp(x[i]) / total, gradient[i], 12);
    }

    [Fact]
    public void HelperCalledInLoop() =>
        CheckArrayAndScalar(C.HelperInLoop, C.HelperInLoopGradient, 4, Points(5, 4, -1, 1));

    [Fact]
    public void ThreeLevelCallChain() =>
        Check(p => C.Level1(p[0], p[1]), (p, g) => C.Level1Gradient(p[0], p[1], out g[0], out g[1]), Points(2, 4, -1, 1));

    [Fact]
    public void BranchInsideLoop() =>
        Check(p => C.BranchInLoop(p, 0.4), (p, g) => C.BranchInLoopGradient(p, 0.4, g), Points(6, 5, -1, 1));

    [Fact]
    public void ReturnFromInsideLoop()
    {
        // Points on both sides: the loop returns early for some, runs to the end for others.
        foreach (double limit in new[] { 0.3, 1.5, 100 })
        {
            Check(p => C.ReturnFromLoop(p, limit), (p, g) => C.ReturnFromLoopGradient(p, limit, g), Points(5, 4, -1, 1, seed: (int)(limit * 10)));
        }
    }

    [Fact]
    public void ExtendedRosenbrock()
    {
        Check(C.Rosenbrock, (p, g) => C.RosenbrockGradient(p, g), Points(10, 4, -1.5, 1.5));
        double[] ones = Enumerable.Repeat(1.0, 10).ToArray();
        double[] gradient = new double[10];
        Assert.Equal(0, C.RosenbrockGradient(ones, gradient));
        Assert.All(gradient, g => Assert.Equal(0, g));
    }

    [Fact]
    public void DoLoopWithBreakAndContinue() =>
        Check(C.BreakAndContinue, (p, g) => C.BreakAndContinueGradient(p, g), Points(9, 6, -3, 3));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConditionalsAndComparisons(bool flag) =>
        Check(p => C.ConditionalsAndComparisons(p[0], p[1], flag), (p, g) => C.ConditionalsAndComparisonsGradient(p[0], p[1], flag, out g[0], out g[1]),
            new[] { new[] { 0.5, 0.25 }, new[] { 0.25, 0.5 }, new[] { -0.5, 0.3 }, new[] { 0.7, -0.4 }, new[] { 1.5, 0.8 }, new[] { -1.5, -0.8 } });

    /// <summary>Fuzzer seeds 59 and 233: FGradient returned the result as the reverse sweep had restored it (0), not F's value.</summary>
    [Fact]
    public void EarlyReturnOfQuotientReturnsTheValue() =>
        Check(p => C.EarlyReturnOfQuotient(p[0]), (p, g) => C.EarlyReturnOfQuotientGradient(p[0], out g[0]), new[] { new[] { 0.5 }, new[] { -0.4 }, new[] { -2.0 }, new[] { 1.5 } });

    /// <summary>Fuzzer seed 67: the foreach ran on after a return inside it, so FGradient returned a later element.</summary>
    [Fact]
    public void ReturnInsideForeachLeavesTheLoop()
    {
        double[][] points = { new[] { 0.2, 0.9, -0.5, 1.0 }, new[] { -0.3, -0.2, 0.4, 0.7 }, new[] { 0.1, 0.2, 0.3, 2.0 }, new[] { -1.0, 0.5, 0.25, -0.8 } };
        CheckArrayAndScalar(C.ReturnInsideForeach, C.ReturnInsideForeachGradient, 3, points);
        foreach (double[] p in points)
        {
            var (value, derivative) = C.ReturnInsideForeachTangent(p[..3], p[3], new[] { 1.0, 0, 0 }, 0);
            Assert.Equal(C.ReturnInsideForeach(p[..3], p[3]), value);
            Assert.Equal(FiniteDifferences.Central(q => C.ReturnInsideForeach(q[..3], q[3]), p, 0), derivative, 5);
        }
    }

    /// <summary>Fuzzer seed 160: a local read from an array was recomputed after a later write to that array, not before it.</summary>
    [Fact]
    public void LocalReadBeforeTheArrayChangesIsRecomputedFromTheOldValue() =>
        Check(p => C.LocalReadBeforeTheArrayChanges(p[0]), (p, g) => C.LocalReadBeforeTheArrayChangesGradient(p[0], out g[0]), Points(1, 4, -2, 2));

    /// <summary>Fuzzer seed 551: a loop fused as a plain sum although its term reads the sum.</summary>
    [Fact]
    public void SumWhoseTermReadsTheSumIsNotFused() =>
        Check(p => C.SumWhoseTermReadsTheSum(p[0], p[1]), (p, g) => C.SumWhoseTermReadsTheSumGradient(p[0], p[1], out g[0], out g[1]), Points(2, 4, -2, 2));

    /// <summary>Fuzzer seeds 1000238, 1001751, …: a passive array's elements were restored without their loop counter.</summary>
    [Fact]
    public void PassiveArrayPassedToACallIsRestoredInPlace() =>
        Check(p => C.PassiveArrayPassedToACall(p[0]), (p, g) => C.PassiveArrayPassedToACallGradient(p[0], out g[0]), Points(1, 4, -2, 2));

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void ArrayAllocatedAfterAnEarlyReturn(int n)
    {
        double[][] points = { new[] { 2.0 }, new[] { -2.0 }, new[] { 0.3 }, new[] { -0.7 }, new[] { 1.2 } };
        Check(p => C.ArrayAfterEarlyReturn(p[0], n), (p, g) => C.ArrayAfterEarlyReturnGradient(p[0], n, out g[0]), points);
        foreach (double[] p in points)
        {
            Assert.Equal(FiniteDifferences.Central(q => C.ArrayAfterEarlyReturn(q[0], n), p, 0), C.ArrayAfterEarlyReturnTangent(p[0], n, 1).Derivative, 5);
            Assert.Equal(C.ArrayAfterEarlyReturn(p[0], n), C.ArrayAfterEarlyReturnHessianVector(p[0], n, 1, out double hx));
            Assert.Equal(FiniteDifferences.Central(q => { C.ArrayAfterEarlyReturnGradient(q[0], n, out double g); return g; }, p, 0), hx, 4);
        }
    }

    [Fact]
    public void BreakAndContinueDirectlyInForeach()
    {
        double[][] points = Points(5, 6, -1.5, 1.5);
        CheckArrayAndScalar(C.BreakAndContinueInForeach, C.BreakAndContinueInForeachGradient, 4, points);
        foreach (double[] p in points)
        {
            var (value, derivative) = C.BreakAndContinueInForeachTangent(p[..4], p[4], new[] { 0.0, 0, 0, 0 }, 1);
            Assert.Equal(C.BreakAndContinueInForeach(p[..4], p[4]), value);
            Assert.Equal(FiniteDifferences.Central(q => C.BreakAndContinueInForeach(q[..4], q[4]), p, 4), derivative, 5);
            double[] hq = new double[4];
            Assert.Equal(C.BreakAndContinueInForeach(p[..4], p[4]), C.BreakAndContinueInForeachHessianVector(p[..4], p[4], new double[4], 1, hq, out double hx));
            Assert.Equal(FiniteDifferences.Central(q => { C.BreakAndContinueInForeachGradient(q[..4], q[4], new double[4], out double g); return g; }, p, 4), hx, 4);
        }
    }

    /// <summary>Fuzzer seed 1007146: Abs's derivative used Math.Sign, which throws on NaN.</summary>
    [Fact]
    public void AbsOfANaNDoesNotThrow()
    {
        double[][] points = { new[] { -0.5 }, new[] { -1.5 }, new[] { 0.7 } };
        Check(p => C.AbsOfANaNThatIsOverwritten(p[0]), (p, g) => C.AbsOfANaNThatIsOverwrittenGradient(p[0], out g[0]), points);
        Assert.Equal(-2.0, C.AbsOfANaNThatIsOverwrittenTangent(-0.5, 1).Derivative, 12);
    }

    /// <summary>Fuzzer seed 1004515: FTangent's zero direction for a constant array was rented in a branch, returned outside it.</summary>
    [Fact]
    public void ConstantArrayToACallInABranch()
    {
        foreach (double x in new[] { -0.5, 0.5, 1.2 })
        {
            Assert.Equal(FiniteDifferences.Central(p => C.ConstantArrayToACallInABranch(p[0]), new[] { x }, 0), C.ConstantArrayToACallInABranchTangent(x, 1).Derivative, 6);
            C.ConstantArrayToACallInABranchGradient(x, out double dx);
            Assert.Equal(C.ConstantArrayToACallInABranchTangent(x, 1).Derivative, dx, 12);
        }
    }

    /// <summary>Fuzzer seed 1029483: a fused loop overwrote the value a rule before it reads (tanh' = 1 − y²).</summary>
    [Fact]
    public void FusedSumAfterARuleThatReadsItsResult() =>
        Check(p => C.SumAfterAResultReadingRule(p[0], p[1]), (p, g) => C.SumAfterAResultReadingRuleGradient(p[0], p[1], out g[0], out g[1]), Points(2, 4, -2, 2));

    /// <summary>Fuzzer seed 1015367: a float parameter's gradient, summed along a double accumulator, was scaled in double.</summary>
    [Fact]
    public void FloatParameterSummedIntoADouble() =>
        Check(p => C.FloatSummedIntoDouble(p[0], (float)p[1]), (p, g) =>
        {
            double value = C.FloatSummedIntoDoubleGradient(p[0], (float)p[1], out g[0], out float dy);
            g[1] = dy;
            return value;
        }, new[] { new[] { 0.5, 0.25 }, new[] { -1.5, 0.75 }, new[] { 1.25, -0.5 } }, tolerance: 1e-3, step: 1e-2);

    [Fact]
    public void LocalArraysWrittenAndRead() =>
        Check(p => C.LocalArrays(p, 3), (p, g) => C.LocalArraysGradient(p, 3, g), Points(6, 4, -1, 1));

    [Fact]
    public void PassiveHelperCalls() =>
        Check(p => C.PassiveHelper(p[0], 5), (p, g) => C.PassiveHelperGradient(p[0], 5, out g[0]), Points(1, 4, 0.5, 1.5));

    [Fact]
    public void ArraysPassedToCalls() =>
        CheckArrayAndScalar(C.ArrayArguments, C.ArrayArgumentsGradient, 5, Points(6, 4, -1, 1));

    [Fact]
    public void FloatArrays()
    {
        float[] x = { 0.5f, -0.25f, 1f };
        float[] dx = new float[3];
        float value = C.FloatArrayGradient(x, 0.75f, dx, out float dy);
        Assert.Equal(C.FloatArray(x, 0.75f), value);
        for (int i = 0; i < 3; i++)
        {
            double sech2 = 1 - Math.Pow(Math.Tanh(x[i] * 0.75), 2);
            Assert.Equal(0.75 * sech2, dx[i], 5);
        }
        Assert.Equal(x.Sum(v => v * (1 - Math.Pow(Math.Tanh(v * 0.75), 2))), dy, 5);
    }

    [Fact]
    public void GradientBufferOfWrongLengthIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => C.RosenbrockGradient(new double[4], new double[3]));
        Assert.Equal("dx", error.ParamName);
        Assert.Contains("'x'", error.Message);
    }

    [Fact]
    public void LoopGradientAllocatesNothingAfterWarmUp()
    {
        double[] x = Points(100, 1, -1, 1)[0];
        double[] gradient = new double[100];
        C.RosenbrockGradient(x, gradient);
        C.BranchInLoopGradient(x, 0.3, gradient);
        double sink = 0;
        Assert.Equal(0, SteadyState.Allocated(() =>
        {
            sink += C.RosenbrockGradient(x, gradient);
            sink += C.BranchInLoopGradient(x, 0.3, gradient);
            sink += C.NestedLoopProductGradient(0.9, 1.1, 5, 5, out double dx, out double dy) + dx + dy;
            sink += C.HelperInLoopGradient(x, 0.5, gradient, out double dscale) + dscale;
        }, calls: 100));
        Assert.True(double.IsFinite(sink));
    }
}
