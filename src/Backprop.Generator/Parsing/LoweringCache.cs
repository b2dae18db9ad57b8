using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Parse results of <c>[Differentiable]</c> methods kept from one run of the pipeline to the next. Roslyn runs the
/// attribute transform again for every marked method whenever the compilation changes (every keystroke), and binding
/// and lowering a body is most of the generator's time. A result is reused only when nothing it was made from changed:
/// <list type="bullet">
/// <item>the method's own text (its declaration, and the implementing part of a partial method);</item>
/// <item>the text of every other method body its lowering read (implicit helpers, tuple-returning callees), recorded as it ran;</item>
/// <item>everything else binding can see, the compilation's shape: every tree's tokens outside method bodies
/// (declarations, signatures, attributes, fields, properties, usings; a method body, block or arrow, counts only as there; a
/// tree with preprocessor directives counts whole), each tree's path and parse options, the compilation's name,
/// options and references (the last two by identity).</item>
/// </list>
/// So an edit inside one body reparses that method (and the methods whose helpers it is); an edit to a declaration, or a
/// new file, reparses everything. Results with diagnostics or namesakes are not kept (their positions must be current);
/// the method's own location is taken afresh on every reuse.
/// </summary>
internal sealed class LoweringCache
{
    /// <summary>Entries beyond this are dropped all at once: far more than a project's marked methods.</summary>
    private const int Capacity = 20_000;

    private sealed record Entry(string OwnText, BodyRead[] Dependencies, ParseResult Result);

    /// <summary>A method body the lowering read, where it was and what it said.</summary>
    private sealed record BodyRead(string Path, TextSpan Span, string Text);

    private readonly ConcurrentDictionary<(string Shape, string Method), Entry> _entries = new();
    private string? _latestShape;

    private static readonly ConditionalWeakTable<Compilation, string> s_shapes = new();
    private static readonly ConditionalWeakTable<SyntaxTree, string> s_treeShapes = new();
    private static readonly ConditionalWeakTable<object, object> s_identities = new();
    private static long s_nextIdentity;

    /// <summary>The result kept for this target, when it and everything it depends on are as they were.</summary>
    public ParseResult? Find(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (Key(context, cancellationToken) is not { } key || !_entries.TryGetValue(key, out Entry? entry)
            || entry.OwnText != OwnText((IMethodSymbol)context.TargetSymbol, (MethodDeclarationSyntax)context.TargetNode, cancellationToken))
            return null;
        Compilation compilation = context.SemanticModel.Compilation;
        foreach (BodyRead read in entry.Dependencies)
        {
            SyntaxTree? tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == read.Path);
            SourceText? text = tree?.GetText(cancellationToken);
            if (text is null || read.Span.End > text.Length || text.ToString(read.Span) != read.Text)
                return null;
        }
        return entry.Result;
    }

    /// <summary>Keeps <paramref name="result"/>, made from the target and from the <paramref name="bodiesRead"/>, for later runs.</summary>
    public void Store(GeneratorAttributeSyntaxContext context, ParseResult result, IEnumerable<MethodDeclarationSyntax> bodiesRead, CancellationToken cancellationToken)
    {
        bool keepable = (result.Function is not null || result.Tensor is not null) && result.Diagnostics.Count == 0
            && result.HelperDiagnostics.Count == 0 && result.Namesakes.Count == 0;
        if (!keepable || Key(context, cancellationToken) is not { } key)
            return;
        if (key.Shape != _latestShape || _entries.Count > Capacity)
        {
            // Entries of another shape can no longer be found by this compilation's successors.
            _latestShape = key.Shape;
            foreach (var stale in _entries.Keys.Where(k => k.Shape != key.Shape).ToList())
                _entries.TryRemove(stale, out _);
            if (_entries.Count > Capacity)
                _entries.Clear();
        }
        BodyRead[] dependencies = bodiesRead.Distinct()
            .Select(body => new BodyRead(body.SyntaxTree.FilePath, body.Span, body.ToString())).ToArray();
        // A read body that cannot be found again by its path (two trees of one path) makes the result unkeepable.
        Compilation compilation = context.SemanticModel.Compilation;
        if (dependencies.Any(read => compilation.SyntaxTrees.Count(t => t.FilePath == read.Path) != 1))
            return;
        _entries[key] = new Entry(OwnText((IMethodSymbol)context.TargetSymbol, (MethodDeclarationSyntax)context.TargetNode, cancellationToken), dependencies, result);
    }

    private static (string Shape, string Method)? Key(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not MethodDeclarationSyntax declaration || context.TargetSymbol is not IMethodSymbol method
            || method.GetDocumentationCommentId() is not { } id)
            return null;
        Compilation compilation = context.SemanticModel.Compilation;
        // Two trees of one path would make the key ambiguous: such a compilation is not cached.
        if (compilation.SyntaxTrees.Count(t => t.FilePath == declaration.SyntaxTree.FilePath) != 1)
            return null;
        return (Shape(compilation, cancellationToken), declaration.SyntaxTree.FilePath + "|" + id);
    }

    private static string OwnText(IMethodSymbol method, MethodDeclarationSyntax declaration, CancellationToken cancellationToken) =>
        declaration.ToFullString() + "\n" + FunctionParser.ImplementationOf(method, cancellationToken)?.ToFullString();

    private static string Shape(Compilation compilation, CancellationToken cancellationToken) =>
        s_shapes.GetValue(compilation, c =>
        {
            var shape = new StringBuilder();
            shape.Append(c.AssemblyName).Append('\n').Append(Identity(c.Options)).Append('\n');
            foreach (MetadataReference reference in c.References)
                shape.Append(Identity(reference)).Append(' ');
            shape.Append('\n');
            foreach (SyntaxTree tree in c.SyntaxTrees)
            {
                ParseOptions options = tree.Options;
                shape.Append(tree.FilePath).Append('|').Append(options.Kind).Append('|').Append(options.DocumentationMode).Append('|')
                    .Append(options is Microsoft.CodeAnalysis.CSharp.CSharpParseOptions csharp ? csharp.LanguageVersion.ToString() : options.Language).Append('|')
                    .Append(string.Join(",", options.PreprocessorSymbolNames)).Append('|')
                    .Append(string.Join(",", options.Features.OrderBy(f => f.Key, System.StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value))).Append('|')
                    .Append(TreeShape(tree, cancellationToken)).Append('\n');
            }
            return Digest(shape.ToString());
        });

    /// <summary>The tree's tokens outside method bodies (a body as a marker); the whole text when it has directives.</summary>
    private static string TreeShape(SyntaxTree tree, CancellationToken cancellationToken) =>
        s_treeShapes.GetValue(tree, t =>
        {
            SyntaxNode root = t.GetRoot(cancellationToken);
            if (root.ContainsDirectives)
                return "whole " + Digest(root.ToFullString());
            var shape = new StringBuilder();
            foreach (SyntaxNodeOrToken item in root.DescendantNodesAndTokens(node => !IsMethodBody(node)))
            {
                // An arrow body ends with the method's semicolon, a block does not: the semicolon belongs to the body.
                if (item.IsToken && !(item.Parent is MethodDeclarationSyntax { ExpressionBody: not null } arrow && item.AsToken() == arrow.SemicolonToken))
                    shape.Append(item.AsToken().Text).Append(' ');
                else if (item.AsNode() is { } node && IsMethodBody(node))
                    shape.Append("{body} ");
            }
            return Digest(shape.ToString());
        });

    private static bool IsMethodBody(SyntaxNode node) =>
        node.Parent is MethodDeclarationSyntax method && (node == method.Body || node == method.ExpressionBody);

    /// <summary>A number for an immutable object, the same for as long as it lives: equal numbers, the same object.</summary>
    private static long Identity(object value) =>
        (long)s_identities.GetValue(value, _ => Interlocked.Increment(ref s_nextIdentity));

    private static string Digest(string text)
    {
        using var sha = SHA256.Create();
        return System.Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }
}
