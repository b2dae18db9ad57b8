using System.Reflection;
using Backprop.Generator.Calculus;
using Backprop.Generator.Emission;
using Backprop.Generator.Model;
using Backprop.Generator.Parsing;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Tests;

/// <summary>
/// All of Math, by reflection. The math members are the public static, non-generic methods of <c>Math</c>, <c>MathF</c>,
/// <c>double</c> and <c>float</c> that return a double or a float and take only doubles, floats and ints. That rule leaves
/// out, on purpose: parsing and formatting (string and span parameters), generic members (<c>CreateChecked</c>…), the
/// tuple results of <c>SinCos</c> and <c>SinCosPi</c> (a body holds no tuples), <c>Round</c> with a
/// <c>MidpointRounding</c> (a body holds no enum values), and integer results (<c>Sign</c>, <c>ILogB</c>: never
/// differentiated, so they need no rule). Each math member either lowers to an operation with a rule, whose printed call
/// computes the same bits, or is in <see cref="s_refused"/> with the reason.
/// </summary>
public class MathMemberCoverageTests
{
    /// <summary>The math members with no rule, each refused (BP1003) for the reason given.</summary>
    private static readonly Dictionary<string, string> s_refused = new()
    {
        ["ReciprocalEstimate"] = "platform-dependent: a hardware table where there is one (piecewise constant on x64 here, in steps "
            + "of about 2⁻¹⁴, so its derivative is 0 almost everywhere), 1/x elsewhere; no one rule is right on both. Write 1 / x.",
        ["ReciprocalSqrtEstimate"] = "platform-dependent as ReciprocalEstimate is. Write 1 / Math.Sqrt(x).",
    };

    private static readonly Type[] s_types = { typeof(Math), typeof(MathF), typeof(double), typeof(float) };

    public static TheoryData<string> Members() => new(MathMembers().Select(Describe));

    [Theory]
    [MemberData(nameof(Members))]
    public void EachMathMemberHasARuleOrAReasonedRefusal(string member)
    {
        MethodInfo method = MathMembers().Single(m => Describe(m) == member);
        bool lowered = MathFunctions.TryGetOperation(Symbol(method), out Op op);
        if (s_refused.TryGetValue(method.Name, out string? reason))
        {
            Assert.False(lowered, $"{member} is refused ({reason}) but lowers to Op.{op}.");
            return;
        }
        Assert.True(lowered, $"{member} has no operation in MathFunctions and no reason to refuse it here.");
        Assert.NotNull(Rules.For(op));
    }

    /// <summary>
    /// The generated code calls the member an operation prints as, which may not be the one the source called
    /// (<c>double.Sqrt</c> prints as <c>Math.Sqrt</c>): on every combination of special and ordinary values, it must
    /// compute the same bits, or throw the same exception. This is what keeps <c>double.Clamp</c>, NaN for a NaN bound,
    /// apart from <c>Math.Clamp</c>.
    /// </summary>
    [Theory]
    [MemberData(nameof(Members))]
    public void EachMathMemberComputesWhatItsPrintedCallComputes(string member)
    {
        MethodInfo method = MathMembers().Single(m => Describe(m) == member);
        if (!MathFunctions.TryGetOperation(Symbol(method), out Op op))
            return; // refused, which the other test checks
        Type[] parameters = method.GetParameters().Select(p => p.ParameterType).ToArray();
        ScalarType type = parameters[0] == typeof(float) ? ScalarType.Float : ScalarType.Double;
        string printed = ExprPrinter.MathMember(op, type);
        int dot = printed.LastIndexOf('.');
        MethodInfo called = Type.GetType(printed.Substring("global::".Length, dot - "global::".Length), throwOnError: true)!
            .GetMethod(printed.Substring(dot + 1), parameters)
            ?? throw new InvalidOperationException($"{member} prints as {printed}, which has no overload taking its parameters.");
        foreach (object[] arguments in Grid(parameters))
            Assert.True(Outcome(method, arguments) == Outcome(called, arguments),
                $"{member} and {printed} differ at ({string.Join(", ", arguments)}): {Outcome(method, arguments)} vs {Outcome(called, arguments)}");
    }

    [Fact]
    public void EveryRefusalNamesAMathMember() =>
        Assert.All(s_refused.Keys, name => Assert.Contains(MathMembers(), m => m.Name == name));

    private static IEnumerable<MethodInfo> MathMembers() =>
        s_types.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => !m.IsGenericMethodDefinition && (m.ReturnType == typeof(double) || m.ReturnType == typeof(float))
                && m.GetParameters().All(p => p.ParameterType == typeof(double) || p.ParameterType == typeof(float) || p.ParameterType == typeof(int)))
            .OrderBy(Describe, StringComparer.Ordinal);

    private static string Describe(MethodInfo method) =>
        $"{method.DeclaringType!.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";

    private static readonly Lazy<Compilation> s_compilation = new(() => GeneratorRunner.Compile(""));

    /// <summary>The Roslyn symbol of a reflected method, as the generator sees the call.</summary>
    private static IMethodSymbol Symbol(MethodInfo method)
    {
        INamedTypeSymbol type = s_compilation.Value.GetTypeByMetadataName(method.DeclaringType!.FullName!)!;
        string[] parameters = method.GetParameters().Select(p => p.ParameterType.FullName!).ToArray();
        return type.GetMembers(method.Name).OfType<IMethodSymbol>().Single(s =>
            s.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", ""))
                .SequenceEqual(parameters.Select(Keyword)));
    }

    private static string Keyword(string type) => type switch
    {
        "System.Double" => "double",
        "System.Single" => "float",
        "System.Int32" => "int",
        _ => type,
    };

    private static readonly double[] s_values =
        { double.NaN, double.NegativeInfinity, -1e300, -2.5, -1, -0.5, -0.0, 0.0, 1e-310, 0.5, 0.75, 1, 1.25, 2.5, 3, 1e300, double.PositiveInfinity };

    private static readonly int[] s_integers = { -3, 0, 1, 2, 5 };

    /// <summary>Every combination of <see cref="s_values"/> (and <see cref="s_integers"/> for int parameters).</summary>
    private static IEnumerable<object[]> Grid(Type[] parameters)
    {
        IEnumerable<object[]> grid = new[] { Array.Empty<object>() };
        foreach (Type parameter in parameters)
        {
            object[] values = parameter == typeof(int) ? s_integers.Cast<object>().ToArray()
                : parameter == typeof(float) ? s_values.Select(v => (object)(float)v).ToArray()
                : s_values.Cast<object>().ToArray();
            grid = grid.SelectMany(prefix => values.Select(v => prefix.Append(v).ToArray())).ToList();
        }
        return grid;
    }

    /// <summary>The result's bits, or the exception's type.</summary>
    private static string Outcome(MethodInfo method, object[] arguments)
    {
        try
        {
            return method.Invoke(null, arguments) switch
            {
                double d => BitConverter.DoubleToInt64Bits(d).ToString("X16"),
                float f => BitConverter.SingleToInt32Bits(f).ToString("X8"),
                var other => $"{other}",
            };
        }
        catch (TargetInvocationException e)
        {
            return e.InnerException!.GetType().Name;
        }
    }
}
