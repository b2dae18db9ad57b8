using System.Reflection;
using System.Runtime.CompilerServices;
using static Backprop.Runtime.Tests.Conventions.RuleSignature;

namespace Backprop.Runtime.Tests.Conventions;

/// <summary>
/// A <see cref="DerivativeOfAttribute"/> pullback resolved the way the generator resolves it, from reflection over
/// the runtime: the differentiated function, its destination form and its shape method, all instantiated with
/// <see cref="double"/>. <see cref="Resolve"/> lists every way the pullback breaks the convention, so a test can
/// require that there are none.
/// </summary>
internal sealed record PullbackRule(
    MethodInfo Pullback,
    DerivativeOfAttribute Attribute,
    MethodInfo? Function,
    MethodInfo? Into,
    MethodInfo? Shape,
    IReadOnlyList<string> Problems)
{
    /// <summary>Every pullback of the runtime, resolved.</summary>
    public static PullbackRule[] All { get; } = [.. InRuntime<DerivativeOfAttribute>().Select(Resolve)];

    /// <summary>The function's result type: a matrix or a floating-point scalar.</summary>
    public bool ReturnsMatrix => Function is not null && IsMatrix(Function.ReturnType);

    /// <summary>The function's parameters that get a gradient, in order.</summary>
    public IEnumerable<ParameterInfo> DifferentiableParameters =>
        Function is null ? [] : Function.GetParameters().Where(IsDifferentiable);

    public static PullbackRule Resolve(MethodInfo pullbackDefinition)
    {
        var attribute = pullbackDefinition.GetCustomAttribute<DerivativeOfAttribute>()!;
        var problems = new List<string>();
        CheckShape(pullbackDefinition, "pullback", problems);
        var pullback = WithDoubles(pullbackDefinition);
        Type pullbackType = pullbackDefinition.DeclaringType!;
        var candidates = Candidates(pullbackDefinition, attribute.Type, attribute.Method, "pullback", problems);
        var function = SingleMatch(pullback, candidates, ExpectedPullbackParameters, attribute.Method, problems);
        if (function is null)
            return new(pullbackDefinition, attribute, null, null, null, problems);

        // The gradients, after the function's parameters, result and dResult, are nullable unless out.
        CheckNullability(pullbackDefinition, function.GetParameters().Length + 2, _ => true, problems);
        MethodInfo? into = null, shape = null;
        if (IsMatrix(function.ReturnType))
        {
            into = attribute.Into is null
                ? FindInto(function.DeclaringType!, attribute.Method, function.IsGenericMethod ? function.GetGenericArguments().Length : 0, function, problems)
                : FindInto(pullbackType, attribute.Into, pullbackDefinition.GetGenericArguments().Length, function, problems);
            if (attribute.Shape is not null)
                shape = FindShape(pullbackType, attribute.Shape, function, problems);
            else if (!function.GetParameters().Any(p => IsMatrix(p.ParameterType)))
                problems.Add("the result has no first matrix argument to take its shape from; name a Shape method");
        }
        else if (attribute.Into is not null || attribute.Shape is not null)
            problems.Add("a scalar-returning function has neither a destination form nor a shape");
        return new(pullbackDefinition, attribute, function, into, shape, problems);
    }

    /// <summary>(type, name, is out) for each parameter the convention requires, or null when the function is not differentiable.</summary>
    private static (Type Type, string Name, bool IsOut)[]? ExpectedPullbackParameters(MethodInfo function)
    {
        Type result = function.ReturnType;
        if (!IsMatrix(result) && !IsScalar(result))
            return null;
        var parameters = function.GetParameters();
        return
        [
            .. parameters.Select(p => (p.ParameterType, p.Name!, p.IsOut)),
            (result, "result", false),
            (result, "dResult", false),
            .. parameters.Where(IsDifferentiable).Select(p => IsMatrix(p.ParameterType)
                ? (p.ParameterType, Differential(p.Name!), false)
                : (p.ParameterType.MakeByRefType(), Differential(p.Name!), true)),
        ];
    }

    /// <summary>
    /// A void method with <paramref name="arity"/> type parameters (the function's for its own overload, the
    /// pullback's for a named one) taking the function's parameters plus one <c>Matrix&lt;T&gt; destination</c>
    /// anywhere, then optional parameters.
    /// </summary>
    private static MethodInfo? FindInto(Type type, string name, int arity, MethodInfo function, List<string> problems)
    {
        var functionParameters = function.GetParameters();
        var matches = type.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == name && (m.IsGenericMethodDefinition ? m.GetGenericArguments().Length : 0) == arity)
            .Select(WithDoubles)
            .Where(m => m.ReturnType == typeof(void))
            .Where(m =>
            {
                var parameters = m.GetParameters();
                var destinations = parameters.Where(p => p.Name == "destination" && p.ParameterType == function.ReturnType).ToArray();
                if (destinations.Length != 1)
                    return false;
                var rest = parameters.Where(p => p != destinations[0]).ToArray();
                return rest.Length >= functionParameters.Length &&
                    rest.Zip(functionParameters).All(pair => pair.First.ParameterType == pair.Second.ParameterType) &&
                    rest.Skip(functionParameters.Length).All(p => p.IsOptional);
            })
            .ToArray();
        if (matches.Length != 1)
            problems.Add($"{matches.Length} methods '{type.Name}.{name}' take ({string.Join(", ", functionParameters.Select(TypeName))}) plus 'destination'; expected one");
        return matches.Length == 1 ? matches[0] : null;
    }

    private static MethodInfo? FindShape(Type type, string name, MethodInfo function, List<string> problems)
    {
        var parameterTypes = function.GetParameters().Select(p => p.ParameterType).ToArray();
        var matches = type.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == name)
            .Select(WithDoubles)
            .Where(m => m.GetParameters().Select(p => p.ParameterType).SequenceEqual(parameterTypes))
            .ToArray();
        if (matches.Length != 1)
        {
            problems.Add($"{matches.Length} shape methods '{type.Name}.{name}' take the function's parameters; expected one");
            return null;
        }
        var shape = matches[0];
        var names = shape.ReturnParameter.GetCustomAttribute<TupleElementNamesAttribute>()?.TransformNames;
        if (shape.ReturnType != typeof(ValueTuple<int, int>) || names is not ["Rows", "Columns"])
            problems.Add($"the shape method '{name}' must return (int Rows, int Columns)");
        return shape;
    }
}
