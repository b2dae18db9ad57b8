using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
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
/// <item>every declaration whose name it reads (<see cref="Declarations"/>): the names in its text and in the bodies it
/// read, the names of every type and member its binding reached (and their namespaces, containing types and type
/// arguments), the members that patterns call (<c>Deconstruct</c>, <c>GetEnumerator</c>, …), and its generated
/// members' names; or any change that can alter binding without a name (usings, options, references, directives, the
/// fields or operators of an existing type).</item>
/// </list>
/// So an edit inside one body reparses that method (and the methods whose helpers it is); a new file, type or method
/// reparses only the methods that read its names; an edit to a type's fields, or to usings, reparses everything.
/// Results with diagnostics or namesakes are not kept (their positions must be current); the method's own location is
/// taken afresh on every reuse.
/// </summary>
internal sealed class LoweringCache
{
    /// <summary>Entries beyond this are dropped all at once: far more than a project's marked methods.</summary>
    private const int Capacity = 20_000;

    /// <summary>Members that C# calls by pattern, never by a name in the source: a new one anywhere (an extension method) can change a binding.</summary>
    private static readonly string[] s_patternMembers =
    {
        "GetEnumerator", "MoveNext", "Current", "Deconstruct", "Dispose", "GetAwaiter", "GetResult", "IsCompleted", "Add",
        "Length", "Count", "Slice", "Item", "Invoke", "GetPinnableReference", Naming.GradientsType,
    };

    [System.ThreadStatic] private static int t_reused;

    /// <param name="Declarations">The compilation the result is known to hold for: the latest it was made or reused in.</param>
    /// <param name="Names">The names the result depends on (see the class's summary).</param>
    private sealed record Entry(string OwnText, BodyRead[] Dependencies, ParseResult Result, Declarations Declarations, HashSet<string> Names);

    /// <summary>A method body the lowering read, where it was and what it said.</summary>
    private sealed record BodyRead(string Path, TextSpan Span, string Text);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(System.StringComparer.Ordinal);

    private static readonly ConditionalWeakTable<Compilation, Dictionary<string, SyntaxTree?>> s_treesByPath = new();

    /// <summary>Parse results reused on this thread so far: what tests and the compile-cost harness count.</summary>
    public static int ReusedOnThisThread => t_reused;

    /// <summary>A target's place in the cache, found once per parse: looked up first, stored into after a parse.</summary>
    public sealed record Slot(string Key, string OwnText, Dictionary<string, SyntaxTree?> Trees, Declarations Declarations);

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
        return new Slot(declaration.SyntaxTree.FilePath + "|" + id, OwnText(method, declaration, cancellationToken), trees,
            Declarations.Of(compilation, cancellationToken));
    }

    /// <summary>The result kept for this slot, when the target and everything it depends on are as they were.</summary>
    public ParseResult? Find(Slot slot, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(slot.Key, out Entry? entry) || entry.OwnText != slot.OwnText)
            return null;
        Declarations.Change change = slot.Declarations.ChangesSince(entry.Declarations);
        if (change.All || change.Names.Any(name => Reads(entry.Names, name)))
            return null;
        foreach (BodyRead read in entry.Dependencies)
        {
            SourceText? text = slot.Trees.TryGetValue(read.Path, out SyntaxTree? tree) ? tree?.GetText(cancellationToken) : null;
            if (text is null || read.Span.End > text.Length || text.ToString(read.Span) != read.Text)
                return null;
        }
        // The result holds for this compilation: later changes are measured from here.
        _entries[slot.Key] = entry with { Declarations = slot.Declarations };
        t_reused++;
        return entry.Result;
    }

    /// <summary>Keeps <paramref name="result"/>, made from the target and from the <paramref name="bodiesRead"/>, for later runs.</summary>
    /// <param name="operations">The bound bodies of the target and of what it read, for the names of what binding reached.</param>
    public void Store(Slot slot, ParseResult result, IEnumerable<MethodDeclarationSyntax> bodiesRead, IMethodSymbol method, IEnumerable<IOperation> operations)
    {
        bool keepable = result.Function is not null && result.Diagnostics.Count == 0
            && result.SharedDiagnostics.Count == 0 && result.Namesakes.Count == 0;
        if (!keepable)
            return;
        List<MethodDeclarationSyntax> read = bodiesRead.Distinct().ToList();
        BodyRead[] dependencies = read.Select(body => new BodyRead(body.SyntaxTree.FilePath, body.Span, body.ToString())).ToArray();
        // A read body that cannot be found again by its path (two trees of one path) makes the result unkeepable.
        if (dependencies.Any(dependency => !slot.Trees.TryGetValue(dependency.Path, out SyntaxTree? tree) || tree is null))
            return;
        if (_entries.Count > Capacity)
            _entries.Clear();
        var names = new HashSet<string>(s_patternMembers, System.StringComparer.Ordinal);
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences.Concat(method.PartialImplementationPart?.DeclaringSyntaxReferences ?? Enumerable.Empty<SyntaxReference>()))
            AddIdentifiers(reference.GetSyntax(), names);
        foreach (MethodDeclarationSyntax body in read)
            AddIdentifiers(body, names);
        var reached = new ReachedNames(names);
        reached.Member(method);
        foreach (IOperation operation in operations)
            reached.Operation(operation);
        _entries[slot.Key] = new Entry(slot.OwnText, dependencies, result, slot.Declarations, names);
    }

    /// <summary>Whether a declaration named <paramref name="name"/> can change a result that reads <paramref name="names"/>: a name it reads, or one of its generated members' (<c>FGradient</c>).</summary>
    private static bool Reads(HashSet<string> names, string name) =>
        names.Contains(name) || UserMembers.Suffixes.Any(suffix => name.Length > suffix.Length && name.EndsWith(suffix, System.StringComparison.Ordinal)
            && names.Contains(name.Substring(0, name.Length - suffix.Length)));

    private static void AddIdentifiers(SyntaxNode node, HashSet<string> names)
    {
        foreach (SyntaxToken token in node.DescendantTokens())
        {
            if (token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken))
                names.Add(token.ValueText);
        }
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
}
