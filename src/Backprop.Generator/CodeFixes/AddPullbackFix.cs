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
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Backprop.CodeFixes;

/// <summary>
/// BP1003 and BP1010: "Add a [DerivativeOf] pullback". For a method whose source is in the solution (for BP1010, the
/// helper the diagnostic points into), a pullback stub beside it;
/// for a library method, which cannot take a pullback where the generator looks (BP0013), a wrapper in the calling
/// type with a pullback stub, and the call redirected to the wrapper.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPullbackFix)), Shared]
public sealed class AddPullbackFix : CodeFixProvider
{
    private const string Title = "Add a [DerivativeOf] pullback";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NoKnownDerivative, DiagnosticIds.HelperNotDifferentiable);

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        // BP1010 points into the helper that cannot be differentiated: its pullback goes beside it, and the generator then uses that.
        if (root is not null && model is not null && context.Diagnostics.Any(d => d.Id == DiagnosticIds.HelperNotDifferentiable)
            && root.FindNode(context.Span).FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } helper
            && model.GetDeclaredSymbol(helper, context.CancellationToken) is IMethodSymbol { IsStatic: true, IsGenericMethod: false } helperSymbol)
        {
            context.RegisterCodeFix(CodeAction.Create(Title, token => AddBesideAsync(context.Document, helper, helperSymbol, token), nameof(AddPullbackFix)), context.Diagnostics);
            return;
        }
        if (root is null || model is null || root.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation
            || model.GetSymbolInfo(invocation, context.CancellationToken).Symbol is not IMethodSymbol { IsStatic: true, IsGenericMethod: false, MethodKind: MethodKind.Ordinary } callee
            || callee.ContainingType.IsGenericType || callee.Parameters.Any(p => p.RefKind != RefKind.None))
            return;

        Solution solution = context.Document.Project.Solution;
        if (callee.DeclaringSyntaxReferences.Select(r => r.GetSyntax(context.CancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault() is { } declaration
            && solution.GetDocument(declaration.SyntaxTree) is { } home)
        {
            context.RegisterCodeFix(CodeAction.Create(Title, token => AddBesideAsync(home, declaration, callee, token), nameof(AddPullbackFix)), context.Diagnostics);
        }
        else if (invocation.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } caller)
        {
            context.RegisterCodeFix(CodeAction.Create($"{Title} to a wrapper of '{callee.ContainingType.Name}.{callee.Name}'",
                token => AddWrapperAsync(context.Document, caller, invocation, callee, token), nameof(AddPullbackFix) + ".Wrapper"), context.Diagnostics);
        }
    }

    private static async Task<Solution> AddBesideAsync(Document home, MethodDeclarationSyntax declaration, IMethodSymbol callee, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(home, cancellationToken).ConfigureAwait(false);
        editor.InsertAfter(declaration, Member(PullbackStub.Write(callee, callee.Name, editor.SemanticModel, declaration.SpanStart)));
        return editor.GetChangedDocument().Project.Solution;
    }

    private static async Task<Solution> AddWrapperAsync(Document document, MethodDeclarationSyntax caller, InvocationExpressionSyntax invocation, IMethodSymbol callee,
        CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        // Named after type and method (MathReciprocalEstimate), so it hides neither from the calling type.
        string wrapper = callee.ContainingType.Name + callee.Name;
        string parameters = string.Join(", ", callee.Parameters.Select(p => $"{p.Type.ToMinimalDisplayString(editor.SemanticModel, caller.SpanStart)} {p.Name}"));
        string arguments = string.Join(", ", callee.Parameters.Select(p => p.Name));
        string target = callee.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + callee.Name;
        string returnType = callee.ReturnType.ToMinimalDisplayString(editor.SemanticModel, caller.SpanStart);
        editor.InsertAfter(caller, new[]
        {
            Member($"internal static {returnType} {wrapper}({parameters}) => {target}({arguments});\n"),
            Member(PullbackStub.Write(callee, wrapper, editor.SemanticModel, caller.SpanStart)),
        });
        editor.ReplaceNode(invocation.Expression, SyntaxFactory.IdentifierName(wrapper).WithTriviaFrom(invocation.Expression));
        return editor.GetChangedDocument().Project.Solution;
    }

    /// <summary>A member parsed from text, after a blank line, for the formatter to indent and the simplifier to shorten.</summary>
    private static MemberDeclarationSyntax Member(string text) =>
        SyntaxFactory.ParseMemberDeclaration(text)!.WithLeadingTrivia(SyntaxFactory.LineFeed).WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation);
}
