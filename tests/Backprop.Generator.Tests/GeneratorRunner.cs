using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Backprop.Generator;
using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace Backprop.Generator.Tests;

/// <summary>Runs the generator in memory on C# source, the way the compiler does.</summary>
internal static class GeneratorRunner
{
    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create("Tests",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, TestCompilation.ParseOptions, path: SourceName(i))),
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
    /// Requires each generated file to equal Snapshots/{test}/{hint name}.txt, the set of files to match, and the
    /// output to compile without errors or warnings (users build with warnings as errors), through the testing
    /// library's <see cref="GeneratorTest"/>; with UPDATE_SNAPSHOTS=1 it rewrites the snapshots instead.
    /// </summary>
    public static void VerifySnapshots(string source, [CallerMemberName] string test = "")
    {
        string directory = RepositoryPaths.Get("tests", "Backprop.Generator.Tests", "Snapshots", test);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            UpdateSnapshots(source, directory);
            return;
        }

        Assert.True(Directory.Exists(directory), $"No snapshots at {directory}; run with UPDATE_SNAPSHOTS=1 and review them.");
        var check = new GeneratorTest { CompilerDiagnostics = CompilerDiagnostics.Warnings };
        check.TestState.Sources.Add((SourceName(0), source));
        foreach (string snapshot in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            check.TestState.GeneratedSources.Add((typeof(DifferentiableGenerator), Path.GetFileNameWithoutExtension(snapshot), File.ReadAllText(snapshot).ReplaceLineEndings("\n")));
        check.Run();
    }

    /// <summary>The path of the <paramref name="index"/>th source, the same here and in <see cref="GeneratorTest"/>.</summary>
    public static string SourceName(int index) => $"Source{index}.cs";

    private static void UpdateSnapshots(string source, string directory)
    {
        var (result, generator, output) = Run(source);
        Assert.Empty(generator);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));
        var generated = result.Results.Single().GeneratedSources;
        Assert.NotEmpty(generated);
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        foreach (GeneratedSourceResult file in generated)
            File.WriteAllText(Path.Combine(directory, file.HintName + ".txt"), file.SourceText.ToString());
    }
}
