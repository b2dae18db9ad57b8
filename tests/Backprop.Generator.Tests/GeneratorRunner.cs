using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Backprop.Generator;
using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generator.Tests;

/// <summary>Runs the generator in memory on C# source, the way the compiler does.</summary>
internal static class GeneratorRunner
{
    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create("Tests",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, TestCompilation.ParseOptions, path: $"Source{i}.cs")),
            TestCompilation.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: TestCompilation.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the generator's own diagnostics and the output compilation's.</summary>
    public static (GeneratorDriverRunResult Result, ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Output) Run(params string[] sources)
    {
        CSharpCompilation compilation = Compile(sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (driver.GetRunResult(), diagnostics, output.GetDiagnostics());
    }

    /// <summary>
    /// Requires the output to compile without errors and each generated file to equal
    /// Snapshots/{test}/{hint name}.txt; with UPDATE_SNAPSHOTS=1 it rewrites them instead.
    /// </summary>
    public static void VerifySnapshots(string source, [CallerMemberName] string test = "")
    {
        var (result, generator, output) = Run(source);
        Assert.Empty(generator);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
        // Generated code must not warn either: users build with warnings as errors.
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
        string directory = RepositoryPaths.Get("tests", "Backprop.Generator.Tests", "Snapshots", test);
        var generated = result.Results.Single().GeneratedSources.ToDictionary(s => s.HintName + ".txt", s => s.SourceText.ToString());
        Assert.NotEmpty(generated);

        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
            Directory.CreateDirectory(directory);
            foreach (var (name, text) in generated)
                File.WriteAllText(Path.Combine(directory, name), text);
            return;
        }

        Assert.True(Directory.Exists(directory), $"No snapshots at {directory}; run with UPDATE_SNAPSHOTS=1 and review them.");
        var expectedNames = Directory.GetFiles(directory).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(expectedNames, generated.Keys.Order().ToArray());
        foreach (var (name, text) in generated)
            Assert.Equal(File.ReadAllText(Path.Combine(directory, name)).ReplaceLineEndings("\n"), text);
    }
}
