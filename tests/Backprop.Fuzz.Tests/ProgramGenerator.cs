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

    private sealed record StatementForm(string Name, int Weight, Func<ProgramGenerator, string?> Write);

    private sealed record Variable(string Name, FuzzType Type, bool Assignable);

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
    };

    private static readonly string[] ParameterNames = { "x", "y", "z", "w" };

    private readonly Random _random;
    private readonly List<Variable> _scope = new();

    /// <summary>
    /// One program in three mixes in floats (parameters, locals, casts, a float result). The rest stay in double, where
    /// finite differences are accurate enough for a tight tolerance.
    /// </summary>
    private readonly bool _floats;
    private int _locals;

    private ProgramGenerator(int seed)
    {
        _random = new Random(seed);
        _floats = _random.Next(3) == 0;
    }

    public static FuzzProgram Generate(int seed) => new ProgramGenerator(seed).Program(seed);

    private FuzzProgram Program(int seed)
    {
        var parameters = new List<FuzzParameter>();
        int count = _random.Next(1, ParameterNames.Length + 1);
        for (int i = 0; i < count; i++)
        {
            int kind = _random.Next(100);
            FuzzParameter parameter = kind < 55 || i == 0 ? new(ParameterNames[i], FuzzType.Double, false)
                : kind < 70 && _floats ? new(ParameterNames[i], FuzzType.Float, false)
                : kind < 85 ? new("n" + i, FuzzType.Int, false)
                : new(ParameterNames[i], FuzzType.Double, true);
            parameters.Add(parameter);
            _scope.Add(new Variable(parameter.Name, parameter.Type, Assignable: true));
        }

        var statements = new List<string>();
        int length = _random.Next(0, 7);
        while (statements.Count < length)
        {
            if (Weighted(StatementForms, f => f.Weight).Write(this) is string statement)
                statements.Add(statement);
        }
        FuzzType returnType = _floats && _random.Next(3) == 0 ? FuzzType.Float : FuzzType.Double;
        statements.Add($"return {E(returnType, 4)}{Uses(returnType)};");
        return new FuzzProgram(seed, parameters, statements, returnType, _floats);
    }

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

    private T Weighted<T>(T[] choices, Func<T, int> weight)
    {
        int ticket = _random.Next(choices.Sum(weight));
        foreach (T choice in choices)
        {
            ticket -= weight(choice);
            if (ticket < 0)
                return choice;
        }
        throw new InvalidOperationException("Weights must be positive.");
    }
}
