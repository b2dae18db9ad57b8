using System.Reflection;
using static Backprop.Runtime.Tests.Conventions.RuleArguments;
using static Backprop.Runtime.Tests.Conventions.RuleSignature;

namespace Backprop.Runtime.Tests.Conventions;

/// <summary>
/// Forward mode through matrix methods and Hessian-vector products (forward over reverse) will chain the runtime's
/// tangent rules knowing nothing but the <see cref="TangentOfAttribute"/> convention. So every operation that has a
/// pullback has exactly one tangent rule, and so does every pullback; each rule fits the convention and matches
/// central finite differences: of the operation along the directions, and of the pullback along the tangents of
/// its inputs, <c>result</c> and <c>dResult</c>.
/// </summary>
public class TangentOfConventionTests
{
    private static readonly PullbackRule[] Pullbacks = PullbackRule.All;

    private static readonly TangentRule[] Rules = TangentRule.All;

    /// <summary>
    /// The pullbacks that have no tangent rule yet, as <see cref="Describe"/> prints them. This list only shrinks: give
    /// a pullback its tangent rule and remove it here; a new pullback comes with its tangent rule.
    /// </summary>
    private static readonly string[] PullbacksWithoutTangent = [];

    [Fact]
    public void EveryTangentRule_MatchesTheConvention()
    {
        Assert.NotEmpty(Rules);
        Assert.Equal("", Problems(Rules.Select(rule => (rule.Rule, rule.Problems))));
    }

    /// <summary>Every operation with a pullback has exactly one tangent rule, and every tangent rule of an operation is of one with a pullback.</summary>
    [Fact]
    public void EveryOperationWithAPullback_HasExactlyOneTangentRule()
    {
        MethodInfo[] operations = [.. Pullbacks.Where(p => p.Function is not null).Select(p => p.Function!)];
        Assert.Contains(operations, o => o.Name == "MatMul");
        Assert.Contains(operations, o => o.Name == "op_Addition");
        string[] wrong = [.. operations
            .Select(operation => (Operation: operation, Count: Rules.Count(r => r.Function is not null && Identity(r.Function) == Identity(operation))))
            .Where(o => o.Count != 1)
            .Select(o => $"{Describe(o.Operation)} has {o.Count} tangent rules; it needs exactly one")];
        Assert.True(wrong.Length == 0, string.Join(Environment.NewLine, wrong));
        Assert.All(Rules.Where(r => r.Function is not null), r => Assert.Contains(Identity(r.Function!), operations.Select(Identity)));
    }

    [Fact]
    public void EveryPullback_HasExactlyOneTangentRule_ButThoseListed()
    {
        var counts = Pullbacks
            .Select(p => (Name: Describe(p.Pullback), Count: Rules.Count(r => r.OfPullback is not null && Identity(r.OfPullback.Pullback) == Identity(p.Pullback))))
            .ToArray();
        Assert.All(counts, c => Assert.True(c.Count <= 1, $"{c.Name} has {c.Count} tangent rules"));
        Assert.Equal(PullbacksWithoutTangent.Order(StringComparer.Ordinal), counts.Where(c => c.Count == 0).Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryReflectionCallableTangentRule_HasAFiniteDifferenceCase()
    {
        Assert.Equal(PullbackCases.All.Keys.Order(StringComparer.Ordinal), OperationsWithCallableTangent);
        string[] pullbacksWithTangent = [.. Pullbacks
            .Where(p => IsReflectionCallable(p.Function) && !PullbacksWithoutTangent.Contains(Describe(p.Pullback)))
            .Select(p => PullbackCases.Key(p.Function!)).Distinct().Order(StringComparer.Ordinal)];
        Assert.Equal(pullbacksWithTangent, OperationsWithCallablePullbackTangent);
    }

    public static TheoryData<string, int> TangentCases => CasesOf(OperationsWithCallableTangent);

    public static TheoryData<string, int> PullbackTangentCases => CasesOf(OperationsWithCallablePullbackTangent);

    /// <summary>
    /// Calls the operation's tangent rule through reflection, as generated code would, and checks it against central
    /// finite differences of the operation along the directions: <c>dResult</c> is overwritten (it starts as NaN),
    /// the inputs, <c>result</c> and the directions are left alone, a null direction means a zero one, and with every
    /// direction null <c>dResult</c> is zero.
    /// </summary>
    [Theory]
    [MemberData(nameof(TangentCases))]
    public void Tangent_CalledByTheConvention_MatchesFiniteDifferences(string function, int @case)
    {
        var rule = OperationTangent(function);
        var f = rule.Function!;
        object?[] arguments = PullbackCases.All[function][@case]();
        object result = f.Invoke(null, arguments)!;
        int[] differentiable = Differentiable(f);
        object?[] directions = Directions(arguments, differentiable, seed: 50);
        object?[] call = [.. arguments, result, .. directions, null];
        int[] tangents = [.. Enumerable.Range(arguments.Length + 1, directions.Length)], outputs = [call.Length - 1];
        call = WithNaNOutputs(call, outputs, [result]);

        CheckAgainstFiniteDifferences(rule, call, [.. arguments, result], tangents, outputs,
            h => Flatten([f.Invoke(null, Moved(arguments, differentiable, directions, h))]));
    }

    /// <summary>
    /// Calls a pullback's tangent rule through reflection and checks it against central finite differences of the
    /// pullback along the tangents of its inputs, of <c>result</c> (the operation's tangent, from its tangent rule)
    /// and of <c>dResult</c>: outputs are overwritten (they start as NaN), nothing else is modified, a null tangent
    /// means a zero one, with every tangent null the outputs are zero, and a null output skips only itself.
    /// </summary>
    [Theory]
    [MemberData(nameof(PullbackTangentCases))]
    public void PullbackTangent_CalledByTheConvention_MatchesFiniteDifferences(string function, int @case)
    {
        var rule = Rules.Single(r => r.OfPullback is { Function: { } f } && IsReflectionCallable(f) && PullbackCases.Key(f) == function);
        var operation = rule.OfPullback!.Function!;
        var pullback = WithDoubles(rule.OfPullback.Pullback);
        object?[] arguments = PullbackCases.All[function][@case]();
        object result = operation.Invoke(null, arguments)!;
        object dResult = UpstreamGradient(result);
        int[] differentiable = Differentiable(operation);
        object?[] directions = Directions(arguments, differentiable, seed: 50);
        object resultTangent = TangentOf(function, arguments, result, directions);
        object dResultTangent = result is Matrix<double> r ? TestData.Normal<double>(r.Rows, r.Columns, seed: 98) : -0.4;
        int gradients = pullback.GetParameters().Length - arguments.Length - 2;
        object?[] call = [.. arguments, result, dResult, .. directions, resultTangent, dResultTangent, .. new object?[gradients]];
        int first = arguments.Length + 2;
        int[] tangents = [.. Enumerable.Range(first, directions.Length + 2)], outputs = [.. Enumerable.Range(call.Length - gradients, gradients)];
        object?[] shapes = [.. differentiable.Select(i => arguments[i])];
        call = WithNaNOutputs(call, outputs, shapes);

        CheckAgainstFiniteDifferences(rule, call, [.. arguments, result, dResult], tangents, outputs, h =>
        {
            object?[] moved = [.. Moved(arguments, differentiable, directions, h), Moved(result, resultTangent, h), Moved(dResult, dResultTangent, h), .. new object?[gradients]];
            moved = WithNaNOutputs(moved, [.. Enumerable.Range(moved.Length - gradients, gradients)], shapes);
            pullback.Invoke(null, moved);
            return Flatten(moved.Skip(moved.Length - gradients));
        });

        // Each matrix output alone, the others null: the same values.
        object?[] full = [.. call];
        foreach (int output in outputs.Where(o => full[o] is Matrix<double>))
        {
            object?[] alone = WithNaNOutputs(call, outputs, shapes);
            foreach (int other in outputs.Where(o => o != output && alone[o] is Matrix<double>))
                alone[other] = null;
            rule.Method.Invoke(null, alone);
            Assert.Equal(((Matrix<double>)full[output]!).Span.ToArray(), ((Matrix<double>)alone[output]!).Span.ToArray());
        }
    }

    /// <summary>
    /// Invokes <paramref name="rule"/> on <paramref name="call"/> and compares its <paramref name="outputs"/> with
    /// central differences of <paramref name="along"/>; then checks that the <paramref name="inputs"/> and the
    /// tangents were left alone, that a null tangent gives what zeros give, and that all tangents null give zeros.
    /// </summary>
    private static void CheckAgainstFiniteDifferences(TangentRule rule, object?[] call, object?[] inputs, int[] tangents, int[] outputs, Func<double, double[]> along)
    {
        var method = rule.Method;
        double[][] before = Snapshot([.. inputs, .. tangents.Select(t => call[t])]);
        object?[] template = [.. call];
        method.Invoke(null, call);
        Assert.Equal(before, Snapshot([.. inputs, .. tangents.Select(t => call[t])]));
        PullbackCheck.VerifyDirectional(along, Flatten(outputs.Select(o => call[o])), Describe(rule.Rule));

        double[] Run(Func<int, object?, object?> replace)
        {
            object?[] fresh = WithNaNOutputs(template, outputs, [.. outputs.Select(o => template[o])]);
            foreach (int t in tangents)
                fresh[t] = replace(t, fresh[t]);
            method.Invoke(null, fresh);
            return Flatten(outputs.Select(o => fresh[o]));
        }

        foreach (int t in tangents.Where(t => template[t] is Matrix<double>))
        {
            var tangent = (Matrix<double>)template[t]!;
            double[] zeros = Run((k, value) => k == t ? new Matrix<double>(tangent.Rows, tangent.Columns) : value);
            TestData.AssertClose(zeros, Run((k, value) => k == t ? null : value), 1e-14, $"{Describe(rule.Rule)} with '{method.GetParameters()[t].Name}' null");
        }
        Assert.All(Run((_, value) => value is Matrix<double> ? null : 0.0), value => Assert.Equal(0.0, value));
    }

    private static TangentRule OperationTangent(string function) =>
        Rules.Single(r => IsReflectionCallable(r.Function) && PullbackCases.Key(r.Function!) == function);

    /// <summary>The operation's tangent along <paramref name="directions"/>, from its tangent rule (itself checked above).</summary>
    private static object TangentOf(string function, object?[] arguments, object result, object?[] directions)
    {
        object?[] call = [.. arguments, result, .. directions, result is Matrix<double> m ? new Matrix<double>(m.Rows, m.Columns) : null];
        OperationTangent(function).Method.Invoke(null, call);
        return call[^1]!;
    }

    /// <summary>
    /// <paramref name="call"/> with a new NaN matrix at each of the <paramref name="outputs"/>, of the shape of the
    /// matching one of <paramref name="shapes"/>, or null where that is a scalar (an out parameter).
    /// </summary>
    private static object?[] WithNaNOutputs(object?[] call, int[] outputs, object?[] shapes)
    {
        object?[] fresh = [.. call];
        for (int k = 0; k < outputs.Length; k++)
            fresh[outputs[k]] = shapes[k] is Matrix<double> m ? NaNs(m.Rows, m.Columns) : null;
        return fresh;
    }

    private static string[] OperationsWithCallableTangent =>
        [.. Rules.Where(r => IsReflectionCallable(r.Function)).Select(r => PullbackCases.Key(r.Function!)).Distinct().Order(StringComparer.Ordinal)];

    private static string[] OperationsWithCallablePullbackTangent =>
        [.. Rules.Where(r => r.OfPullback is not null && IsReflectionCallable(r.Operation)).Select(r => PullbackCases.Key(r.Operation!)).Distinct().Order(StringComparer.Ordinal)];

    private static TheoryData<string, int> CasesOf(IEnumerable<string> functions)
    {
        var data = new TheoryData<string, int>();
        foreach (string function in functions)
            for (int i = 0; i < PullbackCases.All[function].Length; i++)
                data.Add(function, i);
        return data;
    }
}
