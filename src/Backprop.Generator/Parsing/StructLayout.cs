using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Parsing;

/// <summary>
/// A struct of this compilation as the forward program holds it: its leaves, each number it stores (in fields and
/// auto-properties, a record's positional ones among them), nested structs' in place, in declaration order. A
/// differentiable struct stores only doubles, floats, ints, longs, bools and other differentiable structs; its double
/// and float leaves carry derivatives unless marked <c>[NoDerivative]</c> (or held by a member so marked).
/// </summary>
internal sealed class StructLayout
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<INamedTypeSymbol, StructLayout> s_layouts = new();

    private StructLayout(INamedTypeSymbol type) => Type = type;

    public INamedTypeSymbol Type { get; }

    /// <summary>Every number the struct stores, nested structs' included, in declaration order.</summary>
    public List<Leaf> Leaves { get; } = new();

    /// <summary>The struct's own fields and auto-properties, each with the leaves it holds.</summary>
    public List<Member> Members { get; } = new();

    /// <summary>Why the struct cannot be differentiated (<c>its field 'Name' is a string</c>), or <c>null</c> when it can.</summary>
    public string? Refusal { get; private set; }

    /// <param name="Code">The leaf as C# reads it from a value: <c>X</c>, <c>Position.X</c> (keywords escaped).</param>
    /// <param name="Name">As one identifier, for variable names: <c>X</c>, <c>Position_X</c>.</param>
    /// <param name="Path">The members reaching it from the struct, outermost first.</param>
    /// <param name="IsArray">An array of numbers (<c>double[] W</c>): a struct parameter's member, read by index (see <see cref="ArrayMember"/>).</param>
    public sealed record Leaf(string Code, string Name, ScalarType Type, bool Differentiable, IReadOnlyList<ISymbol> Path, bool IsArray = false);

    /// <summary>
    /// Its first array member, or <c>null</c>. A struct holding arrays is taken as a parameter and read (its arrays by
    /// index, <c>Length</c>, passed on), never made, copied or returned in differentiated code: an array is a reference,
    /// and a copy would share it.
    /// </summary>
    public Leaf? ArrayMember => Leaves.FirstOrDefault(l => l.IsArray);

    /// <param name="Symbol">The field, or the auto-property.</param>
    /// <param name="First">Its first leaf; it holds <paramref name="Count"/> of them (one, or a nested struct's).</param>
    /// <param name="Nested">For a member of a struct type, that struct's layout.</param>
    public sealed record Member(ISymbol Symbol, ITypeSymbol Type, int First, int Count, StructLayout? Nested);

    /// <summary>
    /// The layout of a struct declared in this compilation (other than a tuple, a ref struct, a matrix); <c>null</c> for
    /// any other type. A struct that cannot be differentiated has a <see cref="Refusal"/>.
    /// </summary>
    public static StructLayout? Of(ITypeSymbol? type) =>
        IsCandidate(type) ? s_layouts.GetValue((INamedTypeSymbol)type!, t => Build(t, new List<INamedTypeSymbol>())) : null;

    private static bool IsCandidate(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Struct, IsTupleType: false, IsRefLikeType: false } named
        && (named.DeclaringSyntaxReferences.Length > 0 && !Pullbacks.IsMatrix(named) || NumericsRules.IsNumerics(named));

    /// <summary>A System.Numerics struct (<see cref="NumericsRules"/>): its members have rules of their own, not bodies to inline.</summary>
    public bool IsNumerics => NumericsRules.IsNumerics(Type);

    /// <summary>For an array or span of a struct of this compilation (<c>Vec3[]</c>, <c>ReadOnlySpan&lt;Vec3&gt;</c>), the struct's layout.</summary>
    public static (StructLayout Element, bool IsSpan)? ArrayOf(ITypeSymbol? type) =>
        type is IArrayTypeSymbol { Rank: 1, ElementType: var element } && Of(element) is { } layout ? (layout, false)
        : type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments: { Length: 1 } arguments, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } }
          && Of(arguments[0]) is { } spanned ? (spanned, true)
        : null;

    /// <summary>
    /// Why an array of the struct cannot be read as the numbers it holds one after another, or <c>null</c>: a layout
    /// other than the default (sequential), or fields declared in several parts of a partial struct (whose order the
    /// compiler chooses).
    /// </summary>
    public string? Unpacked() =>
        Type.GetAttributes().Any(a => a.AttributeClass?.Name == "StructLayoutAttribute")
            ? $"'{Type.Name}' declares its layout ([StructLayout]); an array of it is read as its numbers one after another, which needs the default layout"
        : Type.DeclaringSyntaxReferences.Length > 1
            ? $"'{Type.Name}' is declared in several parts; an array of it is read as its numbers in declaration order, which needs its fields in one part"
        : Members.Select(m => m.Nested?.Unpacked()).FirstOrDefault(why => why is not null);

    /// <summary>A struct whose every leaf the forward program can hold.</summary>
    public static bool IsDifferentiable(ITypeSymbol? type) => Of(type) is { Refusal: null };

    private static StructLayout Build(INamedTypeSymbol type, List<INamedTypeSymbol> outer)
    {
        var layout = new StructLayout(type);
        if (NumericsRules.LeavesOf(type) is var (leaves, leafType))
        {
            // Its public fields X, Y, Z, W, or Complex's properties Real and Imaginary (over private fields in that order).
            foreach (string leaf in leaves)
            {
                ISymbol member = type.GetMembers(leaf).First(m => m is IFieldSymbol or IPropertySymbol);
                layout.Members.Add(new Member(member, member is IFieldSymbol field ? field.Type : ((IPropertySymbol)member).Type, layout.Leaves.Count, 1, null));
                layout.Leaves.Add(new Leaf(leaf, leaf, leafType, true, new[] { member }));
            }
            return layout;
        }
        if (type.IsGenericType || type.ContainingType?.IsGenericType == true)
        {
            layout.Refusal = "it is generic; write it for double or float";
            return layout;
        }
        foreach (var (symbol, memberType, noDerivative) in ModelParser.StorageMembers(type))
        {
            string code = Naming.Identifier(symbol.Name);
            if (Symbols.ToScalarType(memberType) is ScalarType scalar && scalar is not (ScalarType.Generic or ScalarType.Byte))
            {
                layout.Members.Add(new Member(symbol, memberType, layout.Leaves.Count, 1, null));
                layout.Leaves.Add(new Leaf(code, symbol.Name, scalar, scalar.IsFloatingPoint() && !noDerivative, new[] { symbol }));
                continue;
            }
            if (memberType is IArrayTypeSymbol { Rank: 1, ElementType: var element } && Symbols.ToScalarType(element) is ScalarType elementType && elementType is not (ScalarType.Generic or ScalarType.Byte))
            {
                layout.Members.Add(new Member(symbol, memberType, layout.Leaves.Count, 1, null));
                layout.Leaves.Add(new Leaf(code, symbol.Name, elementType, elementType.IsFloatingPoint() && !noDerivative, new[] { symbol }, IsArray: true));
                continue;
            }
            // A struct holding itself is the compiler's error (CS0523), which the generator still meets: it is no layout.
            StructLayout? nested = memberType is INamedTypeSymbol named && IsCandidate(named) && !outer.Append(type).Contains(named, SymbolEqualityComparer.Default)
                ? Build(named, outer.Append(type).ToList()) : null;
            if (nested is null || nested.Refusal is not null)
            {
                layout.Refusal = $"its {Kind(symbol)} '{symbol.Name}' is {Describe(memberType)}{(nested?.Refusal is { } inner ? $" ({inner})" : "")}";
                return layout;
            }
            layout.Members.Add(new Member(symbol, memberType, layout.Leaves.Count, nested.Leaves.Count, nested));
            foreach (Leaf leaf in nested.Leaves)
                layout.Leaves.Add(new Leaf(code + "." + leaf.Code, symbol.Name + "_" + leaf.Name, leaf.Type, leaf.Differentiable && !noDerivative, leaf.Path.Prepend(symbol).ToList(), leaf.IsArray));
        }
        if (layout.Leaves.Count == 0)
            layout.Refusal = "it stores no number";
        return layout;
    }

    /// <summary>The member of this struct that an operation reads or writes (a field, an auto-property), if it is one of its own.</summary>
    public Member? MemberFor(ISymbol symbol) =>
        Members.FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(m.Symbol, symbol)
            || symbol is IFieldSymbol { AssociatedSymbol: { } property } && SymbolEqualityComparer.Default.Equals(m.Symbol, property));

    /// <summary>The leaves as the model describes them, with how generated code makes a value from them (see <see cref="Creation"/>).</summary>
    public StructSpec Spec(string creation) =>
        new(Symbols.TypeName(Type), Leaves.Select(l => new StructLeaf(l.Code, l.Name, l.Type, l.Differentiable)).ToEquatableArray(), creation);

    /// <summary>
    /// How code in <paramref name="within"/> makes a value of the struct from its leaves (<see cref="StructSpec.Creation"/>),
    /// and reads each leaf; or why it cannot (<paramref name="why"/>): a record's primary constructor, an object
    /// initializer when every member can be set, or a constructor that assigns each member from a parameter of its own.
    /// </summary>
    public string? Creation(Compilation compilation, INamedTypeSymbol within, out string why)
    {
        why = "";
        foreach (Leaf leaf in Leaves)
        {
            ISymbol? hidden = leaf.Path.FirstOrDefault(m => !compilation.IsSymbolAccessibleWithin(m is IPropertySymbol { GetMethod: { } get } ? get : m, within));
            if (hidden is not null)
            {
                why = $"its {Kind(hidden)} '{hidden.Name}' is {Symbols.AccessibilityKeyword(hidden.DeclaredAccessibility)}, and the derivative methods read it; make it internal or public";
                return null;
            }
        }
        return Create(compilation, within, 0, ref why);
    }

    private string? Create(Compilation compilation, INamedTypeSymbol within, int offset, ref string why)
    {
        string type = Symbols.TypeName(Type);
        // A System.Numerics struct (a parameter, or a member of a struct of this compilation) is made by its constructor of its leaves.
        if (IsNumerics)
            return $"new {type}({string.Join(", ", Leaves.Select((_, i) => "$" + (offset + i).ToString(System.Globalization.CultureInfo.InvariantCulture)))})";
        string Value(Member member, ref string reason) => member.Nested is { } nested
            ? nested.Create(compilation, within, offset + member.First, ref reason) ?? ""
            : "$" + (offset + member.First).ToString(System.Globalization.CultureInfo.InvariantCulture);

        IMethodSymbol? primary = PrimaryConstructor();
        if (primary is not null && compilation.IsSymbolAccessibleWithin(primary, within))
        {
            var positional = primary.Parameters.Select(p => Members.FirstOrDefault(m => IsPositional(m.Symbol, p))).ToList();
            var others = Members.Where(m => !positional.Contains(m)).ToList();
            if (positional.All(m => m is not null) && others.All(m => Settable(m.Symbol, compilation, within)))
            {
                string reason = "";
                string arguments = string.Join(", ", positional.Select(m => Value(m!, ref reason)));
                string rest = others.Count == 0 ? "" : " { " + string.Join(", ", others.Select(m => $"{Naming.Identifier(m.Symbol.Name)} = {Value(m, ref reason)}")) + " }";
                if (reason.Length == 0)
                    return $"new {type}({arguments}){rest}";
            }
        }
        if (Members.All(m => Settable(m.Symbol, compilation, within)))
        {
            string reason = "";
            string members = string.Join(", ", Members.Select(m => $"{Naming.Identifier(m.Symbol.Name)} = {Value(m, ref reason)}"));
            if (reason.Length == 0)
                return $"new {type} {{ {members} }}";
            why = reason;
            return null;
        }
        foreach (IMethodSymbol constructor in Type.InstanceConstructors.Where(c => compilation.IsSymbolAccessibleWithin(c, within)))
        {
            if (MemberParameters(constructor) is not { } assigned)
                continue;
            string reason = "";
            string arguments = string.Join(", ", assigned.Select(m => Value(m, ref reason)));
            if (reason.Length == 0)
                return $"new {type}({arguments})";
        }
        Member unset = Members.First(m => !Settable(m.Symbol, compilation, within));
        why = $"derivative methods make values of '{Type.Name}', and its {Kind(unset.Symbol)} '{unset.Symbol.Name}' cannot be set from outside it; "
            + "make its members settable (or init), or give it a constructor that assigns each member from a parameter of its own";
        return null;
    }

    /// <summary>A record struct's primary constructor, if it has one.</summary>
    public IMethodSymbol? PrimaryConstructor() =>
        Type.IsRecord ? Type.InstanceConstructors.FirstOrDefault(c => c.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is RecordDeclarationSyntax) : null;

    /// <summary>
    /// Whether deconstructing the struct gives its leaves in order: a record struct whose positional members are all its
    /// members, each a number, and which declares no <c>Deconstruct</c> of its own.
    /// </summary>
    public bool DeconstructsToLeaves() =>
        PrimaryConstructor() is { } primary && primary.Parameters.Length == Members.Count
        && Members.Select((m, i) => m.Nested is null && IsPositional(m.Symbol, primary.Parameters[i])).All(positional => positional)
        && Type.GetMembers("Deconstruct").All(m => m.IsImplicitlyDeclared);

    /// <summary>Whether a member is the property a record's primary constructor parameter declares.</summary>
    public static bool IsPositional(ISymbol member, IParameterSymbol parameter) =>
        member is IPropertySymbol property && property.Name == parameter.Name
        && property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is ParameterSyntax declaration
        && parameter.DeclaringSyntaxReferences.Any(r => r.GetSyntax() == declaration);

    /// <summary>
    /// For a constructor whose body only assigns each member of the struct once from a parameter of its own
    /// (<c>X = x;</c>, <c>this.X = x;</c>, <c>(X, Y) = (x, y);</c>), the member each parameter sets; else <c>null</c>.
    /// </summary>
    private List<Member>? MemberParameters(IMethodSymbol constructor)
    {
        if (constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not ConstructorDeclarationSyntax { Initializer: null } declaration)
            return null;
        var pairs = new List<(ExpressionSyntax Target, ExpressionSyntax Value)>();
        IEnumerable<ExpressionSyntax> statements = declaration.ExpressionBody is { } arrow ? new[] { arrow.Expression }
            : declaration.Body?.Statements.Select(s => (s as ExpressionStatementSyntax)?.Expression!) ?? Enumerable.Empty<ExpressionSyntax>();
        foreach (ExpressionSyntax? statement in statements)
        {
            if (statement is not AssignmentExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.SimpleAssignmentExpression } assignment)
                return null;
            if (assignment.Left is TupleExpressionSyntax targets && assignment.Right is TupleExpressionSyntax values && targets.Arguments.Count == values.Arguments.Count)
                pairs.AddRange(targets.Arguments.Zip(values.Arguments, (t, v) => (t.Expression, v.Expression)));
            else
                pairs.Add((assignment.Left, assignment.Right));
        }
        var byParameter = new Member?[constructor.Parameters.Length];
        foreach (var (target, value) in pairs)
        {
            string? member = target switch
            {
                IdentifierNameSyntax name => name.Identifier.ValueText,
                MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax name } => name.Identifier.ValueText,
                _ => null,
            };
            int parameter = value is IdentifierNameSyntax argument ? constructor.Parameters.IndexOf(constructor.Parameters.FirstOrDefault(p => p.Name == argument.Identifier.ValueText)!) : -1;
            Member? assigned = Members.FirstOrDefault(m => m.Symbol.Name == member);
            if (assigned is null || parameter < 0 || byParameter[parameter] is not null || !SymbolEqualityComparer.Default.Equals(constructor.Parameters[parameter].Type, assigned.Type))
                return null;
            byParameter[parameter] = assigned;
        }
        return byParameter.All(m => m is not null) && byParameter.Distinct().Count() == Members.Count ? byParameter.Select(m => m!).ToList() : null;
    }

    private static bool Settable(ISymbol member, Compilation compilation, INamedTypeSymbol within) => member switch
    {
        IFieldSymbol field => !field.IsReadOnly && compilation.IsSymbolAccessibleWithin(field, within),
        IPropertySymbol { SetMethod: { } set } => compilation.IsSymbolAccessibleWithin(set, within),
        _ => false,
    };

    private static string Kind(ISymbol member) => member is IPropertySymbol ? "property" : "field";

    private static string Describe(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol => $"an array of '{((IArrayTypeSymbol)type).ElementType.ToDisplayString()}' ('{type.ToDisplayString()}'); a struct holds one-dimensional arrays of numbers",
        { TypeKind: TypeKind.Enum } => $"an enum ('{type.ToDisplayString()}'); store its number as an int",
        { SpecialType: SpecialType.System_Byte } => "a 'byte', which a struct does not hold yet; store it as an int",
        _ => $"a '{type.ToDisplayString()}'",
    };
}
