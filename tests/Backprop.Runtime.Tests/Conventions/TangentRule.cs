using System.Reflection;
using static Backprop.Runtime.Tests.Conventions.RuleSignature;

namespace Backprop.Runtime.Tests.Conventions;

/// <summary>
/// A <see cref="TangentOfAttribute"/> rule resolved from reflection over the runtime, instantiated with
/// <see cref="double"/>: the tangent of an operation (<see cref="Function"/>) or the tangent of a pullback
/// (<see cref="OfPullback"/>, the pullback resolved as <see cref="PullbackRule"/>). <see cref="Resolve"/> lists every way
/// the rule breaks the convention, so a test can require that there are none.
/// </summary>
internal sealed record TangentRule(
    MethodInfo Rule,
    TangentOfAttribute Attribute,
    MethodInfo? Function,
    PullbackRule? OfPullback,
    IReadOnlyList<string> Problems)
{
    /// <summary>Every tangent rule of the runtime, resolved.</summary>
    public static TangentRule[] All { get; } = [.. InRuntime<TangentOfAttribute>().Select(Resolve)];

    /// <summary>The rule instantiated with <see cref="double"/>, to invoke.</summary>
    public MethodInfo Method => WithDoubles(Rule);

    /// <summary>The operation differentiated: <see cref="Function"/>, or the function of the pullback.</summary>
    public MethodInfo? Operation => OfPullback is null ? Function : OfPullback.Function;

    public static TangentRule Resolve(MethodInfo ruleDefinition)
    {
        var attribute = ruleDefinition.GetCustomAttribute<TangentOfAttribute>()!;
        var problems = new List<string>();
        CheckShape(ruleDefinition, "tangent rule", problems);
        var candidates = Candidates(ruleDefinition, attribute.Type, attribute.Method, "tangent rule", problems);
        var target = SingleMatch(WithDoubles(ruleDefinition), candidates, ExpectedParameters, attribute.Method, problems);
        if (target is null)
            return new(ruleDefinition, attribute, null, null, problems);
        if (PullbackOf(target) is { Function: { } function } pullback)
        {
            // After the pullback's inputs, every tangent and every output is a nullable matrix or a scalar.
            CheckNullability(ruleDefinition, function.GetParameters().Length + 2, p => IsMatrix(p.ParameterType) ? true : null, problems);
            return new(ruleDefinition, attribute, null, pullback, problems);
        }
        // After the function's parameters and result, the directions are nullable; a matrix dResult is always written.
        int last = ruleDefinition.GetParameters().Length - 1;
        CheckNullability(ruleDefinition, target.GetParameters().Length + 1, p => IsMatrix(p.ParameterType) ? p.Position != last : null, problems);
        return new(ruleDefinition, attribute, target, null, problems);
    }

    /// <summary>The target resolved as a pullback when it is one (it is marked <see cref="DerivativeOfAttribute"/>).</summary>
    private static PullbackRule? PullbackOf(MethodInfo target) =>
        target.IsDefined(typeof(DerivativeOfAttribute))
            ? PullbackRule.Resolve(target.IsGenericMethod ? target.GetGenericMethodDefinition() : target)
            : null;

    private static (Type Type, string Name, bool IsOut)[]? ExpectedParameters(MethodInfo target) =>
        target.IsDefined(typeof(DerivativeOfAttribute))
            ? PullbackOf(target) is { Function: { } function } ? ExpectedPullbackTangentParameters(target, function) : null
            : ExpectedTangentParameters(target);

    /// <summary><c>(p1, …, pn, result, d{pi} for each differentiable pi, dResult)</c>, or null when the function is not differentiable.</summary>
    private static (Type Type, string Name, bool IsOut)[]? ExpectedTangentParameters(MethodInfo function)
    {
        Type result = function.ReturnType;
        if (!IsMatrix(result) && !IsScalar(result))
            return null;
        var parameters = function.GetParameters();
        return
        [
            .. parameters.Select(p => (p.ParameterType, p.Name!, p.IsOut)),
            (result, "result", false),
            .. parameters.Where(IsDifferentiable).Select(p => (p.ParameterType, Differential(p.Name!), false)),
            IsMatrix(result) ? (result, "dResult", false) : (result.MakeByRefType(), "dResult", true),
        ];
    }

    /// <summary>
    /// <c>(p1, …, pn, result, dResult, {pi}Tangent for each differentiable pi, resultTangent, dResultTangent,
    /// {gi}Tangent for each gradient gi of the pullback, in its form)</c>.
    /// </summary>
    private static (Type Type, string Name, bool IsOut)[] ExpectedPullbackTangentParameters(MethodInfo pullback, MethodInfo function)
    {
        var inputs = pullback.GetParameters().Take(function.GetParameters().Length + 2).ToArray();
        var gradients = pullback.GetParameters().Skip(inputs.Length);
        Type result = function.ReturnType;
        return
        [
            .. inputs.Select(p => (p.ParameterType, p.Name!, false)),
            .. function.GetParameters().Where(IsDifferentiable).Select(p => (p.ParameterType, Tangent(p.Name!), false)),
            (result, "resultTangent", false),
            (result, "dResultTangent", false),
            .. gradients.Select(p => (p.ParameterType, Tangent(p.Name!), p.IsOut)),
        ];
    }

    private static string Tangent(string name) => name + "Tangent";
}
