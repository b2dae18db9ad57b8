using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Rename;

namespace Backprop.CodeFixes;

/// <summary>
/// BP0005: renames the parameter whose name the generator needs for a derivative (<c>dx</c> beside <c>x</c>) to the first
/// of <c>dx2</c>, <c>dx3</c>, … that is neither a parameter nor a derivative name of the method.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenameParameterFix)), Shared]
public sealed class RenameParameterFix : CodeFixProvider
{
    /// <summary>The prefixes of the names the generator derives from a parameter's: gradients and directions, Hessian-vector products.</summary>
    private static readonly string[] s_derivativePrefixes = { "d", "h" };

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.GradientNameCollision);

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindToken(context.Span.Start).Parent is not ParameterSyntax syntax || model?.GetDeclaredSymbol(syntax, context.CancellationToken) is not IParameterSymbol parameter
            || parameter.ContainingSymbol is not IMethodSymbol method)
            return;
        string name = FreeName(parameter.Name, method);
        Solution solution = context.Document.Project.Solution;
        context.RegisterCodeFix(CodeAction.Create($"Rename '{parameter.Name}' to '{name}'",
            token => Renamer.RenameSymbolAsync(solution, parameter, new SymbolRenameOptions(), name, token), nameof(RenameParameterFix)), context.Diagnostics);
    }

    private static string FreeName(string name, IMethodSymbol method)
    {
        var taken = new HashSet<string>(method.Parameters.Select(p => p.Name)) { "dresult" };
        taken.UnionWith(method.Parameters.SelectMany(p => s_derivativePrefixes.Select(prefix => prefix + p.Name)));
        for (int suffix = 2; ; suffix++)
        {
            string candidate = name + suffix;
            if (!taken.Contains(candidate) && !s_derivativePrefixes.Any(prefix => taken.Contains(prefix + candidate)))
                return candidate;
        }
    }
}
