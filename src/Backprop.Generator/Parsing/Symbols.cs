using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

internal static class Symbols
{
    public const string DifferentiableAttribute = "Backprop.DifferentiableAttribute";
    public const string NoDerivativeAttribute = "Backprop.NoDerivativeAttribute";

    /// <summary>The forward program's type for <paramref name="type"/>, or <c>null</c> when it has none.</summary>
    public static ScalarType? ToScalarType(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.None when GenericMath.IsFloatingPointParameter(type) => ScalarType.Generic,
        SpecialType.System_Double => ScalarType.Double,
        SpecialType.System_Single => ScalarType.Float,
        SpecialType.System_Int32 => ScalarType.Int,
        SpecialType.System_Int64 => ScalarType.Long,
        SpecialType.System_Byte => ScalarType.Byte,
        SpecialType.System_Boolean => ScalarType.Bool,
        _ => null,
    };

    /// <summary>
    /// For the small integers the forward program has no type for (<c>sbyte</c>, <c>short</c>, <c>ushort</c>), the type to
    /// use instead, as a diagnostic's advice puts it; <c>null</c> for any other type.
    /// </summary>
    public static string? SmallIntegerAlternative(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_UInt16
        ? "int (or byte, when the values are 0 to 255)"
        : null;

    /// <summary>
    /// The first member <paramref name="body"/> uses (a field, property, method or constructor) that code in
    /// <paramref name="within"/> cannot reach: generated code placed there could not compile with that body's code in it.
    /// </summary>
    /// <param name="lowered">Members that lowering turns into variables or inlines, which generated code never names.</param>
    public static (IOperation Reference, ISymbol Member)? FirstUnreachableMember(IOperation body, Compilation compilation, ISymbol within, System.Func<ISymbol, bool>? lowered = null)
    {
        foreach (IOperation operation in body.Descendants())
        {
            ISymbol? member = operation switch
            {
                IMemberReferenceOperation reference => reference.Member,
                IInvocationOperation invocation => invocation.TargetMethod,
                IObjectCreationOperation creation => creation.Constructor,
                _ => null,
            };
            if (member is not null && !compilation.IsSymbolAccessibleWithin(member, within) && lowered?.Invoke(member) != true)
                return (operation, member);
        }
        return null;
    }

    /// <summary>For a <c>Backprop.Matrix&lt;T&gt;</c> of double or float, and a one-dimensional array of them: the element type and the shape.</summary>
    public static (ScalarType Element, ValueShape Shape)? MatrixType(ITypeSymbol? type) => type switch
    {
        INamedTypeSymbol named when Pullbacks.IsMatrix(named) && ToScalarType(named.TypeArguments[0]) is ScalarType element && element.IsFloatingPoint() =>
            (element, ValueShape.Matrix),
        IArrayTypeSymbol { Rank: 1, ElementType: var inner } when MatrixType(inner) is (var element, ValueShape.Matrix) => (element, ValueShape.MatrixArray),
        _ => null,
    };

    /// <summary>Whether a method takes or returns matrices (or arrays of them).</summary>
    public static bool TakesOrReturnsMatrices(IMethodSymbol method) =>
        MatrixType(method.ReturnType) is not null || method.Parameters.Any(p => MatrixType(p.Type) is not null);

    /// <summary>A type as generated code names it: fully qualified (remembered per symbol: every operation on matrices names its types several times).</summary>
    public static string TypeName(ITypeSymbol type) => s_typeNames.GetValue(type, t => t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ITypeSymbol, string> s_typeNames = new();

    /// <summary>A method as a call names it: <c>global::Ns.Type.Method&lt;T&gt;</c>.</summary>
    public static string MethodName(IMethodSymbol method) =>
        TypeName(method.ContainingType) + "." + method.Name + TypeArguments(method.TypeArguments, method.TypeArguments.Length);

    /// <summary><paramref name="generic"/> (a pullback, destination form or shape method) with the type arguments of the call it serves.</summary>
    public static string Instantiate(IMethodSymbol generic, IMethodSymbol call) =>
        TypeName(generic.ContainingType) + "." + generic.Name
        + TypeArguments(call.TypeArguments.AddRange(call.ContainingType.TypeArguments), generic.TypeParameters.Length);

    /// <summary>The first <paramref name="count"/> of <paramref name="arguments"/> as a type argument list, or nothing.</summary>
    private static string TypeArguments(ImmutableArray<ITypeSymbol> arguments, int count)
    {
        if (count == 0)
            return "";
        var text = new System.Text.StringBuilder("<");
        for (int i = 0; i < count; i++)
            text.Append(i == 0 ? "" : ", ").Append(TypeName(arguments[i]));
        return text.Append('>').ToString();
    }

    /// <summary>The element type of a <c>Span&lt;T&gt;</c> or <c>ReadOnlySpan&lt;T&gt;</c> of numbers.</summary>
    public static ScalarType? SpanElement(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } span
            ? ToScalarType(span.TypeArguments[0])
            : null;

    /// <summary>
    /// Whether <paramref name="type"/> is the top-level type <paramref name="fullName"/> (<c>Backprop.NoDerivativeAttribute</c>,
    /// or <c>Backprop.Matrix</c> for its generic definition), compared name by name: this runs for every type and attribute
    /// the lowering meets, where a display string would allocate each time.
    /// </summary>
    public static bool IsNamed(ITypeSymbol? type, string fullName)
    {
        if (type is not INamedTypeSymbol { ContainingType: null })
            return false;
        int end = fullName.Length;
        for (ISymbol symbol = type; ; symbol = symbol.ContainingNamespace)
        {
            int dot = fullName.LastIndexOf('.', end - 1);
            int length = end - dot - 1;
            if (symbol.Name.Length != length || string.CompareOrdinal(symbol.Name, 0, fullName, dot + 1, length) != 0)
                return false;
            if (dot < 0)
                return symbol.ContainingNamespace?.IsGlobalNamespace == true;
            end = dot;
        }
    }

    /// <summary>The derivatives a <c>[Differentiable]</c> method asks for: the attribute's argument, or the gradient alone.</summary>
    public static DerivativeKinds DerivativesOf(ISymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (IsNamed(attribute.AttributeClass, DifferentiableAttribute))
                return attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int flags ? (DerivativeKinds)flags : DerivativeKinds.Gradient;
        }
        return 0;
    }

    public static bool HasAttribute(ISymbol symbol, string metadataName)
    {
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (IsNamed(attribute.AttributeClass, metadataName))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Why generated code in <paramref name="within"/> cannot call <paramref name="method"/>: a phrase such as
    /// <c>'P' is private to 'Functions'</c> naming the first of the method and its containing types that it cannot
    /// see, or <c>null</c> when it can call it. C#'s rules: private needs <paramref name="within"/> inside the declaring
    /// type; protected, inside a type derived from it; internal, the same assembly or one that grants access; a
    /// <c>file</c> type, the same file, which generated code never is.
    /// </summary>
    public static string? WhyInaccessible(IMethodSymbol method, INamedTypeSymbol within)
    {
        for (ISymbol? symbol = method; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingType)
        {
            if (IsAccessible(symbol, within))
                continue;
            string scope = symbol is INamedTypeSymbol { IsFileLocal: true } ? "local to its file"
                : symbol.DeclaredAccessibility == Accessibility.Internal ? $"internal to assembly '{symbol.ContainingAssembly?.Name}'"
                : $"{AccessibilityKeyword(symbol.DeclaredAccessibility)} to '{symbol.ContainingType?.Name}'";
            return ReferenceEquals(symbol, method) ? $"'{method.Name}' is {scope}" : $"'{method.Name}' is inside '{symbol.Name}', which is {scope}";
        }
        return null;
    }

    private static bool IsAccessible(ISymbol symbol, INamedTypeSymbol within)
    {
        // Generated code is a file of its own.
        if (symbol is INamedTypeSymbol { IsFileLocal: true })
            return false;
        IAssemblySymbol? assembly = symbol.ContainingAssembly;
        bool sameAssembly = assembly is not null
            && (SymbolEqualityComparer.Default.Equals(assembly, within.ContainingAssembly) || assembly.GivesAccessTo(within.ContainingAssembly));
        INamedTypeSymbol? declaring = symbol.ContainingType?.OriginalDefinition;
        return symbol.DeclaredAccessibility switch
        {
            Accessibility.Private => declaring is not null && Enclosing(within).Any(t => SymbolEqualityComparer.Default.Equals(t, declaring)),
            Accessibility.Protected => declaring is not null && Enclosing(within).Any(t => DerivesFrom(t, declaring)),
            Accessibility.Internal => sameAssembly,
            Accessibility.ProtectedOrInternal => sameAssembly || (declaring is not null && Enclosing(within).Any(t => DerivesFrom(t, declaring))),
            Accessibility.ProtectedAndInternal => sameAssembly && declaring is not null && Enclosing(within).Any(t => DerivesFrom(t, declaring)),
            _ => true,
        };
    }

    /// <summary><paramref name="type"/> and the types it is nested in, innermost first, as declared.</summary>
    private static IEnumerable<INamedTypeSymbol> Enclosing(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            yield return t.OriginalDefinition;
    }

    private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, baseType))
                return true;
        }
        return false;
    }

    public static string AccessibilityKeyword(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };
}
