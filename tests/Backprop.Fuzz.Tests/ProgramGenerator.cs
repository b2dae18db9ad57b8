using System.Globalization;
using System.Text;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Writes a random <c>[Differentiable]</c> method from a seed; the same seed always gives the same program.
/// The constructs are data: <see cref="ExpressionForms"/> and <see cref="StatementForms"/> hold one row per
/// construct, so supporting a new construct in the fuzzer is one more row. Functions are applied on safe
/// domains (<c>Log(1 + a*a)</c>, <c>Asin(Tanh(a) / 2)</c>) so most points are smooth; the checker skips the rest.
/// </summary>
internal sealed class ProgramGenerator
{
    /// <summary>
    /// A construct written from smaller expressions, for the types in <paramref name="Types"/> (by default double and
    /// float); <paramref name="MixesFloat"/> marks a construct that brings floats into a double expression.
    /// </summary>
    private sealed record Form(string Name, int Weight, Func<ProgramGenerator, FuzzType, int, string> Write, FuzzType[]? Types = null, bool MixesFloat = false);

    private static readonly FuzzType[] Floating = { FuzzType.Double, FuzzType.Float };
    private static readonly FuzzType[] Any = { FuzzType.Double, FuzzType.Float, FuzzType.Int };
    private static readonly FuzzType[] Double = { FuzzType.Double };
    private static readonly FuzzType[] Float = { FuzzType.Float };
    private static readonly FuzzType[] Int = { FuzzType.Int };

    /// <summary>A statement construct; it returns null where it does not apply (break outside a loop, nothing to assign).</summary>
    private sealed record StatementForm(string Name, int Weight, Func<ProgramGenerator, string?> Write);

    /// <summary>A boolean construct for conditions of if, ternaries, break, continue and early return.</summary>
    private sealed record ConditionForm(string Name, int Weight, Func<ProgramGenerator, int, string> Write);

    /// <summary>
    /// A variable in scope. Arrays are at least <see cref="MinimumLength"/> long, so a literal index below it is always in
    /// range; loop counters (<paramref name="Counter"/>) are never negative, so <c>i % a.Length</c> is too.
    /// </summary>
    private sealed record Variable(string Name, FuzzType Type, bool Assignable, bool Counter = false);

    private const int MinimumLength = 3;

    private static readonly Form[] ExpressionForms =
    {
        new("add", 5, (g, t, d) => $"({g.E(t, d)} + {g.E(t, d)})", Any),
        new("subtract", 4, (g, t, d) => $"({g.E(t, d)} - {g.E(t, d)})", Any),
        new("multiply", 5, (g, t, d) => $"({g.E(t, d)} * {g.E(t, d)})", Any),
        new("divide", 2, (g, t, d) => g.Shared(t, d, b => $"({g.E(t, d)} / ({g.Literal(t, 1)} + {b} * {b}))")),
        new("divide by 2 + sin", 1, (g, t, d) => $"({g.E(t, d)} / ({g.Literal(t, 2)} + {g.M(t)}.Sin({g.E(t, d)})))"),
        new("remainder", 1, (g, t, d) => g.Shared(t, d, b => $"({g.Bounded(t, d)} % ({g.Literal(t, 1)} + {b} * {b}))")),
        new("negate", 2, (g, t, d) => $"(-{g.E(t, d)})", Any),
        new("unary plus", 1, (g, t, d) => $"(+{g.E(t, d)})"),
        new("exp", 1, (g, t, d) => $"{g.M(t)}.Exp({g.E(t, d)})"),
        new("exp of tanh", 1, (g, t, d) => $"{g.M(t)}.Exp({g.M(t)}.Tanh({g.E(t, d)}))"),
        new("log", 1, (g, t, d) => g.Shared(t, d, a => $"{g.M(t)}.Log({g.Literal(t, 1)} + {a} * {a})")),
        new("log base", 1, (g, t, d) => g.Shared(t, d, a => g.Shared(t, d, b => $"{g.M(t)}.Log({g.Literal(t, 1)} + {a} * {a}, {g.Literal(t, 2)} + {b} * {b})"))),
        new("log10", 1, (g, t, d) => g.Shared(t, d, a => $"{g.M(t)}.Log10({g.Literal(t, 1)} + {a} * {a})")),
        new("log2", 1, (g, t, d) => g.Shared(t, d, a => $"{g.M(t)}.Log2({g.Literal(t, 2)} + {a} * {a})")),
        new("sqrt", 1, (g, t, d) => g.Shared(t, d, a => $"{g.M(t)}.Sqrt({g.Literal(t, 1)} + {a} * {a})")),
        new("cbrt", 1, (g, t, d) => $"{g.M(t)}.Cbrt({g.E(t, d)})"),
        new("pow", 1, (g, t, d) => g.Shared(t, d, a => $"{g.M(t)}.Pow({g.Literal(t, 1)} + {a} * {a}, {g.Bounded(t, d)})")),
        new("pow constant", 2, (g, t, d) => $"{g.M(t)}.Pow({g.E(t, d)}, {g.Literal(t, g._random.Next(1, 5))})"),
        new("sin", 1, (g, t, d) => $"{g.M(t)}.Sin({g.E(t, d)})"),
        new("cos", 1, (g, t, d) => $"{g.M(t)}.Cos({g.E(t, d)})"),
        new("tan", 1, (g, t, d) => $"{g.M(t)}.Tan({g.M(t)}.Tanh({g.E(t, d)}))"),
        new("asin", 1, (g, t, d) => $"{g.M(t)}.Asin({g.M(t)}.Tanh({g.E(t, d)}) / {g.Literal(t, 2)})"),
        new("acos", 1, (g, t, d) => $"{g.M(t)}.Acos({g.M(t)}.Tanh({g.E(t, d)}) / {g.Literal(t, 2)})"),
        new("atan", 1, (g, t, d) => $"{g.M(t)}.Atan({g.E(t, d)})"),
        new("atan2", 1, (g, t, d) => $"{g.M(t)}.Atan2({g.E(t, d)}, {g.E(t, d)})"),
        new("sinh", 1, (g, t, d) => $"{g.M(t)}.Sinh({g.E(t, d)})"),
        new("cosh", 1, (g, t, d) => $"{g.M(t)}.Cosh({g.E(t, d)})"),
        new("tanh", 2, (g, t, d) => $"{g.M(t)}.Tanh({g.E(t, d)})"),
        new("abs", 1, (g, t, d) => $"{g.M(t)}.Abs({g.E(t, d)})", Any),
        new("max", 1, (g, t, d) => $"{g.M(t)}.Max({g.E(t, d)}, {g.E(t, d)})", Any),
        new("min", 1, (g, t, d) => $"{g.M(t)}.Min({g.E(t, d)}, {g.E(t, d)})", Any),
        new("clamp", 1, (g, t, d) => $"Math.Clamp({g.E(t, d)}, {g.Literal(t, -1)}, {g.Literal(t, 2)})"),
        new("clamp by expressions", 1, (g, t, d) => g.Shared(t, d, lo => g.Shared(t, d, hi =>
            $"Math.Clamp({g.E(t, d)}, {g.Literal(t, -1)} - {lo} * {lo}, {g.Literal(t, 1)} + {hi} * {hi})"))),
        new("floor", 1, (g, t, d) => $"{g.M(t)}.Floor({g.Bounded(t, d)})"),
        new("ceiling", 1, (g, t, d) => $"{g.M(t)}.Ceiling({g.Bounded(t, d)})"),
        new("round", 1, (g, t, d) => $"{g.M(t)}.Round({g.Bounded(t, d)})"),
        new("truncate", 1, (g, t, d) => $"{g.M(t)}.Truncate({g.Bounded(t, d)})"),
        new("sign", 1, (g, t, d) => $"({g.M(t)}.Sign({g.E(t, d)}) * {g.E(t, d)})"),
        new("times int", 2, (g, t, d) => $"({g.E(t, d)} * {g.E(FuzzType.Int, d)})"),
        new("int divided by 2", 1, (g, t, d) => $"({g.E(t, d)} / 2)", Int),
        new("int remainder 3", 1, (g, t, d) => $"({g.E(t, d)} % 3)", Int),
        new("sign of double", 1, (g, t, d) => $"Math.Sign({g.E(FuzzType.Double, d)})", Int),
        new("float promoted", 2, (g, t, d) => g.E(FuzzType.Float, d), Double, MixesFloat: true),
        new("float cast to double", 1, (g, t, d) => $"(double){g.E(FuzzType.Float, d)}", Double, MixesFloat: true),
        new("double cast to float", 2, (g, t, d) => $"(float){g.E(FuzzType.Double, d)}", Float),
        new("ternary", 2, (g, t, d) => $"({g.C(d)} ? {g.E(t, d)} : {g.E(t, d)})", Any),
        new("array element", 4, (g, t, d) => g.ArrayElement(t, d), Double),
        new("array length", 1, (g, t, d) => g.Array() is Variable a ? a.Name + ".Length" : g.Leaf(t), Int),
        new("int helper", 1, (g, t, d) => $"Twice({g.E(FuzzType.Int, d)})", Int),
        new("call scalar helper", 2, (g, t, d) => g._calls ? $"H({g.E(t, d)}, {g.E(t, d)})" : g.Leaf(t), Double),
        new("call array helper", 2, (g, t, d) => g._calls && g.Array() is Variable a ? $"S({a.Name}, {g.E(t, d)})" : g.Leaf(t), Double),
    };

    private static readonly ConditionForm[] ConditionForms =
    {
        new("compare doubles", 5, (g, d) => $"{g.E(FuzzType.Double, d)} {g.Pick("<", ">", "<=", ">=")} {g.E(FuzzType.Double, d)}"),
        new("compare ints", 2, (g, d) => $"{g.E(FuzzType.Int, d)} {g.Pick("<", ">", "<=", ">=", "==", "!=")} {g.E(FuzzType.Int, d)}"),
        new("and", 1, (g, d) => $"({g.C(d)} && {g.C(d)})"),
        new("or", 1, (g, d) => $"({g.C(d)} || {g.C(d)})"),
        new("not", 1, (g, d) => $"!({g.C(d)})"),
        new("bool helper", 1, (g, d) => $"Positive({g.E(FuzzType.Double, d)})"),
    };

    private static readonly StatementForm[] StatementForms =
    {
        new("declare", 5, g => g.Declare(1)),
        new("declare several", 1, g => g.Declare(2)),
        new("const", 1, g => g.Const()),
        new("assign", 3, g => g.Assign(v => $"{v.Name} = {g.E(v.Type, 3)};")),
        new("compound + - *", 3, g => g.Assign(v => $"{v.Name} {g.Pick("+=", "-=", "*=")} {g.E(v.Type, 3)};")),
        new("compound /", 1, g => g.Assign(v => g.Shared(v.Type, 2, b => $"{v.Name} /= {g.Literal(v.Type, 1)} + {b} * {b};"), Floating)),
        new("increment", 1, g => g.Assign(v => $"{v.Name}{g.Pick("++", "--")};")),
        new("if", 2, g => g.Nested() ? $"if ({g.C(2)})\n{g.Block()}" : null),
        new("if else", 2, g => g.Nested() ? $"if ({g.C(2)})\n{g.Block()}\nelse\n{g.Block()}" : null),
        new("else if", 1, g => g.Nested() ? $"if ({g.C(2)})\n{g.Block()}\nelse if ({g.C(2)})\n{g.Block()}\nelse\n{g.Block()}" : null),
        new("for", 3, g => g.Nested() ? g.For() : null),
        new("while", 2, g => g.Nested() ? g.While() : null),
        new("do", 1, g => g.Nested() ? g.Do() : null),
        new("foreach", 2, g => g.Nested() && g.Array() is Variable a ? g.Foreach(a) : null),
        new("break", 2, g => g._breakable ? $"if ({g.C(2)})\n    break;" : null),
        new("continue", 2, g => g._breakable ? $"if ({g.C(2)})\n    continue;" : null),
        new("early return", 1, g => g._blocks > 0 ? g.EarlyReturn() : null),
        new("local array", 2, g => g._blocks == 0 && g._localArrays < 2 ? g.LocalArray() : null),
        new("array write", 3, g => g.LocalArrayVariable() is Variable a ? $"{a.Name}[{g.Index(a)}] {g.Pick("=", "+=")} {g.E(FuzzType.Double, 3)};" : null),
    };

    private static readonly string[] ParameterNames = { "x", "y", "z", "w" };

    private readonly Random _random;
    private readonly List<Variable> _scope = new();

    /// <summary>Whether expressions may call the differentiable helpers (not inside the helpers: no recursion).</summary>
    private readonly bool _calls;
    private FuzzType _returnType = FuzzType.Double;
    private int _blocks;
    private int _loops;
    /// <summary>Whether break and continue may appear here: in a loop.</summary>
    private bool _breakable;
    private int _localArrays;

    /// <summary>
    /// One program in three mixes in floats (parameters, locals, casts, a float result). The rest stay in double, where
    /// finite differences are accurate enough for a tight tolerance.
    /// </summary>
    private readonly bool _floats;
    private int _locals;

    /// <summary>For a program returning an array, its length (the local array <see cref="Outputs"/>); 0 for a scalar result.</summary>
    private readonly int _outputs;
    private const string Outputs = "outputs";

    private ProgramGenerator(int seed, bool arrayResult = false)
    {
        _random = new Random(seed);
        _floats = _random.Next(3) == 0;
        _calls = true;
        if (arrayResult)
            _outputs = _random.Next(MinimumLength, 5);
    }

    /// <summary>A generator for a helper's body, drawing from the program's random stream, in pure double.</summary>
    private ProgramGenerator(Random random)
    {
        _random = random;
        _floats = false;
        _calls = false;
    }

    public static FuzzProgram Generate(int seed) => new ProgramGenerator(seed).Program(seed);

    /// <summary>
    /// A program returning a <c>double[]</c> of 3 or 4 elements, asking for its vector-Jacobian product, tangent and
    /// Jacobian: the array is in scope for every statement (read, written, looped over), and every return fills some
    /// of it. Its own stream of programs: <see cref="Generate"/>'s are unchanged.
    /// </summary>
    public static FuzzProgram GenerateArrayResult(int seed) => new ProgramGenerator(seed, arrayResult: true).Program(seed);

    /// <summary>Ordinary (non-differentiable) helpers every class has: called for ints and conditions.</summary>
    private static readonly string[] OrdinaryHelpers =
    {
        "private static int Twice(int k) => 2 * k;",
        "private static bool Positive(double v) => v > 0;",
    };

    /// <summary>One double program in this many also asks for the Hessian-vector product.</summary>
    private const int HessianShare = 4;

    /// <summary>
    /// The class's differentiable helpers: <c>H(double a, double b)</c> and <c>S(double[] q, double a)</c>, each with a
    /// random body (loops, branches, array reads) that calls nothing differentiable; their <c>[Differentiable]</c> line
    /// takes the program's modes when the program is written out (<see cref="FuzzProgram"/>).
    /// </summary>
    private IEnumerable<string> DifferentiableHelpers()
    {
        const string attribute = "[Differentiable]";
        var h = new ProgramGenerator(_random);
        h._scope.Add(new Variable("a", FuzzType.Double, true));
        h._scope.Add(new Variable("b", FuzzType.Double, true));
        yield return $"{attribute}\nprivate static double H(double a, double b)\n{h.Body(3)}";
        var s = new ProgramGenerator(_random);
        s._scope.Add(new Variable("q", FuzzType.DoubleArray, false));
        s._scope.Add(new Variable("a", FuzzType.Double, true));
        yield return $"{attribute}\nprivate static double S(double[] q, double a)\n{s.Body(3)}";
    }

    /// <summary>The differentiable helpers' signatures and their simplest bodies, which still use every parameter.</summary>
    private static readonly (string Signature, string Body)[] SimplestHelpers =
    {
        ("private static double H(double a, double b)", "a * b"),
        ("private static double S(double[] q, double a)", "q[0] * a"),
    };

    /// <summary>A differentiable helper with its body replaced by the simplest one (for the shrinker); null for other helpers.</summary>
    public static string? SimplestHelper(string helper)
    {
        string[] lines = helper.Split('\n');
        return lines.Length < 2 ? null
            : SimplestHelpers.Where(h => lines[1] == h.Signature).Select(h => $"{lines[0]}\n{h.Signature} => {h.Body};").FirstOrDefault();
    }

    private string Body(int length)
    {
        var statements = new List<string>();
        int count = _random.Next(0, length + 1);
        while (statements.Count < count)
        {
            if (Weighted(StatementForms, f => f.Weight).Write(this) is string statement)
                statements.Add(statement);
        }
        statements.Add($"return {E(FuzzType.Double, 3)}{Uses(FuzzType.Double)};");
        return "{\n" + string.Join("\n", statements.Select(Indent)) + "\n}";
    }

    private static string Indent(string statement) => "    " + statement.Replace("\n", "\n    ");

    private FuzzProgram Program(int seed)
    {
        var parameters = new List<FuzzParameter>();
        int count = _random.Next(1, ParameterNames.Length + 1);
        for (int i = 0; i < count; i++)
        {
            int kind = _random.Next(100);
            FuzzParameter parameter = kind < 45 || i == 0 ? new(ParameterNames[i], FuzzType.Double, false)
                : kind < 60 && _floats ? new(ParameterNames[i], FuzzType.Float, false)
                : kind < 72 ? new("n" + i, FuzzType.Int, false)
                : kind < 88 ? new("q" + i, FuzzType.DoubleArray, false, _random.Next(MinimumLength, 6))
                : new(ParameterNames[i], FuzzType.Double, true);
            parameters.Add(parameter);
            // Parameter arrays are read only: writing to one is unsupported (a diagnostic).
            _scope.Add(new Variable(parameter.Name, parameter.Type, Assignable: parameter.Type != FuzzType.DoubleArray));
        }
        _returnType = _floats && _random.Next(3) == 0 && _outputs == 0 ? FuzzType.Float : FuzzType.Double;
        // A Jacobian runs the helpers' tangents and gradients.
        bool tangent = _random.Next(4) == 0 || _outputs > 0;
        string[] helpers = DifferentiableHelpers().Concat(OrdinaryHelpers).ToArray();

        var statements = new List<string>();
        if (_outputs > 0)
        {
            statements.Add($"var {Outputs} = new double[{_outputs}];");
            _scope.Add(new Variable(Outputs, FuzzType.DoubleArray, true));
        }
        int length = _random.Next(0, 7) + statements.Count;
        while (statements.Count < length)
        {
            if (Weighted(StatementForms, f => f.Weight).Write(this) is string statement)
                statements.Add(statement);
        }
        statements.Add(_outputs > 0 ? FillAndReturn(Enumerable.Range(0, _outputs)) : $"return {E(_returnType, 4)}{Uses(_returnType)};");
        // Drawn last, so that asking for it leaves every seed's program text as it was before the Hessian was checked.
        // Array results have no Hessian.
        bool hessian = _random.Next(HessianShare) == 0 && _outputs == 0;
        return new FuzzProgram(seed, parameters, statements, _returnType, _floats, helpers, tangent, hessian, _outputs);
    }

    /// <summary>A condition at most <paramref name="depth"/> constructs deep.</summary>
    private string C(int depth) =>
        depth <= 0 ? $"{Leaf(FuzzType.Double)} {Pick("<", ">")} {Leaf(FuzzType.Double)}"
        : Weighted(ConditionForms, f => f.Weight).Write(this, depth - 1);

    /// <summary>Compound statements nest at most two deep, so a loop runs its body at most 36 times.</summary>
    private bool Nested() => _blocks < 2;

    /// <summary>A block of one to three statements; what it declares goes out of scope after it.</summary>
    private string Block()
    {
        int scope = _scope.Count;
        _blocks++;
        var statements = new List<string>();
        int count = _random.Next(1, 4);
        while (statements.Count < count)
        {
            if (Weighted(StatementForms, f => f.Weight).Write(this) is string statement)
                statements.Add(statement);
        }
        _blocks--;
        _scope.RemoveRange(scope, _scope.Count - scope);
        return "{\n" + string.Join("\n", statements.Select(Indent)) + "\n}";
    }

    /// <summary>A loop body: the counter is in scope (read only, never negative), break and continue allowed.</summary>
    private string LoopBody(string counter) => LoopBody(new Variable(counter, FuzzType.Int, false, Counter: true));

    /// <summary>A loop body with the loop's variable (a counter, or a foreach element) in scope, break and continue allowed.</summary>
    private string LoopBody(Variable variable)
    {
        _scope.Add(variable);
        _loops++;
        bool breakable = _breakable;
        _breakable = true;
        string body = Block();
        _breakable = breakable;
        _loops--;
        _scope.RemoveAt(_scope.Count - 1);
        return body;
    }

    /// <summary>
    /// An iteration bound of at most 5: a literal, an int parameter capped by Math.Min (it may have been reassigned),
    /// or an array's length.
    /// </summary>
    private string Bound()
    {
        Variable[] ints = _scope.Where(v => v.Type == FuzzType.Int && !v.Counter && v.Name.StartsWith('n')).ToArray();
        return _random.Next(3) switch
        {
            0 when ints.Length > 0 => $"Math.Min({Pick(ints).Name}, {_random.Next(2, 5)})",
            1 when Array() is Variable a => a.Name + ".Length",
            _ => _random.Next(1, 5).ToString(CultureInfo.InvariantCulture),
        };
    }

    private string EarlyReturn() => _outputs > 0
        ? $"if ({C(2)})\n{{\n{Indent(FillAndReturn(new[] { _random.Next(_outputs) }))}\n}}"
        : $"if ({C(2)})\n    return {E(_returnType, 3)};";

    /// <summary>An array result's return: sets or adds to the given elements, then returns the array.</summary>
    private string FillAndReturn(IEnumerable<int> elements) =>
        string.Concat(elements.Select(k => $"{Outputs}[{k}] {Pick("=", "+=")} {E(FuzzType.Double, 3)}{Uses(FuzzType.Double)};\n")) + $"return {Outputs};";

    private string For()
    {
        string i = "i" + _locals++;
        string bound = Bound();
        return $"for (int {i} = 0; {i} < {bound}; {i}++)\n{LoopBody(i)}";
    }

    /// <summary>The counter steps first, so continue cannot skip it.</summary>
    private string While()
    {
        string k = "k" + _locals++;
        string bound = Bound();
        string body = LoopBody(k);
        return $"int {k} = 0;\nwhile ({k} < {bound})\n{{\n    {k}++;\n{body[2..]}";
    }

    private string Do()
    {
        string k = "k" + _locals++;
        string bound = Bound();
        string body = LoopBody(k);
        return $"int {k} = 0;\ndo\n{{\n    {k}++;\n{body[2..]}\nwhile ({k} < {bound});";
    }

    private string Foreach(Variable array)
    {
        string e = "e" + _locals++;
        return $"foreach (double {e} in {array.Name})\n{LoopBody(new Variable(e, FuzzType.Double, false))}";
    }

    /// <summary>A local array, allocated once at the top level of the method and filled by a loop.</summary>
    private string LocalArray()
    {
        string name = "a" + _locals++;
        string length = Array() is Variable q && _random.Next(2) == 0 ? q.Name + ".Length" : _random.Next(MinimumLength, 6).ToString(CultureInfo.InvariantCulture);
        var array = new Variable(name, FuzzType.DoubleArray, true);
        string i = "i" + _locals++;
        string fill = $"for (int {i} = 0; {i} < {name}.Length; {i}++)\n{{\n    {name}[{i}] {Pick("=", "+=")} {WithCounter(i, () => E(FuzzType.Double, 3))};\n}}";
        _scope.Add(array);
        _localArrays++;
        return $"var {name} = new double[{length}];\n{fill}";
    }

    private string WithCounter(string counter, Func<string> write)
    {
        _scope.Add(new Variable(counter, FuzzType.Int, false, Counter: true));
        string text = write();
        _scope.RemoveAt(_scope.Count - 1);
        return text;
    }

    private Variable? Array()
    {
        Variable[] arrays = _scope.Where(v => v.Type == FuzzType.DoubleArray).ToArray();
        return arrays.Length == 0 ? null : Pick(arrays);
    }

    private Variable? LocalArrayVariable()
    {
        Variable[] arrays = _scope.Where(v => v.Type == FuzzType.DoubleArray && v.Assignable).ToArray();
        return arrays.Length == 0 ? null : Pick(arrays);
    }

    /// <summary>An index always in range: a literal below the minimum length, or a counter modulo the length.</summary>
    private string Index(Variable array)
    {
        Variable[] counters = _scope.Where(v => v.Counter).ToArray();
        return counters.Length > 0 && _random.Next(3) != 0
            ? $"{Pick(counters).Name} % {array.Name}.Length"
            : _random.Next(MinimumLength).ToString(CultureInfo.InvariantCulture);
    }

    private string ArrayElement(FuzzType type, int depth) =>
        Array() is Variable a ? $"{a.Name}[{Index(a)}]" : Leaf(type);

    /// <summary>An expression of type <paramref name="type"/> at most <paramref name="depth"/> constructs deep.</summary>
    private string E(FuzzType type, int depth)
    {
        if (depth <= 0 || _random.Next(4) == 0)
            return Leaf(type);
        Form form = Weighted(ExpressionForms.Where(f => (f.Types ?? Floating).Contains(type) && (_floats || !f.MixesFloat)).ToArray(), f => f.Weight);
        return form.Write(this, type, depth - 1);
    }

    /// <summary>
    /// An expression within ±4, for the functions with jumps and for exponents. Applied to a steep unbounded value
    /// (Round(Sinh(y)) at 6·10¹¹) the jumps crowd closer than any finite-difference step, which then sees the slope of
    /// the staircase where the derivative is rightly zero; an unbounded exponent (Pow(1 + 10⁻¹⁴, 10¹⁰)) magnifies the
    /// function's own rounding until finite differences measure the rounding rather than the function.
    /// </summary>
    private string Bounded(FuzzType type, int depth) => $"({M(type)}.Tanh({E(type, depth)}) * {Literal(type, 4)})";

    /// <summary>Adds up to three variables to the result, so most statements matter to it.</summary>
    private string Uses(FuzzType type)
    {
        Variable[] readable = _scope.Where(v => v.Type == type || (type == FuzzType.Double && v.Type == FuzzType.Float)).ToArray();
        var uses = new StringBuilder();
        for (int i = _random.Next(4); i > 0 && readable.Length > 0; i--)
            uses.Append(Pick(" + ", " - ", " * ")).Append(readable[_random.Next(readable.Length)].Name);
        return uses.ToString();
    }

    /// <summary>Writes one subexpression and uses it twice (<c>1 + a * a</c>), which also exercises shared nodes.</summary>
    private string Shared(FuzzType type, int depth, Func<string, string> write) => write(E(type, depth));

    private string Leaf(FuzzType type)
    {
        // A double expression may read floats (implicit widening). Ints enter through their own forms ("times int"):
        // a bare int would make Math.Floor(n) ambiguous between its double and decimal overloads.
        Variable[] readable = _scope.Where(v => v.Type == type || (type == FuzzType.Double && v.Type == FuzzType.Float)).ToArray();
        Variable[] doubles = _scope.Where(v => v.Type == FuzzType.Double).ToArray();
        int choice = _random.Next(10);
        if (choice < 8 && readable.Length > 0)
            return readable[_random.Next(readable.Length)].Name;
        if (type == FuzzType.Int)
            return Pick("1", "2", "3");
        if (choice < 8 && type == FuzzType.Float && doubles.Length > 0)
            return "(float)" + doubles[_random.Next(doubles.Length)].Name;
        if (choice < 9)
            return type == FuzzType.Float ? "MathF.PI" : Pick("Math.PI", "Math.E");
        return Literal(type, Pick(0.5, 1.5, 2, 3, 0.25, 1.75));
    }

    private string Literal(FuzzType type, double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return type == FuzzType.Float ? text + "f" : text.Contains('.') ? text : text + ".0";
    }

    private string M(FuzzType type) => type == FuzzType.Float ? "MathF" : "Math";

    private string Declare(int count)
    {
        FuzzType type = _floats && _random.Next(2) == 0 ? FuzzType.Float : _random.Next(6) == 0 ? FuzzType.Int : FuzzType.Double;
        var declarators = new List<string>();
        for (int i = 0; i < count; i++)
        {
            // Each declarator may read the ones before it: double a = x, b = a * a;
            string name = "v" + _locals++;
            declarators.Add($"{name} = {E(type, 3)}");
            _scope.Add(new Variable(name, type, true));
        }
        return $"{FuzzText.Keyword(type)} {string.Join(", ", declarators)};";
    }

    private string Const()
    {
        string name = "c" + _locals++;
        _scope.Add(new Variable(name, FuzzType.Double, false));
        return $"const double {name} = {Literal(FuzzType.Double, Pick(0.5, 1.5, 2.5))};";
    }

    private string? Assign(Func<Variable, string> write, FuzzType[]? types = null)
    {
        Variable[] assignable = _scope.Where(v => v.Assignable && (types ?? Any).Contains(v.Type)).ToArray();
        return assignable.Length == 0 ? null : write(assignable[_random.Next(assignable.Length)]);
    }

    private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];

    private T Weighted<T>(T[] choices, Func<T, int> weight) => Weighted(_random, choices, weight);

    /// <summary>A choice drawn with probability proportional to its weight.</summary>
    public static T Weighted<T>(Random random, T[] choices, Func<T, int> weight)
    {
        int ticket = random.Next(choices.Sum(weight));
        foreach (T choice in choices)
        {
            ticket -= weight(choice);
            if (ticket < 0)
                return choice;
        }
        throw new InvalidOperationException("Weights must be positive.");
    }
}
