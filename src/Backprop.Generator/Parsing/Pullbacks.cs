using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Finds and checks <c>[DerivativeOf]</c> pullbacks, the derivative rules that matrix operations, operators and
/// users' functions bring with them (the convention is documented on <c>Backprop.DerivativeOfAttribute</c>).
/// A pullback lives in the differentiated method's type, or in another type of the same namespace and assembly
/// that names the method's type with <c>[DerivativeOf(typeof(…), name)]</c>.
/// </summary>
internal static class Pullbacks
{
    public const string DerivativeOfAttribute = "Backprop.DerivativeOfAttribute";
    private const string MatrixDefinition = "Backprop.Matrix<T>";

    /// <summary>What a <c>[DerivativeOf]</c> attribute declares.</summary>
    public sealed record Declaration(IMethodSymbol Pullback, INamedTypeSymbol TargetType, string TargetName, string? Into, string? Shape);

    /// <summary>A pullback matched to the method it differentiates, with the destination form and shape method when there are any.</summary>
    public sealed record Rule(IMethodSymbol Pullback, IMethodSymbol? Into, ImmutableArray<int> IntoArguments, IMethodSymbol? Shape, ImmutableArray<bool> Gradients);

    public const string TangentOfAttribute = "Backprop.TangentOfAttribute";

    /// <summary>
    /// The <c>[TangentOf]</c> rule of <paramref name="target"/> (its forward-mode derivative, beside its pullback), or
    /// <c>null</c>: a method of the types <see cref="Find"/> searches naming the target, taking the target's parameters
    /// first, then its result, one direction per differentiable parameter and the result's tangent.
    /// </summary>
    public static IMethodSymbol? FindTangent(IMethodSymbol target) =>
        s_tangents.GetValue(target.OriginalDefinition, definition => new StrongBox<IMethodSymbol?>(FindTangentFor(definition, definition.Parameters.Length))).Value;

    /// <summary>
    /// The <c>[TangentOf]</c> rule of the pullback of an operation of <paramref name="operationParameters"/> parameters: it
    /// takes the pullback's inputs first (the operation's arguments, its result and the result's gradient).
    /// </summary>
    public static IMethodSymbol? FindPullbackTangent(IMethodSymbol pullback, int operationParameters) =>
        s_pullbackTangents.GetValue(pullback.OriginalDefinition, definition => new StrongBox<IMethodSymbol?>(FindTangentFor(definition, operationParameters + 2))).Value;

    private static readonly ConditionalWeakTable<IMethodSymbol, StrongBox<IMethodSymbol?>> s_tangents = new();
    private static readonly ConditionalWeakTable<IMethodSymbol, StrongBox<IMethodSymbol?>> s_pullbackTangents = new();

    /// <summary>A <c>[TangentOf]</c> rule naming <paramref name="definition"/> whose first <paramref name="inputs"/> parameters are the definition's.</summary>
    private static IMethodSymbol? FindTangentFor(IMethodSymbol definition, int inputs)
    {
        INamedTypeSymbol owner = definition.ContainingType.OriginalDefinition;
        foreach (INamedTypeSymbol candidate in DeclaringCandidateTypes(owner))
        {
            foreach (IMethodSymbol rule in candidate.GetMembers().OfType<IMethodSymbol>())
            {
                if (TangentTarget(rule) is var (type, name) && name == definition.Name && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, owner)
                    && rule.IsStatic && rule.ReturnsVoid && rule.Parameters.Length > inputs && definition.Parameters.Length >= inputs
                    && Enumerable.Range(0, inputs).All(i => rule.Parameters[i].Type.ToDisplayString() == definition.Parameters[i].Type.ToDisplayString()))
                    return rule;
            }
        }
        return null;
    }

    /// <summary>The type and name of the method a <c>[TangentOf]</c> attribute names, or <c>null</c> without one.</summary>
    private static (INamedTypeSymbol Type, string Name)? TangentTarget(IMethodSymbol rule)
    {
        foreach (AttributeData attribute in rule.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != TangentOfAttribute)
                continue;
            ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
            INamedTypeSymbol? type = arguments.Length == 2 ? arguments[0].Value as INamedTypeSymbol : rule.ContainingType;
            return type is not null && arguments[arguments.Length - 1].Value is string name ? (type, name) : null;
        }
        return null;
    }

    public static bool IsMatrix(ITypeSymbol type) => type is INamedTypeSymbol named && named.OriginalDefinition.ToDisplayString() == MatrixDefinition;

    /// <summary>The rule for <paramref name="target"/>, or <c>null</c> when no pullback declares itself for it.</summary>
    public static Rule? Find(IMethodSymbol target) =>
        s_rules.GetValue(target.OriginalDefinition, definition => new StrongBox<Rule?>(FindFor(definition))).Value;

    private static Rule? FindFor(IMethodSymbol definition)
    {
        INamedTypeSymbol owner = definition.ContainingType.OriginalDefinition;
        foreach (INamedTypeSymbol candidate in DeclaringCandidateTypes(owner))
        {
            foreach (Declaration declaration in DeclarationsIn(candidate))
            {
                if (declaration.TargetName == definition.Name
                    && SymbolEqualityComparer.Default.Equals(declaration.TargetType.OriginalDefinition, owner)
                    && Match(declaration, definition, out _) is { } rule)
                    return rule;
            }
        }
        return null;
    }

    // Find runs for every call a body makes, and a namespace may hold hundreds of types: each method's rule, what each
    // type declares, and which types of a namespace declare anything, are found once per symbol (a symbol, and what
    // it contains, never changes; a new compilation with other sources has other symbols).
    private static readonly ConditionalWeakTable<IMethodSymbol, StrongBox<Rule?>> s_rules = new();
    private static readonly ConditionalWeakTable<INamedTypeSymbol, Declaration[]> s_declarations = new();
    private static readonly ConditionalWeakTable<INamespaceSymbol, INamedTypeSymbol[]> s_declaringTypes = new();

    /// <summary>The <c>[DerivativeOf]</c> declarations of a type's methods, in member order.</summary>
    private static Declaration[] DeclarationsIn(INamedTypeSymbol type) =>
        s_declarations.GetValue(type, t => t.GetMembers().OfType<IMethodSymbol>().Select(Read).Where(d => d is not null).ToArray()!);

    /// <summary>The candidate types (<see cref="CandidateTypes"/>) that declare any pullback, in the same order.</summary>
    private static IEnumerable<INamedTypeSymbol> DeclaringCandidateTypes(INamedTypeSymbol owner)
    {
        yield return owner;
        foreach (INamedTypeSymbol type in s_declaringTypes.GetValue(owner.ContainingNamespace, n => n.GetTypeMembers().Where(t => DeclarationsIn(t).Length > 0).ToArray()))
        {
            if (!SymbolEqualityComparer.Default.Equals(type, owner) && SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, owner.ContainingAssembly))
                yield return type;
        }
    }

    /// <summary>
    /// The error in a <c>[DerivativeOf]</c> declaration, if any: BP0009 at the pullback's name when it does not fit its
    /// method, BP0013 at the attribute when it fits but the generator would never call it.
    /// </summary>
    public static DiagnosticInfo? Check(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol pullback || Read(pullback) is not { } declaration)
            return null;
        if (Validate(pullback) is string mismatch)
            return DiagnosticInfo.Create(Diagnostics.PullbackMismatch, ((MethodDeclarationSyntax)context.TargetNode).Identifier.GetLocation(), pullback.Name, mismatch);
        if (WhyUnused(declaration) is string unused)
        {
            Location? attribute = context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
            return DiagnosticInfo.Create(Diagnostics.PullbackNeverUsed, attribute, pullback.Name, $"{Display(declaration.TargetType)}.{declaration.TargetName}", unused);
        }
        return null;
    }

    /// <summary>Checks a pullback declared in source; the reason it does not fit the convention, or <c>null</c>.</summary>
    public static string? Validate(IMethodSymbol pullback)
    {
        if (Read(pullback) is not { } declaration)
            return null;
        var targets = declaration.TargetType.GetMembers(declaration.TargetName).OfType<IMethodSymbol>().Where(m => m.IsStatic).ToList();
        if (targets.Count == 0)
            return $"'{declaration.TargetType.ToDisplayString()}' has no static method '{declaration.TargetName}'";
        string? firstReason = null;
        foreach (IMethodSymbol target in targets)
        {
            if (Match(declaration, target, out string? reason) is not null)
                return null;
            firstReason ??= reason;
        }
        return firstReason;
    }

    /// <summary>
    /// Why the generator would never call a pullback that fits its method, or <c>null</c> when it would: a math member
    /// the rule table differentiates, or a pullback outside the types <see cref="Find"/> searches (so a pullback of a
    /// library method, which can only live in another assembly, is never found).
    /// </summary>
    private static string? WhyUnused(Declaration declaration)
    {
        IMethodSymbol pullback = declaration.Pullback;
        INamedTypeSymbol owner = declaration.TargetType.OriginalDefinition;
        var fitted = owner.GetMembers(declaration.TargetName).OfType<IMethodSymbol>().Where(m => m.IsStatic && Match(declaration, m, out _) is not null).ToList();
        if (fitted.Count > 0 && fitted.All(m => MathFunctions.TryGetOperation(m, out _)))
            return $"Backprop differentiates '{Display(owner)}.{declaration.TargetName}' with a rule of its own, which takes precedence; remove the attribute";
        if (fitted.Count > 0 && fitted.All(m => Symbols.HasAttribute(m, Symbols.DifferentiableAttribute)))
            return $"'{Display(owner)}.{declaration.TargetName}' is [Differentiable], and its generated derivatives take precedence; remove this attribute, or remove [Differentiable] from '{declaration.TargetName}' to use the pullback";
        if (!CandidateTypes(owner).Contains(pullback.ContainingType.OriginalDefinition, SymbolEqualityComparer.Default))
        {
            return $"Backprop looks for the pullbacks of '{Display(owner)}' only in that type and in the other top-level types of its namespace in its assembly; "
                + (SymbolEqualityComparer.Default.Equals(owner.ContainingAssembly, pullback.ContainingAssembly)
                    ? $"move '{pullback.Name}' into one of them"
                    : $"call '{declaration.TargetName}' from a static method of your own and make '{pullback.Name}' the pullback of that method");
        }
        return null;
    }

    public static Declaration? Read(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != DerivativeOfAttribute)
                continue;
            ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
            INamedTypeSymbol? type = arguments.Length == 2 ? arguments[0].Value as INamedTypeSymbol : method.ContainingType;
            if (type is null || arguments[arguments.Length - 1].Value is not string name)
                return null;
            string? into = null, shape = null;
            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                if (named.Key == "Into")
                    into = named.Value.Value as string;
                else if (named.Key == "Shape")
                    shape = named.Value.Value as string;
            }
            return new Declaration(method, type, name, into, shape);
        }
        return null;
    }

    private static IEnumerable<INamedTypeSymbol> CandidateTypes(INamedTypeSymbol owner)
    {
        yield return owner;
        foreach (INamedTypeSymbol type in owner.ContainingNamespace.GetTypeMembers())
        {
            if (!SymbolEqualityComparer.Default.Equals(type, owner) && SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, owner.ContainingAssembly))
                yield return type;
        }
    }

    /// <summary>A differentiable parameter takes a gradient: a matrix, a float or double, or a type parameter (the element type), unless [NoDerivative].</summary>
    public static bool IsDifferentiable(IParameterSymbol parameter) =>
        (IsMatrix(parameter.Type) || parameter.Type.SpecialType is SpecialType.System_Single or SpecialType.System_Double || parameter.Type is ITypeParameterSymbol)
        && !parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == Symbols.NoDerivativeAttribute);

    private static Rule? Match(Declaration declaration, IMethodSymbol target, out string? reason)
    {
        IMethodSymbol pullback = declaration.Pullback;
        var typeParameters = TypeParametersOf(target);
        if (pullback.TypeParameters.Length != typeParameters.Count)
        {
            reason = $"it must have {typeParameters.Count} type parameter(s), one per type parameter of '{target.Name}' and its type";
            return null;
        }
        var map = new Dictionary<ITypeSymbol, ITypeSymbol>(SymbolEqualityComparer.Default);
        for (int i = 0; i < typeParameters.Count; i++)
            map[typeParameters[i]] = pullback.TypeParameters[i];

        var expected = new List<(ITypeSymbol Type, RefKind Kind, string Role)>();
        foreach (IParameterSymbol parameter in target.Parameters)
            expected.Add((parameter.Type, RefKind.None, $"'{parameter.Name}' as {Display(parameter.Type)}"));
        expected.Add((target.ReturnType, RefKind.None, $"the result as {Display(target.ReturnType)}"));
        expected.Add((target.ReturnType, RefKind.None, $"the result's gradient as {Display(target.ReturnType)}"));
        var gradients = ImmutableArray.CreateBuilder<bool>();
        foreach (IParameterSymbol parameter in target.Parameters)
        {
            bool differentiable = IsDifferentiable(parameter);
            gradients.Add(differentiable);
            if (differentiable)
                expected.Add((parameter.Type, IsMatrix(parameter.Type) ? RefKind.None : RefKind.Out,
                    IsMatrix(parameter.Type) ? $"the gradient of '{parameter.Name}' as {Display(parameter.Type)}?" : $"the gradient of '{parameter.Name}' as out {Display(parameter.Type)}"));
        }

        string signature = string.Join(", ", expected.Select(e => e.Role));
        if (!pullback.IsStatic || !pullback.ReturnsVoid || pullback.Parameters.Length != expected.Count)
        {
            reason = $"a pullback of '{target.Name}' is a static void method taking {signature}";
            return null;
        }
        for (int i = 0; i < expected.Count; i++)
        {
            IParameterSymbol actual = pullback.Parameters[i];
            if (actual.RefKind != expected[i].Kind || !SameType(expected[i].Type, actual.Type, map))
            {
                reason = $"parameter {i + 1} ('{actual.Name}') must be {expected[i].Role}; a pullback of '{target.Name}' takes {signature}";
                return null;
            }
        }

        INamedTypeSymbol home = pullback.ContainingType;
        IMethodSymbol? shape = null;
        if (declaration.Shape is string shapeName)
        {
            shape = home.GetMembers(shapeName).OfType<IMethodSymbol>().FirstOrDefault(m => m.IsStatic && m.Parameters.Length == target.Parameters.Length);
            if (shape is null)
            {
                reason = $"Shape names '{shapeName}', but '{home.Name}' has no static method of that name taking the parameters of '{target.Name}'";
                return null;
            }
        }
        IMethodSymbol? into = null;
        ImmutableArray<int> intoArguments = ImmutableArray<int>.Empty;
        if (IsMatrix(target.ReturnType))
        {
            INamedTypeSymbol intoHome = declaration.Into is null ? target.ContainingType : home;
            foreach (IMethodSymbol candidate in intoHome.GetMembers(declaration.Into ?? target.Name).OfType<IMethodSymbol>())
            {
                if (IntoArguments(candidate, target) is { } order)
                {
                    into = candidate;
                    intoArguments = order;
                    break;
                }
            }
            if (into is null && declaration.Into is not null)
            {
                reason = $"Into names '{declaration.Into}', but '{home.Name}' has no static void method of that name taking the parameters of '{target.Name}' and a 'destination'";
                return null;
            }
        }
        reason = null;
        return new Rule(pullback, into, intoArguments, shape, gradients.ToImmutable());
    }

    /// <summary>
    /// For a destination form <paramref name="candidate"/> of <paramref name="target"/>: per parameter, which argument
    /// of the target to pass (-1 for the destination); trailing optional parameters beyond them are omitted.
    /// </summary>
    private static ImmutableArray<int>? IntoArguments(IMethodSymbol candidate, IMethodSymbol target)
    {
        List<ITypeSymbol> typeParameters = TypeParametersOf(target);
        if (!candidate.IsStatic || !candidate.ReturnsVoid || candidate.TypeParameters.Length != typeParameters.Count)
            return null;
        var map = new Dictionary<ITypeSymbol, ITypeSymbol>(SymbolEqualityComparer.Default);
        for (int i = 0; i < typeParameters.Count; i++)
            map[typeParameters[i]] = candidate.TypeParameters[i];
        var order = ImmutableArray.CreateBuilder<int>();
        int next = 0;
        bool destination = false, omitting = false;
        foreach (IParameterSymbol parameter in candidate.Parameters)
        {
            if (omitting && !parameter.IsOptional)
                return null;
            if (omitting)
                continue;
            if (!destination && parameter.Name == "destination" && SameType(target.ReturnType, parameter.Type, map))
            {
                destination = true;
                order.Add(-1);
            }
            else if (next < target.Parameters.Length && SameType(target.Parameters[next].Type, parameter.Type, map))
            {
                order.Add(next++);
            }
            else if (parameter.IsOptional && destination && next == target.Parameters.Length)
            {
                omitting = true;
            }
            else
            {
                return null;
            }
        }
        return destination && next == target.Parameters.Length ? order.ToImmutable() : null;
    }

    /// <summary>The type parameters a pullback must mirror, in order: the method's, then its type's.</summary>
    private static List<ITypeSymbol> TypeParametersOf(IMethodSymbol target) =>
        target.TypeParameters.Cast<ITypeSymbol>().Concat(target.ContainingType.TypeParameters).ToList();

    private static bool SameType(ITypeSymbol expected, ITypeSymbol actual, Dictionary<ITypeSymbol, ITypeSymbol> map)
    {
        if (expected is ITypeParameterSymbol parameter)
            return map.TryGetValue(parameter, out ITypeSymbol? mapped) && SymbolEqualityComparer.Default.Equals(mapped, actual);
        if (expected is IArrayTypeSymbol expectedArray)
            return actual is IArrayTypeSymbol actualArray && expectedArray.Rank == actualArray.Rank && SameType(expectedArray.ElementType, actualArray.ElementType, map);
        if (expected is INamedTypeSymbol { IsGenericType: true } expectedNamed)
        {
            return actual is INamedTypeSymbol { IsGenericType: true } actualNamed
                && SymbolEqualityComparer.Default.Equals(expectedNamed.OriginalDefinition, actualNamed.OriginalDefinition)
                && expectedNamed.TypeArguments.Zip(actualNamed.TypeArguments, (e, a) => SameType(e, a, map)).All(same => same);
        }
        return SymbolEqualityComparer.Default.Equals(expected, actual);
    }

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
}
