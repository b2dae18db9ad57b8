using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Parsing;

/// <summary>
/// What a compilation declares outside method bodies, declaration by declaration, so that what changed between two
/// compilations can be said as names: a parse result that reads none of them is still what a parse would give
/// (<see cref="LoweringCache"/>). A change that can alter binding without a name the method reads changes everything:
/// usings, aliases and assembly attributes; options and references; a tree with preprocessor directives; and the
/// fields, properties, operators, conversions and constructors of a type that exists before and after (struct layouts,
/// models' fields, user-defined operators). A new or removed type, a method, and any member of a static class change
/// only their names, the names their attributes mention, and for a type its name.
/// </summary>
internal sealed class Declarations
{
    private static readonly ConditionalWeakTable<Compilation, Declarations> s_ofCompilation = new();
    private static readonly ConditionalWeakTable<SyntaxTree, Tree> s_ofTree = new();
    private static readonly ConditionalWeakTable<Declarations, StrongBox<(Declarations Later, Change Change)?>> s_lastChange = new();
    private static readonly ConditionalWeakTable<object, object> s_identities = new();
    private static long s_nextIdentity;

    private readonly string _global;
    private readonly Dictionary<string, Tree?> _trees;
    /// <summary>Every type and namespace declared, for telling a new one from another part or an edit of one that was there.</summary>
    private readonly HashSet<string> _typesAndNamespaces;

    private Declarations(string global, Dictionary<string, Tree?> trees)
    {
        _global = global;
        _trees = trees;
        _typesAndNamespaces = new HashSet<string>(trees.Values.Where(t => t is not null).SelectMany(t => t!.Items).Where(i => i.Kind is Kind.Type or Kind.Namespace).Select(i => i.Type!), System.StringComparer.Ordinal);
    }

    /// <summary>What <paramref name="compilation"/> declares, found once per compilation (and once per tree it shares with another).</summary>
    public static Declarations Of(Compilation compilation, CancellationToken cancellationToken) =>
        s_ofCompilation.GetValue(compilation, c =>
        {
            var global = new StringBuilder();
            global.Append(c.AssemblyName).Append('\n').Append(Identity(c.Options)).Append('\n');
            foreach (MetadataReference reference in c.References)
                global.Append(Identity(reference)).Append(' ');
            var trees = new Dictionary<string, Tree?>(System.StringComparer.Ordinal);
            foreach (SyntaxTree tree in c.SyntaxTrees)
                trees[tree.FilePath] = trees.ContainsKey(tree.FilePath) ? null : s_ofTree.GetValue(tree, t => Tree.Of(t, cancellationToken));
            return new Declarations(global.ToString(), trees);
        });

    /// <summary>What changed from <paramref name="earlier"/> to this compilation; the last answer is kept, since every method asks the same.</summary>
    public Change ChangesSince(Declarations earlier)
    {
        if (ReferenceEquals(earlier, this))
            return Change.None;
        StrongBox<(Declarations Later, Change Change)?> last = s_lastChange.GetOrCreateValue(earlier);
        lock (last)
        {
            if (last.Value is { } known && ReferenceEquals(known.Later, this))
                return known.Change;
            Change change = Compare(earlier, this);
            last.Value = (this, change);
            return change;
        }
    }

    private static Change Compare(Declarations earlier, Declarations later)
    {
        if (earlier._global != later._global)
            return Change.Everything;
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (string path in earlier._trees.Keys.Union(later._trees.Keys))
        {
            earlier._trees.TryGetValue(path, out Tree? before);
            later._trees.TryGetValue(path, out Tree? after);
            bool existed = earlier._trees.ContainsKey(path), exists = later._trees.ContainsKey(path);
            // Two trees of one path cannot be told apart.
            if (existed && before is null || exists && after is null)
                return Change.Everything;
            if (before is not null && after is not null && before.Digest == after.Digest)
                continue;
            // New options for a tree can change how all of it binds; a new or removed tree's options matter to no other.
            if (before is not null && after is not null && before.Options != after.Options)
                return Change.Everything;
            foreach (Item item in Differing(before?.Items ?? new List<Item>(), after?.Items ?? new List<Item>()))
            {
                bool onBothSides = item.Type is not null && earlier._typesAndNamespaces.Contains(item.Type) && later._typesAndNamespaces.Contains(item.Type);
                if (item.Kind == Kind.Global || item.Kind is Kind.Type or Kind.Layout && onBothSides)
                    return Change.Everything;
                // Another block of a namespace that was already declared changes no lookup; its members count on their own.
                if (item.Kind == Kind.Namespace && onBothSides)
                    continue;
                names.UnionWith(item.Names);
            }
        }
        return new Change(false, names);
    }

    /// <summary>The items one side has more of than the other, by digest: what was added, removed or edited.</summary>
    private static IEnumerable<Item> Differing(List<Item> before, List<Item> after)
    {
        var counts = new Dictionary<string, int>(System.StringComparer.Ordinal);
        foreach (Item item in before)
            counts[item.Digest] = counts.TryGetValue(item.Digest, out int n) ? n + 1 : 1;
        foreach (Item item in after)
            counts[item.Digest] = counts.TryGetValue(item.Digest, out int n) ? n - 1 : -1;
        return before.Concat(after).Where(item => counts[item.Digest] != 0);
    }

    /// <summary>What changed: everything, or only declarations of these names.</summary>
    public sealed record Change(bool All, HashSet<string> Names)
    {
        public static readonly Change None = new(false, new HashSet<string>());
        public static readonly Change Everything = new(true, new HashSet<string>());
    }

    /// <summary>
    /// How a changed declaration counts. <see cref="Global"/>: everything. <see cref="Type"/>: a type's header, everything
    /// when the type exists before and after, else its names. <see cref="Layout"/>: a member that shapes its type
    /// (fields, properties, operators, constructors), likewise. <see cref="Namespace"/>: nothing when the namespace
    /// exists before and after, else its names. <see cref="Named"/>: its names.
    /// </summary>
    private enum Kind
    {
        Global,
        Type,
        Layout,
        Namespace,
        Named,
    }

    /// <summary>One declaration: its text outside method bodies (as a digest, with where it is), its kind, the names it declares and mentions in attributes, and its type (or namespace).</summary>
    private sealed record Item(string Digest, Kind Kind, string[] Names, string? Type);

    /// <summary>A tree's declarations, and a digest of them all.</summary>
    private sealed class Tree
    {
        public string Digest { get; }
        public string Options { get; }
        public List<Item> Items { get; }

        private Tree(List<Item> items, string options)
        {
            Items = items;
            Options = options;
            Digest = Hash(options + "\n" + string.Join("\n", items.Select(i => i.Digest)));
        }

        public static Tree Of(SyntaxTree tree, CancellationToken cancellationToken)
        {
            ParseOptions options = tree.Options;
            string optionText = options.Kind + "|" + options.DocumentationMode + "|"
                + (options is CSharpParseOptions csharp ? csharp.LanguageVersion.ToString() : options.Language) + "|"
                + string.Join(",", options.PreprocessorSymbolNames) + "|"
                + string.Join(",", options.Features.OrderBy(f => f.Key, System.StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value));
            var items = new List<Item>();
            SyntaxNode root = tree.GetRoot(cancellationToken);
            // Directives can change what every other line of the tree is: the whole text counts, as one global item.
            if (root.ContainsDirectives)
                items.Add(new Item(Hash("whole " + root.ToFullString()), Kind.Global, new string[0], null));
            else
                Collect(root, "", items);
            return new Tree(items, optionText);
        }

        private static void Collect(SyntaxNode container, string path, List<Item> items)
        {
            var global = new StringBuilder();
            foreach (SyntaxNode child in container.ChildNodes())
            {
                switch (child)
                {
                    case BaseNamespaceDeclarationSyntax ns:
                        string name = ns.Name.ToString();
                        items.Add(new Item(Hash("namespace " + path + name), Kind.Namespace, name.Split('.').Select(n => n.Trim()).ToArray(), path + name));
                        Collect(ns, path + name + ".", items);
                        break;
                    case BaseTypeDeclarationSyntax or DelegateDeclarationSyntax:
                        Type((MemberDeclarationSyntax)child, path, items);
                        break;
                    case MemberDeclarationSyntax or UsingDirectiveSyntax or ExternAliasDirectiveSyntax or AttributeListSyntax:
                        // Usings, aliases, assembly attributes, top-level statements: they can change any binding.
                        global.Append(Tokens(child)).Append('\n');
                        break;
                }
            }
            if (global.Length > 0)
                items.Add(new Item(Hash("global " + path + "\n" + global), Kind.Global, new string[0], null));
        }

        private static void Type(MemberDeclarationSyntax declaration, string path, List<Item> items)
        {
            string name = declaration switch
            {
                BaseTypeDeclarationSyntax type => type.Identifier.ValueText,
                DelegateDeclarationSyntax d => d.Identifier.ValueText,
                _ => "",
            };
            int arity = declaration is TypeDeclarationSyntax { TypeParameterList: { } parameters } ? parameters.Parameters.Count
                : declaration is DelegateDeclarationSyntax { TypeParameterList: { } delegateParameters } ? delegateParameters.Parameters.Count : 0;
            string key = path + name + "`" + arity;
            var header = new StringBuilder();
            foreach (SyntaxNodeOrToken part in declaration.ChildNodesAndTokens())
            {
                if (part.AsNode() is MemberDeclarationSyntax or EnumMemberDeclarationSyntax)
                    continue;
                header.Append(Tokens(part)).Append(' ');
            }
            items.Add(new Item(Hash("type " + key + "\n" + header), Kind.Type, Mentioned(declaration.AttributeLists, name), key));
            // A static class has no instances: its fields and properties shape nothing, only their names count.
            bool isStatic = declaration.Modifiers.Any(SyntaxKind.StaticKeyword);
            foreach (SyntaxNode member in declaration.ChildNodes())
            {
                switch (member)
                {
                    case BaseTypeDeclarationSyntax or DelegateDeclarationSyntax:
                        Type((MemberDeclarationSyntax)member, key + ".", items);
                        break;
                    case MethodDeclarationSyntax method:
                        items.Add(new Item(Hash("member " + key + "\n" + Tokens(method)), Kind.Named,
                            Mentioned(method.DescendantNodes(n => !IsMethodBody(n)).OfType<AttributeListSyntax>(), method.Identifier.ValueText), key));
                        break;
                    case MemberDeclarationSyntax or EnumMemberDeclarationSyntax:
                        var declared = new List<string> { name };
                        declared.AddRange(member.DescendantTokens(n => n is not (BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax))
                            .Where(t => t.IsKind(SyntaxKind.IdentifierToken) && t.Parent is VariableDeclaratorSyntax or PropertyDeclarationSyntax or EventDeclarationSyntax or EnumMemberDeclarationSyntax)
                            .Select(t => t.ValueText));
                        items.Add(new Item(Hash("member " + key + "\n" + Tokens(member)), isStatic ? Kind.Named : Kind.Layout,
                            Mentioned(member.DescendantNodes(n => !IsMethodBody(n)).OfType<AttributeListSyntax>(), declared.ToArray()), key));
                        break;
                }
            }
        }

        /// <summary>The <paramref name="declared"/> names, and every name and string that the attributes mention (a rule's target: <c>[DerivativeOf(nameof(Sin))]</c>).</summary>
        private static string[] Mentioned(IEnumerable<AttributeListSyntax> attributes, params string[] declared) =>
            declared.Concat(attributes.SelectMany(a => a.DescendantTokens())
                    .Where(t => t.IsKind(SyntaxKind.IdentifierToken) || t.IsKind(SyntaxKind.StringLiteralToken))
                    .Select(t => t.ValueText))
                .Distinct(System.StringComparer.Ordinal).ToArray();

        /// <summary>A declaration's tokens, a method's body as a marker (edits inside bodies are the cache's other check).</summary>
        private static string Tokens(SyntaxNodeOrToken part)
        {
            if (part.IsToken)
                return part.AsToken().Text;
            var text = new StringBuilder();
            foreach (SyntaxNodeOrToken item in part.AsNode()!.DescendantNodesAndTokens(node => !IsMethodBody(node)))
            {
                // An arrow body ends with the method's semicolon, a block does not: the semicolon belongs to the body.
                if (item.IsToken && !(item.Parent is MethodDeclarationSyntax { ExpressionBody: not null } arrow && item.AsToken() == arrow.SemicolonToken))
                    text.Append(item.AsToken().Text).Append(' ');
                else if (item.AsNode() is { } node && IsMethodBody(node))
                    text.Append("{body} ");
            }
            return text.ToString();
        }
    }

    private static bool IsMethodBody(SyntaxNode node) =>
        node.Parent is MethodDeclarationSyntax method && (node == method.Body || node == method.ExpressionBody);

    /// <summary>A number for an immutable object, the same for as long as it lives: equal numbers, the same object.</summary>
    private static long Identity(object value) =>
        (long)s_identities.GetValue(value, _ => Interlocked.Increment(ref s_nextIdentity));

    private static string Hash(string text)
    {
        using var sha = SHA256.Create();
        return System.Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }
}
