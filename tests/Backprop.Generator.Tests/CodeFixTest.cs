using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Backprop.Generator.Tests;

/// <summary>
/// The code-fix test library's test of <typeparamref name="TCodeFix"/> on the generator's diagnostics (through
/// <see cref="GeneratorDiagnosticsAnalyzer"/>), compiling as <see cref="GeneratorTest"/> does.
/// </summary>
internal sealed class CodeFixTest<TCodeFix> : CSharpCodeFixTest<GeneratorDiagnosticsAnalyzer, TCodeFix, DefaultVerifier>
    where TCodeFix : CodeFixProvider, new()
{
    private const string Preamble = "using System;\nusing Backprop;\n\n";

    /// <summary>A test of the fix from <paramref name="source"/> (with its diagnostics marked <c>{|BPxxxx:…|}</c>) to <paramref name="fixedSource"/>.</summary>
    public CodeFixTest(string source, string fixedSource)
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(TestCompilation.References);
        TestCode = Preamble + source;
        FixedCode = Preamble + fixedSource;
    }

    /// <summary>Runs the test to completion; the xunit tests that call it are synchronous.</summary>
    public void Run() => Task.Run(() => RunAsync()).GetAwaiter().GetResult();

    protected override ParseOptions CreateParseOptions() => TestCompilation.ParseOptions;

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);
}
