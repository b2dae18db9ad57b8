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
    private static readonly ConditionalWeakTable<Compilation, Dictionary<string, SyntaxTree?>> s_treesByPath = new();
    private static readonly ConditionalWeakTable<object, object> s_identities = new();
    private static long s_nextIdentity;

    /// <summary>A target's place in the cache, found once per parse: looked up first, stored into after a parse.</summary>
    public sealed record Slot((string Shape, string Method) Key, string OwnText, Dictionary<string, SyntaxTree?> Trees);

    /// <summary>The target's slot, or <c>null</c> for a target the cache does not keep (not a method, or its file's path is not unique).</summary>
    public static Slot? SlotOf(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not MethodDeclarationSyntax declaration || context.TargetSymbol is not IMethodSymbol method
            || method.GetDocumentationCommentId() is not { } id)
            return null;
        Compilation compilation = context.SemanticModel.Compilation;
        Dictionary<string, SyntaxTree?> trees = TreesByPath(compilation);
        // Two trees of one path would make the key ambiguous: such a target is not cached.
        if (!trees.TryGetValue(declaration.SyntaxTree.FilePath, out SyntaxTree? tree) || tree is null)
            return null;
        return new Slot((Shape(compilation, cancellationToken), declaration.SyntaxTree.FilePath + "|" + id), OwnText(method, declaration, cancellationToken), trees);
    }

    /// <summary>The result kept for this slot, when the target and everything it depends on are as they were.</summary>
    public ParseResult? Find(Slot slot, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(slot.Key, out Entry? entry) || entry.OwnText != slot.OwnText)
            return null;
        foreach (BodyRead read in entry.Dependencies)
        {
            SourceText? text = slot.Trees.TryGetValue(read.Path, out SyntaxTree? tree) ? tree?.GetText(cancellationToken) : null;
            if (text is null || read.Span.End > text.Length || text.ToString(read.Span) != read.Text)
                return null;
        }
        return entry.Result;
    }

    /// <summary>Keeps <paramref name="result"/>, made from the target and from the <paramref name="bodiesRead"/>, for later runs.</summary>
    public void Store(Slot slot, ParseResult result, IEnumerable<MethodDeclarationSyntax> bodiesRead)
    {
        bool keepable = result.Function is not null && result.Diagnostics.Count == 0
            && result.SharedDiagnostics.Count == 0 && result.Namesakes.Count == 0;
        if (!keepable)
            return;
        BodyRead[] dependencies = bodiesRead.Distinct()
            .Select(body => new BodyRead(body.SyntaxTree.FilePath, body.Span, body.ToString())).ToArray();
        // A read body that cannot be found again by its path (two trees of one path) makes the result unkeepable.
        if (dependencies.Any(read => !slot.Trees.TryGetValue(read.Path, out SyntaxTree? tree) || tree is null))
            return;
        if (slot.Key.Shape != _latestShape || _entries.Count > Capacity)
        {
            // Entries of another shape can no longer be found by this compilation's successors.
            _latestShape = slot.Key.Shape;
            foreach (var stale in _entries.Keys.Where(k => k.Shape != slot.Key.Shape).ToList())
                _entries.TryRemove(stale, out _);
            if (_entries.Count > Capacity)
                _entries.Clear();
        }
        _entries[slot.Key] = new Entry(slot.OwnText, dependencies, result);
    }

    /// <summary>The compilation's trees by path; <c>null</c> for a path two trees share.</summary>
    private static Dictionary<string, SyntaxTree?> TreesByPath(Compilation compilation) =>
        s_treesByPath.GetValue(compilation, c =>
        {
            var trees = new Dictionary<string, SyntaxTree?>(System.StringComparer.Ordinal);
            foreach (SyntaxTree tree in c.SyntaxTrees)
                trees[tree.FilePath] = trees.ContainsKey(tree.FilePath) ? null : tree;
            return trees;
        });

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
