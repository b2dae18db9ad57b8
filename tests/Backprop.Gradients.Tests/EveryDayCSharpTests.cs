using static Backprop.Gradients.Tests.FiniteDifferences;
using E = Backprop.Gradients.Tests.EveryDayCSharpFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>The forms of everyday C#: each differentiated in every mode it asks for, against finite differences.</summary>
public class EveryDayCSharpTests
{
    private static readonly double[][] s_points = { new[] { 0.3, 1.7 }, new[] { -0.8, 0.4 }, new[] { 1.1, 2.5 } };

    /// <summary>
    /// The gradient against central differences, the tangent against the gradient along a direction, and the
    /// Hessian-vector product against central differences of the gradient, for a function of (x, y).
    /// </summary>
    private static void CheckEveryMode(Func<double, double, double> function, GradientOf2 gradient, TangentOf2 tangent, HessianVectorOf2 hessianVector)
    {
        Check(p => function(p[0], p[1]), (p, g) => gradient(p[0], p[1], out g[0], out g[1]), s_points);
        foreach (double[] p in s_points)
        {
            double vx = 0.6, vy = -0.35;
            gradient(p[0], p[1], out double dx, out double dy);
            var (value, derivative) = tangent(p[0], p[1], vx, vy);
            Assert.Equal(function(p[0], p[1]), value);
            Assert.Equal(dx * vx + dy * vy, derivative, 10);

            const double h = 1e-5;
            gradient(p[0] + h * vx, p[1] + h * vy, out double upX, out double upY);
            gradient(p[0] - h * vx, p[1] - h * vy, out double downX, out double downY);
            Assert.Equal(function(p[0], p[1]), hessianVector(p[0], p[1], vx, vy, out double hx, out double hy));
            Assert.Equal((upX - downX) / (2 * h), hx, 6);
            Assert.Equal((upY - downY) / (2 * h), hy, 6);
        }
    }

    private delegate double GradientOf2(double x, double y, out double dx, out double dy);
    private delegate (double Value, double Derivative) TangentOf2(double x, double y, double dx, double dy);
    private delegate double HessianVectorOf2(double x, double y, double dx, double dy, out double hx, out double hy);

    [Fact]
    public void GuardsThrowsAndLogsStayInTheForwardPass()
    {
        CheckEveryMode((x, y) => E.Guarded(x, y, 3),
            (double x, double y, out double dx, out double dy) => E.GuardedGradient(x, y, 3, out dx, out dy),
            (x, y, dx, dy) => E.GuardedTangent(x, y, 3, dx, dy),
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.GuardedHessianVector(x, y, 3, dx, dy, out hx, out hy));
    }

    [Fact]
    public void AGuardThrowsFromEveryDerivativeMethod()
    {
        Assert.Equal("y", Assert.Throws<ArgumentOutOfRangeException>(() => E.GuardedGradient(0.5, -1, 3, out _, out _)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentOutOfRangeException>(() => E.GuardedTangent(0.5, -1, 3, 1, 0)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentOutOfRangeException>(() => E.GuardedHessianVector(0.5, -1, 3, 1, 0, out _, out _)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => E.GuardedGradient(0.5, 1, -2, out _, out _)).ParamName);
        // A throw expression in the arm of a ?: that runs.
        Assert.Contains("reached 50", Assert.Throws<InvalidOperationException>(() => E.GuardedGradient(1, 1e6, 2, out _, out _)).Message);
    }

    [Fact]
    public void ALogRunsOncePerForwardStepAndNeverInTheReversePass()
    {
        EffectLog.Reset();
        E.GuardedGradient(0.4, 1.5, 4, out _, out _);
        Assert.Equal(4, EffectLog.Count);
        EffectLog.Reset();
        E.GuardedTangent(0.4, 1.5, 4, 1, 0);
        Assert.Equal(4, EffectLog.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-7)]
    public void ChainedAssignmentsAndIntegerBits(int seed) =>
        CheckEveryMode((x, y) => E.BitsAndChains(x, y, seed),
            (double x, double y, out double dx, out double dy) => E.BitsAndChainsGradient(x, y, seed, out dx, out dy),
            (x, y, dx, dy) => E.BitsAndChainsTangent(x, y, seed, dx, dy),
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.BitsAndChainsHessianVector(x, y, seed, dx, dy, out hx, out hy));

    [Theory]
    [InlineData(Smoothing.None)]
    [InlineData(Smoothing.Soft)]
    [InlineData(Smoothing.Hard)]
    public void ConstantTablesAndEnums(Smoothing smoothing) =>
        CheckEveryMode((x, y) => E.Tabled(x, y, smoothing),
            (double x, double y, out double dx, out double dy) => E.TabledGradient(x, y, smoothing, out dx, out dy),
            (x, y, dx, dy) => E.TabledTangent(x, y, smoothing, dx, dy),
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.TabledHessianVector(x, y, smoothing, dx, dy, out hx, out hy));

    [Fact]
    public void ConstantTablesAgainstTheClosedForm()
    {
        // Smoothing.None: s = 1·1·x + 4·4·y + 1·1·xy, and the result is 1.25 s.
        E.TabledGradient(0.3, 0.7, Smoothing.None, out double dx, out double dy);
        Assert.Equal(1.25 * (1 + 0.7), dx, 12);
        Assert.Equal(1.25 * (16 + 0.3), dy, 12);
    }

    public static TheoryData<Smoothing, int> SwitchCases()
    {
        var cases = new TheoryData<Smoothing, int>();
        foreach (Smoothing smoothing in Enum.GetValues<Smoothing>())
        {
            foreach (int n in new[] { 0, 1, 2, 5 })
                cases.Add(smoothing, n);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(SwitchCases))]
    public void SwitchStatementsSwitchExpressionsAndPatterns(Smoothing smoothing, int n) =>
        CheckEveryMode((x, y) => E.Switched(x, y, smoothing, n),
            (double x, double y, out double dx, out double dy) => E.SwitchedGradient(x, y, smoothing, n, out dx, out dy),
            (x, y, dx, dy) => E.SwitchedTangent(x, y, smoothing, n, dx, dy),
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.SwitchedHessianVector(x, y, smoothing, n, dx, dy, out hx, out hy));

    [Fact]
    public void ASwitchExpressionArmThatThrowsThrowsFromTheGradient() =>
        Assert.Throws<InvalidOperationException>(() => E.SwitchedGradient(0.5, 0.5, Smoothing.None, -1, out _, out _));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void HelpersWithoutAttributes(int n) =>
        CheckEveryMode((x, y) => E.WithHelpers(x, y, n),
            (double x, double y, out double dx, out double dy) => E.WithHelpersGradient(x, y, n, out dx, out dy),
            (x, y, dx, dy) => E.WithHelpersTangent(x, y, n, dx, dy),
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.WithHelpersHessianVector(x, y, n, dx, dy, out hx, out hy));

    [Fact]
    public void AHelperGivesTheSameGradientAsItsClosedForm()
    {
        // n = 0: Blend(x, y, 1/4) + y² = 3x/4 + softplus(y)/4 + y².
        E.WithHelpersGradient(0.4, 0.9, 0, out double dx, out double dy);
        Assert.Equal(0.75, dx, 14);
        Assert.Equal(0.25 / (1 + Math.Exp(-0.9)) + 2 * 0.9, dy, 14);
    }

    [Fact]
    public void AnArrayThroughAHelper()
    {
        double[][] points = { new[] { 0.3, -1.2, 0.8, 2.0 }, new[] { -0.5, 0.1, 1.5, 0.7 } };
        Check(p => E.NormOfScaled(p[..3], p[3]), (p, g) =>
        {
            var dv = new double[3];
            double value = E.NormOfScaledGradient(p[..3], p[3], dv, out g[3]);
            dv.CopyTo(g, 0);
            return value;
        }, points);
        foreach (double[] p in points)
        {
            var gradient = new double[3];
            E.NormOfScaledGradient(p[..3], p[3], gradient, out double dscale);
            double[] direction = { 0.2, -0.4, 0.1 };
            var (_, derivative) = E.NormOfScaledTangent(p[..3], p[3], direction, 0.3);
            Assert.Equal(gradient.Zip(direction, (g, d) => g * d).Sum() + dscale * 0.3, derivative, 12);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void TuplesSwapsAndSinCos(int steps) =>
        CheckEveryMode((x, v) => E.Spring(x, v, 1.3, steps),
            (double x, double v, out double dx, out double dv) => E.SpringGradient(x, v, 1.3, steps, out dx, out dv, out _),
            (x, v, dx, dv) => E.SpringTangent(x, v, 1.3, steps, dx, dv, 0),
            (double x, double v, double dx, double dv, out double hx, out double hv) => E.SpringHessianVector(x, v, 1.3, steps, dx, dv, 0, out hx, out hv, out _));

    [Fact]
    public void ATupleSwapIsSimultaneous()
    {
        // Two steps from (1, 0) with k = 2: the second step's v must use x from before that step (1, not 0.98).
        double expectedX = 1 + 0.1 * (-0.1 * 2.0), expectedV = -0.1 * 2.0 - 2.0 * 1 * 0.1;
        var (s, c) = Math.SinCos(expectedX);
        double expected = c * expectedV * 2.0 + s * (s + expectedX);
        Assert.Equal(expected, E.Spring(1, 0, 2.0, 2), 14);
        Assert.Equal(expected, E.SpringGradient(1, 0, 2.0, 2, out _, out _, out _), 14);
    }

    [Fact]
    public void VaryingValuesThroughNoDerivativeParameters() =>
        CheckEveryMode(E.ThroughNoDerivative,
            (double w, double s, out double dw, out double ds) => E.ThroughNoDerivativeGradient(w, s, out dw, out ds),
            E.ThroughNoDerivativeTangent,
            (double w, double s, double dw, double ds, out double hw, out double hs) => E.ThroughNoDerivativeHessianVector(w, s, dw, ds, out hw, out hs));

    [Fact]
    public void TheIssuesExampleGetsItsGradientThroughTheNoDerivativeParameter()
    {
        // ScaleBy(w, s) = Scale(w, s) = w·s + sin s, with Scale's s [NoDerivative]: ∂/∂s = w + cos s, once silently 0.
        E.ScaleByGradient(2, 3, out double dw, out double ds);
        Assert.Equal(3, dw, 15);
        Assert.Equal(2 + Math.Cos(3), ds, 15);
        Assert.Equal((2 + Math.Cos(3)) * 0.5, E.ScaleByTangent(2, 3, 0, 0.5).Derivative, 14);
    }

    [Fact]
    public void LocalFunctions() =>
        CheckEveryMode(E.WithLocalFunctions,
            (double x, double y, out double dx, out double dy) => E.WithLocalFunctionsGradient(x, y, out dx, out dy),
            E.WithLocalFunctionsTangent,
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.WithLocalFunctionsHessianVector(x, y, dx, dy, out hx, out hy));

    [Fact]
    public void LocalFunctionsWithStatements() =>
        CheckEveryMode(E.LocalFunctionsWithStatements,
            (double x, double y, out double dx, out double dy) => E.LocalFunctionsWithStatementsGradient(x, y, out dx, out dy),
            E.LocalFunctionsWithStatementsTangent,
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.LocalFunctionsWithStatementsHessianVector(x, y, dx, dy, out hx, out hy));

    [Theory]
    [InlineData(0.3f, 1.7f)]
    [InlineData(-0.8f, 0.4f)]
    public void LocalFunctionsAndTupleHelpersInFloat(float x, float y)
    {
        // f = x³y + x·y·(x + y) = x³y + x²y + xy²
        double fx = 3.0 * x * x * y + 2.0 * x * y + (double)y * y, fy = (double)x * x * x + (double)x * x + 2.0 * x * y;
        float value = E.LocalFunctionsInFloatGradient(x, y, out float dx, out float dy);
        Assert.Equal(E.LocalFunctionsInFloat(x, y), value);
        Assert.Equal(fx, dx, 4);
        Assert.Equal(fy, dy, 4);
        var (_, derivative) = E.LocalFunctionsInFloatTangent(x, y, 1f, -2f);
        Assert.Equal(fx - 2 * fy, derivative, 4);
        // H·(1, 0) = (fxx, fxy) = (6xy + 2y, 3x² + 2x + 2y)
        E.LocalFunctionsInFloatHessianVector(x, y, 1f, 0f, out float hx, out float hy);
        Assert.Equal(6.0 * x * y + 2.0 * y, hx, 4);
        Assert.Equal(3.0 * x * x + 2.0 * x + 2.0 * y, hy, 4);
    }

    [Fact]
    public void InlinedCallsInBranches() =>
        CheckEveryMode(E.InlinedCallsInBranches,
            (double x, double y, out double dx, out double dy) => E.InlinedCallsInBranchesGradient(x, y, out dx, out dy),
            E.InlinedCallsInBranchesTangent,
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.InlinedCallsInBranchesHessianVector(x, y, dx, dy, out hx, out hy));

    [Fact]
    public void HelpersWithStatementsReturningTuples() =>
        CheckEveryMode(E.ThroughSpringSteps,
            (double x, double k, out double dx, out double dk) => E.ThroughSpringStepsGradient(x, k, out dx, out dk),
            E.ThroughSpringStepsTangent,
            (double x, double k, double dx, double dk, out double hx, out double hk) => E.ThroughSpringStepsHessianVector(x, k, dx, dk, out hx, out hk));

    [Fact]
    public void ConditionsComputedWithStatements()
    {
        CheckEveryMode(E.ConditionsWithStatements,
            (double x, double y, out double dx, out double dy) => E.ConditionsWithStatementsGradient(x, y, out dx, out dy),
            E.ConditionsWithStatementsTangent,
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.ConditionsWithStatementsHessianVector(x, y, dx, dy, out hx, out hy));
        // A condition computed once, before its loop, would run the first loop forever or stop the second early:
        // the generated value is the method's own at every point.
        foreach (double[] p in s_points)
            Assert.Equal(E.ConditionsWithStatements(p[0], p[1]), E.ConditionsWithStatementsGradient(p[0], p[1], out _, out _));
    }

    [Fact]
    public void AHelperReturningATuple() =>
        CheckEveryMode(E.ThroughPolar,
            (double x, double y, out double dx, out double dy) => E.ThroughPolarGradient(x, y, out dx, out dy),
            E.ThroughPolarTangent,
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.ThroughPolarHessianVector(x, y, dx, dy, out hx, out hy));

    [Fact]
    public void IntegerDivisionOfAConstantLocal()
    {
        CheckEveryMode(E.IntegerDivisionOfALocal,
            (double x, double y, out double dx, out double dy) => E.IntegerDivisionOfALocalGradient(x, y, out dx, out dy),
            E.IntegerDivisionOfALocalTangent,
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.IntegerDivisionOfALocalHessianVector(x, y, dx, dy, out hx, out hy));
        // f = x·y + 0·x + 3·y
        E.IntegerDivisionOfALocalGradient(0.5, 2, out double gx, out double gy);
        Assert.Equal(2, gx);
        Assert.Equal(0.5 + 3, gy);
    }

    [Fact]
    public void WhatTheFuzzerFound()
    {
        CheckEveryMode(E.FuzzerFindings,
            (double x, double y, out double dx, out double dy) => E.FuzzerFindingsGradient(x, y, out dx, out dy),
            E.FuzzerFindingsTangent,
            (double x, double y, double dx, double dy, out double hx, out double hy) => E.FuzzerFindingsHessianVector(x, y, dx, dy, out hx, out hy));
        // The switches over the const 1.5 take their last arms: s = 3x + 2y, and the result adds x·y·x + 3.
        E.FuzzerFindingsGradient(0.5, 2, out double dx, out double dy);
        Assert.Equal(3 + 2 * 0.5 * 2, dx, 14);
        Assert.Equal(2 + 0.5 * 0.5, dy, 14);
    }
}
