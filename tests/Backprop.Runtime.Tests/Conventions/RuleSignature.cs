using System.Reflection;

namespace Backprop.Runtime.Tests.Conventions;

/// <summary>
/// What resolving a derivative rule by reflection takes, for <see cref="PullbackRule"/> and <see cref="TangentRule"/>
/// alike: the rule's shape (public, static, void), the methods its attribute may name, the parameters a convention
/// expects, and readable descriptions for the failures.
/// </summary>
internal static class RuleSignature
{
    /// <summary>The methods of the runtime marked <typeparamref name="TAttribute"/>, in a stable order.</summary>
    public static IEnumerable<MethodInfo> InRuntime<TAttribute>() where TAttribute : Attribute =>
        typeof(MatrixOps).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(method => method.IsDefined(typeof(TAttribute)))
            .OrderBy(method => method.DeclaringType!.FullName, StringComparer.Ordinal)
            .ThenBy(Describe, StringComparer.Ordinal);

    /// <summary>Every problem of every rule, one per line, each after the rule's description; empty when there are none.</summary>
    public static string Problems(IEnumerable<(MethodInfo Rule, IReadOnlyList<string> Problems)> rules) =>
        string.Join(Environment.NewLine, rules.SelectMany(rule => rule.Problems.Select(problem => $"{Describe(rule.Rule)}: {problem}")));

    /// <summary>Adds a problem unless the rule is public, static and void, in a public type.</summary>
    public static void CheckShape(MethodInfo ruleDefinition, string kind, List<string> problems)
    {
        if (!ruleDefinition.IsStatic || !ruleDefinition.IsPublic || !ruleDefinition.DeclaringType!.IsVisible)
            problems.Add($"the {kind} must be public and static, in a public type");
        if (ruleDefinition.ReturnType != typeof(void))
            problems.Add($"the {kind} must return void");
    }

    /// <summary>
    /// The public static methods named <paramref name="method"/> in <paramref name="attributeType"/> (the rule's own type
    /// when null) with as many type parameters as the rule, instantiated with <see cref="double"/>.
    /// </summary>
    public static MethodInfo[] Candidates(MethodInfo ruleDefinition, Type? attributeType, string method, string kind, List<string> problems)
    {
        Type targetType = attributeType ?? ruleDefinition.DeclaringType!;
        int arity = ruleDefinition.GetGenericArguments().Length;
        if (targetType.IsGenericTypeDefinition)
        {
            if (targetType.GetGenericArguments().Length != arity)
            {
                problems.Add($"{targetType.Name} has {targetType.GetGenericArguments().Length} type parameters, the {kind} {arity}");
                return [];
            }
            targetType = targetType.MakeGenericType([.. targetType.GetGenericArguments().Select(_ => typeof(double))]);
        }
        var candidates = targetType.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == method && (!m.IsGenericMethodDefinition || m.GetGenericArguments().Length == arity))
            .Select(WithDoubles)
            .ToArray();
        if (candidates.Length == 0)
            problems.Add($"{targetType.Name} has no public static method '{method}'");
        return candidates;
    }

    /// <summary>
    /// The one candidate whose expected parameters the rule has, or null with a problem listing what each candidate
    /// expects (<paramref name="expected"/> gives null for a candidate the convention does not apply to).
    /// </summary>
    public static MethodInfo? SingleMatch(MethodInfo rule, MethodInfo[] candidates, Func<MethodInfo, (Type Type, string Name, bool IsOut)[]?> expected, string method, List<string> problems)
    {
        var matches = candidates.Where(f => expected(f) is { } parameters && SignatureMatches(rule, parameters)).ToArray();
        if (candidates.Length > 0 && matches.Length != 1)
            problems.Add($"{matches.Length} overloads of {method} match the parameters; expected one of: " +
                string.Join(" | ", candidates.Select(f => expected(f) is { } parameters ? Format(parameters) : $"{Describe(f)} is not differentiable")));
        return matches.Length == 1 ? matches[0] : null;
    }

    /// <summary>Adds a problem for each parameter from <paramref name="first"/> on whose nullability is not what <paramref name="nullable"/> says it must be (out parameters are skipped).</summary>
    public static void CheckNullability(MethodInfo ruleDefinition, int first, Func<ParameterInfo, bool?> nullable, List<string> problems)
    {
        var context = new NullabilityInfoContext();
        foreach (var parameter in ruleDefinition.GetParameters().Skip(first).Where(p => !p.IsOut))
        {
            bool isNullable = context.Create(parameter).WriteState == NullabilityState.Nullable;
            if (nullable(parameter) is bool required && required != isNullable)
                problems.Add(required
                    ? $"'{parameter.Name}' must be a nullable Matrix<T>? (null skips it)"
                    : $"'{parameter.Name}' must be a non-nullable Matrix<T> (always written)");
        }
    }

    public static bool IsMatrix(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Matrix<>);

    public static bool IsScalar(Type type) => type == typeof(double) || type == typeof(float);

    public static bool IsDifferentiable(ParameterInfo parameter) =>
        !parameter.IsDefined(typeof(NoDerivativeAttribute)) && (IsMatrix(parameter.ParameterType) || IsScalar(parameter.ParameterType));

    /// <summary><c>dName</c>: the gradient of a parameter in a pullback, its tangent in an operation's tangent rule.</summary>
    public static string Differential(string name) => "d" + char.ToUpperInvariant(name[0]) + name[1..];

    public static string Describe(MethodInfo method) =>
        $"{method.DeclaringType!.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => $"{TypeName(p)} {p.Name}"))})";

    public static MethodInfo WithDoubles(MethodInfo method) =>
        method.IsGenericMethodDefinition ? method.MakeGenericMethod([.. method.GetGenericArguments().Select(_ => typeof(double))]) : method;

    /// <summary>The declaring type (its definition when generic), name and metadata token: one method, whatever its instantiation.</summary>
    public static (Type Type, string Name, int Token) Identity(MethodInfo method) =>
        (method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericTypeDefinition() : method.DeclaringType, method.Name, method.MetadataToken);

    public static string TypeName(ParameterInfo parameter) =>
        (parameter.IsOut ? "out " : "") + TypeName(parameter.ParameterType.IsByRef ? parameter.ParameterType.GetElementType()! : parameter.ParameterType);

    private static string TypeName(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
        : type.Name;

    private static bool SignatureMatches(MethodInfo rule, (Type Type, string Name, bool IsOut)[] expected)
    {
        var actual = rule.GetParameters();
        return actual.Length == expected.Length &&
            actual.Zip(expected).All(pair => pair.First.ParameterType == pair.Second.Type && pair.First.Name == pair.Second.Name && pair.First.IsOut == pair.Second.IsOut);
    }

    private static string Format((Type Type, string Name, bool IsOut)[] parameters) =>
        "(" + string.Join(", ", parameters.Select(p => $"{(p.IsOut ? "out " : "")}{TypeName(p.IsOut ? p.Type.GetElementType()! : p.Type)} {p.Name}")) + ")";
}
