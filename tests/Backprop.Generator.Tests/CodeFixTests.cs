using Backprop.CodeFixes;

namespace Backprop.Generator.Tests;

/// <summary>
/// Each code fix applied by the code-fix test library to the diagnostic the generator reports (marked
/// <c>{|BPxxxx:…|}</c>), with the source it must produce; the library also requires the fixed source to compile and the
/// generator to report nothing more there.
/// </summary>
public class CodeFixTests
{
    [Fact]
    public void BP0001_MakesTheMethodStatic() => new CodeFixTest<MakeMethodStaticFix>("""
        public partial class Model
        {
            [Differentiable] public double {|BP0001:F|}(double x) => Math.Sin(x) * Scale(x);

            [Differentiable] private static double Scale(double x) => 2 * x;
        }
        """, """
        public partial class Model
        {
            [Differentiable] public static double F(double x) => Math.Sin(x) * Scale(x);

            [Differentiable] private static double Scale(double x) => 2 * x;
        }
        """).Run();

    [Fact]
    public void BP0001_OffersNothingForABodyThatReadsTheInstance()
    {
        const string source = """
            public partial class Model
            {
                private readonly int _scale = 2;

                [Differentiable] public double {|BP0001:F|}(double x) => _scale * x;
            }
            """;
        new CodeFixTest<MakeMethodStaticFix>(source, source).Run();
    }

    [Fact]
    public void BP0002_MakesTheTypeAndItsContainingTypesPartial() => new CodeFixTest<MakeTypesPartialFix>("""
        public static class {|BP0002:Outer|}
        {
            public static class {|BP0002:Model|}
            {
                [Differentiable] public static double F(double x) => x * x;
            }
        }
        """, """
        public static partial class Outer
        {
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => x * x;
            }
        }
        """).Run();

    [Fact]
    public void BP0005_RenamesTheCollidingParameter() => new CodeFixTest<RenameParameterFix>("""
        public static partial class Model
        {
            [Differentiable] public static double F(double x, [NoDerivative] double {|BP0005:dx|}) => x * dx;
        }
        """, """
        public static partial class Model
        {
            [Differentiable] public static double F(double x, [NoDerivative] double dx2) => x * dx2;
        }
        """).Run();

    [Fact]
    public void BP1010_AddsAPullbackStubBesideTheHelperThatCannotBeDifferentiated() => new CodeFixTest<AddPullbackFix>("""
        public static partial class Model
        {
            public static double Power(double b, int n) { {|BP1010:lock (Gate) { }|} return Math.Pow(b, n); }

            private static readonly object Gate = new();

            [Differentiable] public static double F(double x) => Power(x, 3) + x;
        }
        """, """
        public static partial class Model
        {
            public static double Power(double b, int n) { lock (Gate) { } return Math.Pow(b, n); }

            [DerivativeOf(nameof(Power))]
            internal static void PowerPullback(double b, int n, double result, double dResult, out double dB)
            {
                // TODO: dB = dResult * ∂Power/∂b, at these arguments (result is Power's value there).
                throw new NotImplementedException("The pullback of Power is not written yet.");
            }

            private static readonly object Gate = new();

            [Differentiable] public static double F(double x) => Power(x, 3) + x;
        }
        """).Run();

    [Fact]
    public void BP1003_WrapsALibraryMethodAndGivesTheWrapperAPullback() => new CodeFixTest<AddPullbackFix>("""
        public static partial class Model
        {
            [Differentiable] public static double F(double x) => {|BP1003:Math.ReciprocalEstimate(x)|} + x;
        }
        """, """
        public static partial class Model
        {
            [Differentiable] public static double F(double x) => MathReciprocalEstimate(x) + x;

            internal static double MathReciprocalEstimate(double d) => Math.ReciprocalEstimate(d);

            [DerivativeOf(nameof(MathReciprocalEstimate))]
            internal static void MathReciprocalEstimatePullback(double d, double result, double dResult, out double dD)
            {
                // TODO: dD = dResult * ∂MathReciprocalEstimate/∂d, at these arguments (result is MathReciprocalEstimate's value there).
                throw new NotImplementedException("The pullback of MathReciprocalEstimate is not written yet.");
            }
        }
        """).Run();
}
