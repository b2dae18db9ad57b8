using System.Collections.Immutable;
using System.Globalization;
using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generator.Tests;

/// <summary>One test per diagnostic: its ID, its severity, and the exact span it points at (marked <c>[|…|]</c> in the source).</summary>
public class DiagnosticTests
{
    [Fact]
    public void BP0001_MethodNotStatic() => Expect("BP0001", """
        public partial class Model
        {
            [Differentiable] public double [|F|](double x) => x * x;
        }
        """);

    [Fact]
    public void BP0002_TypeNotPartial() => Expect("BP0002", """
        public static partial class Outer
        {
            public static class [|Model|]
            {
                [Differentiable] public static double F(double x) => x * x;
            }
        }
        """);

    [Fact]
    public void BP0003_UnsupportedReturnType() => Expect("BP0003", """
        public static partial class Model
        {
            [Differentiable] public static [|decimal|] F(double x) => (decimal)x;
        }
        """);

    [Fact]
    public void BP1002_TupleHelperOfAnotherTypeUsingAPrivateMember() =>
        Assert.Contains("in 'Step', whose body is inlined into 'F', is not supported in a [Differentiable] method; make 'Damping' internal", Expect("BP1002", """
            public static class Kernels
            {
                private static readonly double Damping = 0.1;
                public static (double X, double V) Step(double x, double v)
                {
                    v -= (x + [|Damping|] * v) * 0.1;
                    return (x + v * 0.1, v);
                }
            }
            public static partial class Model
            {
                [Differentiable] public static double F(double x, double v)
                {
                    (x, v) = Kernels.Step(x, v);
                    return x * v;
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1010_OnceForATupleHelperCalledTwice()
    {
        string message = Expect("BP1010", """
            public static class Kernels
            {
                public static (double X, double V) Step(double x, double v)
                {
                    Func<double, double> [|f = u => u * u|];
                    return (f(x), v);
                }
            }
            public static partial class Model
            {
                [Differentiable] public static double F(double x, double v)
                {
                    (x, v) = Kernels.Step(x, v);
                    (x, v) = Kernels.Step(x, v);
                    return x * v;
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains("'Step', which 'F' calls (F → Step), cannot be differentiated", message);
        Assert.EndsWith("rewrite that part of 'Step', or compute its result outside and pass it in", message);
    }

    [Fact]
    public void BP1005_WritingASpanParameter() => Expect("BP1005", """
        public static partial class Model
        {
            [Differentiable] public static double F(Span<double> x) { [|x[0] = 1|]; return x[0]; }
        }
        """);

    [Fact]
    public void BP0003_TupleOfMixedTypes() =>
        Assert.Contains("or a tuple of doubles or of floats", Expect("BP0003", """
        public static partial class Model
        {
            [Differentiable] public static [|(double, int)|] F(double x) => (x, 1);
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1012_StructParameterHoldingAString() =>
        Assert.Contains("The struct 'Named' cannot be the parameter 'p' of 'F': its field 'Name' is a 'string'", Expect("BP1012", """
        public struct Named { public double X; public string Name; }
        public static partial class Model
        {
            [Differentiable] public static double F(Named [|p|]) => p.X * p.X;
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1012_StructResultTheDerivativesCannotMake() =>
        Assert.Contains("its field 'X' cannot be set from outside it; make its members settable (or init), or give it a constructor that assigns each member from a parameter of its own", Expect("BP1012", """
        public readonly struct Doubled
        {
            public readonly double X;
            public Doubled(double x) { X = 2 * x; }
        }
        public static partial class Model
        {
            [Differentiable] public static [|Doubled|] F(double x) => new Doubled(x);
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("public struct Counts { public int A, B; }", "it has no double or float member to differentiate")]
    [InlineData("public struct Mixed { public double A; public float B; }", "its differentiated members mix double and float")]
    public void BP1012_StructResultOfNumbersThatAreNotOneFloatingPointType(string declaration, string why)
    {
        string name = declaration.Split(' ')[2];
        Assert.Contains(why, Expect("BP1012", $$"""
            {{declaration}}
            public static partial class Model
            {
                [Differentiable] public static [|{{name}}|] F(double x) => default;
            }
            """).GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void BP1012_StructLocalHoldingAnArray() =>
        Assert.Contains("The struct 'Layer' cannot be a local in 'F': it holds an array ('W'), and a struct holding arrays is taken as a parameter and read (its arrays by index), never made, copied or returned", Expect("BP1012", """
        public struct Layer { public double[] W; public double B; }
        public static partial class Model
        {
            [Differentiable] public static double F(double[] w, double x)
            {
                var [|layer = new Layer { W = w, B = x }|];
                return layer.W[0] * x + layer.B;
            }
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("System.Numerics.Vector3 a, System.Numerics.Vector3 b", "(double)[|System.Numerics.Vector3.Reflect(a, b)|].X", "'Vector3.Reflect' of System.Numerics has no derivative rule", "write it with the members X, Y, Z, W")]
    [InlineData("System.Numerics.Vector3 a, System.Numerics.Vector3 b", "(double)[|System.Numerics.Vector3.Transform(a, System.Numerics.Matrix4x4.Identity)|].Y", "'Vector3.Transform' of System.Numerics", "transform by a Quaternion (Vector3.Transform(v, q))")]
    [InlineData("System.Numerics.Complex a, System.Numerics.Complex b", "[|System.Numerics.Complex.Sin(a)|].Real", "'Complex.Sin' of System.Numerics", "write it with Complex.Exp, Complex.Log (of one argument)")]
    [InlineData("System.Numerics.Quaternion a, System.Numerics.Quaternion b", "[|System.Numerics.Quaternion.Slerp(a, b, 0.5f)|].W", "'Quaternion.Slerp' of System.Numerics", "use Quaternion.Lerp (normalized)")]
    [InlineData("System.Numerics.Vector2 a, System.Numerics.Vector2 b", "[|System.Numerics.Vector2.Max(a, b)|].X", "'Vector2.Max' of System.Numerics", "and Math, or with the supported members listed in docs/contract.md#systemnumerics")]
    public void BP1013_NumericsMemberWithoutARuleNamesItAndWhatToWrite(string parameters, string expression, string what, string advice)
    {
        string message = Expect("BP1013", $$"""
            public static partial class Model
            {
                [Differentiable] public static double F({{parameters}}) => {{expression}};
            }
            """).GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains(what, message);
        Assert.Contains(advice, message);
    }

    [Theory]
    [InlineData("public struct Mixed { public double A; public float B; }", "Derivatives.Gradient", "an array of it is read as the numbers it holds, which must then be all double or all float")]
    [InlineData("[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)] public struct Mixed { public double A, B; }", "Derivatives.Gradient",
        "'Mixed' declares its layout ([StructLayout])")]
    public void BP1012_ArraysOfStructsTheDerivativesCannotView(string declaration, string derivatives, string why) =>
        Assert.Contains(why, Expect("BP1012", $$"""
            {{declaration}}
            public static partial class Model
            {
                [Differentiable({{derivatives}})] public static double F(Mixed[] [|x|]) => x[0].A;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1002_DeconstructingAStructThatIsNotAPositionalRecordOfNumbers() =>
        Assert.Contains("Deconstructing the struct 'p' is not supported in a [Differentiable] method; read its members (v.X, v.Y)", Expect("BP1002", """
        public struct Pair
        {
            public double A, B;
            public void Deconstruct(out double b, out double a) => (b, a) = (B, A);
        }
        public static partial class Model
        {
            [Differentiable] public static double F(Pair p)
            {
                var (x, y) = [|p|];
                return x - y;
            }
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1005_WritingToAnArrayOfStructs() => Expect("BP1005", """
        public struct Pair { public double A, B; }
        public static partial class Model
        {
            [Differentiable] public static double F(Pair[] x)
            {
                [|x[0].A = 2|];
                return x[0].A * x[1].B;
            }
        }
        """);

    [Fact]
    public void BP1002_StructMethodChangingItsReceiverInsideAnExpression() =>
        Assert.Contains("Calling 'Scaled', which may change 'c', inside a larger expression is not supported in a [Differentiable] method; call it in a statement of its own", Expect("BP1002", """
        public struct Counter
        {
            public double Value;
            public Counter Scaled(double s) { Value *= s; return this; }
        }
        public static partial class Model
        {
            [Differentiable] public static double F(double x)
            {
                var c = new Counter { Value = x };
                return c.Value + [|c.Scaled(2)|].Value;
            }
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0004_ArrayOfAnotherType() =>
        Assert.Contains("arrays of int, long, byte and bool read as data", Expect("BP0004", """
        public static partial class Model
        {
            [Differentiable] public static double F(double x, string[] [|names|]) => x;
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("short[]")]
    [InlineData("sbyte[]")]
    [InlineData("ushort[]")]
    public void BP0004_SmallIntegerArraysNameTheTypesToPass(string type) =>
        Assert.Contains("are not read as data yet; pass an array of int (or byte, when the values are 0 to 255)", Expect("BP0004", $$"""
        public static partial class Model
        {
            [Differentiable] public static double F(double x, {{type}} [|data|]) => x * data[0];
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1002_SmallIntegerValuesNameTheTypesToUse() =>
        Assert.Contains("A value of type 'short' is not supported in a [Differentiable] method; use int (or byte, when the values are 0 to 255)", Expect("BP1002", """
        public static partial class Model
        {
            [Differentiable] public static double F(double x, ReadOnlySpan<short> data) => x * [|data[0]|];
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0004_RefParameter() => Expect("BP0004", """
        public static partial class Model
        {
            [Differentiable] public static double F(ref double [|x|]) => x * x;
        }
        """);

    [Fact]
    public void BP0005_GradientNameCollision() => Expect("BP0005", """
        public static partial class Model
        {
            [Differentiable] public static double F(double x, [NoDerivative] double [|dx|]) => x * dx;
        }
        """);

    [Fact]
    public void BP0005_HessianVectorProductNameCollision() => Expect("BP0005", """
        public static partial class Model
        {
            [Differentiable(Derivatives.Hessian)] public static double F(double x, [NoDerivative] double [|hx|]) => x * x * hx;
        }
        """);

    [Fact]
    public void BP0006_NoBody() => Expect("BP0006", """
        public static partial class Model
        {
            [Differentiable] public static extern double [|F|](double x);
        }
        """, allowCompilerErrors: true);

    [Fact]
    public void BP0007_UnconstrainedTypeParameter() =>
        Assert.EndsWith("is generic over 'T', which is not constrained to floating-point numbers: write 'where T : System.Numerics.IFloatingPointIeee754<T>' for derivatives in double and float, or write the method for double or float",
            Expect("BP0007", """
            public static partial class Model
            {
                [Differentiable] public static double F[|<T>|](double x) => x * x;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0007_SeveralTypeParameters() =>
        Assert.Contains("has 2 type parameters, and a generic [Differentiable] method has one", Expect("BP0007", """
            public static partial class Model
            {
                [Differentiable] public static T F[|<T, U>|](T x, U y) where T : System.Numerics.IFloatingPointIeee754<T> => T.Exp(x);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0007_NoParameterOfTheTypeParameter() =>
        Assert.Contains("has no parameter of type 'T', 'T[]' or a span of 'T', from which a call could infer 'T'", Expect("BP0007", """
            public static partial class Model
            {
                [Differentiable] public static T F[|<T>|](int n) where T : System.Numerics.IFloatingPointIeee754<T> => T.CreateChecked(n);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0014_ConstraintTooNarrowNamesTheMemberARuleNeedsAndItsInterface() =>
        Assert.Equal("'F' constrains 'T' to 'System.Numerics.IPowerFunctions<T>', too narrow for its derivatives: the derivative of 'T.Pow' calls 'T.Log', which is in 'ILogarithmicFunctions<T>'; constrain 'T' to 'System.Numerics.IFloatingPointIeee754<T>' instead",
            Expect("BP0014", """
            public static partial class Model
            {
                [Differentiable] public static T F<T>(T x, T y) where T : [|System.Numerics.IPowerFunctions<T>|] => T.Pow(x, y);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0014_NumberConstraintWithNoMathStillNamesTheInterface() =>
        Assert.Contains("derivatives use T's floating-point math, constants and conversions", Expect("BP0014", """
            public static partial class Model
            {
                [Differentiable] public static T F<T>(T x) where T : [|System.Numerics.INumber<T>|] => x * x;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    /// <summary>Two-dimensional arrays, arrays of arrays and arrays or spans of structs take every mode, the Hessian and the Jacobian too (refused once).</summary>
    [Theory]
    [InlineData("Jacobian", "double[]", "double[,] a", "{ var y = new double[1]; y[0] = a[0, 0] * a[1, 1]; return y; }")]
    [InlineData("Hessian", "double", "double[][] a", "=> a[0][0] * a[1][0];")]
    [InlineData("Jacobian", "float[]", "float[][] a", "{ var y = new float[1]; y[0] = a[0][0] * a[1][0]; return y; }")]
    [InlineData("Hessian", "double", "Pair[] a", "=> a[0].A * a[1].B;")]
    [InlineData("Jacobian", "double[]", "ReadOnlySpan<Pair> a", "{ var y = new double[1]; y[0] = a[0].A * a[1].B; return y; }")]
    public void GridsRowsAndArraysOfStructsTakeTheHessianAndTheJacobian(string mode, string result, string parameter, string body)
    {
        var (_, diagnostics, output) = GeneratorRunner.Run(Preamble + $$"""
            public struct Pair { public double A, B; }
            public static partial class Model
            {
                [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.{{mode}})] public static {{result}} F({{parameter}}) {{body}}
            }
            """);
        Assert.Empty(diagnostics);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData("double[,] a", "[|a[0, 1]|] = 2", "'a' is a parameter array")]
    [InlineData("double[][] a", "[|a[0][1]|] = 2", "'a' is a parameter array")]
    [InlineData("double[][] a", "var row = a[1]; [|row[0]|] += 2", "'row' is a parameter array")]
    public void BP1005_WritingAGridOrARowParameter(string parameter, string write, string message)
    {
        string source = $$"""
            public static partial class Model
            {
                [Differentiable] public static double F({{parameter}}) { {{write}}; return 1.0; }
            }
            """;
        Assert.Contains(message, Expect("BP1005", source).GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("double[,] a", "Sum([|a|])", "double[,] v) => v[0, 0]", "Passing the two-dimensional array 'a' to 'Sum'")]
    [InlineData("double[][] a", "1.0 * System.Array.IndexOf([|a[0]|], 1.0)", "double[] v) => v[0]", "Passing the row 'a[0]' of an array of arrays to 'IndexOf'")]
    [InlineData("double[][] a", "Sum([|a|])", "double[][] v) => v[0][0]", "Passing the array of arrays 'a' to 'Sum'")]
    public void BP1002_GridsAndRowsPassedToMethods(string parameter, string call, string sum, string message)
    {
        string source = $$"""
            public static partial class Model
            {
                [Differentiable] public static double Sum({{sum}};
                [Differentiable] public static double F({{parameter}}) => {{call}};
            }
            """;
        Assert.Contains(message, Expect("BP1002", source).GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("double[,] [|grid = { { 1, 2 } }|]", "grid[0, 1]", "The two-dimensional local 'grid' made from")]
    [InlineData("double[][] [|rows = new double[2][]|]", "rows[0][0]",
        "The local array of arrays 'rows' is not supported in a [Differentiable] method; create it with its rows of one length, the loop giving them right after it (double[][] rows = new double[n][]; for (int i = 0; i < n; i++) rows[i] = new double[m];), use a two-dimensional local (double[,] rows = new double[n, m];)")]
    public void BP1002_LocalGridsOtherThanNewAndLocalArraysOfArrays(string declaration, string read, string message)
    {
        string source = $$"""
            public static partial class Model
            {
                [Differentiable] public static double F(double x) { {{declaration}}; return x * {{read}}; }
            }
            """;
        Assert.Contains(message, Expect("BP1002", source).GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("double[,,] w", "w[0, 0, 0]", "'double[,,]' has 3 dimensions; pass a two-dimensional double[,] or a one-dimensional double[] indexed i * columns + j")]
    [InlineData("double[][][] w", "w[0][0][0]", "'double[][][]' nests arrays more than two deep or holds two-dimensional ones; pass a double[][] of rows, a double[,]")]
    public void BP0004_ArraysOfOtherShapesNameTheShapeToUse(string parameter, string read, string message)
    {
        string source = $$"""
            public static partial class Model
            {
                [Differentiable] public static double F(double x, {{parameter.Split(' ')[0]}} [|w|]) => x * {{read}};
            }
            """;
        Assert.Contains(message, Expect("BP0004", source).GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("System.Collections.Generic.List<double> xs", "[|xs[0]|]", "Indexing 'xs' of type 'List<double>'", "take a double[] or ReadOnlySpan<double>")]
    [InlineData("System.Numerics.Matrix4x4 p", "[|p.M11|]", "Reading field 'M11' of 'p' of type 'Matrix4x4'", "pass the numbers it holds as double or float parameters")]
    [InlineData("System.TimeSpan z", "[|z.TotalSeconds|]", "Reading property 'TotalSeconds' of 'z' of type 'TimeSpan'", "hold them in a struct of this compilation; objects and other assemblies' types are not differentiated")]
    public void BP1002_TypesNotDifferentiatedNameTheTypeAndWhatToPass(string parameter, string read, string what, string advice)
    {
        string source = $$"""
            public static partial class Model
            {
                [Differentiable] public static double F(double x, {{parameter}}) => x * {{read}};
            }
            """;
        string message = Expect("BP1002", source).GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains(what, message);
        Assert.Contains(advice, message);
    }

    [Fact]
    public void BP0008_LocalFunction() => Expect("BP0008", """
        public static partial class Model
        {
            public static double G(double x)
            {
                [Differentiable] static double [|Square|](double v) => v * v;
                return Square(x);
            }
        }
        """);

    [Theory]
    [InlineData("[Differentiable] public static double operator [|+|](Model a, double b) => b;", "operator '+'")]
    [InlineData("[Differentiable] public static explicit operator [|double|](Model a) => 1;", "conversion operator to 'double'")]
    [InlineData("public static double P { [Differentiable] [|get|] => 1; }", "the 'get' accessor of 'P'")]
    [InlineData("[Differentiable] ~[|Model|]() { }", "the finalizer of 'Model'")]
    [InlineData("public static Func<double, double> L = [Differentiable] (double x) [|=>|] x * x;", "the lambda")]
    [InlineData("[Differentiable] static double IModel.[|F|](double x) => x;", "the explicit interface implementation 'IModel.F'")]
    public void BP0008_NotAMethod(string member, string named)
    {
        var diagnostic = Expect("BP0008", $$"""
            public interface IModel { static abstract double F(double x); }
            public partial class Model : IModel
            {
                {{member}}
                public static double F(double x) => x;
            }
            """);
        Assert.Contains(named, diagnostic.GetMessage());
    }

    [Fact]
    public void BP0008_FileLocalType()
    {
        var diagnostic = Expect("BP0008", """
            file static partial class Model
            {
                [Differentiable] public static double [|F|](double x) => x * x;
            }
            """);
        Assert.Contains("file-local type 'Model'", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("foreach (var c in \"ab\") { x = x * 2; }", "A foreach loop over")]
    [InlineData("try { x = x * 2; } finally { }", "try statement")]
    [InlineData("goto end;|] [|end: x = x * 2;", "goto statement")]
    [InlineData("unsafe { x = x * 2; }", "unsafe block")]
    [InlineData("ref double r = ref x;", "ref local")]
    public void BP1001_UnsupportedStatement(string statement, string named)
    {
        var diagnostic = Expect("BP1001", $$"""
            public static partial class Model
            {
                [Differentiable] public static double F(double x)
                {
                    [|{{statement}}|]
                    return x;
                }
            }
            """, allowCompilerErrors: true);
        Assert.Contains(named, diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("[|((Func<double, double>)(v => v * v))(x)|]", "lambda")]
    [InlineData("[|Math.Round(x, MidpointRounding.AwayFromZero)|]", "")]
    [InlineData("[|Math.ReciprocalEstimate(x)|]", "")]
    [InlineData("[|new[] { x }.Sum()|]", "")]
    [InlineData("[|Field|] * x", "field")]
    [InlineData("[|new System.Numerics.Matrix3x2(1, 2, 3, 4, 5, 6).M11|] * x", "field")]
    public void BP1002_UnsupportedExpression(string expression, string named)
    {
        var diagnostic = Expect(expression.Contains("Sum()") || expression.Contains("Math.") ? "BP1003" : "BP1002", $$"""
            public static partial class Model
            {
                static double Field = 2;
                [Differentiable] public static double F(double x) => {{expression}};
            }
            """);
        Assert.Contains(named, diagnostic.GetMessage());
    }

    [Fact]
    public void BP1003_CallWithoutDerivativeSuggestsDifferentiable()
    {
        var diagnostic = Expect("BP1003", """
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => [|Convert.ToDouble(x)|] + 1;
            }
            """);
        Assert.Contains("[Differentiable]", diagnostic.GetMessage());
    }

    [Fact]
    public void BP1004_Recursion() => Expect("BP1004", """
        public static partial class Model
        {
            [Differentiable] public static double F(double x, int n) => n == 0 ? x : x * [|F(x, n - 1)|];
        }
        """);

    [Fact]
    public void BP1005_WriteToParameterArray() => Expect("BP1005", """
        public static partial class Model
        {
            [Differentiable] public static double F(double[] x)
            {
                [|x[0]|] = 2;
                return x[0];
            }
        }
        """);

    [Fact]
    public void BP1006_CalleeLacksTangent()
    {
        var diagnostic = Expect("BP1006", """
            public static partial class Model
            {
                [Differentiable] public static double G(double v) => v * v;
                [Differentiable(Derivatives.Tangent)] public static double F(double x) => [|G(x)|] + 1;
            }
            """);
        Assert.Contains("Derivatives.Tangent", diagnostic.GetMessage());
    }

    [Fact]
    public void BP1002_PrivatePullbackInAnotherType() =>
        Assert.Contains("is private to 'Functions'", Expect("BP1002", """
            public static class Functions
            {
                public static double Cube(double s) => s * s * s;

                [DerivativeOf(nameof(Cube))]
                private static void CubePullback(double s, double result, double dResult, out double dS) => dS = dResult * 3 * s * s;
            }

            public static partial class Model
            {
                [Differentiable] public static double F(double x) => [|Functions.Cube(x)|] + x;
            }
            """).GetMessage());

    [Fact]
    public void BP1002_ProtectedPullback() =>
        Assert.Contains("'CubePullback' is protected to 'Functions'", Expect("BP1002", """
            public class Functions
            {
                public static double Cube(double s) => s * s * s;

                [DerivativeOf(nameof(Cube))]
                protected static void CubePullback(double s, double result, double dResult, out double dS) => dS = dResult * 3 * s * s;
            }

            public static partial class Model
            {
                [Differentiable] public static double F(double x) => [|Functions.Cube(x)|] + x;
            }
            """).GetMessage());

    [Fact]
    public void BP1002_PullbackInAFileLocalType() =>
        Assert.Contains("'CubePullback' is inside 'Rules', which is local to its file", Expect("BP1002", """
            public static class Functions
            {
                public static double Cube(double s) => s * s * s;
            }

            file static class Rules
            {
                [DerivativeOf(typeof(Functions), nameof(Functions.Cube))]
                public static void CubePullback(double s, double result, double dResult, out double dS) => dS = dResult * 3 * s * s;
            }

            public static partial class Model
            {
                [Differentiable] public static double F(double x) => [|Functions.Cube(x)|] + x;
            }
            """).GetMessage());

    [Fact]
    public void BP1002_PrivateMatrixPullbackInAnotherType() =>
        Assert.Contains("'SoftplusPullback' is private to 'Functions'", Expect("BP1002", """
            public static class Functions
            {
                public static Matrix<double> Softplus(Matrix<double> x) => x;

                [DerivativeOf(nameof(Softplus))]
                private static void SoftplusPullback(Matrix<double> x, Matrix<double> result, Matrix<double> dResult, Matrix<double>? dX) { }
            }

            public static partial class Model
            {
                [Differentiable] public static double F(Matrix<double> w) => MatrixOps.Sum([|Functions.Softplus(w)|]);
            }
            """).GetMessage());

    [Fact]
    public void BP1008_HessianThroughAPullbackOnlyFunction()
    {
        var diagnostic = Expect("BP1008", """
            public static partial class Model
            {
                public static double Cube(double s) => s * s * s;

                [DerivativeOf(nameof(Cube))]
                public static void CubePullback(double s, double result, double dResult, out double dS) => dS = dResult * 3 * s * s;

                [Differentiable(Derivatives.Gradient | Derivatives.Hessian)] public static double F(double x, double y) => [|Cube(x * y)|] + x;
            }
            """);
        Assert.Contains("mark 'Cube' [Differentiable(… | Derivatives.Hessian)]", diagnostic.GetMessage());
    }

    [Fact]
    public void BP1003_ScalarFunctionWithoutPullback() =>
        Assert.Contains("give it a [DerivativeOf] pullback (a static, non-generic method of scalars", Expect("BP1003", """
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => [|BitConverter.Int64BitsToDouble((long)x)|] + x;
            }
            """).GetMessage());

    [Fact]
    public void BP1002_PullbackOfAFunctionOverAnArray() =>
        Assert.Contains("through its [DerivativeOf] pullback", Expect("BP1002", """
            public static partial class Model
            {
                public static double First(double[] v) => v[0];

                [DerivativeOf(nameof(First))]
                public static void FirstPullback(double[] v, double result, double dResult) { }

                [Differentiable] public static double F(double[] x) => [|First(x)|] * 2;
            }
            """).GetMessage());

    [Fact]
    public void BP0009_PullbackWithTheWrongSignature() => Expect("BP0009", """
        public static partial class Model
        {
            public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

            [DerivativeOf(nameof(Softplus))]
            public static void [|SoftplusPullback|](double x, double dResult, out double dX) => dX = dResult / (1 + Math.Exp(-x));
        }
        """);

    [Fact]
    public void BP0009_PullbackOfAMissingMethod() => Expect("BP0009", """
        public static partial class Model
        {
            [DerivativeOf("Softplus")]
            public static void [|SoftplusPullback|](double x, double result, double dResult, out double dX) => dX = dResult;
        }
        """);

    [Fact]
    public void BP0013_PullbackOfAMathMemberWithABuiltInRule() =>
        Assert.Contains("with a rule of its own", Expect("BP0013", """
            public static partial class Model
            {
                [[|DerivativeOf(typeof(Math), nameof(Math.Atanh))|]]
                public static void AtanhPullback(double x, double result, double dResult, out double dX) => dX = dResult / (1 - x * x);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0013_PullbackOfALibraryMethod() =>
        Assert.Contains("call 'ReciprocalEstimate' from a static method of your own", Expect("BP0013", """
            public static partial class Model
            {
                [[|DerivativeOf(typeof(Math), nameof(Math.ReciprocalEstimate))|]]
                public static void ReciprocalEstimatePullback(double d, double result, double dResult, out double dD) => dD = -dResult * result * result;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0013_PullbackInATypeOfAnotherNamespace() =>
        Assert.Contains("move 'CubePullback' into one of them", Expect("BP0013", """
            namespace Functions
            {
                public static class Model
                {
                    public static double Cube(double s) => s * s * s;
                }
            }

            namespace Rules
            {
                public static class CubeRules
                {
                    [[|DerivativeOf(typeof(Functions.Model), nameof(Functions.Model.Cube))|]]
                    public static void CubePullback(double s, double result, double dResult, out double dS) => dS = 3 * s * s * dResult;
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0010_HessianOfAStackOfMatrices() => Expect("BP0010", """
        public static partial class Model
        {
            [Differentiable(Derivatives.Hessian)] public static float [|F|](Matrix<float>[] w) => MatrixOps.Sum(w[0]);
        }
        """);

    [Fact]
    public void BP0010_JacobianOfALayer() => Expect("BP0010", """
        public static partial class Model
        {
            [Differentiable(Derivatives.Jacobian)] public static Matrix<float> [|F|](Matrix<float> w) => MatrixOps.Relu(w);
        }
        """);

    /// <summary>
    /// What methods over matrices could not hold before they shared the scalar pipeline (arrays of numbers, switch, a
    /// stack of matrices passed to a layer, while, break, early return, a counter from a matrix's sum, a helper without a
    /// pullback but with a body) now generates code that compiles, with no diagnostic.
    /// </summary>
    [Theory]
    [InlineData("""
        [Differentiable]
        public static float F(Matrix<float> w, float[] scales) => MatrixOps.Sum(w) * scales[0];
        """)]
    [InlineData("""
        [Differentiable]
        public static float F(Matrix<float> w, int mode)
        {
            var s = MatrixOps.Sum(w);
            switch (mode) { case 1: s = s * s; break; }
            return s;
        }
        """)]
    [InlineData("""
        [Differentiable]
        public static Matrix<float> Stack(Matrix<float>[] W, Matrix<float> x)
        {
            var h = x;
            for (int i = 0; i < W.Length; i++)
                h = MatrixOps.MatMul(h, W[i]);
            return h;
        }

        [Differentiable]
        public static float F(Matrix<float>[] W, Matrix<float> x) => MatrixOps.Sum(Stack(W, x));
        """)]
    [InlineData("""
        [Differentiable]
        public static float F(Matrix<float> w, int n)
        {
            var s = MatrixOps.Sum(w);
            while (s < n) s = s * s;
            return s;
        }
        """)]
    [InlineData("""
        [Differentiable]
        public static float F(Matrix<float>[] W, Matrix<float> x, int stop)
        {
            var h = x;
            for (int i = 0; i < W.Length; i++)
            {
                if (i == stop)
                    break;
                h = MatrixOps.MatMul(h, W[i]);
            }
            return MatrixOps.Sum(h);
        }
        """)]
    [InlineData("""
        [Differentiable]
        public static float F(Matrix<float> w, bool early)
        {
            var s = MatrixOps.Sum(w);
            if (early)
                return s;
            return s * s;
        }
        """)]
    [InlineData("""
        [Differentiable]
        public static float F(Matrix<float> w)
        {
            var s = MatrixOps.Sum(w);
            for (float k = s; k < 3; k++)
                s = s * s;
            return s;
        }
        """)]
    [InlineData("""
        public static Matrix<float> Twice(Matrix<float> w) => w + w;

        [Differentiable] public static float F(Matrix<float> w) => MatrixOps.Sum(Twice(w));
        """)]
    [InlineData("""
        [Differentiable] public static Matrix<double> Layer(Matrix<double> w, [NoDerivative] Matrix<double> x) => MatrixOps.MatMul(x, w);
        [Differentiable] public static double F(Matrix<double> w, Matrix<double> x) => MatrixOps.Sum(Layer(w, MatrixOps.Relu(x)));
        """)]
    public void MatrixMethodsTakeWhatScalarMethodsTake(string members)
    {
        var (_, diagnostics, output) = GeneratorRunner.Run(Preamble + "public static partial class Model\n{\n" + members + "\n}\n");
        Assert.Empty(diagnostics);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void BP1003_MatrixCallWithoutAPullback() => Expect("BP1003", """
        public static partial class Model
        {
            [Differentiable] public static float F(Matrix<float> w) => MatrixOps.Sum([|w.Clone()|]);
        }
        """);

    [Fact]
    public void BP1004_MatrixRecursion() => Expect("BP1004", """
        public static partial class Model
        {
            [Differentiable] public static Matrix<float> F(Matrix<float> w) => [|F(w)|];
        }
        """);

    [Fact]
    public void BP0011_HessianOfArrayResult() =>
        Assert.Contains("'F' returns 'double[]', which has no Derivatives.Hessian", Expect("BP0011", """
        public static partial class Model
        {
            [Differentiable([|Derivatives.Gradient | Derivatives.Hessian|])]
            public static double[] F(double x)
            {
                var y = new double[1];
                y[0] = x * x;
                return y;
            }
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0011_HessianOfTupleResult() =>
        Assert.Contains("'F' returns '(double, double)', which has no Derivatives.Hessian", Expect("BP0011", """
        public static partial class Model
        {
            [Differentiable([|Derivatives.Hessian|])]
            public static (double, double) F(double x) => (x * x, x);
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0011_JacobianOfScalarResult() => Expect("BP0011", """
        public static partial class Model
        {
            [Differentiable([|Derivatives.Jacobian|])] public static double F(double x) => x * x;
        }
        """);

    [Fact]
    public void BP0005_ResultDerivativeNameCollision() => Expect("BP0005", """
        public static partial class Model
        {
            [Differentiable]
            public static double[] F(double x, [NoDerivative] double [|dresult|])
            {
                var y = new double[1];
                y[0] = x * dresult;
                return y;
            }
        }
        """);

    [Fact]
    public void BP1002_ReturningAParameterArray() => Expect("BP1002", """
        public static partial class Model
        {
            [Differentiable] public static double[] F(double[] x) { return [|x|]; }
        }
        """);

    [Fact]
    public void BP1002_ReturningTwoDifferentArrays() => Expect("BP1002", """
        public static partial class Model
        {
            [Differentiable]
            public static double[] F(double x)
            {
                var a = new double[1];
                var b = new double[1];
                a[0] = x;
                b[0] = 2 * x;
                if (x > 0)
                    return a;
                return [|b|];
            }
        }
        """);

    [Fact]
    public void BP1001_ArrayResultWithoutReturn() => Expect("BP1001", """
        public static partial class Model
        {
            [Differentiable]
            public static double[] F(double x)
            [|{
                while (true)
                    x = x * 2;
            }|]
        }
        """);

    [Fact]
    public void BP1002_CallingAnArrayReturningMethod() =>
        Assert.Contains("Calling 'G', which returns an array, here is not supported in a [Differentiable] method; assign its result to a local array (double[] y = G(…);) and read that", Expect("BP1002", """
        public static partial class Model
        {
            [Differentiable]
            public static double[] G(double x)
            {
                var y = new double[1];
                y[0] = x;
                return y;
            }

            [Differentiable]
            public static double F(double x)
            {
                double s = 0;
                for (int i = 0; i < 2; i++)
                    s += [|G(x)|][0];
                return s;
            }
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1006_JacobianNeedsCalleeTangentAndGradient() =>
        Assert.Contains("needs its Derivatives.Tangent", Expect("BP1006", """
        public static partial class Model
        {
            [Differentiable] public static double Square(double v) => v * v;

            [Differentiable(Derivatives.Jacobian)]
            public static double[] F(double x)
            {
                var y = new double[1];
                y[0] = [|Square(x)|];
                return y;
            }
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1009_PullbackWithoutAGradientForTheParameter() =>
        Assert.Contains("its [DerivativeOf] pullback gives no gradient", Expect("BP1009", """
            public static partial class Model
            {
                public static double Scale(double v, [NoDerivative] double by) => v * by;

                [DerivativeOf(nameof(Scale))]
                public static void ScalePullback(double v, double by, double result, double dResult, out double dV) => dV = dResult * by;

                [Differentiable] public static double F(double x, double y) => Scale(x, [|y|]);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    /// <summary>The derivative methods are compiled unchecked like the project: a method's own checked(…) would throw where they wrap.</summary>
    [Fact]
    public void BP1002_CheckedIntegerArithmetic() =>
        Assert.Contains("Checked integer arithmetic ('n * 1000')", Expect("BP1002", """
            public static partial class Model
            {
                [Differentiable] public static double F(double x, int n) => x * checked([|n * 1000|]);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    /// <summary>A helper inlined into the method answers to the same rule: its checked(…) is named through BP1010.</summary>
    [Fact]
    public void CheckedIntegerArithmeticInAnInlinedHelperIsRefused()
    {
        var (_, diagnostics, _) = GeneratorRunner.Run(Preamble + """
            public static partial class Model
            {
                static double Scaled(double x, int n) => x * checked(n * 1000);

                [Differentiable] public static double F(double x, int n) => Scaled(x, n) * 2;
            }
            """);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal("BP1010", diagnostic.Id);
        Assert.Contains("Checked integer arithmetic ('n * 1000')", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>Floating-point arithmetic never checks overflow, so checked(…) around it changes nothing and is accepted.</summary>
    [Fact]
    public void CheckedAroundFloatingPointArithmeticIsFine()
    {
        var (_, diagnostics, output) = GeneratorRunner.Run(Preamble + """
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => checked(x * 2.0 + 1.0);
            }
            """);
        Assert.Empty(diagnostics);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    /// <summary>In a project that checks overflow, the generated code checks too: a method's own unchecked(…) would wrap where they throw.</summary>
    [Fact]
    public void BP1002_UncheckedIntegerArithmeticInACheckedProject()
    {
        CSharpCompilation compilation = GeneratorRunner.Compile(Preamble + """
            public static partial class Model
            {
                [Differentiable] public static double F(double x, int n) => x * unchecked(n * 1000) + checked(n + 1);
            }
            """);
        compilation = compilation.WithOptions(compilation.Options.WithOverflowChecks(true));
        GeneratorRunner.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> diagnostics);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal("BP1002", diagnostic.Id);
        Assert.Contains("Unchecked integer arithmetic ('n * 1000') in a project that checks overflow", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>Each value of <c>var (s, c) = Math.SinCos(…)</c> computes the argument, and so calls the callee, again: still one report for the one place.</summary>
    [Fact]
    public void BP1009_ReportedOnceForAnArgumentLoweredTwice()
    {
        var (_, diagnostics, _) = GeneratorRunner.Run(Preamble + """
            public static partial class Model
            {
                public static double Scale(double v, [NoDerivative] double by) => v * by;

                [DerivativeOf(nameof(Scale))]
                public static void ScalePullback(double v, double by, double result, double dResult, out double dV) => dV = dResult * by;

                [Differentiable] public static double F(double x, double[,] q)
                {
                    var (s, c) = Math.SinCos(Scale(x, q[0, 0]));
                    return s * c;
                }
            }
            """);
        Assert.Equal("BP1009", Assert.Single(diagnostics).Id);
    }

    /// <summary>
    /// An element of a two-dimensional array or of an array of arrays varies as one of an array does: passed to a helper's
    /// [NoDerivative] parameter, it calls the helper's derivatives that differentiate that parameter, as <c>q[i]</c> does.
    /// </summary>
    [Fact]
    public void GridAndRowElementsPassedToAHelpersNoDerivativeParameterAreDifferentiated()
    {
        var (result, diagnostics, output) = GeneratorRunner.Run(Preamble + """
            public static partial class Model
            {
                internal static double Blend(double a, [NoDerivative] double t) => (1 - t) * a + t * Math.Tanh(a);

                [Differentiable] public static double F(double x, double[,] q) => Blend(x, q[0, 1]);
                [Differentiable] public static double G(double x, double[][] q) => Blend(x, q[1][0]);
            }
            """);
        Assert.Empty(diagnostics);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains(result.GeneratedTrees, tree => tree.FilePath.EndsWith("Blend.EveryParameter.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void NoDerivativeParameterFedAPassiveValueIsFine()
    {
        var (_, diagnostics, output) = GeneratorRunner.Run(Preamble + """
            public static partial class Model
            {
                [Differentiable] public static double G(double w, [NoDerivative] double x) => w * x;
                [Differentiable] public static double F(double w, [NoDerivative] double s, int n) => G(w, s * n + 1);
            }
            """);
        Assert.Empty(diagnostics);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void BP1001_ArrayPassedToACallKeptForItsEffect() =>
        Assert.Contains("Passing the array 'x' to 'Log', which could change it", Expect("BP1001", """
            public static partial class Model
            {
                static void Log(double[] values) { }

                [Differentiable] public static double F(double[] x)
                {
                    Log([|x|]);
                    return x[0] * x[0];
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1001_ReferencePassedToACallKeptForItsEffect() => Expect("BP1001", """
        public static partial class Model
        {
            static void Scale(ref double value) => value *= 2;

            [Differentiable] public static double F(double x)
            {
                double y = x;
                Scale([|ref y|]);
                return y * x;
            }
        }
        """);

    [Fact]
    public void BP1001_EffectReadingSomethingItCannotPrint() => Expect("BP1001", """
        public static partial class Model
        {
            [Differentiable] public static double F(double x)
            {
                [|Console.WriteLine(new { x })|];
                return x * x;
            }
        }
        """);

    [Fact]
    public void BP0012_HandWrittenGradientWithTheGeneratedSignature() =>
        Assert.Contains("'FGradient' has the name and parameters of a member Backprop generates for 'F'", Expect("BP0012", """
            public static partial class Model
            {
                [Differentiable] public static double F(double x, double[] y) => x * y[0];

                public static double [|FGradient|](double x, double[] y, out double dx, double[] dy) { dx = y[0]; dy[0] = x; return x * y[0]; }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0012_MemberNamedAsAMatrixLayersVectorJacobian() => Expect("BP0012", """
        public static partial class Model
        {
            [Differentiable] public static Matrix<float> Layer(Matrix<float> w, [NoDerivative] Matrix<float> x) => MatrixOps.MatMul(x, w);

            public static int [|LayerVectorJacobian|] => 0;
        }
        """);

    [Fact]
    public void AnOverloadWithOtherParametersIsNoCollision()
    {
        var (_, diagnostics, output) = GeneratorRunner.Run(Preamble + """
            public static partial class Model
            {
                [Differentiable(Derivatives.Gradient | Derivatives.Tangent)] public static double F(double x) => x * x;

                public static double FGradient(double x) => 2 * x;
                public static double FTangent(float x, float dx) => 2 * x * dx;
            }
            """);
        Assert.Empty(diagnostics);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void BP1002_EnumPassedToACall() =>
        Assert.Contains("Passing the enum value 'mode' to 'Scale'", Expect("BP1002", """
            public enum Mode { Slow, Fast }
            public static partial class Model
            {
                [Differentiable] public static double Scale(double x, Mode mode) => mode == Mode.Fast ? 2 * x : x;
                [Differentiable] public static double F(double x, Mode mode) => Scale(x, [|mode|]) * x;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1001_BreakOutOfASwitchSectionBeforeItsEnd() =>
        Assert.Contains("A break out of a switch section before its end", Expect("BP1001", """
            public static partial class Model
            {
                [Differentiable] public static double F(double x, int n)
                {
                    double s = x;
                    switch (n)
                    {
                        case 1:
                            if (x > 0)
                                [|break;|]
                            s = x * x;
                            break;
                    }
                    return s;
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1002_PatternThatIsNotAValueTest() =>
        Assert.Contains("The pattern '{ }'", Expect("BP1002", """
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => x is [|{ }|] ? x * x : x;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1010_HelperWithAConstructThatCannotBeDifferentiated()
    {
        string message = Expect("BP1010", """
            public static class Kernels
            {
                public static double Outer(double x) => Inner(x) * 2;
                public static double Inner(double x) { [|try { return x * x; } finally { }|] }
            }
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => Kernels.Outer(x) + x;
            }
            """, allowCompilerErrors: true).GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains("'Inner', which 'F' calls (F → Outer → Inner), cannot be differentiated", message);
        Assert.Contains("(BP1001)", message);
    }

    [Fact]
    public void BP1010_HelperUsingAPrivateMemberOfATypeThatIsNotPartial() =>
        Assert.Contains("make 'Kernels' partial", Expect("BP1010", """
            public static class Kernels
            {
                private static readonly double Scale = 2;
                public static double Scaled(double x) => x * [|Scale|];
            }
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => Kernels.Scaled(x);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1004_RecursionThroughHelpers() =>
        Assert.Contains("'Even' calls itself", Expect("BP1004", """
            public static partial class Model
            {
                static double Even(double x, int n) => n == 0 ? x : Odd(x * x, n - 1);
                static double Odd(double x, int n) => n == 0 ? -x : [|Even(x, n - 1)|];

                [Differentiable] public static double F(double x) => Even(x, 3);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1002_TupleFromAMethodWithoutSource() =>
        Assert.Contains("The tuple 'Math.DivRem(n, 3)'", Expect("BP1002", """
            public static partial class Model
            {
                [Differentiable] public static double F(double x, int n)
                {
                    var (q, r) = [|Math.DivRem(n, 3)|];
                    return q * x + r;
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("double[] a = new double[2]; [|a = new double[3]|];", "BP1001", "allocate each array once, at the top level of the method, and reassign or swap those")]
    [InlineData("var [|list = new System.Collections.Generic.List<double> { x }|]; foreach (var e in list) x += e;", "BP1002", "lists and other collections are not supported")]
    [InlineData("float f = [|(float)(Half)x|];", "BP1002", "Half, decimal and other number types are not supported")]
    [InlineData("Func<double, double> f = v => v * v; x = [|f(x)|];", "BP1002", "a plain static method is differentiated as an implicit helper")]
    public void RefusalsSayWhatToWriteInstead(string statements, string id, string advice)
    {
        string source = Preamble + $$"""
            public static partial class Model
            {
                [Differentiable] public static double F(double x)
                {
                    {{statements.Replace("[|", "").Replace("|]", "")}}
                    return x;
                }
            }
            """;
        var (_, diagnostics, _) = GeneratorRunner.Run(source);
        string marked = statements.Substring(statements.IndexOf("[|", StringComparison.Ordinal) + 2);
        marked = marked.Substring(0, marked.IndexOf("|]", StringComparison.Ordinal));
        Diagnostic diagnostic = Assert.Single(diagnostics, d => source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length) == marked);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(advice, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A local of a type the lowering does not take (System.Numerics.Matrix3x2, a struct holding a string) is reported
    /// once, at its declaration, whatever its uses: BP1002, or BP1012 naming the struct's member in the way.
    /// </summary>
    [Theory]
    [InlineData("var [|v = new Pair(y, y)|]; y = v.A * v.B + v.A; v.A = y; v = new Pair(y, 1); y += v.B;", "BP1012",
        "The struct 'Pair' cannot be differentiated in 'F': its field 'Name' is a 'string'")]
    [InlineData("var [|c = new System.Numerics.Matrix3x2(y, 1, 0, 1, 0, 0)|]; c = c * c; y += c.M11 + c.M12;", "BP1002",
        "A local of type 'System.Numerics.Matrix3x2'", "use double, float, int, long, bool, a double[]/float[] local or a struct of this compilation that holds numbers")]
    public void ALocalOfAnotherTypeGivesOneDiagnostic(string statements, string id, params string[] says) =>
        ExpectOnlyInBody("", """public struct Pair { public double A, B; public string Name; public Pair(double a, double b) { A = a; B = b; Name = ""; } }""", statements, id, says);

    /// <summary>
    /// Local arrays of structs: what the lowering does not take (numbers of mixed types, made otherwise than with
    /// new S[n], used whole, reassigned, written with a struct's operator) is reported once, where it is.
    /// </summary>
    [Theory]
    [InlineData("var [|p = new Mixed[2]|]; p[0].A = y; y += p[0].A;", "BP1012",
        "The struct 'Mixed' cannot be the local array 'p' of 'F': a local array of it is held as the numbers it holds, which must then be all double or all float")]
    [InlineData("Vec[] p = [|{ new Vec(y, y) }|]; y += p[0].X;", "BP1002",
        "The local array of structs 'p' made this way", "create it where it is declared, with its length (Vec[] p = new Vec[n];), then set its elements one by one (p[i] = new Vec(…);)")]
    [InlineData("var p = new Vec[2]; p[0] = new Vec(y, y); y += Sum([|p|]);", "BP1002",
        "Using the array of structs 'p' whole", "read and write its elements here by index (p[i], p[i].X), and pass elements or their members, not the array")]
    [InlineData("var p = new Vec[2]; var q = new Vec[2]; [|p = q|]; y += p[0].X;", "BP1001",
        "Reassigning the local array of structs 'p'", "copy the elements one by one (p[i] = other[i];)")]
    [InlineData("var p = new Vec[2]; p[0] = new Vec(y, y); [|p[1] += p[0]|]; y += p[1].X;", "BP1001",
        "The write 'p[1] += p[0]' to an element of a local array of structs", "e.g. p[1] = p[1] + d")]
    public void LocalArraysOfStructsRefusedOnce(string statements, string id, params string[] says) =>
        ExpectOnlyInBody("""
            public readonly record struct Vec(double X, double Y) { public static Vec operator +(Vec a, Vec b) => new(a.X + b.X, a.Y + b.Y); }
            public struct Mixed { public double A; public int N; }
            """, "[Differentiable] public static double Sum(Vec[] v) => v[0].X + v[1].Y;", statements, id, says);

    /// <summary>
    /// Local arrays of arrays: rows of lengths that differ (or a loop that is not the one form) refuse the local where it
    /// is declared; a made one used otherwise than by element (a row named, passed or replaced, the array looped over)
    /// is refused where it is used.
    /// </summary>
    [Theory]
    [InlineData("var [|rows = new double[2][]|]; for (int i = 0; i < 2; i++) rows[i] = new double[i + 1]; y += rows[0][0];", "BP1002",
        "The local array of arrays 'rows'", "create it with its rows of one length, the loop giving them right after it")]
    [InlineData("var [|rows = new double[2][]|]; for (int i = 0; i < 1; i++) rows[i] = new double[3]; y += rows[0][0];", "BP1002",
        "The local array of arrays 'rows'")]
    [InlineData("var rows = new double[2][]; for (int i = 0; i < rows.Length; i++) rows[i] = new double[3]; [|rows|][1] = new double[4]; y += rows[1][0];", "BP1002",
        "Using the local array of arrays 'rows' whole", "its rows keep the length the loop after its declaration gave them")]
    [InlineData("var rows = new double[2][]; for (int i = 0; i < rows.Length; i++) rows[i] = new double[3]; rows[0][1] = y; y += Sum([|rows[0]|]);", "BP1002",
        "Using the row 'rows[0]' of a local array of arrays whole")]
    public void LocalArraysOfArraysOtherThanRowsOfOneLength(string statements, string id, params string[] says) =>
        ExpectOnlyInBody("", "[Differentiable] public static double Sum(double[] v) => v[0] + v[1];", statements, id, says);

    /// <summary>
    /// <see cref="ExpectOnly"/> for <paramref name="statements"/> (one part marked) in the body of
    /// <c>[Differentiable] double F(double y)</c>, which returns <c>y</c> after them, beside <paramref name="members"/> of its
    /// type and after the <paramref name="types"/> declared before it.
    /// </summary>
    private static void ExpectOnlyInBody(string types, string members, string statements, string id, params string[] says)
    {
        string source = Preamble + $$"""
            {{types}}
            public static partial class Model
            {
                {{members}}

                [Differentiable] public static double F(double y)
                {
                    {{statements.Replace("[|", "").Replace("|]", "")}}
                    return y;
                }
            }
            """;
        ExpectOnly(source, Marked(statements), id, says);
    }

    /// <summary>A span local the lowering refuses is reported once, at its declaration or allocation, whatever its uses.</summary>
    [Theory]
    [InlineData("for (int i = 0; i < 2; i++) { Span<double> s = [|stackalloc double[2]|]; s[0] = y; s[1] += s[0]; y = s[1]; }",
        "Allocating a span with stackalloc inside a branch or loop", "(Span<double> s = stackalloc double[n];), and reuse it in each iteration")]
    [InlineData("Span<double> [|s = x.AsSpan(1)|]; s[0] = y; foreach (var e in s) y += e; y += Sum(s) + s.Length;",
        "The span local 's' made from 'x.AsSpan(1)'", "or read the array or span it would view directly")]
    [InlineData("ReadOnlySpan<double> [|s = x|]; y += s[0] + Sum(s);",
        "The span local 's' made from 'x'", "(ReadOnlySpan<double> s = stackalloc double[n];)")]
    public void RefusedSpanLocalsGiveOneDiagnostic(string statements, string what, string advice)
    {
        string source = Preamble + $$"""
            public static partial class Model
            {
                [Differentiable] public static double Sum(ReadOnlySpan<double> v) => v[0] + v[1];

                [Differentiable] public static double F(double[] x, double y)
                {
                    {{statements.Replace("[|", "").Replace("|]", "")}}
                    return y;
                }
            }
            """;
        ExpectOnly(source, Marked(statements), "BP1002", what, advice);
    }

    /// <summary>What reassigning local arrays may not do: each refused once, where it happens, saying what to write.</summary>
    [Theory]
    [InlineData("var a = new double[2]; var b = new double[2]; a[0] = x[0]; [|(a, b) = (b, a)|]; return a;", "BP1001",
        "Reassigning the local array 'a', which the method returns,", "return an array that is never reassigned")]
    [InlineData("var s = x; var t = new double[2]; if (x[0] > 0) s = t; [|s[0]|] = 1; return t;", "BP1005",
        "'s', which may refer to 'x' is a parameter array", "copy it into a local array first")]
    [InlineData("Span<double> a = stackalloc double[2], b = stackalloc double[2]; [|a = b|]; var r = new double[1]; r[0] = a[0] + x[0]; return r;", "BP1001",
        "Reassigning the span local 'a'", "reassign or swap local arrays")]
    [InlineData("var a = new double[2]; var b = new double[2]; var r = new double[1]; foreach (var e in a) { r[0] += e * x[0]; [|a = b|]; } return r;", "BP1001",
        "Reassigning 'a' inside a foreach loop over it", "loop over its indices")]
    [InlineData("var a = new double[2]; var b = new double[2]; [|(a, b) = (b, b)|]; var r = new double[1]; r[0] = a[0] * x[0]; return r;", "BP1001",
        "The deconstruction '(a, b) = (b, b)' of arrays", "swap two local arrays")]
    [InlineData("var a = new double[2]; [|x = a|]; var r = new double[1]; r[0] = a[0]; return r;", "BP1001",
        "Reassigning the parameter array 'x'", "give it a local of its own")]
    [InlineData("var a = new double[2]; a = (x.Length > 1 ? a : [|null|])!; var r = new double[1]; r[0] = a[0]; return r;", "BP1002",
        "Assigning 'null' to the local array 'a'", "assign another local or parameter array")]
    public void ReassigningLocalArraysRefusesWhatItCannotDifferentiate(string statements, string id, string what, string advice)
    {
        string source = Preamble + $$"""
            public static partial class Model
            {
                [Differentiable] public static double[] F(double[] x)
                {
                    {{statements.Replace("[|", "").Replace("|]", "")}}
                }
            }
            """;
        ExpectOnly(source, Marked(statements), id, what, advice);
    }

    /// <summary>A method returning an array called where its result reassigns a local array (a roll-out), and what stays out.</summary>
    [Theory]
    [InlineData("Derivatives.Gradient | Derivatives.Hessian", "[Differentiable]", "BP1002",
        "Calling 'Step', which returns an array, from 'F', which asks for Derivatives.Hessian,", "remove Derivatives.Hessian from 'F' (an array result has no second derivatives)")]
    [InlineData("Derivatives.Gradient | Derivatives.Tangent", "[Differentiable]", "BP1006",
        "'Step' is called from 'F', which needs its Derivatives.Tangent", "add Derivatives.Tangent to the [Differentiable] attribute of 'Step'")]
    [InlineData("Derivatives.Gradient", "", "BP1002",
        "Calling 'Step', which returns an array and is not [Differentiable], here", "mark 'Step' [Differentiable] (its vector-Jacobian product is then chained through the calls)")]
    public void RollOutsRefuseWhatTheirStepCannotGive(string modes, string stepAttribute, string id, string what, string advice)
    {
        string source = Preamble + $$"""
            public static partial class Model
            {
                {{stepAttribute}}
                public static double[] Step(double[] s, double p)
                {
                    var next = new double[s.Length];
                    for (int i = 0; i < s.Length; i++)
                        next[i] = p * s[i];
                    return next;
                }

                [Differentiable({{modes}})] public static double F(double[] s0, double p)
                {
                    var s = s0;
                    for (int k = 0; k < 3; k++)
                        s = Step(s, p);
                    return s[0];
                }
            }
            """;
        ExpectOnly(source, "Step(s, p)", id, what, advice);
    }

    /// <summary>The text between <c>[|</c> and <c>|]</c>.</summary>
    private static string Marked(string statements)
    {
        string marked = statements.Substring(statements.IndexOf("[|", StringComparison.Ordinal) + 2);
        return marked.Substring(0, marked.IndexOf("|]", StringComparison.Ordinal));
    }

    /// <summary>Runs the generator and requires one diagnostic alone (a construct refused once): <paramref name="id"/>, at <paramref name="marked"/>, saying each of <paramref name="says"/>.</summary>
    private static void ExpectOnly(string source, string marked, string id, params string[] says)
    {
        var (_, diagnostics, _) = GeneratorRunner.Run(source);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(marked, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal(id, diagnostic.Id);
        foreach (string text in says)
            Assert.Contains(text, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void BP1001_ClearingASpanLocal() =>
        Assert.Contains("Calling 'Clear' on 's', which could change it", Expect("BP1001", """
            public static partial class Model
            {
                [Differentiable] public static double F(double x)
                {
                    Span<double> s = stackalloc double[2];
                    s[0] = x;
                    [|s.Clear()|];
                    return s[0];
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1002_LocalFunctionWritingACapturedVariableInsideAnExpression() =>
        Assert.Contains("return the new value from the local function and assign it where it is called", Expect("BP1002", """
            public static partial class Model
            {
                [Differentiable] public static double F(double x)
                {
                    double total = 1;
                    double Bump(double v) { [|total|] += v; return total; }
                    return total * Bump(x);
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0013_PullbackOfADifferentiableMethod() =>
        Assert.Contains("is [Differentiable], and its generated derivatives take precedence", Expect("BP0013", """
            public static partial class Model
            {
                [Differentiable] public static double Cube(double s) => s * s * s;

                [[|DerivativeOf(nameof(Cube))|]]
                public static void CubePullback(double s, double result, double dResult, out double dS) => dS = dResult * 3 * s * s;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1010_OnceForAHelperCalledTwice()
    {
        var (_, diagnostics, _) = GeneratorRunner.Run(Preamble + """
            public static class Kernels
            {
                public static double Inner(double x) { try { return x * x; } finally { } }
            }
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => Kernels.Inner(x) + Kernels.Inner(2 * x);
            }
            """);
        Assert.Equal("BP1010", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void BP0001_InstanceMethodOfATypeWithoutParameterFields() =>
        Assert.Contains("'Model' has no field of type Matrix<T>, Matrix<T>[], double, float, double[], float[] or of a model", Expect("BP0001", """
            public partial class Model
            {
                [NoDerivative] public double Scale = 2;
                public int Count;
                [Differentiable] public double [|F|](double x) => Scale * x * Count;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0015_HessianOfAModelWithAStackOfMatrices() =>
        Assert.Contains("its field 'Ws' is a stack of matrices (Backprop.Matrix<double>[]), through which second derivatives are not generated; remove Derivatives.Hessian from its attribute", Expect("BP0015", """
            public partial class Model
            {
                public Matrix<double>[] Ws = null!;
                [Differentiable([|Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian|])] public double F([NoDerivative] Matrix<double> x) => MatrixOps.Sum(MatrixOps.MatMul(x, Ws[0]));
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0015_JacobianOfAModelMethod() => Expect("BP0015", """
        public partial class Model
        {
            public double A;
            [Differentiable([|Derivatives.Jacobian|])] public double[] F(double x) => new[] { A * x };
        }
        """);

    [Fact]
    public void BP0017_TrainStepOfAStaticMethod() =>
        Assert.Contains("it is static, and a train step updates a model's parameter fields in place; make 'Loss' an instance method", Expect("BP0017", """
            public static partial class Functions
            {
                [Differentiable([|Derivatives.Gradient | Derivatives.TrainStep|])] public static double Loss(double w) => w * w;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0017_TrainStepOfAStructModel() =>
        Assert.Contains("its model 'Model' is a struct, which an optimizer would update a copy of; make 'Model' a class or record class", Expect("BP0017", """
            public partial struct Model
            {
                public Matrix<float> W;
                [Differentiable([|Derivatives.TrainStep|])] public float Loss([NoDerivative] Matrix<float> x) => MatrixOps.Sum(MatrixOps.MatMul(x, W));
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0017_TrainStepOfAModelWithAnInitOnlyParameter() =>
        Assert.Contains("the model's parameter 'Bias' cannot be updated in place: it is an init-only property; give it a setter, make it a field, or mark it [NoDerivative]", Expect("BP0017", """
            public partial record Model(Matrix<double> W, double Bias)
            {
                [Differentiable([|Derivatives.Gradient | Derivatives.TrainStep|])] public double Loss([NoDerivative] Matrix<double> x) => MatrixOps.Sum(MatrixOps.MatMul(x, W)) + Bias;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0017_TrainStepOfAModelMixingFloatAndDouble() =>
        Assert.Contains("the parameters of 'Model' mix float and double, and one optimizer updates them all; make them all float or all double", Expect("BP0017", """
            public partial class Model
            {
                public Matrix<float> W = null!;
                public double Scale = 1;
                [Differentiable([|Derivatives.TrainStep|])] public double Loss([NoDerivative] Matrix<float> x) => Scale * MatrixOps.Sum(MatrixOps.MatMul(x, W));
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0017_TrainStepOfAMatrixResult() =>
        Assert.Contains("it returns 'Backprop.Matrix<float>', and a train step minimizes a loss; return a double or float", Expect("BP0017", """
            public partial class Model
            {
                public Matrix<float> W = null!;
                [Differentiable([|Derivatives.TrainStep|])] public Matrix<float> Forward([NoDerivative] Matrix<float> x) => MatrixOps.MatMul(x, W);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0017_TrainStepWithAStackOfItsOwnOrAParameterNamedOptimizer()
    {
        Assert.Contains("its parameter 'inputs' would get a gradient that a train step has nowhere to put; mark it [NoDerivative]", Expect("BP0017", """
            public partial class Model
            {
                public Matrix<double> W = null!;
                [Differentiable(Derivatives.TrainStep)] public double Loss(Matrix<double>[] [|inputs|]) => MatrixOps.Sum(MatrixOps.MatMul(inputs[0], W));
            }
            """).GetMessage(CultureInfo.InvariantCulture));
        Assert.Contains("its parameter 'optimizer' has the name of the train step's optimizer; rename it", Expect("BP0017", """
            public partial class Model
            {
                public double A;
                [Differentiable(Derivatives.TrainStep)] public double Loss([NoDerivative] double [|optimizer|]) => A * A * optimizer;
            }
            """).GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void BP0005_ModelMethodParameterNamedGradients() => Expect("BP0005", """
        public partial class Model
        {
            public double A;
            [Differentiable] public double F(double x, [NoDerivative] double [|gradients|]) => A * x * gradients;
        }
        """);

    [Fact]
    public void BP0010_HessianOfAModelMethodTakingAStack() => Expect("BP0010", """
        public partial class Model
        {
            public Matrix<double> W = null!;
            [Differentiable(Derivatives.Hessian)] public double [|F|](Matrix<double>[] layers, [NoDerivative] Matrix<double> x) => MatrixOps.Sum(MatrixOps.MatMul(MatrixOps.MatMul(x, W), layers[0]));
        }
        """);

    [Fact]
    public void BP0005_ModelHessianParameterNamedProduct() => Expect("BP0005", """
        public partial class Model
        {
            public double A;
            [Differentiable(Derivatives.Hessian)] public double F(double x, [NoDerivative] double [|product|]) => A * x * product;
        }
        """);

    [Fact]
    public void BP0005_ModelTangentParameterNamedDirection() => Expect("BP0005", """
        public partial class Model
        {
            public double A;
            [Differentiable(Derivatives.Tangent)] public double F(double x, [NoDerivative] double [|direction|]) => A * x * direction;
        }
        """);

    [Fact]
    public void BP0016_LayerTypeNotPartial() =>
        Assert.Contains("its field 'Layer' holds a 'Dense', a model by its fields (W), and 'Dense' is not partial, so the generator cannot add 'Dense.Gradients': make it partial, or mark 'Layer' [NoDerivative] if it holds hyperparameters", Expect("BP0016", """
            public class Dense
            {
                public Matrix<float> W = null!;
            }
            public partial class Model
            {
                public Dense [|Layer|] = new();
                [Differentiable] public float F([NoDerivative] Matrix<float> x) => MatrixOps.Sum(MatrixOps.MatMul(x, Layer.W));
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0016_ArrayOfLayers() =>
        Assert.Contains("its field 'Layers' holds the model 'Dense' in a 'Dense[]', which is not supported yet", Expect("BP0016", """
            public partial class Dense
            {
                public Matrix<float> W = null!;
            }
            public partial class Model
            {
                public Dense[] [|Layers|] = null!;
                public Matrix<float> W = null!;
                [Differentiable] public float F([NoDerivative] Matrix<float> x) => MatrixOps.Sum(MatrixOps.MatMul(x, W));
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0016_ListOfMatrices() => Expect("BP0016", """
        public partial class Model
        {
            public System.Collections.Generic.List<Matrix<float>> [|Weights|] = new();
            public Matrix<float> W = null!;
            [Differentiable] public float F([NoDerivative] Matrix<float> x) => MatrixOps.Sum(MatrixOps.MatMul(x, W));
        }
        """);

    [Fact]
    public void BP0016_LayerHoldingItsOwnType() =>
        Assert.Contains("its field 'Next' holds a 'Node' again", Expect("BP0016", """
            public partial class Node
            {
                public Matrix<float> W = null!;
                public Node? [|Next|];
                [Differentiable] public float F([NoDerivative] Matrix<float> x) => MatrixOps.Sum(MatrixOps.MatMul(x, W));
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0016_MemberNamedGradients() => Expect("BP0016", """
        public partial class Model
        {
            public double A;
            public int [|Gradients|];
            [Differentiable] public double F(double x) => A * x;
        }
        """);

    [Fact]
    public void BP0016_ParameterFieldNamedFor() => Expect("BP0016", """
        public partial class Model
        {
            public double [|For|];
            [Differentiable] public double F(double x) => For * x;
        }
        """);

    [Fact]
    public void BP0016_GenericModel() => Expect("BP0016", """
        public partial class [|Model|]<T>
        {
            public double A;
            [Differentiable] public double F(double x) => A * x;
        }
        """);

    [Fact]
    public void BP0016_PrivateParameterOfALayer() =>
        Assert.Contains("its parameter 'W' is private, and the model 'Model' reads it through 'Layer': make it internal or public", Expect("BP0016", """
            public partial class Dense
            {
                private Matrix<float> [|W|] = null!;
                public Matrix<float> Forward(Matrix<float> x) => MatrixOps.MatMul(x, W);
            }
            public partial class Model
            {
                public Dense Layer = new();
                [Differentiable] public float F([NoDerivative] Matrix<float> x) => MatrixOps.Sum(Layer.Forward(x));
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0016_MatricesOfTwoElementTypes() =>
        Assert.Contains("its field 'V' is Backprop.Matrix<double> but 'W' is Backprop.Matrix<float>", Expect("BP0016", """
            public partial class Model
            {
                public Matrix<float> W = null!;
                public Matrix<double> [|V|] = null!;
                [Differentiable] public float F([NoDerivative] Matrix<float> x) => MatrixOps.Sum(MatrixOps.MatMul(x, W));
                [Differentiable] public float G([NoDerivative] Matrix<float> x) => MatrixOps.Sum(MatrixOps.MatMul(x, W)) * 2;
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP0016_MethodOverMatricesOfAnotherElementTypeThanItsModels() =>
        Assert.Contains("its field 'W' is Backprop.Matrix<float> but 'F' uses matrices of double", Expect("BP0016", """
            public partial class Model
            {
                public Matrix<float> W = null!;
                [Differentiable] public double [|F|]([NoDerivative] Matrix<double> x) => MatrixOps.Sum(x);
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    /// <summary>A model's parameters are the fields it declares: one inherited from a base class is read as nothing else is.</summary>
    [Fact]
    public void BP1002_FieldInheritedByAModel() => Expect("BP1002", """
        public class Base
        {
            public Matrix<float> B = null!;
        }
        public partial class Model : Base
        {
            public Matrix<float> W = null!;
            [Differentiable] public float F([NoDerivative] Matrix<float> x) => MatrixOps.Sum(MatrixOps.MatMul(x, W)) + MatrixOps.Sum([|B|]);
        }
        """);

    [Fact]
    public void BP1011_AssigningAField() =>
        Assert.Contains("'F' assigns 'Calls', which is part of its model, but a [Differentiable] method reads its model and never changes it", Expect("BP1011", """
            public partial class Model
            {
                public double A;
                public int Calls;
                [Differentiable] public double F(double x)
                {
                    [|Calls = Calls + 1|];
                    return A * x;
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1011_WritingAnElementOfAFieldArray() => Expect("BP1011", """
        public partial class Model
        {
            public double[] Scales = { 1, 2 };
            [Differentiable] public double F(double x)
            {
                [|Scales[0] = x|];
                return Scales[1] * x;
            }
        }
        """);

    /// <summary>A layer's method is inlined where the model calls it: what its body cannot hold is BP1010, naming the construct's own diagnostic.</summary>
    [Fact]
    public void BP1010_LayerIncrementingItsOwnField() =>
        Assert.Contains("'Forward' assigns 'Calls', which is part of its model, but a [Differentiable] method reads its model and never changes it; compute the new value in a local (BP1011)", Expect("BP1010", """
        public partial class Dense
        {
            public Matrix<float> W = null!;
            public int Calls;
            public Matrix<float> Forward(Matrix<float> x)
            {
                [|Calls++|];
                return MatrixOps.MatMul(x, W);
            }
        }
        public partial class Model
        {
            public Dense Layer = new();
            [Differentiable] public float F([NoDerivative] Matrix<float> x) => MatrixOps.Sum(Layer.Forward(x));
        }
        """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void BP1011_CallingAMethodOnAField() =>
        Assert.Contains("calls 'CopyTo' on 'W', which is part of its model, for its effect", Expect("BP1011", """
            public partial class Model
            {
                public Matrix<float> W = null!;
                [Differentiable] public float F([NoDerivative] Matrix<float> x)
                {
                    [|W.CopyTo(x)|];
                    return MatrixOps.Sum(MatrixOps.MatMul(x, W));
                }
            }
            """).GetMessage(CultureInfo.InvariantCulture));

    [Fact]
    public void AModelsProblemIsReportedOnceForAllItsMethods()
    {
        var (_, diagnostics, _) = GeneratorRunner.Run(Preamble + """
            public partial class Model
            {
                public double A;
                public int Gradients;
                [Differentiable] public double F(double x) => A * x;
                [Differentiable] public double G(double x) => A * x * x;
            }
            """);
        Assert.Equal("BP0016", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void BadMethodDoesNotStopOthers()
    {
        var (result, diagnostics, output) = GeneratorRunner.Run(Preamble + """
            public partial class Model
            {
                [Differentiable] public double Bad(double x) => x;
                [Differentiable] public static double Good(double x) => x * x;
            }
            """);
        Assert.Equal("BP0001", Assert.Single(diagnostics).Id);
        Assert.Equal("Model.Good.g.cs", Assert.Single(result.Results.Single().GeneratedSources).HintName);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void EveryDescriptorIsDocumented()
    {
        string docs = File.ReadAllText(RepositoryPaths.Get("docs", "diagnostics.md"));
        foreach (DiagnosticDescriptor descriptor in Diagnostics.All)
        {
            Assert.Contains($"## {descriptor.Id}", docs);
            Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity);
            // GitHub and most Markdown viewers anchor "## BP1009" as #bp1009.
            Assert.Equal($"docs/diagnostics.md#{descriptor.Id.ToLowerInvariant()}", descriptor.HelpLinkUri);
        }
    }

    private const string Preamble = "using System;\nusing System.Linq;\nusing Backprop;\n";

    /// <summary>
    /// Runs the generator on the marked source and requires its diagnostics to be <paramref name="id"/>, the first at the
    /// marked span, with its help link; then states them, and the absence of compiler errors in the output, to the
    /// testing library's <see cref="GeneratorTest"/>. Returns the first, for tests that read its message.
    /// </summary>
    private static Diagnostic Expect(string id, string markedSource, bool allowCompilerErrors = false)
    {
        string source = Preamble + markedSource;
        int start = source.IndexOf("[|", StringComparison.Ordinal);
        int end = source.IndexOf("|]", StringComparison.Ordinal) - 2;
        source = source.Replace("[|", "").Replace("|]", "");
        string path = GeneratorRunner.SourceName(0);

        var (_, diagnostics, _) = GeneratorRunner.Run(source);
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal(id, d.Id));
        var ordered = diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Diagnostic diagnostic = ordered[0];
        Assert.Equal($"docs/diagnostics.md#{id.ToLowerInvariant()}", diagnostic.Descriptor.HelpLinkUri);

        var check = new GeneratorTest
        {
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
            CompilerDiagnostics = allowCompilerErrors ? CompilerDiagnostics.None : CompilerDiagnostics.Errors,
        };
        // A test may call a derivative that its error keeps from being generated.
        check.ToleratedCompilerErrors.Add("CS0103");
        check.TestState.Sources.Add((path, source));
        LinePositionSpan marked = SourceText.From(source).Lines.GetLinePositionSpan(TextSpan.FromBounds(start, end));
        check.TestState.ExpectedDiagnostics.Add(new DiagnosticResult(id, DiagnosticSeverity.Error).WithSpan(new FileLinePositionSpan(path, marked)));
        foreach (Diagnostic other in ordered.Skip(1))
            check.TestState.ExpectedDiagnostics.Add(new DiagnosticResult(id, DiagnosticSeverity.Error).WithSpan(other.Location.GetLineSpan()));
        check.Run();
        return diagnostic;
    }
}
