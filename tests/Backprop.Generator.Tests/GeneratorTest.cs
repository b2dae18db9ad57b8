using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Backprop.Generator.Tests;

/// <summary>
/// The testing library's generator test, compiling as <see cref="GeneratorRunner"/> does: C# 12, nullable enabled, and
/// the running runtime's assemblies with Backprop.Runtime as references. The reference assemblies name no package, so
/// the library resolves nothing and never goes to a package source.
/// </summary>
internal sealed class GeneratorTest : CSharpSourceGeneratorTest<DifferentiableGenerator, DefaultVerifier>
{
    public GeneratorTest()
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(TestCompilation.References);
    }

    /// <summary>Compiler errors this test tolerates in the output compilation, by ID.</summary>
    public ISet<string> ToleratedCompilerErrors { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Runs the test to completion; the xunit tests that call it are synchronous.</summary>
    public void Run() => Task.Run(() => RunAsync()).GetAwaiter().GetResult();

    protected override ParseOptions CreateParseOptions() => TestCompilation.ParseOptions;

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

    /// <summary>
    /// Below errors, only the generated files' diagnostics count: the tests' sources may warn (their public members
    /// have no XML comments), while generated code must not, since users build with warnings as errors.
    /// </summary>
    protected override bool IsCompilerDiagnosticIncluded(Diagnostic diagnostic, CompilerDiagnostics compilerDiagnostics) =>
        !ToleratedCompilerErrors.Contains(diagnostic.Id) && base.IsCompilerDiagnosticIncluded(diagnostic, compilerDiagnostics)
        && (diagnostic.Severity == DiagnosticSeverity.Error || diagnostic.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true);
}
