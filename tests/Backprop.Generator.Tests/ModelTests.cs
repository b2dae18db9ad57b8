using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generator.Tests;

/// <summary>Models in the pipeline: one Gradients type per model, however many methods reach it, and caching.</summary>
public class ModelTests
{
    private const string Source = """
        using Backprop;
        using static Backprop.MatrixOps;
        namespace Demo;
        public partial class Dense
        {
            public Matrix<float> W = null!, b = null!;
            public Matrix<float> Forward(Matrix<float> x) => Relu(MatMul(x, W) + b);
        }
        public partial class Mlp
        {
            public Dense Hidden = null!;
            public Matrix<float> W2 = null!;
            [Differentiable] public float Loss([NoDerivative] Matrix<float> x) => Sum(MatMul(Hidden.Forward(x), W2));
            [Differentiable] public float Penalty() => Sum(Multiply(W2, W2)) + Sum(Multiply(Hidden.W, Hidden.W));
        }
        public partial class Twin
        {
            public Dense Hidden = null!;
            [Differentiable] public float Loss([NoDerivative] Matrix<float> x) => Sum(Hidden.Forward(x));
        }
        """;

    [Fact]
    public void EachModelGetsOneGradientsTypeHoweverManyMethodsReachIt()
    {
        var (result, diagnostics, output) = GeneratorRunner.Run(Source);
        Assert.Empty(diagnostics);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(new[] { "Demo.Dense.Gradients.g.cs", "Demo.Mlp.Gradients.g.cs", "Demo.Mlp.Loss.g.cs", "Demo.Mlp.Penalty.g.cs", "Demo.Twin.Gradients.g.cs", "Demo.Twin.Loss.g.cs" },
            result.Results.Single().GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void TheGradientsTypeIsGeneratedWhenAMethodOfTheModelCannotBe()
    {
        var (result, diagnostics, _) = GeneratorRunner.Run(Source.Replace("Sum(Multiply(W2, W2))", "Sum(Multiply(W2, W2)) + (float)System.Random.Shared.NextDouble()"));
        Assert.Equal("BP1003", Assert.Single(diagnostics).Id);
        Assert.Contains("Demo.Mlp.Gradients.g.cs", result.Results.Single().GeneratedSources.Select(s => s.HintName));
        Assert.DoesNotContain("Demo.Mlp.Penalty.g.cs", result.Results.Single().GeneratedSources.Select(s => s.HintName));
    }

    /// <summary>
    /// A layer's Gradients depends on the layer alone: an internal layer held by a public one is an internal member, also
    /// when an internal model reaching both is parsed first.
    /// </summary>
    [Fact]
    public void ALayersGradientsIsTheSameWhicheverModelReachesIt()
    {
        var (result, diagnostics, output) = GeneratorRunner.Run("""
            using Backprop;
            using static Backprop.MatrixOps;
            namespace Demo;
            internal partial class Mlp
            {
                public Dense Layer = new();
                [Differentiable] public double Loss([NoDerivative] Matrix<double> x) => Sum(MatMul(x, Layer.W));
            }
            public partial class Dense
            {
                internal Sub Inner = new();
                public Matrix<double> W = null!;
                [Differentiable] public double Own([NoDerivative] Matrix<double> x) => Sum(MatMul(MatMul(x, W), Inner.V));
            }
            internal partial class Sub
            {
                public Matrix<double> V = null!;
            }
            """);
        Assert.Empty(diagnostics);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains("internal global::Demo.Sub.Gradients Inner;",
            result.Results.Single().GeneratedSources.Single(s => s.HintName == "Demo.Dense.Gradients.g.cs").SourceText.ToString());
    }

    [Fact]
    public void UnrelatedEditKeepsAModelsStepsCached()
    {
        CSharpCompilation compilation = GeneratorRunner.Compile(Source);
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public static class Unrelated { public static int G() => 1; }",
            (CSharpParseOptions)compilation.SyntaxTrees[0].Options));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();
        foreach (string step in new[] { TrackingNames.Parse, TrackingNames.Generate, TrackingNames.Models, TrackingNames.GenerateModels })
        {
            var reasons = second.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
        }
        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    /// <summary>A new parameter field in a layer changes the Gradients of the layer, and the code of every method reading the models holding it.</summary>
    [Fact]
    public void ANewFieldOfALayerRegeneratesItsGradients()
    {
        CSharpCompilation compilation = GeneratorRunner.Compile(Source);
        GeneratorDriver driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        SyntaxTree old = compilation.SyntaxTrees[0];
        CSharpCompilation next = compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            Source.Replace("public Matrix<float> W = null!, b = null!;", "public Matrix<float> W = null!, b = null!;\n    public float Gain = 1;"))));
        GeneratorRunResult second = driver.RunGenerators(next).GetRunResult().Results.Single();
        var models = second.TrackedSteps[TrackingNames.GenerateModels].SelectMany(s => s.Outputs)
            .ToDictionary(o => ((GeneratedFile)o.Value).HintName!, o => o.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, models["Demo.Dense.Gradients.g.cs"]);
        Assert.Contains("public float Gain;", second.GeneratedSources.Single(s => s.HintName == "Demo.Dense.Gradients.g.cs").SourceText.ToString());
    }
}
