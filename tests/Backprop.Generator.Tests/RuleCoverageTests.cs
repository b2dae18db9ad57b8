using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;
using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generator.Tests;

/// <summary>
/// The meta-test of the rule table: every <see cref="Op"/> has its reverse rule (which forward mode and the
/// Hessian-vector product apply too) and a case here, and each case's generated gradient, tangent and Hessian-vector
/// product agree with central finite differences in double. Adding an operation without a rule or a case fails here.
/// </summary>
public class RuleCoverageTests
{
    /// <summary>
    /// One function of <c>x</c> and <c>y</c> per operation, written so that the operation is on the path to the result
    /// and (x, y) = (0.75, 1.25) is away from its kinks. A body starting with <c>{</c> is a block.
    /// </summary>
    private static readonly Dictionary<Op, string> s_cases = new()
    {
        [Op.Constant] = "x * 2.5 + 1",
        [Op.Read] = "y",
        [Op.Element] = "{ var a = new double[2]; a[0] = x; a[1] = y; return a[0] * a[1]; }",
        [Op.Length] = "{ var a = new double[3]; a[1] = x; return a[1] * a.Length + y; }",
        [Op.ArrayArgument] = "{ var a = new double[2]; a[0] = x; a[1] = y; return SumOfSquares(a) * x; }",
        [Op.Call] = "Square(x * y) + x",
        [Op.PassiveCall] = "x * Helpers.Three() + y",
        [Op.Conditional] = "(y > 1 ? 2 : 3) * x",
        [Op.Less] = "(x < y ? 2 : 3) * x * y",
        [Op.LessOrEqual] = "(x <= y ? 2 : 3) * x * y",
        [Op.Greater] = "(x > y ? 2 : 3) * x * y",
        [Op.GreaterOrEqual] = "(x >= y ? 2 : 3) * x * y",
        [Op.Equal] = "(x == y ? 2 : 3) * x * y",
        [Op.NotEqual] = "(x != y ? 2 : 3) * x * y",
        [Op.And] = "(x < y && y < 2 ? 2 : 3) * x * y",
        [Op.Or] = "(x > y || y > 2 ? 2 : 3) * x * y",
        [Op.Not] = "(!(x < y) ? 2 : 3) * x * y",
        [Op.BitwiseAnd] = "((int)(x * 10) & 6) * y",
        [Op.BitwiseOr] = "((int)(x * 10) | 8) * y",
        [Op.ExclusiveOr] = "((int)(x * 10) ^ 3) * y",
        [Op.OnesComplement] = "~(int)(x * 10) * y",
        [Op.LeftShift] = "((int)(x * 10) << 2) * y",
        [Op.RightShift] = "((int)(x * 100) >> 3) * y",
        [Op.UnsignedRightShift] = "((int)(x * 100) >>> 2) * y",
        [Op.Member] = "x * Helpers.Scale + y",
        [Op.MemberElement] = "x * Helpers.Table[(int)(y * 2)] * y",
        [Op.Convert] = "(double)(float)(x * y) * x",
        [Op.Negate] = "-x * y",
        [Op.Add] = "x + y",
        [Op.Subtract] = "x - y",
        [Op.Multiply] = "x * y",
        [Op.Divide] = "x / y",
        [Op.Remainder] = "(3 * x) % y",
        [Op.Exp] = "Math.Exp(x * y)",
        [Op.Log] = "Math.Log(x * y)",
        [Op.LogBase] = "Math.Log(x + 2, y)",
        [Op.Log10] = "Math.Log10(x * y)",
        [Op.Log2] = "Math.Log2(x * y)",
        [Op.Sqrt] = "Math.Sqrt(x * y)",
        [Op.Cbrt] = "Math.Cbrt(x * y)",
        [Op.Pow] = "Math.Pow(x, y)",
        [Op.Sin] = "Math.Sin(x * y)",
        [Op.Cos] = "Math.Cos(x * y)",
        [Op.Tan] = "Math.Tan(x * y)",
        [Op.Asin] = "Math.Asin(x * y / 2)",
        [Op.Acos] = "Math.Acos(x * y / 2)",
        [Op.Atan] = "Math.Atan(x * y)",
        [Op.Atan2] = "Math.Atan2(x, y)",
        [Op.Sinh] = "Math.Sinh(x * y)",
        [Op.Cosh] = "Math.Cosh(x * y)",
        [Op.Tanh] = "Math.Tanh(x * y)",
        [Op.Abs] = "Math.Abs(x - y) * x",
        [Op.Max] = "Math.Max(x * x, y) * x",
        [Op.Min] = "Math.Min(x * x, y) * y",
        [Op.Clamp] = "Math.Clamp(3 * x, 0.0, y) * x",
        [Op.Floor] = "Math.Floor(3 * x) * y",
        [Op.Ceiling] = "Math.Ceiling(3 * x) * y",
        [Op.Round] = "(Math.Round(3 * x) + Math.Round(x * y, 1)) * y",
        [Op.Truncate] = "Math.Truncate(3 * x) * y",
        [Op.Sign] = "Math.Sign(x - y) * x * y",
        [Op.FusedMultiplyAdd] = "Math.FusedMultiplyAdd(x, y, x * x)",
        [Op.MultiplyAddEstimate] = "double.MultiplyAddEstimate(x, y, x * x)",
        [Op.Asinh] = "Math.Asinh(x * y)",
        [Op.Acosh] = "Math.Acosh(x + y)",
        [Op.Atanh] = "Math.Atanh(x * y / 2)",
        [Op.SinPi] = "double.SinPi(x * y)",
        [Op.CosPi] = "double.CosPi(x * y)",
        [Op.TanPi] = "double.TanPi(x * y / 4)",
        [Op.AsinPi] = "double.AsinPi(x * y / 2)",
        [Op.AcosPi] = "double.AcosPi(x * y / 2)",
        [Op.AtanPi] = "double.AtanPi(x * y)",
        [Op.Atan2Pi] = "double.Atan2Pi(x, y)",
        [Op.DegreesToRadians] = "double.DegreesToRadians(x * y)",
        [Op.RadiansToDegrees] = "double.RadiansToDegrees(x * y)",
        [Op.Exp2] = "{ double s = 0; for (int i = 0; i < 3; i++) s += double.Exp2(x * y - i); return s; }",
        [Op.Exp10] = "double.Exp10(x * y)",
        [Op.ExpM1] = "double.ExpM1(x * y)",
        [Op.Exp2M1] = "double.Exp2M1(x * y)",
        [Op.Exp10M1] = "double.Exp10M1(x * y)",
        [Op.LogP1] = "double.LogP1(x * y)",
        [Op.Log2P1] = "double.Log2P1(x * y)",
        [Op.Log10P1] = "double.Log10P1(x * y)",
        [Op.Hypot] = "{ if (x < y) return double.Hypot(x, y); return x; }",
        [Op.RootN] = "double.RootN(x * y, 3) + double.RootN(x + y, -2)",
        [Op.Lerp] = "double.Lerp(x, y, x * y)",
        [Op.CopySign] = "Math.CopySign(x * y, x - y) * x",
        // BitIncrement(v) is v + ulp(v): its difference quotient is 1, not 0.
        [Op.BitIncrement] = "Math.BitIncrement(x * y) * y",
        [Op.BitDecrement] = "Math.BitDecrement(x * y) * y",
        [Op.ScaleB] = "Math.ScaleB(x * y, 3)",
        [Op.IEEERemainder] = "Math.IEEERemainder(3 * x, y)",
        [Op.MaxMagnitude] = "Math.MaxMagnitude(x - 2 * y, x * y) * x",
        [Op.MinMagnitude] = "Math.MinMagnitude(x - 2 * y, x * y) * y",
        [Op.MaxNumber] = "double.MaxNumber(x * x, y) * x",
        [Op.MinNumber] = "double.MinNumber(x * x, y) * y",
        [Op.MaxMagnitudeNumber] = "double.MaxMagnitudeNumber(x - 2 * y, x * y) * x",
        [Op.MinMagnitudeNumber] = "double.MinMagnitudeNumber(x - 2 * y, x * y) * y",
        [Op.MaxNative] = "double.MaxNative(x * x, y) * x",
        [Op.MinNative] = "double.MinNative(x * x, y) * y",
        [Op.NumberClamp] = "{ double s = 0; for (int i = 0; i < 3; i++) s += double.Clamp(i * x, x / 2, y) * x; return s; }",
        [Op.ClampNative] = "double.ClampNative(x * y, 0, 2) * x",
    };

    /// <summary>
    /// The point, the direction and the step are exact in float, so that x ± h·v is too and the float rounding of
    /// <see cref="Op.Convert"/>'s case adds no error to the differences.
    /// </summary>
    private const double X = 0.75, Y = 1.25, DirectionX = 0.5, DirectionY = -0.75, Step = 1.0 / (1 << 17);

    /// <summary>Every operation, by name: <see cref="Op"/> is internal to the generator.</summary>
    public static TheoryData<string> Operations() => new(Enum.GetNames<Op>());

    /// <summary>
    /// The library functions, each also in float: its case with <c>MathF</c> for <c>Math</c> and <c>float</c> for
    /// <c>double</c>. All but <see cref="Op.Clamp"/>, which MathF lacks (float Clamp prints as <c>Math.Clamp</c>, covered
    /// by the reflection test).
    /// </summary>
    public static TheoryData<string> FloatOperations() => new(FloatCases.Select(op => op.ToString()));

    private static IEnumerable<Op> FloatCases => s_cases.Keys.Where(op => op >= Op.Exp && op != Op.Clamp);

    private static string InFloat(string body) => body.Replace("Math.", "MathF.").Replace("double", "float");

    [Fact]
    public void EveryOperationHasAReverseRuleAndACase()
    {
        foreach (Op op in Enum.GetValues<Op>())
        {
            Assert.True(s_cases.ContainsKey(op), $"Op.{op} has no finite-difference case in {nameof(RuleCoverageTests)}.");
            // A call's derivatives are its callee's (generated methods or a [DerivativeOf] pullback), not the table's.
            if (op != Op.Call)
                Assert.NotNull(Rules.For(op));
        }
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void GradientTangentAndHessianVectorProductMatchFiniteDifferences(string op)
    {
        Type model = Model(op);

        double Value(double x, double y) => (double)Invoke(model, "F", x, y);
        (double Dx, double Dy) Gradient(double x, double y)
        {
            object?[] arguments = { x, y, null, null };
            Invoke(model, "FGradient", arguments);
            return ((double)arguments[2]!, (double)arguments[3]!);
        }

        const double h = Step;
        var (dx, dy) = Gradient(X, Y);
        AssertClose((Value(X + h, Y) - Value(X - h, Y)) / (2 * h), dx, $"∂F/∂x for Op.{op}");
        AssertClose((Value(X, Y + h) - Value(X, Y - h)) / (2 * h), dy, $"∂F/∂y for Op.{op}");

        var tangent = ((double Value, double Derivative))Invoke(model, "FTangent", X, Y, DirectionX, DirectionY);
        AssertClose(Value(X, Y), tangent.Value, $"the tangent's value for Op.{op}");
        AssertClose(dx * DirectionX + dy * DirectionY, tangent.Derivative, $"the tangent for Op.{op}");

        object?[] product = { X, Y, DirectionX, DirectionY, null, null };
        Invoke(model, "FHessianVector", product);
        var (ahead, behind) = (Gradient(X + h * DirectionX, Y + h * DirectionY), Gradient(X - h * DirectionX, Y - h * DirectionY));
        AssertClose((ahead.Dx - behind.Dx) / (2 * h), (double)product[4]!, $"(Hv)ₓ for Op.{op}");
        AssertClose((ahead.Dy - behind.Dy) / (2 * h), (double)product[5]!, $"(Hv)ᵧ for Op.{op}");
    }

    /// <summary>
    /// The float version's gradient, tangent and Hessian-vector product against the double version's (checked against
    /// finite differences above): finite differences in float would be noise, and what can go wrong in float is the
    /// printing (MathF or float members, literals, casts), not the calculus.
    /// </summary>
    [Theory]
    [MemberData(nameof(FloatOperations))]
    public void FloatDerivativesMatchTheDoubleOnes(string op)
    {
        Type exact = Model(op), single = Model(op + "InFloat");
        const float x = (float)X, y = (float)Y, vx = (float)DirectionX, vy = (float)DirectionY;
        object?[] gradient = { X, Y, null, null }, floatGradient = { x, y, null, null };
        Invoke(exact, "FGradient", gradient);
        Invoke(single, "FGradient", floatGradient);
        AssertClose((double)gradient[2]!, (float)floatGradient[2]!, $"float ∂F/∂x for Op.{op}", Tolerance: 1e-4);
        AssertClose((double)gradient[3]!, (float)floatGradient[3]!, $"float ∂F/∂y for Op.{op}", Tolerance: 1e-4);

        var tangent = ((double Value, double Derivative))Invoke(exact, "FTangent", X, Y, DirectionX, DirectionY);
        var floatTangent = ((float Value, float Derivative))Invoke(single, "FTangent", x, y, vx, vy);
        AssertClose(tangent.Derivative, floatTangent.Derivative, $"the float tangent for Op.{op}", Tolerance: 1e-4);

        object?[] product = { X, Y, DirectionX, DirectionY, null, null }, floatProduct = { x, y, vx, vy, null, null };
        Invoke(exact, "FHessianVector", product);
        Invoke(single, "FHessianVector", floatProduct);
        AssertClose((double)product[4]!, (float)floatProduct[4]!, $"float (Hv)ₓ for Op.{op}", Tolerance: 1e-4);
        AssertClose((double)product[5]!, (float)floatProduct[5]!, $"float (Hv)ᵧ for Op.{op}", Tolerance: 1e-4);
    }

    private static Type Model(string name) => s_generated.Value.Assembly.GetType($"Cases.{name}")
        ?? throw new InvalidOperationException($"The case {name} did not compile:\n{s_generated.Value.Errors}");

    private static object Invoke(Type model, string method, params object?[] arguments) =>
        model.GetMethod(method, BindingFlags.Public | BindingFlags.Static)?.Invoke(null, arguments)
        ?? throw new InvalidOperationException($"{model.Name}.{method} was not generated:\n{s_generated.Value.Errors}");

    /// <summary>Within <paramref name="Tolerance"/> of the expected value, relative to its size.</summary>
    private static void AssertClose(double expected, double actual, string what, double Tolerance = 1e-6) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    private static readonly Lazy<(Assembly Assembly, string Errors)> s_generated = new(Generate);

    /// <summary>Every case as its own class in one compilation (and its float version, in {Op}InFloat), run through the generator, emitted and loaded once.</summary>
    private static (Assembly Assembly, string Errors) Generate()
    {
        string FloatClass(Op op) => $$"""
            public static partial class {{op}}InFloat
            {
                [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
                public static float F(float x, float y){{Body(InFloat(s_cases[op]))}}
            }

            """;
        string classes = string.Concat(FloatCases.Select(FloatClass)) + string.Concat(s_cases.Select(c => $$"""
            public static partial class {{c.Key}}
            {
                [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
                public static double F(double x, double y){{Body(c.Value)}}

                [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
                public static double Square(double v) => v * v;

                [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
                public static double SumOfSquares(double[] v)
                {
                    double s = 0;
                    for (int i = 0; i < v.Length; i++)
                        s += v[i] * v[i];
                    return s;
                }
            }

            """));
        string source = $$"""
            using System;
            using Backprop;
            namespace Cases;
            public static class Helpers
            {
                public static int Three() => 3;
                public static readonly double Scale = 2.5;
                public static readonly double[] Table = { 0.5, 1.5, 2.5 };
            }
            {{classes}}
            """;
        static string Body(string body) => body.StartsWith('{') ? "\n" + body : " => " + body + ";";
        CSharpCompilation compilation = GeneratorRunner.Compile(source)
            .WithOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));
        GeneratorRunner.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        var image = new MemoryStream();
        var emitted = output.Emit(image);
        string errors = string.Join("\n", diagnostics.Concat(emitted.Diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.True(emitted.Success, errors);
        image.Position = 0;
        return (new AssemblyLoadContext("rule-coverage").LoadFromStream(image), errors);
    }
}
