using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Parsing;

/// <summary>
/// A model's parameters, as the lowering of one of its methods reads them: every parameter field, nested models'
/// included, and the model types whose <c>Gradients</c> the generator writes.
/// </summary>
internal sealed class ModelFields
{
    public ModelFields(INamedTypeSymbol type) => Type = type;

    /// <summary>The model: the type of the <c>[Differentiable]</c> instance method.</summary>
    public INamedTypeSymbol Type { get; }

    /// <summary>Every parameter field, depth first in declaration order (a nested model's fields where it is declared).</summary>
    public List<ModelField> Parameters { get; } = new();

    /// <summary>The model and each model type it holds, once each, a nested model before the model holding it.</summary>
    public List<ModelSpec> Models { get; } = new();
}

/// <summary>A parameter field of a model, reached from the model through its fields.</summary>
/// <param name="Path">The field's names from the model, as declared, joined by dots: <c>W1</c>, <c>Layer1.W</c>.</param>
/// <param name="Code">The same as C# writes it, keywords escaped (<c>Layer1.@class</c>).</param>
/// <param name="Member">The field, or the auto-property.</param>
/// <param name="Members">The members from the model to it, the layers' and its own: what decides whether code can write it in place.</param>
internal sealed record ModelField(string Path, string Code, ITypeSymbol Type, ParameterRole Role, ISymbol Member, IReadOnlyList<ISymbol> Members);

/// <summary>A layer a model holds, reached from the model as <paramref name="Code"/> through <paramref name="Members"/>.</summary>
internal sealed record ModelLayer(string Code, INamedTypeSymbol Type, IReadOnlyList<ISymbol> Members);

/// <summary>
/// Finds a model's parameters from its type: its instance fields and auto-properties (a record's positional ones among
/// them) of types <c>Matrix&lt;T&gt;</c>, <c>Matrix&lt;T&gt;[]</c>, <c>double</c>, <c>float</c>, their arrays, and
/// fields holding another model (a layer), whose parameters are the model's too. Members marked <c>[NoDerivative]</c>,
/// and members of other types, are hyperparameters: read, never differentiated. What cannot be a model is BP0016.
/// </summary>
internal sealed class ModelParser
{
    private readonly INamedTypeSymbol _root;
    private readonly Compilation _compilation;
    private readonly CancellationToken _cancellationToken;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly ModelFields _fields;
    /// <summary>Per type, whether it holds parameters, directly or through models it holds (memoized; a type on a cycle holds none through it).</summary>
    private readonly Dictionary<INamedTypeSymbol, bool> _holdsParameters = new(SymbolEqualityComparer.Default);
    private readonly HashSet<INamedTypeSymbol> _described = new(SymbolEqualityComparer.Default);
    /// <summary>Every layer the walk went through, in order, as <see cref="ModelFields.Parameters"/> holds every parameter.</summary>
    private readonly List<ModelLayer> _layers = new();

    private ModelParser(INamedTypeSymbol root, Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _root = root;
        _compilation = compilation;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
        _fields = new ModelFields(root);
    }

    /// <summary>Whether <paramref name="type"/> holds parameters in its fields, so that its instance methods may be [Differentiable].</summary>
    public static bool IsModel(INamedTypeSymbol type) =>
        new ModelParser(type, null!, new List<DiagnosticInfo>(), CancellationToken.None).HoldsParameters(type, new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default));

    /// <summary>The parameters of the model <paramref name="type"/>, or <c>null</c> after adding to <paramref name="diagnostics"/> why it cannot be one.</summary>
    public static ModelFields? Parse(INamedTypeSymbol type, Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var parser = new ModelParser(type, compilation, diagnostics, cancellationToken);
        int before = diagnostics.Count;
        parser.CheckType(type, type.Locations.FirstOrDefault(l => l.IsInSource));
        parser.Walk(type, "", "", new Stack<INamedTypeSymbol>(), new List<ISymbol>());
        return diagnostics.Count == before ? parser._fields : null;
    }

    /// <summary>A model's fields and auto-properties, in declaration order, with whether each is marked [NoDerivative].</summary>
    public static IEnumerable<(ISymbol Member, ITypeSymbol Type, bool NoDerivative)> StorageMembers(INamedTypeSymbol type)
    {
        var members = new List<(ISymbol, ITypeSymbol, bool, Location?)>();
        foreach (ISymbol member in type.GetMembers())
        {
            switch (member)
            {
                case IFieldSymbol { IsStatic: false, IsConst: false, AssociatedSymbol: IPropertySymbol property } backing:
                    members.Add((property, property.Type, Symbols.HasAttribute(property, Symbols.NoDerivativeAttribute)
                        || Symbols.HasAttribute(backing, Symbols.NoDerivativeAttribute) || PositionalParameterHasNoDerivative(property), property.Locations.FirstOrDefault()));
                    break;
                case IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false } field:
                    members.Add((field, field.Type, Symbols.HasAttribute(field, Symbols.NoDerivativeAttribute), field.Locations.FirstOrDefault()));
                    break;
            }
        }
        // Declaration order, across the parts of a partial type: by file, then position.
        return members
            .OrderBy(m => m.Item4?.SourceTree?.FilePath ?? "", System.StringComparer.Ordinal)
            .ThenBy(m => m.Item4?.SourceSpan.Start ?? 0)
            .Select(m => (m.Item1, m.Item2, m.Item3));
    }

    /// <summary>Whether a property is an auto-property (one with a backing field the compiler declares), which is a model's storage.</summary>
    public static bool IsAutoProperty(IPropertySymbol property) =>
        property.ContainingType.GetMembers().Any(m => m is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property));

    /// <summary>
    /// A record's positional property carries the attributes written on its parameter to the parameter only, so
    /// <c>record Mlp([NoDerivative] double Rate)</c> is read from the primary constructor's parameter.
    /// </summary>
    private static bool PositionalParameterHasNoDerivative(IPropertySymbol property)
    {
        if (property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not ParameterSyntax declaration)
            return false;
        return property.ContainingType.InstanceConstructors.SelectMany(c => c.Parameters)
            .Any(p => p.Name == property.Name && p.DeclaringSyntaxReferences.Any(r => r.GetSyntax() == declaration) && Symbols.HasAttribute(p, Symbols.NoDerivativeAttribute));
    }

    /// <summary>What a member of this type is to a model: a parameter of a kind, a nested model, or (<c>null</c>) a hyperparameter.</summary>
    private static (ParameterRole Role, INamedTypeSymbol? Nested)? Classify(ITypeSymbol type, bool noDerivative, System.Func<INamedTypeSymbol, bool> holdsParameters)
    {
        if (noDerivative)
            return null;
        if (Symbols.MatrixType(type) is var (_, shape))
            return (shape == ValueShape.Matrix ? ParameterRole.Matrix : ParameterRole.MatrixArray, null);
        if (type.SpecialType is SpecialType.System_Double or SpecialType.System_Single)
            return (ParameterRole.Scalar, null);
        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Double or SpecialType.System_Single })
            return (ParameterRole.Array, null);
        if (IsModelCandidate(type) && holdsParameters((INamedTypeSymbol)type))
            return (ParameterRole.Passive, (INamedTypeSymbol)type);
        return null;
    }

    /// <summary>A class, struct or record declared in source, which may hold parameters (a layer).</summary>
    private static bool IsModelCandidate(ITypeSymbol type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct, IsTupleType: false } named
        && !Pullbacks.IsMatrix(named) && named.DeclaringSyntaxReferences.Length > 0;

    private bool HoldsParameters(INamedTypeSymbol type, HashSet<INamedTypeSymbol> visiting)
    {
        if (_holdsParameters.TryGetValue(type, out bool known))
            return known;
        if (!visiting.Add(type))
            return false;
        bool holds = StorageMembers(type).Any(m => Classify(m.Type, m.NoDerivative, nested => HoldsParameters(nested, visiting)) is not null);
        visiting.Remove(type);
        _holdsParameters[type] = holds;
        return holds;
    }

    private bool HoldsParameters(INamedTypeSymbol type) => HoldsParameters(type, new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default));

    /// <summary>The parameters of <paramref name="type"/>, reached from the model through <paramref name="path"/>, into <see cref="_fields"/>.</summary>
    private void Walk(INamedTypeSymbol type, string path, string code, Stack<INamedTypeSymbol> holding, List<ISymbol> chain)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        holding.Push(type);
        int firstParameter = _fields.Parameters.Count, firstLayer = _layers.Count;
        var members = new List<ModelMember>();
        foreach (var (member, memberType, noDerivative) in StorageMembers(type))
        {
            Location? at = member.Locations.FirstOrDefault(l => l.IsInSource);
            string name = Naming.Identifier(member.Name);
            string memberPath = path.Length == 0 ? member.Name : path + "." + member.Name;
            string memberCode = code.Length == 0 ? name : code + "." + name;
            if (Classify(memberType, noDerivative, HoldsParameters) is not var (role, nested))
            {
                if (!noDerivative && Mentions(memberType, t => Symbols.MatrixType(t) is not null || IsModelCandidate(t) && HoldsParameters((INamedTypeSymbol)t)) is { } held)
                    Report(type, at, $"its field '{member.Name}' holds {(Symbols.MatrixType(held) is not null ? "matrices" : $"the model '{held.Name}'")} in a '{memberType.ToDisplayString()}', which is not supported yet: hold each layer in a field of its own, or a stack's weights in Matrix<T>[] fields, or mark '{member.Name}' [NoDerivative] if it holds no parameters");
                continue;
            }
            if (member.Name == Naming.GradientsFactory)
                Report(type, at, $"its parameter '{member.Name}' would give '{Naming.GradientsType}' a member of the name of its method '{Naming.GradientsFactory}'; rename it");
            if (!SymbolEqualityComparer.Default.Equals(type, _root) && !_compilation.IsSymbolAccessibleWithin(member, _root))
                Report(type, at, $"its parameter '{member.Name}' is {Symbols.AccessibilityKeyword(member.DeclaredAccessibility)}, and the model '{_root.Name}' reads it through '{path}': make it internal or public");
            if (nested is null)
            {
                _fields.Parameters.Add(new ModelField(memberPath, memberCode, memberType, role, member, chain.Append(member).ToList()));
                members.Add(new ModelMember(name, Kind(role), GradientType(memberType, role)));
                continue;
            }
            if (holding.Contains(nested, SymbolEqualityComparer.Default))
            {
                Report(type, at, $"its field '{member.Name}' holds a '{nested.Name}' again, and a model's layers form a tree; mark '{member.Name}' [NoDerivative] if it holds no parameters");
                continue;
            }
            string? accessibility = MemberAccessibility(nested, type);
            if (accessibility is null)
                Report(type, at, $"its field '{member.Name}' holds the model '{nested.Name}', which is neither public nor internal, so '{type.Name}.{Naming.GradientsType}' cannot hold its gradients; make '{nested.Name}' (and the types around it) internal or public");
            CheckType(nested, at);
            if (Enclosing(nested).FirstOrDefault(t => FunctionParser.FindPartialDeclaration(t, _cancellationToken) is null) is { } whole)
                Report(type, at, $"its field '{member.Name}' holds a '{nested.Name}', a model by its fields ({string.Join(", ", ParameterNames(nested))}), and '{whole.Name}' is not partial, so the generator cannot add '{nested.Name}.{Naming.GradientsType}': make it partial, or mark '{member.Name}' [NoDerivative] if it holds hyperparameters");
            members.Add(new ModelMember(name, ModelMemberKind.Model, Symbols.TypeName(nested) + "." + Naming.GradientsType, accessibility ?? "public"));
            var layerChain = chain.Append(member).ToList();
            _layers.Add(new ModelLayer(memberCode, nested, layerChain));
            Walk(nested, memberPath, memberCode, holding, layerChain);
        }
        holding.Pop();
        if (_described.Add(type))
            _fields.Models.Add(Describe(type, members, _fields.Parameters.Skip(firstParameter), _layers.Skip(firstLayer), chain.Count, code));
    }

    /// <summary>What a model type needs: to be partial (as the types around it), not generic, not file-local, with no member named <c>Gradients</c>.</summary>
    private void CheckType(INamedTypeSymbol type, Location? reachedAt)
    {
        for (INamedTypeSymbol? outer = type; outer is not null; outer = outer.ContainingType)
        {
            Location? at = outer.Locations.FirstOrDefault(l => l.IsInSource) ?? reachedAt;
            if (outer.IsGenericType)
                Report(type, at, $"{(SymbolEqualityComparer.Default.Equals(outer, type) ? "it is" : $"it is inside '{outer.Name}', which is")} generic; write the model for Matrix<float> or Matrix<double>");
            // The method's own types are checked with the method (BP0008 for a file-local one, BP0002 for one not partial).
            if (outer.IsFileLocal && !SymbolEqualityComparer.Default.Equals(type, _root))
                Report(type, at, $"{(SymbolEqualityComparer.Default.Equals(outer, type) ? "it is" : $"it is inside '{outer.Name}', which is")} local to its file, and its generated '{Naming.GradientsType}' would be in another file");
        }
        if (type.GetMembers(Naming.GradientsType).FirstOrDefault() is { } clash)
            Report(type, clash.Locations.FirstOrDefault(l => l.IsInSource) ?? reachedAt,
                $"its member '{Naming.GradientsType}' has the name of the type Backprop generates into a model for its gradients; rename it");
    }

    /// <summary>
    /// The accessibility of a nested model's member of its holder's <c>Gradients</c>: public when the nested model is as
    /// accessible as the model holding it, internal when it is internal; <c>null</c> when it is neither public nor internal.
    /// It depends on the two types alone, so every method reaching the holder describes its <c>Gradients</c> alike.
    /// </summary>
    private static string? MemberAccessibility(INamedTypeSymbol nested, INamedTypeSymbol holder)
    {
        int Level(INamedTypeSymbol type)
        {
            int level = 2;
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
                level = System.Math.Min(level, t.DeclaredAccessibility switch { Accessibility.Public => 2, Accessibility.Internal => 1, _ => 0 });
            return level;
        }
        int nestedLevel = Level(nested);
        return nestedLevel == 0 ? null : nestedLevel >= Level(holder) ? "public" : "internal";
    }

    /// <summary>A type and the types around it, innermost first.</summary>
    private static IEnumerable<INamedTypeSymbol> Enclosing(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            yield return t;
    }

    /// <summary>The names of a type's own members that make it a model.</summary>
    private IEnumerable<string> ParameterNames(INamedTypeSymbol type) =>
        StorageMembers(type).Where(m => Classify(m.Type, m.NoDerivative, HoldsParameters) is not null).Select(m => m.Member.Name);

    /// <param name="parameters">The parameters reached through <paramref name="type"/>, with paths from the model the parse started at.</param>
    /// <param name="depth">How many members lead from that model to <paramref name="type"/>, whose code is <paramref name="code"/>.</param>
    private ModelSpec Describe(INamedTypeSymbol type, List<ModelMember> members, IEnumerable<ModelField> parameters, IEnumerable<ModelLayer> layers, int depth, string code)
    {
        string Relative(string path) => code.Length == 0 ? path : path.Substring(code.Length + 1);
        var walked = parameters.Select(p =>
        {
            var (access, reason) = p.Role == ParameterRole.Scalar ? ScalarAccessOf(type, p.Members.Skip(depth).ToList()) : (ScalarAccess.InPlace, null);
            return new WalkedParameter(depth == 0 ? p.Path : string.Join(".", p.Members.Skip(depth).Select(m => m.Name)), Relative(p.Code), Kind(p.Role), ElementOf(p.Type), access, reason);
        });
        var walkedLayers = layers.Select(l => new WalkedLayer(Relative(l.Code), l.Type.IsReferenceType));
        var types = new List<TypeDeclarationSpec>();
        var names = new List<string>();
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            names.Insert(0, t.Name);
            if (FunctionParser.FindPartialDeclaration(t, _cancellationToken) is { } partial)
                types.Insert(0, new TypeDeclarationSpec(FunctionParser.TypeKeyword(partial), partial.Identifier.Text));
        }
        string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        string hint = Regex.Replace(string.Join(".", (ns is null ? names : names.Prepend(ns)).Append(Naming.GradientsType)), @"[^\w.,()`-]", "_") + ".g.cs";
        return new ModelSpec(ns, types.ToEquatableArray(), Symbols.TypeName(type), hint, members.ToEquatableArray(), type.IsValueType,
            walked.ToEquatableArray(), walkedLayers.ToEquatableArray());
    }

    /// <summary>
    /// Whether the walk of <paramref name="owner"/> can write a scalar it reaches through <paramref name="members"/> (its
    /// layers', then its own): in place through fields and references, through a property's setter, or not at all (why).
    /// </summary>
    private static (ScalarAccess, string?) ScalarAccessOf(INamedTypeSymbol owner, IReadOnlyList<ISymbol> members)
    {
        if (owner.IsValueType)
            return (ScalarAccess.ReadOnly, $"it is in the struct '{owner.Name}', which is walked as a copy; make '{owner.Name}' a class or record class to train it in place");
        // A struct layer's fields are variables only when the layer is itself a writable field (a property returns a copy).
        for (int i = 0; i < members.Count - 1; i++)
        {
            if (TypeOf(members[i]).IsReferenceType || members[i] is IFieldSymbol { IsReadOnly: false })
                continue;
            string layer = string.Join(".", members.Take(i + 1).Select(m => m.Name));
            return (ScalarAccess.ReadOnly, $"the struct layer '{layer}' is {(members[i] is IFieldSymbol ? "a readonly field" : "a property")}, which gives a copy; make it a field that is not readonly");
        }
        return members[members.Count - 1] switch
        {
            IFieldSymbol { IsReadOnly: true } => (ScalarAccess.ReadOnly, "it is a readonly field; remove readonly, or mark it [NoDerivative]"),
            IFieldSymbol => (ScalarAccess.InPlace, null),
            IPropertySymbol { SetMethod: { IsInitOnly: false } } => (ScalarAccess.ThroughProperty, null),
            IPropertySymbol { SetMethod: null } => (ScalarAccess.ReadOnly, "it is a property without a setter; give it one, make it a field, or mark it [NoDerivative]"),
            _ => (ScalarAccess.ReadOnly, "it is an init-only property; give it a setter, make it a field, or mark it [NoDerivative]"),
        };
    }

    private static ITypeSymbol TypeOf(ISymbol member) => member switch
    {
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        _ => throw new System.InvalidOperationException($"A model member {member} is neither a field nor a property."),
    };

    /// <summary>A parameter's element type: a matrix's, an array's, or the scalar's own.</summary>
    private static ScalarType ElementOf(ITypeSymbol type) =>
        Symbols.MatrixType(type)?.Element ?? Symbols.ToScalarType(type is IArrayTypeSymbol array ? array.ElementType : type)!.Value;

    private static ModelMemberKind Kind(ParameterRole role) => role switch
    {
        ParameterRole.Matrix => ModelMemberKind.Matrix,
        ParameterRole.MatrixArray => ModelMemberKind.MatrixArray,
        ParameterRole.Array => ModelMemberKind.Array,
        _ => ModelMemberKind.Scalar,
    };

    private static string GradientType(ITypeSymbol type, ParameterRole role) => role switch
    {
        ParameterRole.Matrix => ValueShapes.MatrixType(Symbols.MatrixType(type)!.Value.Element),
        ParameterRole.MatrixArray => ValueShapes.MatrixType(Symbols.MatrixType(type)!.Value.Element) + "[]",
        ParameterRole.Array => Symbols.ToScalarType(((IArrayTypeSymbol)type).ElementType)!.Value.Keyword() + "[]",
        _ => Symbols.ToScalarType(type)!.Value.Keyword(),
    };

    /// <summary>The first type inside <paramref name="type"/> (itself, an array's element, a type argument, a tuple's element) that <paramref name="wanted"/> selects.</summary>
    private static ITypeSymbol? Mentions(ITypeSymbol type, System.Func<ITypeSymbol, bool> wanted)
    {
        if (wanted(type))
            return type;
        return type switch
        {
            IArrayTypeSymbol array => Mentions(array.ElementType, wanted),
            INamedTypeSymbol { TypeArguments.Length: > 0 } generic => generic.TypeArguments.Select(t => Mentions(t, wanted)).FirstOrDefault(t => t is not null),
            _ => null,
        };
    }

    private void Report(INamedTypeSymbol model, Location? at, string why) =>
        _diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ModelNotSupported, at, model.Name, why));
}
