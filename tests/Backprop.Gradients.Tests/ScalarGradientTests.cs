using Backprop.Gradients.Tests.Block;
using static Backprop.Gradients.Tests.FiniteDifferences;
using F = Backprop.Gradients.Tests.ScalarFunctions;

namespace Backprop.Gradients.Tests;

public class ScalarGradientTests
{
    private static readonly double[][] Positive = { new[] { 0.7, 1.3 }, new[] { 1.9, 0.4 }, new[] { 2.6, 2.2 }, new[] { 0.35, 3.1 } };
    private static readonly double[][] Anywhere = { new[] { 0.7, -1.3 }, new[] { -1.9, 0.4 }, new[] { 2.6, 2.2 }, new[] { -0.35, -3.1 } };

    [Fact]
    public void Arithmetic() => Check(p => F.Arithmetic(p[0], p[1]), (p, g) => F.ArithmeticGradient(p[0], p[1], out g[0], out g[1]), Anywhere);

    [Fact]
    public void ExpAndLogarithms() => Check(p => F.ExpLog(p[0], p[1]), (p, g) => F.ExpLogGradient(p[0], p[1], out g[0], out g[1]), Positive);

    [Fact]
    public void RootsAndPowers() => Check(p => F.Roots(p[0], p[1]), (p, g) => F.RootsGradient(p[0], p[1], out g[0], out g[1]),
        new[] { new[] { 0.7, 1.3 }, new[] { 1.9, 0.4 }, new[] { 2.6, 2.2 }, new[] { 1.35, 3.1 } });

    [Fact]
    public void Trigonometry() => Check(p => F.Trigonometry(p[0], p[1]), (p, g) => F.TrigonometryGradient(p[0], p[1], out g[0], out g[1]), Anywhere);

    [Fact]
    public void Hyperbolic() => Check(p => F.Hyperbolic(p[0], p[1]), (p, g) => F.HyperbolicGradient(p[0], p[1], out g[0], out g[1]), Anywhere);

    [Fact]
    public void PiecewiseLinear() => Check(p => F.Piecewise(p[0], p[1]), (p, g) => F.PiecewiseGradient(p[0], p[1], out g[0], out g[1]),
        new[] { new[] { 0.7, -1.3 }, new[] { -1.9, 0.4 }, new[] { 2.6, 2.2 }, new[] { -0.35, -3.1 }, new[] { 0.5, 0.9 } });

    [Fact]
    public void PiecewiseConstant() => Check(p => F.Steps(p[0], p[1]), (p, g) => F.StepsGradient(p[0], p[1], out g[0], out g[1]), Anywhere);

    [Fact]
    public void ConstantsAndConstLocals() => Check(p => F.Constants(p[0]), (p, g) => F.ConstantsGradient(p[0], out g[0]), new[] { new[] { 0.5 }, new[] { -2.0 } });

    [Fact]
    public void LocalsReassignmentAndCompoundAssignment() =>
        Check(p => F.LocalsAndReassignment(p[0], p[1]), (p, g) => F.LocalsAndReassignmentGradient(p[0], p[1], out g[0], out g[1]), Positive);

    [Fact]
    public void CarriedDerivativesAndFusedMultiplyAdd() =>
        Check(p => F.PowerChain(p[0], p[1], p[2]), (p, g) => F.PowerChainGradient(p[0], p[1], p[2], out g[0], out g[1], out g[2]),
            new[] { new[] { 0.7, -0.3, 1.2 }, new[] { -1.1, 0.4, -0.5 }, new[] { 1.3, 1.7, 0.25 } }, tolerance: 1e-6);

    [Fact]
    public void CarriedDerivativesMatchTheClosedForm()
    {
        // x2 = x², x3 = x³ and e = 3e⁻ʸ carried; (x³ + x⁵)/(1 + x²) = x³, so x4 is x³ too.
        foreach (var (x, y) in new[] { (0.7, -0.3), (-1.6, 0.9) })
        {
            // With z = 0 the reassigned z *= s adds nothing to dx and dy, and dz is s.
            double value = F.PowerChainGradient(x, y, 0, out double dx, out double dy, out double dz);
            double e = 3 * Math.Exp(-y), x3 = x * x * x;
            double s = 2 * x * e + x3 * Math.Exp(-2 * y) + x3 * e + Math.Sin(x3);
            Assert.Equal(s + Math.Log(x * x + 1), value, 1e-12);
            Assert.Equal(s, dz, 1e-12);
            Assert.Equal(2 * e + 3 * x * x * Math.Exp(-2 * y) + 3 * x * x * e + Math.Cos(x3) * 3 * x * x + 2 * x / (x * x + 1), dx, 1e-12);
            Assert.Equal(-2 * x * e - 2 * x3 * Math.Exp(-2 * y) - x3 * e, dy, 1e-12);
        }
    }

    [Fact]
    public void PassiveParametersGetNoGradient() =>
        Check(p => F.PassiveParameters(p[0], 1.5, 3, 4, true, p[1]), (p, g) => F.PassiveParametersGradient(p[0], 1.5, 3, 4, true, p[1], out g[0], out g[1]), Anywhere);

    [Fact]
    public void FloatDoubleConversions() =>
        Check(p => F.Mixed((float)p[0], p[1]), (p, g) =>
        {
            double value = F.MixedGradient((float)p[0], p[1], out float dx, out g[1]);
            g[0] = dx;
            return value;
        }, new[] { new[] { 0.5, 1.25 }, new[] { -2.0, 0.75 } }, tolerance: 1e-3, step: 1e-3);

    [Fact]
    public void SinglePrecisionGradientsAreFloat()
    {
        foreach (var (x, y) in new[] { (0.5f, 1.25f), (1.5f, -0.75f) })
        {
            float value = F.SingleGradient(x, y, out float dx, out float dy);
            Assert.Equal(F.Single(x, y), value);
            // The float function in double, differentiated by hand: d/dx and d/dy of z·x − |y|.
            double z = Math.Exp(x * y) + Math.Sqrt(x) + Math.Sin(y) * Math.Max(x, y);
            double dzdx = y * Math.Exp(x * y) + 0.5 / Math.Sqrt(x) + (x >= y ? Math.Sin(y) : 0);
            double dzdy = x * Math.Exp(x * y) + Math.Cos(y) * Math.Max(x, y) + (x >= y ? 0 : Math.Sin(y));
            Assert.Equal(dzdx * x + z, dx, 1e-4 * Math.Max(1, Math.Abs(dx)));
            Assert.Equal(dzdy * x - Math.Sign(y), dy, 1e-4 * Math.Max(1, Math.Abs(dy)));
        }
    }

    [Fact]
    public void SharedSubexpressionsCollectEveryUse() =>
        Check(p => F.SharedSubexpressions(p[0], p[1]), (p, g) => F.SharedSubexpressionsGradient(p[0], p[1], out g[0], out g[1]),
            new[] { new[] { 0.3, 0.4 }, new[] { -0.5, 0.9 } });

    [Fact]
    public void UnusedParameterHasZeroGradient()
    {
        F.IgnoresYGradient(3, 7, out double dx, out double dy);
        Assert.Equal(6, dx);
        Assert.Equal(0, dy);
    }

    /// <summary>atan2(x·eˣ, eˣ) = atan(x), with eˣ so large that squaring it overflows: the derivative is still 1/(1 + x²).</summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(-2)]
    [InlineData(60)]
    [InlineData(400)]
    public void Atan2PartialsSurviveOverflowingSquares(double x)
    {
        F.Atan2OfHugeValuesGradient(x, out double dx);
        Assert.Equal(1 / (1 + x * x), dx, 1e-12 * Math.Max(1, 1 / (1 + x * x)));
        if (x < 80) // eˣ must stay finite in float
        {
            F.Atan2OfHugeFloatsGradient((float)x, out float dxFloat);
            Assert.Equal(1 / (1 + x * x), dxFloat, 1e-5);
        }
    }

    /// <summary>d/dv of (v − v)·(v·n) − v is −1 for every n, in float too: the exactly cancelling ±v·n must not swallow it.</summary>
    [Theory]
    [InlineData(1_000)]
    [InlineData(2_000_000_000)]
    public void ExactlyCancellingAdjointsKeepTheSmallTerm(int n)
    {
        F.CancellingAdjointsGradient(1.5f, n, out float dv);
        Assert.Equal(-1f, dv);
        F.CancellingCallAdjointsGradient(1.5f, n, out float dvCall);
        Assert.Equal(-1f, dvCall);
    }

    /// <summary>Contributions that cancel, sent by two statements (or two guarded returns), are summed before a small one from a third is added to them.</summary>
    [Theory]
    [InlineData(-0.46711812283243903)]
    [InlineData(0.3)]
    public void AdjointsCancellingAcrossStatementsKeepTheSmallTerm(double z)
    {
        F.CancellingAcrossStatementsGradient(z, out double dz);
        Assert.Equal(Math.Cos(z), dz, 1e-12);
        F.CancellingInGuardedReturnsGradient(z, out double dzGuarded);
        Assert.Equal(Math.Cos(z), dzGuarded, 1e-12);
        F.CancellingAcrossStatementsInFloatGradient(z, out double dx);
        // F is (float)tan(tanh x): its derivative, up to the float rounding of tan(tanh x)'s chain factor.
        double exact = 1 / (Math.Cos(Math.Tanh(z)) * Math.Cos(Math.Tanh(z))) * (1 - Math.Tanh(z) * Math.Tanh(z));
        Assert.Equal(exact, dx, 1e-6);
    }

    /// <summary>p − q is exactly 0 for every x and y, so the gradient is atan2(v0, 2)'s alone: 2/(v0² + 4) times y (or x), v0 = (float)(x·y), rounding not differentiated.</summary>
    [Theory]
    [InlineData(1.8, 1.0)]
    [InlineData(-0.85, 2.0)]
    public void AFloatLocalsAdjointKeepsTheSmallTermInADoubleMethod(double x, double y)
    {
        F.CancellingInAFloatLocalGradient(x, y, out double dx, out double dy);
        double v0 = (float)(x * y);
        double atan2 = 2 / (v0 * v0 + 4);
        // The huge terms cancel in double: what is left is their rounding, 2.3e-10 at 1.4e6.
        Assert.Equal(atan2 * y, dx, 1e-8);
        Assert.Equal(atan2 * x, dy, 1e-8);
    }

    /// <summary>At a = b, atan2(a − b, c) is 0 and stays 0 along (1, 1): H(y, y) = 1.75y − y³.</summary>
    [Theory]
    [InlineData(0.9428262761527795)]
    [InlineData(-0.3)]
    public void AValuePassedForTwoParametersKeepsTheSmallTermsBesideHugePartials(double y)
    {
        double value = F.AliasedCallWithHugePartialsGradient(y, out double dy);
        Assert.Equal(F.AliasedCallWithHugePartials(y), value);
        Assert.Equal(1.75 - 3 * y * y, dy, 1e-12);
    }

    [Theory]
    [InlineData(0.7, -1.3)]
    [InlineData(-2.0, 0.5)]
    public void AValuePassedForTwoParametersBesideAnotherGetsItsWholeDerivative(double x, double z)
    {
        F.AliasedCallBesideAnotherGradient(x, z, out double dx, out double dz);
        Assert.Equal((1 + x) * Math.Exp(x) * z + Math.Cos(x), dx, 1e-12);
        Assert.Equal(x * Math.Exp(x), dz, 1e-12);
    }

    [Theory]
    [InlineData(-1.4502320808592402)]
    [InlineData(0.3)]
    [InlineData(1.2)]
    public void AnAdjointCopiedBeforeBranchesThatAddToItKeepsItsValue(double x)
    {
        F.SeedCopiedBeforeBranchesAddingToItGradient(x, out double dx);
        double expected = Math.Sinh(x) < -1 ? 1 + x / Math.Sqrt(1 + x * x) : 2;
        Assert.Equal(expected, dx, 1e-12);
    }

    /// <summary>Math.Clamp(y, NaN, max) is y below max: the gradient and the tangent go to y, as they do with ordinary bounds.</summary>
    [Theory]
    [InlineData(-1, 0.5, 2)]
    [InlineData(0.25, 0.75, 2)]
    [InlineData(0.25, 0.25, 0)]
    public void ClampWithANaNBoundSendsTheGradientToTheValue(double x, double y, double expected)
    {
        double value = F.ClampWithANaNBoundGradient(x, y, out _, out double dy);
        Assert.Equal(F.ClampWithANaNBound(x, y), value);
        Assert.Equal(expected, dy);
        Assert.Equal(expected, F.ClampWithANaNBoundTangent(x, y, 0, 1).Derivative);
    }

    [Fact]
    public void ClampInALoopWithABoundFromTheCounter() =>
        Check(p => F.ClampInALoop(p[0], p[1]), (p, g) => F.ClampInALoopGradient(p[0], p[1], out g[0], out g[1]),
            new[] { new[] { -0.5, -1.5 }, new[] { 0.3, 0.8 }, new[] { -0.2, 2.5 } });

    [Fact]
    public void PartialMethodWithTheAttributeOnItsDeclaration() =>
        Check(p => F.DeclaredPartial(p[0], p[1]), (p, g) => F.DeclaredPartialGradient(p[0], p[1], out g[0], out g[1]), Anywhere);

    [Fact]
    public void KeywordNamesAndInternalAccessibility() =>
        Check(p => F.Internal(p[0], p[1]), (p, g) => F.InternalGradient(p[0], p[1], out g[0], out g[1]), Anywhere);

    [Fact]
    public void NestedPrivateMethod() =>
        Check(p => F.Nested.HiddenValue(p[0]), (p, g) => F.Nested.CallHidden(p[0], out g[0]), new[] { new[] { 1.5 }, new[] { -0.5 } });

    [Fact]
    public void BlockNamespaceStruct() =>
        Check(p => Geometry.Distance(p[0], p[1]), (p, g) => Geometry.DistanceGradient(p[0], p[1], out g[0], out g[1]), Anywhere);

    [Fact]
    public void GlobalNamespace() =>
        Check(p => GlobalFunctions.Square(p[0]), (p, g) => GlobalFunctions.SquareGradient(p[0], out g[0]), new[] { new[] { 3.0 } });

    [Fact]
    public void ReassignedPassiveParameterCarriesTheGradient() =>
        Check(p => F.ReassignedPassiveParameter(p[0], 0.5), (p, g) => F.ReassignedPassiveParameterGradient(p[0], 0.5, out g[0]), new[] { new[] { 0.3 }, new[] { 1.7 } });
}
