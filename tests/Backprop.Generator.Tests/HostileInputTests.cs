using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Tests;

/// <summary>
/// Unusual and broken input: each gives a clear diagnostic or correct code, never an exception from the
/// generator, and never breaks unrelated code. Every source here also holds <see cref="Bystander"/>, an
/// ordinary [Differentiable] method whose gradient must still be generated and compile.
/// </summary>
public class HostileInputTests
{
    private const string Bystander = """

        namespace Elsewhere
        {
            public static partial class Bystander
            {
                [Backprop.Differentiable] public static double G(double x) => x * x;
            }
        }
        """;

    private const string BystanderHint = "Elsewhere.Bystander.G.g.cs";

    /// <summary>The compiler reports syntax errors; the generator adds no diagnostic and no gradient of its error recovery.</summary>
    [Theory]
    [InlineData("double y = x * ;\n        return y;")]
    [InlineData("double y = Math.Sin(x\n        return y;")]
    [InlineData("return x +;")]
    [InlineData("double y = x\n        return y;")]
    public void SyntaxErrorsInsideTheBody(string body)
    {
        Outcome outcome = Run($$"""
            public static partial class Model
            {
                [Differentiable]
                public static double F(double x)
                {
                    {{body}}
                }
            }
            """);
        Assert.Empty(outcome.GeneratorIds);
        Assert.Equal(new[] { BystanderHint }, outcome.HintNames);
        outcome.AssertBystanderUnharmed();
    }

    [Fact]
    public void BindingErrorInsideTheBody()
    {
        Outcome outcome = Run("""
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => x * undefined;
            }
            """);
        Assert.Equal(new[] { "BP1002" }, outcome.GeneratorIds);
        outcome.AssertBystanderUnharmed();
    }

    [Theory]
    [InlineData("public static partial class Model\n{\n    [Differentiable] public static double F(double x => x * x;\n}")]
    [InlineData("public static partial class Model\n{\n    [Differentiable] public static double F(double x) => x * x;\n")]
    [InlineData("public static partial class Model\n{\n    [Differentiable] public static double F(double x) => x * x;\n    public static void Broken( {\n}")]
    [InlineData("public static partial class Model\n{\n    [Differentiable public static double F(double x) => x * x;\n}")]
    public void SyntaxErrorsAroundTheMethod(string source)
    {
        Outcome outcome = Run(source);
        Assert.DoesNotContain("BP9001", outcome.GeneratorIds);
        outcome.AssertBystanderUnharmed();
    }

    [Theory]
    [InlineData("[Differentiable] public static double P => 1;")]
    [InlineData("[Differentiable] static Model() { }")]
    [InlineData("[Differentiable] public Model(double x) { }")]
    public void AttributeOnSomethingOtherThanAnOrdinaryMethodIsLeftToTheCompiler(string member)
    {
        Outcome outcome = Run($$"""
            public partial class Model
            {
                {{member}}
            }
            """);
        Assert.Empty(outcome.GeneratorIds);
        outcome.AssertBystanderUnharmed();
    }

    [Theory]
    [InlineData("public abstract partial class Model { [Differentiable] public abstract double F(double x); }", new[] { "BP0001", "BP0006" })]
    [InlineData("public static partial class Model { [Differentiable] public static extern double F(double x); }", new[] { "BP0006" })]
    [InlineData("public static partial class Model { [Differentiable] public static double F<T>(double x) => x; }", new[] { "BP0007" })]
    // Generic math mixing T with double: the compiler's error alone (CS0019), and no crash.
    [InlineData("public static partial class Model { [Differentiable] public static T F<T>(T x) where T : System.Numerics.IFloatingPointIeee754<T> => x * 2.0; }", new string[0])]
    [InlineData("public static partial class Model { [Differentiable] public static T F<T>(T x) where T : System.Numerics.IFloatingPointIeee754<T> => x + Math.Exp(x); }", new string[0])]
    [InlineData("public static partial class Model { public static double G(double x) { [Differentiable] static double L(double v) => v; return L(x); } }", new[] { "BP0008" })]
    [InlineData("public partial class Model { [Differentiable] public static double operator +(Model a, double b) => b; }", new[] { "BP0008" })]
    [InlineData("public partial class Model { [Differentiable] public static explicit operator double(Model a) => 1; }", new[] { "BP0008" })]
    [InlineData("public partial interface IModel { [Differentiable] static abstract double F(double x); }", new[] { "BP0006" })]
    [InlineData("public static partial class Model { [Differentiable] public static double F(double x) => x * F(x); }", new[] { "BP1004" })]
    [InlineData("public static partial class Model { [Differentiable] public static double F(double x, double dx) => x * dx; }", new[] { "BP0005" })]
    // Method-like targets the compiler allows the attribute on, which cannot get a sibling gradient method.
    [InlineData("public partial class Model { public static double P { [Differentiable] get => 1; } }", new[] { "BP0008" })]
    [InlineData("public partial class Model { public double this[int i] { [Differentiable] get => i; } }", new[] { "BP0008" })]
    [InlineData("public partial class Model { [Differentiable] ~Model() { } }", new[] { "BP0008" })]
    [InlineData("public static partial class Model { public static double G(double y) { Func<double, double> f = [Differentiable] (double x) => x * x; return f(y); } }", new[] { "BP0008" })]
    [InlineData("public interface IModel { static abstract double F(double x); }\npublic partial class Model : IModel { [Differentiable] static double IModel.F(double x) => x * x; }", new[] { "BP0008" })]
    // A part generated in another file would be another type.
    [InlineData("file static partial class Model { [Differentiable] public static double F(double x) => x * x; }", new[] { "BP0008" })]
    [InlineData("file static partial class Outer { public static partial class Model { [Differentiable] public static double F(double x) => x * x; } }", new[] { "BP0008" })]
    public void UnsupportedShapesGiveTheirDiagnostic(string source, string[] ids)
    {
        Outcome outcome = Run(source);
        Assert.Equal(ids, outcome.GeneratorIds);
        outcome.AssertBystanderUnharmed();
    }

    [Theory]
    [InlineData("Overloads", """
        public static partial class Model
        {
            [Differentiable] public static double F(double x) => x * x;
            [Differentiable] public static double F(double x, double y) => x * y;
            [Differentiable] public static float F(float x) => x * x;
        }
        """)]
    [InlineData("PartialMethod", """
        public static partial class Model
        {
            [Differentiable] public static partial double F(double x);
            public static partial double F(double x) => Math.Sin(x) * x;
        }
        """)]
    [InlineData("PartialMethodAttributeOnImplementation", """
        public static partial class Model
        {
            public static partial double F(double x);
            [Differentiable] public static partial double F(double x) => Math.Sin(x) * x;
        }
        """)]
    [InlineData("GenericContainingType", """
        public static partial class Box<T>
        {
            [Differentiable] public static double F(double x) => x * x;
        }
        """)]
    [InlineData("LocalsNamedLikeGeneratedOnes", """
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y)
            {
                double dx = x * y, result = dx + 1, sum = x + y, dsum = sum * sum;
                dx = dx * dx;
                return dx + result + dsum;
            }
        }
        """)]
    [InlineData("UnicodeAndVerbatimIdentifiers", """
        public static partial class Modèle
        {
            [Differentiable]
            public static double Énergie(double α, double @double, double @class, double \u0078)
            {
                double 变量 = α * @double + @class;
                double @return = 变量 * x;
                return @return;
            }
        }
        """)]
    [InlineData("MatrixLoopsWithNamesLikeTheGeneratedOnes", """
        public static partial class Model
        {
            [Differentiable]
            public static float F(Matrix<float>[] W, Matrix<float> x, int iSteps, bool @if)
            {
                var dh = x;
                var iStep = MatrixOps.Sum(x);
                for (int @class = 0; @class < W.Length; @class++)
                {
                    var dhCarry = MatrixOps.MatMul(dh, W[@class]);
                    if (@if)
                    {
                        for (int i = 0; i < iSteps; i += 2)
                            dhCarry = MatrixOps.Tanh(dhCarry);
                    }
                    dh = dhCarry;
                }
                for (int @class = W.Length - 1; @class >= 0; @class--)
                    iStep = iStep + MatrixOps.Sum(MatrixOps.Multiply(W[@class], W[@class]));
                return MatrixOps.Sum(dh) + iStep;
            }
        }
        """)]
    [InlineData("SameClassNameInTwoNamespaces", """
        namespace First { public static partial class Model { [Backprop.Differentiable] public static double F(double x) => x * x; } }
        namespace Second { public static partial class Model { [Backprop.Differentiable] public static double F(double x) => x * x * x; } }
        public static partial class Model { [Differentiable] public static double F(double x) => x; }
        """)]
    [InlineData("AttributeSpellings", """
        using D = Backprop.DifferentiableAttribute;
        using Alias = Backprop;
        public static partial class Model
        {
            [Differentiable] public static double A(double x) => x * x;
            [DifferentiableAttribute] public static double B(double x) => x * x;
            [Backprop.Differentiable] public static double C(double x) => x * x;
            [global::Backprop.DifferentiableAttribute] public static double D1(double x) => x * x;
            [D] public static double E(double x) => x * x;
            [Alias::Differentiable] public static double F(double x) => x * x;
        }
        """)]
    [InlineData("OverloadsOnTypesOfTheSameName", """
        namespace A { public sealed class Options { } }
        namespace B { public sealed class Options { } }
        public static partial class Model
        {
            [Differentiable] public static double F(double x, A.Options o) => x * x;
            [Differentiable] public static double F(double x, B.Options o) => x * x * x;
        }
        """)]
    [InlineData("KeywordNames", """
        namespace @namespace.@class
        {
            public static partial class @class
            {
                [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
                public static double @double(double @in) => @in * Math.Sin(@in);

                [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
                public static double @return(double x) => @double(x) + @class.@double(x * x);
            }
        }
        """)]
    [InlineData("GradientNamesThatAreKeywords", """
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
            public static double F(double o, double[] ouble, double efault) => o * ouble[0] * efault;

            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
            public static double[] G(double o, double[] ecimal)
            {
                var y = new double[ecimal.Length];
                for (int i = 0; i < y.Length; i++)
                    y[i] = o * ecimal[i];
                return y;
            }

            [Differentiable]
            public static float H(Matrix<float> o, Matrix<float>[] elegate, float ouble) => ouble * MatrixOps.Sum(o) + MatrixOps.Sum(elegate[0]);
        }
        """)]
    [InlineData("ParametersNamedLikeGeneratedLocals", """
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
            public static double F(double x, [NoDerivative] double hy, double[] tape, int size, int value, int offset, int i, int row, int column, double hessian, double workspace, double g_x, double v_tape)
            {
                double s = hessian * workspace;
                for (int k = 0; k < tape.Length; k++)
                    s = s * Math.Sin(tape[k] * x + hy * g_x - v_tape) + size + value + offset + i + row + column;
                return s;
            }

            [Differentiable(Derivatives.Jacobian)]
            public static double[] G(double x, double jacobian, int size, int offset, int row, int column, double[] tape)
            {
                var y = new double[tape.Length];
                for (int k = 0; k < y.Length; k++)
                    y[k] = y.Length > 1 && k > 0 ? y[k - 1] * tape[k] * x : jacobian * (size + offset + row + column);
                return y;
            }
        }
        """)]
    [InlineData("RecordsStructsAndNesting", """
        public partial record Rec { [Differentiable] public static double F(double x) => x * x; }
        public partial record struct RecStruct { [Differentiable] public static double F(double x) => x * x; }
        public readonly partial struct ReadOnlyStruct { [Differentiable] public static double F(double x) => x * x; }
        public ref partial struct RefStruct { [Differentiable] public static double F(double x) => x * x; }
        public partial interface IShape { [Differentiable] static double F(double x) => x * x; }
        public static partial class Outer { private partial class Inner { [Differentiable] internal static double F(double x) => x * x; } }
        """)]
    [InlineData("MutualRecursion", """
        public static partial class Model
        {
            [Differentiable] public static double F(double x) => x * G(x);
            [Differentiable] public static double G(double x) => x > 1 ? F(x / 2) : x;
        }
        """)]
    public void UnusualButValidInputGivesCorrectCode(string name, string source)
    {
        Outcome outcome = Run(source);
        Assert.Empty(outcome.GeneratorIds);
        Assert.Empty(outcome.OutputErrors);
        Assert.Equal(ExpectedHints[name], outcome.HintNames.Where(h => h != BystanderHint).Order(StringComparer.Ordinal));
    }

    private static readonly Dictionary<string, string[]> ExpectedHints = new()
    {
        ["Overloads"] = new[] { "Model.F(double).g.cs", "Model.F(double,double).g.cs", "Model.F(float).g.cs" },
        ["PartialMethod"] = new[] { "Model.F.g.cs" },
        ["MatrixLoopsWithNamesLikeTheGeneratedOnes"] = new[] { "Model.F.g.cs" },
        ["PartialMethodAttributeOnImplementation"] = new[] { "Model.F.g.cs" },
        ["GenericContainingType"] = new[] { "Box`1.F.g.cs" },
        ["LocalsNamedLikeGeneratedOnes"] = new[] { "Model.F.g.cs" },
        ["UnicodeAndVerbatimIdentifiers"] = new[] { "Modèle.Énergie.g.cs" },
        ["SameClassNameInTwoNamespaces"] = new[] { "First.Model.F.g.cs", "Model.F.g.cs", "Second.Model.F.g.cs" },
        ["OverloadsOnTypesOfTheSameName"] = new[] { "Model.F(double,A.Options).g.cs", "Model.F(double,B.Options).g.cs" },
        ["KeywordNames"] = new[] { "_namespace._class.class.double.g.cs", "_namespace._class.class.return.g.cs" },
        ["ParametersNamedLikeGeneratedLocals"] = new[] { "Model.F.g.cs", "Model.G.g.cs" },
        ["GradientNamesThatAreKeywords"] = new[] { "Model.F.g.cs", "Model.G.g.cs", "Model.H.g.cs" },
        ["RecordsStructsAndNesting"] = new[] { "IShape.F.g.cs", "Outer.Inner.F.g.cs", "ReadOnlyStruct.F.g.cs", "Rec.F.g.cs", "RecStruct.F.g.cs", "RefStruct.F.g.cs" },
        ["MutualRecursion"] = new[] { "Model.F.g.cs", "Model.G.g.cs" },
        ["AttributeSpellings"] = new[] { "Model.A.g.cs", "Model.B.g.cs", "Model.C.g.cs", "Model.D1.g.cs", "Model.E.g.cs", "Model.F.g.cs" },
    };

    /// <summary>
    /// Compiler errors that would make two targets want the same generated file: the compiler's error stands alone, and
    /// the generator neither throws (it did: a duplicate hint name) nor adds a diagnostic.
    /// </summary>
    [Theory]
    [InlineData("[Differentiable] public static double F(double x) => x * x;\n    [Differentiable] public static double F(double x) => x;", "CS0111", new string[0])]
    [InlineData("[Differentiable] public static partial double F(double x);\n    [Differentiable] public static partial double F(double x) => x * x;", "CS0579", new[] { "Model.F.g.cs" })]
    public void CompilerErrorsThatWouldNameTwoFilesAlike(string members, string compilerError, string[] hints)
    {
        var (result, generator, output) = GeneratorRunner.Run("using System;\nusing Backprop;\npublic static partial class Model\n{\n    " + members + "\n}\n" + Bystander);
        Assert.Null(result.Results.Single().Exception);
        Assert.Empty(generator);
        Assert.Contains(output, d => d.Id == compilerError);
        Assert.Equal(hints.Append(BystanderHint).Order(StringComparer.Ordinal), result.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
    }

    [Fact]
    public void ADifferentAttributeOfTheSameNameIsIgnored()
    {
        Outcome outcome = Run("""
            namespace Other { public sealed class DifferentiableAttribute : System.Attribute { } }
            public static partial class Model { [Other.Differentiable] public static double F(double x) => x * x; }
            """);
        Assert.Empty(outcome.GeneratorIds);
        Assert.Equal(new[] { BystanderHint }, outcome.HintNames);
    }

    [Fact]
    public void DeeplyNestedExpressionFinishesAndCompiles()
    {
        const int depth = 1_000;
        var expression = new StringBuilder();
        for (int i = 0; i < depth; i++)
            expression.Append(i % 3 == 0 ? "Math.Sin(x * (" : i % 3 == 1 ? "1.0 + x * (" : "x - (");
        expression.Append('x');
        for (int i = 0; i < depth; i++)
            expression.Append(i % 3 == 0 ? "))" : ")");
        AssertBoundedAndCorrect($$"""
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => {{expression}};
            }
            """);
    }

    /// <summary>
    /// Nested deeper than the lowering's recursion fits in the stack (the compiler binds this depth itself): a stack
    /// overflow would end the compiler's process, so the lowering stops near the limit and says so (BP9001) instead.
    /// </summary>
    [Fact]
    public void ExpressionTooDeepForTheStackIsReportedNotACrash()
    {
        const int depth = 2_000;
        var expression = new StringBuilder();
        for (int i = 0; i < depth; i++)
            expression.Append(i % 3 == 0 ? "Math.Sin(x * (" : i % 3 == 1 ? "1.0 + x * (" : "x - (");
        expression.Append('x');
        for (int i = 0; i < depth; i++)
            expression.Append(i % 3 == 0 ? "))" : ")");
        var compilation = GeneratorRunner.Compile("using System;\nusing Backprop;\n" + $$"""
            public static partial class Model
            {
                [Differentiable] public static double F(double x) => {{expression}};
            }
            """);
        GeneratorRunner.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> diagnostics);
        // A generated file where the stack sufficed, BP9001 where it did not; never an exception (CS8785) or a crash.
        Assert.All(diagnostics, d => Assert.Equal("BP9001", d.Id));
    }

    [Fact]
    public void VeryLongMethodFinishesAndCompiles()
    {
        const int statements = 10_000;
        var body = new StringBuilder();
        for (int i = 0; i < statements; i++)
            body.Append(i % 2 == 0 ? "        x = x * 0.999 + Math.Sin(y);\n" : "        y += x * 0.001;\n");
        AssertBoundedAndCorrect($$"""
            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, double y)
                {
            {{body}}
                    double local = x * y;
                    return local + y;
                }
            }
            """);
    }

    /// <summary>
    /// Bounds what the generator allocates (Roslyn's own binding of such input included, as it runs on this thread), which
    /// a quadratic pass would blow far past, then requires code that compiles. Its speed is measured in benchmarks/, not here.
    /// </summary>
    private static void AssertBoundedAndCorrect(string source)
    {
        var compilation = GeneratorRunner.Compile("using System;\nusing Backprop;\n" + source);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        // About 0.3 GB here; quadratic growth would be far beyond.
        Assert.True(allocated < 2_000_000_000, $"the generator allocated {allocated / 1e6:F0} MB");
        Assert.Empty(diagnostics);
        Assert.Equal("Model.F.g.cs", Assert.Single(driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath))));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    /// <param name="GeneratorIds">The generator's diagnostics, sorted; a generator that throws shows up as CS8785.</param>
    /// <param name="OutputErrors">Compiler errors located in generated files.</param>
    private sealed record Outcome(string[] GeneratorIds, string[] HintNames, Diagnostic[] OutputErrors)
    {
        public void AssertBystanderUnharmed()
        {
            Assert.Contains(BystanderHint, HintNames);
            Assert.Empty(OutputErrors);
        }
    }

    private static Outcome Run(string source)
    {
        var (result, generator, output) = GeneratorRunner.Run("using System;\nusing Backprop;\n" + source + Bystander);
        Assert.Null(result.Results.Single().Exception);
        return new Outcome(
            generator.Select(d => d.Id).Order(StringComparer.Ordinal).ToArray(),
            result.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ToArray(),
            output.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true).ToArray());
    }
}
