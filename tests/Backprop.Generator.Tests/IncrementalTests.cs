using System.Reflection;
using Backprop.Generator.Model;
using Backprop.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generator.Tests;

public class IncrementalTests
{
    private const string Source = """
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y) => Math.Exp(x * y) + x;
        }
        """;

    /// <summary>A matrix method with a loop and a branch: its structured model must cache as well.</summary>
    private const string MatrixSource = """
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public static partial class Network
        {
            [Differentiable]
            public static float Loss(Matrix<float>[] W, [NoDerivative] Matrix<float> x, bool squash)
            {
                var h = x;
                for (int i = 0; i < W.Length; i++)
                    h = squash ? Sigmoid(MatMul(h, W[i])) : MatMul(h, W[i]);
                return Sum(h);
            }
        }
        """;

    /// <summary>An array result, in every mode it has: its model caches too.</summary>
    private const string ArraySource = """
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
            public static double[] F(double[] x, double a)
            {
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                    y[i] = Math.Sin(a * x[i]);
                return y;
            }
        }
        """;

    [Theory]
    [InlineData(Source)]
    [InlineData(MatrixSource)]
    [InlineData(ArraySource)]
    public void UnrelatedEditKeepsEveryStepCached(string source)
    {
        CSharpCompilation compilation = GeneratorRunner.Compile(source);
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public static class Unrelated { public static int G() => 1; }",
            (CSharpParseOptions)compilation.SyntaxTrees[0].Options));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();
        AssertCachedOrUnchanged(second, new[] { TrackingNames.Parse, TrackingNames.Generate });
        AssertEveryOutputCached(second);
    }

    /// <summary>A class with F, the method F calls, and two ordinary methods around them.</summary>
    private const string Neighbours = """
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            public static int Before(int n) => n + 1;

            [Differentiable]
            public static double F(double x, double y) => Math.Exp(x * y) + G(x);

            [Differentiable]
            public static double G(double x) => x * x;

            public static int After(int n) => n + 1;
        }
        """;

    /// <summary>
    /// An edit to an ordinary method of the same class, after the differentiable ones or before them (which moves
    /// them in the file), regenerates nothing: every generated file is Cached. After: every step of ours too. Before:
    /// the parse result holds the method's location (for a diagnostic), so it may change, but the model generated from does not.
    /// </summary>
    [Theory]
    [InlineData("public static int After(int n) => n + 1;", "public static int After(int n) => n * 2 + 1;", true)]
    [InlineData("public static int Before(int n) => n + 1;", "public static int Before(int n)\n    {\n        return n * 2 + 1;\n    }", false)]
    public void EditOfAnUnrelatedMethodInTheSameClassKeepsTheOutputsCached(string before, string after, bool parseUnchanged)
    {
        GeneratorRunResult second = RunAgainAfterEdit(Neighbours, Neighbours.Replace(before, after));
        AssertCachedOrUnchanged(second, parseUnchanged ? new[] { TrackingNames.Parse, TrackingNames.Model, TrackingNames.Generate } : new[] { TrackingNames.Model, TrackingNames.Generate });
        AssertEveryOutputCached(second);
    }

    /// <summary>An edit inside a called method regenerates that method's file alone: the caller's code depends only on its signature.</summary>
    [Fact]
    public void EditInsideACalledMethodRegeneratesOnlyThatMethod()
    {
        GeneratorRunResult second = RunAgainAfterEdit(Neighbours, Neighbours.Replace("=> x * x;", "=> x * x * x;"));
        var generated = second.TrackedSteps[TrackingNames.Generate].SelectMany(s => s.Outputs)
            .ToDictionary(o => ((GeneratedFile)o.Value).HintName!, o => o.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, generated["Demo.Model.G.g.cs"]);
        Assert.True(generated["Demo.Model.F.g.cs"] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"F: {generated["Demo.Model.F.g.cs"]}");
        var outputs = second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Single(outputs, IncrementalStepRunReason.Modified);
        Assert.Equal(outputs.Count - 1, outputs.Count(r => r == IncrementalStepRunReason.Cached));
    }

    /// <summary>An ordinary method above three differentiable ones with block bodies, one of which calls a plain helper.</summary>
    private const string Several = """
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            public static int Count(int n) => n + 1;

            [Differentiable]
            public static double F(double x, double y)
            {
                double k = 0.5;
                double a = Math.Exp(x * y) * k;
                return a + Soft(x);
            }

            [Differentiable]
            public static double G(double x)
            {
                double k = 0.5;
                return k * x * x;
            }

            [Differentiable]
            public static double H(double x, double z)
            {
                double k = 0.5;
                return Math.Sin(x) * z + k;
            }

            public static double Soft(double v) => Math.Log(1.0 + Math.Exp(v));
        }
        """;

    /// <summary>
    /// For each kind of edit, the generated files whose generation ran again (the Generate steps not Cached): only an
    /// edit inside a differentiable body regenerates, and only that method's file. Moving methods in the file (a comment
    /// line, an edit above them) changes no model: locations are kept out of it and reported from the parse step. The
    /// models handed on (the Model step) are Cached or Unchanged but the edited method's, which is Modified.
    /// </summary>
    [Theory]
    [InlineData("comment line in one body", "        double a = Math.Exp(x * y) * k;\n", "        // scaled\n        double a = Math.Exp(x * y) * k;\n", "")]
    [InlineData("ordinary method above", "public static int Count(int n) => n + 1;", "public static int Count(int n)\n    {\n        return n * 2 + 1;\n    }", "")]
    [InlineData("edit inside one body", "return k * x * x;", "return k * x * x * x;", "Demo.Model.G.g.cs")]
    [InlineData("new unrelated file", null, null, "")]
    public void EachEditRegeneratesOnlyWhatItChanges(string edit, string? before, string? after, string regenerated)
    {
        CSharpCompilation compilation = GeneratorRunner.Compile(Several);
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        Assert.Empty(driver.GetRunResult().Diagnostics);
        SyntaxTree old = compilation.SyntaxTrees[0];
        CSharpCompilation next = before is null
            ? compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public static class Unrelated { public static int G() => 1; }", (CSharpParseOptions)old.Options))
            : compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Replace(Several, before, after!))));
        GeneratorRunResult second = driver.RunGenerators(next).GetRunResult().Results.Single();

        var ran = new[] { TrackingNames.Generate, TrackingNames.GenerateHelpers }
            .SelectMany(step => second.TrackedSteps[step]).SelectMany(s => s.Outputs)
            .Where(o => o.Reason != IncrementalStepRunReason.Cached)
            .Select(o => ((GeneratedFile)o.Value).HintName).ToList();
        Assert.Equal(regenerated.Length == 0 ? Array.Empty<string>() : new[] { regenerated }, ran);
        var models = second.TrackedSteps[TrackingNames.Model].SelectMany(s => s.Outputs)
            .ToLookup(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o => (((ParseResult)o.Value).HintName, o.Reason));
        var modified = regenerated.Length == 0 ? Array.Empty<(string?, IncrementalStepRunReason)>() : new[] { ((string?)regenerated, IncrementalStepRunReason.Modified) };
        Assert.Equal(modified, models[false]);
        Assert.Equal(3 - modified.Length, models[true].Count());
        var readded = second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Count(o => o.Reason != IncrementalStepRunReason.Cached);
        Assert.True(readded == (regenerated.Length == 0 ? 0 : 1), $"{edit}: {readded} outputs not cached");
    }

    /// <summary>A diagnostic found by generating (BP1009) follows its method when an edit above moves it.</summary>
    [Fact]
    public void DiagnosticsFollowAMovedMethod()
    {
        const string source = """
            using System;
            using Backprop;
            namespace Demo;
            public static partial class Model
            {
                public static int Count(int n) => n + 1;

                public static double Scale(double v, [NoDerivative] double by) => v * by;

                [DerivativeOf(nameof(Scale))]
                public static void ScalePullback(double v, double by, double result, double dResult, out double dV) => dV = dResult * by;

                [Differentiable]
                public static double F(double x, double y) => Scale(x, y);
            }
            """;
        CSharpCompilation compilation = GeneratorRunner.Compile(source);
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        Diagnostic first = Assert.Single(driver.GetRunResult().Diagnostics);
        Assert.Equal("BP1009", first.Id);
        SyntaxTree old = compilation.SyntaxTrees[0];
        string moved = source.Replace("public static int Count(int n) => n + 1;", "public static int Count(int n)\n    {\n        return n * 2 + 1;\n    }");
        CSharpCompilation next = compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(moved)));
        Diagnostic second = Assert.Single(driver.RunGenerators(next).GetRunResult().Diagnostics);
        Assert.Equal("BP1009", second.Id);
        Assert.Equal(first.Location.GetLineSpan().StartLinePosition.Line + 3, second.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Equal("y", next.SyntaxTrees[0].GetText().ToString(second.Location.SourceSpan));
    }

    /// <summary>A method that reaches a helper, a tuple-returning callee, a marked callee and a constant, for the edits below.</summary>
    private const string Dependent = """
        using System;
        using Backprop;
        namespace Demo;
        public static partial class Model
        {
            public static int Count(int n) => n + 1;

            private static readonly double Table = 1.5;

            [Differentiable]
            public static double F(double x, double y)
            {
                var (a, b) = Pair(x, y);
                return Soft(a) * Scale(b, y) + Math.Sin(x) * Table;
            }

            [Differentiable]
            public static double Scale(double v, [NoDerivative] double by) => v * by;

            public static double Soft(double v) => Math.Log(1.0 + Math.Exp(v));

            public static (double, double) Pair(double x, double y) => (x * y, x + y);

            public static (double, double) Step(double x, double v)
            {
                double a = -x;
                return (x + v, v + a);
            }

            public static double[] Twice(double[] q)
            {
                var r = new double[q.Length];
                for (int i = 0; i < q.Length; i++)
                    r[i] = 2 * q[i];
                return r;
            }

            [Differentiable]
            public static double G(double[] q, double x)
            {
                double[] t = Twice(q);
                var (s, w) = Step(x, t[0]);
                return s * w;
            }
        }
        """;

    /// <summary>
    /// Parse results are kept from run to run (<see cref="LoweringCache"/>) and reused when nothing they depend on
    /// changed: after each edit, the driver that ran before must give exactly what a fresh driver gives, file for file
    /// and diagnostic for diagnostic. The edits reach what a kept result must not go stale on: a helper's body, a
    /// tuple-returning callee's body (one tuple literal, or statements), the body of a method returning an array into a
    /// local, a callee's attributes, a new file whose type shadows Math, a constant, the
    /// method's own body, and an ordinary method (a hit).
    /// </summary>
    [Theory]
    [InlineData("Math.Log(1.0 + Math.Exp(v))", "Math.Log(1.0 + Math.Exp(2.0 * v))", true)]
    [InlineData("(x * y, x + y)", "(x * y, x - y)", true)]
    [InlineData("double a = -x;", "double a = -2 * x;", true)]
    [InlineData("r[i] = 2 * q[i];", "r[i] = 3 * q[i];", true)]
    [InlineData("[NoDerivative] double by", "double by", true)]
    [InlineData("private static readonly double Table = 1.5;", "private static double Table => 2.5;", false)]
    [InlineData("+ Math.Sin(x) * Table;", "+ Math.Cos(x) * Table;", true)]
    [InlineData("public static int Count(int n) => n + 1;", "public static int Count(int n)\n    {\n        return n * 2 + 1;\n    }", false)]
    [InlineData(null, "namespace Demo { public static class Math { public static double Sin(double v) => v * v; public static double Exp(double v) => v; public static double Log(double v) => v; } }", true)]
    [InlineData("public static int Count(int n) => n + 1;", "public static int Count(int n) => n + 1;\n\n    [DerivativeOf(nameof(Soft))]\n    public static void SoftPullback(double v, double result, double dResult, out double dV) => dV = dResult * 0.5;", true)]
    [InlineData("public static int Count(int n) => n + 1;", "public static int Count(int n) => n + 1;\n\n    public static double Soft(float v) => v;", false)]
    [InlineData(null, "namespace Demo { public static partial class Model { public static double Soft(int v) => v; } }", false)]
    public void IncrementalOutputEqualsAFreshRun(string? before, string after, bool changesOutput)
    {
        CSharpCompilation compilation = GeneratorRunner.Compile(Dependent);
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        Assert.Empty(driver.GetRunResult().Diagnostics);
        // A second, unchanged run: every result comes from the cache from here on.
        driver = driver.RunGenerators(compilation.AddSyntaxTrees());
        SyntaxTree old = compilation.SyntaxTrees[0];
        CSharpCompilation next = before is null
            ? compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(after, (CSharpParseOptions)old.Options, path: "Shadow.cs"))
            : compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Replace(Dependent, before, after))));
        GeneratorDriverRunResult incremental = driver.RunGenerators(next).GetRunResult();
        GeneratorDriverRunResult fresh = GeneratorRunner.CreateDriver().RunGenerators(next).GetRunResult();
        Assert.Equal(Describe(fresh), Describe(incremental));
        // The edits that change what is generated do (else this would prove nothing about staleness).
        if (changesOutput)
            Assert.NotEqual(Describe(driver.GetRunResult()), Describe(fresh));
    }

    /// <summary>
    /// A new declaration reparses only the methods that read its name (in their text, or through what their binding
    /// reached: G and F reach ValueTuple through their callees' tuples without naming it; a namesake of a generated
    /// member, ScaleGradient, counts for Scale and for F, which calls it); a change that can alter binding without a name
    /// (a using, a field of an existing class) reparses all. Dependent has three marked methods.
    /// </summary>
    [Theory]
    [InlineData("public static class Unrelated { public static int Other() => 1; }", null, 3)]
    [InlineData("public static class Elsewhere { public static double Soft(double v) => v; }", null, 2)]
    [InlineData("namespace Demo { public struct ValueTuple { } }", null, 1)]
    [InlineData("public static class Elsewhere { public static double ScaleGradient(double v) => v; }", null, 1)]
    [InlineData("global using System.Linq;", null, 0)]
    [InlineData("public sealed class Box { public double V; }", "public sealed class Box { public double V; public double W; }", 0)]
    [InlineData("public sealed class Box { public double V; }", "public sealed class Box { public double V; public static double Other() => 1; }", 3)]
    public void NewDeclarationsReparseOnlyTheMethodsThatReadTheirNames(string added, string? edited, int reused)
    {
        CSharpCompilation compilation = GeneratorRunner.Compile(Dependent);
        var options = (CSharpParseOptions)compilation.SyntaxTrees[0].Options;
        compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(edited is null ? "" : added, options, path: "Added.cs"));
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        Assert.Empty(driver.GetRunResult().Diagnostics);
        SyntaxTree old = compilation.SyntaxTrees[1];
        CSharpCompilation next = compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edited ?? added)));
        Assert.Empty(next.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        int before = LoweringCache.ReusedOnThisThread;
        GeneratorDriverRunResult incremental = driver.RunGenerators(next).GetRunResult();
        Assert.Equal(reused, LoweringCache.ReusedOnThisThread - before);
        Assert.Equal(Describe(GeneratorRunner.CreateDriver().RunGenerators(next).GetRunResult()), Describe(incremental));
    }

    private static string Describe(GeneratorDriverRunResult result) =>
        string.Join("\n", result.Results.Single().GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => s.HintName + ":\n" + s.SourceText))
        + "\n" + string.Join("\n", result.Diagnostics.Select(d => d.ToString()).Order(StringComparer.Ordinal));

    private static string Replace(string text, string before, string after)
    {
        Assert.Contains(before, text);
        return text.Replace(before, after);
    }

    private static GeneratorRunResult RunAgainAfterEdit(string source, string edited)
    {
        Assert.NotEqual(source, edited);
        CSharpCompilation compilation = GeneratorRunner.Compile(source);
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        SyntaxTree old = compilation.SyntaxTrees[0];
        CSharpCompilation next = compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edited)));
        Assert.Empty(next.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return driver.RunGenerators(next).GetRunResult().Results.Single();
    }

    private static void AssertEveryOutputCached(GeneratorRunResult result)
    {
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    private static void AssertCachedOrUnchanged(GeneratorRunResult result, IEnumerable<string> steps)
    {
        foreach (string step in steps)
        {
            var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
        }
    }

    [Fact]
    public void EditInsideTheMethodRegenerates()
    {
        CSharpCompilation compilation = GeneratorRunner.Compile(Source);
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        SyntaxTree old = compilation.SyntaxTrees[0];
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, old.WithChangedText(
            Microsoft.CodeAnalysis.Text.SourceText.From(Source.Replace("+ x;", "+ y;"))));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Contains(second.TrackedSteps[TrackingNames.Generate].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void GenerationIsDeterministic()
    {
        string first = GeneratorRunner.Run(Source).Result.Results.Single().GeneratedSources.Single().SourceText.ToString();
        string second = GeneratorRunner.Run(Source).Result.Results.Single().GeneratedSources.Single().SourceText.ToString();
        Assert.Equal(first, second);
        Assert.DoesNotContain("\r", first);
    }

    [Fact]
    public void ModelHoldsNoRoslynObjects()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel) };
        var seen = new HashSet<Type>();
        // The forward program's statements are seen through their abstract base: name the kinds too.
        var pending = new Stack<Type>(new[] { typeof(ParseResult), typeof(GeneratedFile), typeof(AssignStatement), typeof(StoreStatement), typeof(AllocateStatement),
            typeof(IfStatement), typeof(EffectStatement), typeof(LoopStatement) });
        while (pending.Count > 0)
        {
            Type type = pending.Pop();
            if (!seen.Add(type) || type.IsPrimitive || type == typeof(string))
                continue;
            Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(type));
            foreach (Type argument in type.IsGenericType ? type.GetGenericArguments() : Type.EmptyTypes)
                pending.Push(argument);
            if (type.IsArray)
                pending.Push(type.GetElementType()!);
            if (type.Namespace?.StartsWith("Backprop", StringComparison.Ordinal) != true)
                continue;
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
                pending.Push(property.PropertyType);
            foreach (Type derived in type.Assembly.GetTypes().Where(t => t.BaseType == type))
                pending.Push(derived);
        }
        Assert.Contains(typeof(Node), seen);
    }
}
