using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Backprop.CodeFixes;

/// <summary>BP0001: adds <c>static</c> to a [Differentiable] method whose body never uses <c>this</c> or an instance member.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeMethodStaticFix)), Shared]
public sealed class MakeMethodStaticFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.MethodNotStatic);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindToken(context.Span.Start).Parent is not MethodDeclarationSyntax method || model is null || UsesInstance(method, model, context.CancellationToken))
            return;
        context.RegisterCodeFix(CodeAction.Create("Make the method static", token => MakeStaticAsync(context.Document, method, token), nameof(MakeMethodStaticFix)),
            context.Diagnostics);
    }

    private static async Task<Document> MakeStaticAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        editor.SetModifiers(method, editor.Generator.GetModifiers(method).WithIsStatic(true));
        return editor.GetChangedDocument();
    }

    /// <summary>Whether the body reads <c>this</c> or <c>base</c>, or names an instance member without a receiver (an implicit <c>this</c>).</summary>
    private static bool UsesInstance(MethodDeclarationSyntax method, SemanticModel model, CancellationToken cancellationToken) =>
        new SyntaxNode?[] { method.Body, method.ExpressionBody }.Where(body => body is not null).SelectMany(body => body!.DescendantNodes()).Any(node => node switch
        {
            ThisExpressionSyntax or BaseExpressionSyntax => true,
            SimpleNameSyntax name when !IsQualified(name) => model.GetSymbolInfo(name, cancellationToken).Symbol is { IsStatic: false } symbol
                && symbol.Kind is SymbolKind.Field or SymbolKind.Property or SymbolKind.Method or SymbolKind.Event
                && symbol.ContainingType is not null && !(symbol is IMethodSymbol { MethodKind: MethodKind.LocalFunction }),
            _ => false,
        });

    private static bool IsQualified(SimpleNameSyntax name) =>
        name.Parent is MemberAccessExpressionSyntax access && access.Name == name
        || name.Parent is MemberBindingExpressionSyntax or QualifiedNameSyntax
        || name.Parent is NameColonSyntax or NameEqualsSyntax;
}
