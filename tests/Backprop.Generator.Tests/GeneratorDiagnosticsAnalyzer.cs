using System.Collections.Immutable;
using Backprop.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Backprop.Generator.Tests;

/// <summary>
/// Reports the generator's diagnostics as an analyzer, for the code-fix tests. The code-fix test library fixes what
/// analyzers report, and a generator's diagnostics are not among them; the IDE shows them all the same, placed in a
/// document by the file path they carry, and asks each code fix for the IDs it names. This analyzer does what the IDE
/// does: it runs the real generator on the compilation and reports each diagnostic in a document, with its ID, span
/// and message, on that document's syntax tree.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GeneratorDiagnosticsAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The generator's descriptors with the message already formatted (a diagnostic does not give its arguments back).</summary>
    private static readonly ImmutableDictionary<string, DiagnosticDescriptor> s_descriptors = Diagnostics.All.ToImmutableDictionary(d => d.Id,
        d => new DiagnosticDescriptor(d.Id, d.Title, "{0}", d.Category, d.DefaultSeverity, d.IsEnabledByDefault, helpLinkUri: d.HelpLinkUri));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = s_descriptors.Values.ToImmutableArray();

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        // Per document, as the IDE lists them: a fix is offered for a diagnostic in the document being edited.
        context.RegisterSemanticModelAction(Report);
    }

    private static void Report(SemanticModelAnalysisContext context)
    {
        SyntaxTree tree = context.SemanticModel.SyntaxTree;
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: (CSharpParseOptions)tree.Options)
            .RunGenerators(context.SemanticModel.Compilation, context.CancellationToken);
        foreach (Diagnostic diagnostic in driver.GetRunResult().Diagnostics.Where(d => d.Location.GetLineSpan().Path == tree.FilePath))
            context.ReportDiagnostic(Diagnostic.Create(s_descriptors[diagnostic.Id], Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.GetMessage()));
    }
}
