using System.Reflection;
using static Backprop.Runtime.Tests.Conventions.RuleArguments;
using static Backprop.Runtime.Tests.Conventions.RuleSignature;

namespace Backprop.Runtime.Tests.Conventions;

/// <summary>
/// The generator chains the runtime's pullbacks knowing nothing but the <see cref="DerivativeOfAttribute"/>
/// convention, so the runtime must never ship a pullback the generator would reject, nor an operation without one.
/// </summary>
public class DerivativeOfConventionTests
{
    private static readonly PullbackRule[] Rules = PullbackRule.All;

    [Fact]
    public void EveryPullback_MatchesTheConvention()
    {
        Assert.NotEmpty(Rules);
        Assert.Equal("", Problems(Rules.Select(rule => (rule.Pullback, rule.Problems))));
    }

    /// <summary>
    /// Every public operation on matrices that returns a matrix or a scalar has exactly one pullback: the
    /// operations of <see cref="MatrixOps"/> (not their destination forms, shape methods or pullbacks, which return
    /// void or a shape) and the operators on <see cref="Matrix{T}"/>.
    /// </summary>
    [Fact]
    public void EveryOperation_HasExactlyOnePullback()
    {
        var operations = typeof(MatrixOps).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Concat(typeof(Matrix<>).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.IsSpecialName && m.Name.StartsWith("op_", StringComparison.Ordinal)))
            .Where(m => (IsMatrix(m.ReturnType) || m.ReturnType.IsGenericParameter) && m.GetParameters().Any(p => IsMatrix(p.ParameterType)))
            .Select(Identity)
            .ToArray();
        Assert.Contains(operations, o => o.Name == "MatMul");
        Assert.Contains(operations, o => o.Name == "op_Addition");

        var differentiated = Rules.Where(rule => rule.Function is not null).Select(rule => Identity(rule.Function!)).ToArray();
        Assert.All(operations, operation => Assert.True(differentiated.Count(d => d == operation) == 1,
            $"{operation.Type.Name}.{operation.Name} (token {operation.Token:X}) has {differentiated.Count(d => d == operation)} pullbacks; it needs exactly one"));
    }

    [Fact]
    public void EveryReflectionCallablePullback_HasAFiniteDifferenceCase()
    {
        string[] callable = [.. Rules.Where(rule => IsReflectionCallable(rule.Function)).Select(rule => PullbackCases.Key(rule.Function!)).Order(StringComparer.Ordinal)];
        Assert.Equal(callable, PullbackCases.All.Keys.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, int> Cases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var (function, cases) in PullbackCases.All.OrderBy(c => c.Key, StringComparer.Ordinal))
                for (int i = 0; i < cases.Length; i++)
                    data.Add(function, i);
            return data;
        }
    }

    /// <summary>
    /// Calls the function, its destination form, its shape method and its pullback through reflection, as
    /// generated code would, and checks the pullback against central finite differences: gradients are
    /// overwritten (they start as NaN), inputs, result and dResult are left alone, and a null gradient skips only itself.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Pullback_CalledByTheConvention_MatchesFiniteDifferences(string function, int @case)
    {
        var rule = Rules.Single(r => r.Function is not null && PullbackCases.Key(r.Function) == function);
        var f = rule.Function!;
        object?[] arguments = PullbackCases.All[function][@case]();
        object result = f.Invoke(null, arguments)!;

        if (rule.ReturnsMatrix)
        {
            var matrix = (Matrix<double>)result;
            var shape = rule.Shape is null
                ? arguments.OfType<Matrix<double>>().Select(m => (m.Rows, m.Columns)).First()
                : ((int, int))rule.Shape.Invoke(null, arguments)!;
            Assert.Equal(shape, (matrix.Rows, matrix.Columns));
            Assert.Equal(matrix.Span.ToArray(), IntoDestination(rule, arguments, shape).Span.ToArray());
        }
        object dResult = UpstreamGradient(result);

        int[] differentiable = Differentiable(f);
        object?[] gradients = [.. differentiable.Select(i => arguments[i] is Matrix<double> m ? NaNs(m.Rows, m.Columns) : null)];
        var pullback = rule.Pullback.IsGenericMethodDefinition ? rule.Pullback.MakeGenericMethod(typeof(double)) : rule.Pullback;
        object?[] pullbackArguments = [.. arguments, result, dResult, .. gradients];
        double[][] before = Snapshot([.. arguments, result, dResult]);
        pullback.Invoke(null, pullbackArguments);
        Assert.Equal(before, Snapshot([.. arguments, result, dResult]));

        var inputs = new List<Matrix<double>>();
        var analytic = new List<Matrix<double>>();
        var scalars = new List<(int Position, Matrix<double> Holder)>();
        for (int g = 0; g < differentiable.Length; g++)
        {
            int position = differentiable[g];
            object? gradient = pullbackArguments[arguments.Length + 2 + g];
            if (arguments[position] is Matrix<double> input)
            {
                inputs.Add(input);
                analytic.Add((Matrix<double>)gradient!);
            }
            else
            {
                var holder = Matrix<double>.FromArray(1, 1, [(double)arguments[position]!]);
                scalars.Add((position, holder));
                inputs.Add(holder);
                analytic.Add(Matrix<double>.FromArray(1, 1, [(double)gradient!]));
            }
        }

        double Loss()
        {
            foreach (var (position, holder) in scalars)
                arguments[position] = holder[0, 0];
            object value = f.Invoke(null, arguments)!;
            return value is Matrix<double> m ? PullbackCheck.Contract(m, (Matrix<double>)dResult) : (double)value * (double)dResult;
        }

        PullbackCheck.Verify(Loss, [.. inputs], [.. analytic]);
        foreach (var (position, holder) in scalars)
            arguments[position] = holder[0, 0];

        // Each matrix gradient alone, the others null: the same values, and nothing else is written.
        for (int g = 0; g < differentiable.Length; g++)
        {
            if (gradients[g] is not Matrix<double> full)
                continue;
            object?[] alone = [.. arguments, result, dResult, .. gradients.Select((other, k) => k == g ? NaNs(full.Rows, full.Columns) : other is Matrix<double> ? null : other)];
            pullback.Invoke(null, alone);
            Assert.Equal(full.Span.ToArray(), ((Matrix<double>)alone[arguments.Length + 2 + g]!).Span.ToArray());
        }
    }

    private static Matrix<double> IntoDestination(PullbackRule rule, object?[] arguments, (int Rows, int Columns) shape)
    {
        var destination = NaNs(shape.Rows, shape.Columns);
        int next = 0;
        object?[] intoArguments = [.. rule.Into!.GetParameters().Select(p =>
            p.Name == "destination" ? destination : next < arguments.Length ? arguments[next++] : p.DefaultValue)];
        rule.Into.Invoke(null, intoArguments);
        return destination;
    }
}
