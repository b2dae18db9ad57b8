using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Generic math: a method generic over one type parameter <c>T : IFloatingPointIeee754&lt;T&gt;</c> (or an interface
/// deriving from it), whose values are <see cref="ScalarType.Generic"/>. Decides which generic methods are supported,
/// what <c>T</c>'s static members mean, and prints the constraints the derivative methods repeat.
/// </summary>
internal static class GenericMath
{
    private const string Ieee754 = "IFloatingPointIeee754";

    /// <summary><c>T</c>'s constants that are the same number in every IEEE type, read as <see cref="Op.Constant"/>s.</summary>
    private static readonly Dictionary<string, double> s_constants = new()
    {
        ["Zero"] = 0,
        ["One"] = 1,
        ["NegativeOne"] = -1,
        ["AdditiveIdentity"] = 0,
        ["MultiplicativeIdentity"] = 1,
        ["NegativeZero"] = -0.0,
        ["Pi"] = System.Math.PI,
        ["E"] = System.Math.E,
        ["Tau"] = 2 * System.Math.PI,
        ["NaN"] = double.NaN,
        ["PositiveInfinity"] = double.PositiveInfinity,
        ["NegativeInfinity"] = double.NegativeInfinity,
    };

    /// <summary>Whether <paramref name="type"/> is the type parameter of a method, constrained to <c>IFloatingPointIeee754&lt;T&gt;</c>.</summary>
    public static bool IsFloatingPointParameter(ITypeSymbol? type) =>
        type is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method, DeclaringMethod.MethodKind: MethodKind.Ordinary } parameter
        && Implies(parameter, Ieee754);

    /// <summary>
    /// A static member of one of <c>T</c>'s generic-math interfaces (<c>T.Exp</c>, <c>T.One</c>, <c>T.CreateChecked</c>,
    /// <c>T</c>'s operators): the interface is in <c>System.Numerics</c> and its first type argument is <c>T</c>.
    /// </summary>
    public static bool IsMemberOfT(ISymbol? member) =>
        member is { IsStatic: true, ContainingType: { TypeKind: TypeKind.Interface, TypeArguments: { Length: > 0 } arguments } type }
        && IsNumerics(type) && IsFloatingPointParameter(arguments[0]);

    /// <summary>An operator of <c>T</c> (<c>+</c>, <c>&lt;</c>, unary <c>-</c>): as built in as the operators of double.</summary>
    public static bool IsBuiltInOperator(IMethodSymbol? operatorMethod) => operatorMethod is null || IsMemberOfT(operatorMethod);

    /// <summary>The value of a constant of <c>T</c> (<c>T.One</c>, <c>T.Pi</c>), which is the same number for every IEEE type.</summary>
    public static double? ConstantValue(IPropertySymbol property) =>
        IsMemberOfT(property) && s_constants.TryGetValue(property.Name, out double value) ? value : null;

    /// <summary><c>T.CreateChecked(v)</c>, <c>CreateTruncating</c>, <c>CreateSaturating</c>, or <c>double.CreateChecked(t)</c>: a conversion between numbers.</summary>
    public static bool IsConversion(IMethodSymbol method) =>
        method is { IsStatic: true, Name: "CreateChecked" or "CreateTruncating" or "CreateSaturating", Parameters.Length: 1 }
        && (IsMemberOfT(method) || method.ContainingType.SpecialType is SpecialType.System_Double or SpecialType.System_Single);

    /// <summary>
    /// Checks a generic [Differentiable] method's type parameters: one, constrained to <c>IFloatingPointIeee754&lt;T&gt;</c>
    /// (else BP0007, or BP0014 for a narrower generic-math constraint), the type of some parameter (so that calls infer it).
    /// </summary>
    public static void Check(IMethodSymbol method, MethodDeclarationSyntax declaration, IOperation? body, List<DiagnosticInfo> diagnostics)
    {
        Location at = declaration.TypeParameterList!.GetLocation();
        string advice = "write 'where T : System.Numerics.IFloatingPointIeee754<T>' for derivatives in double and float, or write the method for double or float";
        if (method.TypeParameters.Length > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.GenericMethod, at, method.Name,
                $"has {method.TypeParameters.Length} type parameters, and a generic [Differentiable] method has one: {advice}"));
            return;
        }
        ITypeParameterSymbol parameter = method.TypeParameters[0];
        if (!Implies(parameter, Ieee754))
        {
            if (parameter.ConstraintTypes.FirstOrDefault(IsNumerics) is INamedTypeSymbol narrow)
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ConstraintTooNarrow, ConstraintLocation(declaration, parameter.Name) ?? at,
                    method.Name, parameter.Name, narrow.ToDisplayString(), Needed(parameter, body), parameter.Name));
            else
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.GenericMethod, at, method.Name,
                    $"is generic over '{parameter.Name}', which is not constrained to floating-point numbers: {advice.Replace("'where T", $"'where {parameter.Name}").Replace("<T>'", $"<{parameter.Name}>'")}"));
            return;
        }
        if (!method.Parameters.Any(p => Mentions(p.Type, parameter)))
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.GenericMethod, at, method.Name,
                $"has no parameter of type '{parameter.Name}', '{parameter.Name}[]' or a span of '{parameter.Name}', from which a call could infer '{parameter.Name}': give it one"));
    }

    /// <summary>Whether the compiler rejects part of <paramref name="body"/> (an operator or call it cannot bind, such as <c>T * double</c>).</summary>
    public static bool HasTypeErrors(IOperation body) =>
        body.Descendants().Any(o => o is IInvalidOperation || o.Type is { TypeKind: TypeKind.Error });

    /// <summary>The constraints of the method's type parameter as the derivative methods repeat them: <c>where T : global::System.Numerics.IFloatingPointIeee754&lt;T&gt;</c>.</summary>
    public static string Constraints(ITypeParameterSymbol parameter)
    {
        var constraints = new List<string>();
        if (parameter.HasReferenceTypeConstraint)
            constraints.Add("class");
        if (parameter.HasUnmanagedTypeConstraint)
            constraints.Add("unmanaged");
        else if (parameter.HasValueTypeConstraint)
            constraints.Add("struct");
        if (parameter.HasNotNullConstraint)
            constraints.Add("notnull");
        constraints.AddRange(parameter.ConstraintTypes.Select(t => t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
        if (parameter.HasConstructorConstraint)
            constraints.Add("new()");
        return $"where {Naming.Identifier(parameter.Name)} : {string.Join(", ", constraints)}";
    }

    /// <summary>What a narrow constraint lacks: the first member that a derivative rule of the body's math calls and <c>T</c> does not have.</summary>
    private static string Needed(ITypeParameterSymbol parameter, IOperation? body)
    {
        string name = parameter.Name;
        var calls = body?.Descendants().OfType<IInvocationOperation>().Where(c => c.TargetMethod.IsStatic && IsNumerics(c.TargetMethod.ContainingType)) ?? Enumerable.Empty<IInvocationOperation>();
        foreach (IInvocationOperation call in calls)
        {
            if (!MathFunctions.TryGetGenericOperation(call.TargetMethod.Name, call.TargetMethod.Parameters.Length, out Op op))
                continue;
            foreach (Op needed in RuleCalls(op))
            {
                string member = OpMembers.GenericName(needed);
                if (!Has(parameter, member))
                    return $"the derivative of '{name}.{call.TargetMethod.Name}' calls '{name}.{member}'{DeclaredIn(parameter, member)}";
            }
        }
        return $"derivatives use {name}'s floating-point math, constants and conversions ({name}.Log, {name}.Sqrt, {name}.Cos, {name}.CreateChecked, …)";
    }

    /// <summary>The operations <paramref name="op"/>'s rule calls, found by applying it to placeholder values: the one rule table says.</summary>
    private static IEnumerable<Op> RuleCalls(Op op)
    {
        var value = new NameExpr("x", ScalarType.Generic);
        Partial?[] partials = Rules.For(op);
        Expr[] arguments = partials.Select((_, i) => (Expr)new NameExpr("x" + i, ScalarType.Generic)).ToArray();
        return partials.Where(p => p is not null)
            .SelectMany(p => p!(value, arguments, value).DescendantsAndSelf().OfType<CallExpr>().Select(call => call.Op)).Distinct();
    }

    /// <summary>Where <c>T</c> could get <paramref name="member"/>: the interface of <c>IFloatingPointIeee754&lt;T&gt;</c>'s family that declares it.</summary>
    private static string DeclaredIn(ITypeParameterSymbol parameter, string member)
    {
        INamedTypeSymbol? declaring = parameter.ConstraintTypes.OfType<INamedTypeSymbol>().Select(t => t.OriginalDefinition.ContainingAssembly)
            .Select(a => a.GetTypeByMetadataName("System.Numerics." + Ieee754 + "`1")).FirstOrDefault(t => t is not null);
        INamedTypeSymbol? source = declaring?.AllInterfaces.Append(declaring).FirstOrDefault(i => i.GetMembers(member).Any(m => m.IsStatic));
        return source is null ? "" : $", which is in '{source.Name}<{parameter.Name}>'";
    }

    private static bool Has(ITypeParameterSymbol parameter, string member) =>
        parameter.ConstraintTypes.OfType<INamedTypeSymbol>().SelectMany(t => t.AllInterfaces.Append(t)).Any(i => i.GetMembers(member).Any(m => m.IsStatic));

    private static Location? ConstraintLocation(MethodDeclarationSyntax declaration, string name) =>
        declaration.ConstraintClauses.FirstOrDefault(c => c.Name.Identifier.ValueText == name)?.Constraints.OfType<TypeConstraintSyntax>()
            .FirstOrDefault()?.GetLocation();

    private static bool Mentions(ITypeSymbol type, ITypeParameterSymbol parameter) =>
        SymbolEqualityComparer.Default.Equals(type, parameter)
        || type is IArrayTypeSymbol array && SymbolEqualityComparer.Default.Equals(array.ElementType, parameter)
        || type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1 } span && SymbolEqualityComparer.Default.Equals(span.TypeArguments[0], parameter);

    /// <summary>Whether one of the constraints of <paramref name="parameter"/> is, or derives from, the <c>System.Numerics</c> interface <paramref name="name"/>.</summary>
    private static bool Implies(ITypeParameterSymbol parameter, string name) =>
        parameter.ConstraintTypes.OfType<INamedTypeSymbol>().SelectMany(t => t.AllInterfaces.Append(t))
            .Any(i => i.Name == name && IsNumerics(i) && i.TypeArguments.Length == 1 && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], parameter));

    private static bool IsNumerics(ITypeSymbol type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Interface, ContainingNamespace: { Name: "Numerics", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } };
}
