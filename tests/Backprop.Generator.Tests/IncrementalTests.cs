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
    /// the parse result holds the method's location (for a diagnostic), so it may change, but what is generated does not.
    /// </summary>
    [Theory]
    [InlineData("public static int After(int n) => n + 1;", "public static int After(int n) => n * 2 + 1;", true)]
    [InlineData("public static int Before(int n) => n + 1;", "public static int Before(int n)\n    {\n        return n * 2 + 1;\n    }", false)]
    public void EditOfAnUnrelatedMethodInTheSameClassKeepsTheOutputsCached(string before, string after, bool parseUnchanged)
    {
        GeneratorRunResult second = RunAgainAfterEdit(Neighbours, Neighbours.Replace(before, after));
        AssertCachedOrUnchanged(second, parseUnchanged ? new[] { TrackingNames.Parse, TrackingNames.Generate } : new[] { TrackingNames.Generate });
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
        // The tensor program's steps are seen through their abstract base: name the kinds too.
        var pending = new Stack<Type>(new[] { typeof(ParseResult), typeof(GeneratedFile), typeof(TensorStatement), typeof(TensorBranch), typeof(TensorLoop) });
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
