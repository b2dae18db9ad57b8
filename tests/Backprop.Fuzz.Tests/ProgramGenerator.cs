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
    /// <paramref name="Constant"/> marks a <c>const</c> local, which never varies with the parameters.
    /// </summary>
    private sealed record Variable(string Name, FuzzType Type, bool Assignable, bool Counter = false, bool Constant = false);

    /// <summary>Which methods a body may call: each helper calls only those after it in this order, so nothing recurses.</summary>
    [Flags]
    private enum Callees
    {
        None = 0,
        /// <summary>The <c>[Differentiable]</c> helpers <c>H</c> and <c>S</c>.</summary>
        Differentiable = 1,
        /// <summary><c>G</c>, a helper of the class with no attribute.</summary>
        Implicit = 2,
        /// <summary><c>K</c>, a helper with no attribute in the separate, non-partial class <c>P{seed}Kernels</c>.</summary>
        Kernel = 4,
        /// <summary>The fixed members: pullback-only functions and the helper with a <c>[NoDerivative]</c> parameter.</summary>
        Fixed = 8,
        /// <summary><c>T</c>, a helper of the class with no attribute returning a tuple from statements (inlined where called).</summary>
        Tuple = 16,
        All = Differentiable | Implicit | Kernel | Fixed | Tuple,
    }

    private const int MinimumLength = 3;

    /// <summary>
    /// More of Math/MathF and of the static math members of double and float (docs/math.md), on safe domains as above:
    /// <c>Acosh(2 + a*a)</c>, <c>Atanh(Tanh(a) / 2)</c>, <c>RootN(1 + a*a, n)</c>; the staircases on bounded arguments.
    /// Drawn as one expression form, so that the many members do not crowd out the other constructs.
    /// </summary>
    private static readonly Form[] MathMembers =
    {
        new("exp2", 1, (g, t, d) => $"{g.N(t)}.Exp2({g.E(t, d)})"),
        new("exp10m1", 1, (g, t, d) => $"{g.N(t)}.Exp10M1({g.E(t, d)})"),
        new("expm1", 1, (g, t, d) => $"{g.N(t)}.ExpM1({g.E(t, d)})"),
        new("logp1", 1, (g, t, d) => g.Shared(t, d, a => $"{g.N(t)}.LogP1({a} * {a})")),
        new("log2p1", 1, (g, t, d) => g.Shared(t, d, a => $"{g.N(t)}.Log2P1({a} * {a})")),
        new("sqrt of the type", 1, (g, t, d) => g.Shared(t, d, a => $"{g.N(t)}.Sqrt({g.Literal(t, 1)} + {a} * {a})")),
        new("hypot", 1, (g, t, d) => $"{g.N(t)}.Hypot({g.E(t, d)}, {g.E(t, d)})"),
        new("rootn", 1, (g, t, d) => g.Shared(t, d, a => $"{g.N(t)}.RootN({g.Literal(t, 1)} + {a} * {a}, {g._random.Next(2, 5)})")),
        new("scaleb", 1, (g, t, d) => $"{g.M(t)}.ScaleB({g.E(t, d)}, {g._random.Next(-2, 4)})"),
        new("asinh", 1, (g, t, d) => $"{g.M(t)}.Asinh({g.E(t, d)})"),
        new("acosh", 1, (g, t, d) => g.Shared(t, d, a => $"{g.M(t)}.Acosh({g.Literal(t, 2)} + {a} * {a})")),
        new("atanh", 1, (g, t, d) => $"{g.M(t)}.Atanh({g.M(t)}.Tanh({g.E(t, d)}) / {g.Literal(t, 2)})"),
        new("sinpi", 1, (g, t, d) => $"{g.N(t)}.SinPi({g.E(t, d)})"),
        new("cospi", 1, (g, t, d) => $"{g.N(t)}.CosPi({g.E(t, d)})"),
        new("tanpi", 1, (g, t, d) => $"{g.N(t)}.TanPi({g.M(t)}.Tanh({g.E(t, d)}) / {g.Literal(t, 4)})"),
        new("asinpi", 1, (g, t, d) => $"{g.N(t)}.AsinPi({g.M(t)}.Tanh({g.E(t, d)}) / {g.Literal(t, 2)})"),
        new("atanpi", 1, (g, t, d) => $"{g.N(t)}.AtanPi({g.E(t, d)})"),
        new("atan2pi", 1, (g, t, d) => $"{g.N(t)}.Atan2Pi({g.E(t, d)}, {g.E(t, d)})"),
        new("degrees to radians", 1, (g, t, d) => $"{g.N(t)}.DegreesToRadians({g.E(t, d)})"),
        new("fused multiply-add", 1, (g, t, d) => $"{g.M(t)}.FusedMultiplyAdd({g.E(t, d)}, {g.E(t, d)}, {g.E(t, d)})"),
        new("lerp", 1, (g, t, d) => $"{g.N(t)}.Lerp({g.E(t, d)}, {g.E(t, d)}, {g.E(t, d)})"),
        new("copysign", 1, (g, t, d) => $"{g.M(t)}.CopySign({g.E(t, d)}, {g.E(t, d)})"),
        new("max magnitude", 1, (g, t, d) => $"{g.M(t)}.{g.Pick("MaxMagnitude", "MinMagnitude")}({g.E(t, d)}, {g.E(t, d)})"),
        new("max number", 1, (g, t, d) => $"{g.N(t)}.{g.Pick("MaxNumber", "MinNumber")}({g.E(t, d)}, {g.E(t, d)})"),
        new("clamp of the type", 1, (g, t, d) => $"{g.N(t)}.Clamp({g.E(t, d)}, {g.Literal(t, -1)}, {g.Literal(t, 2)})"),
        new("bit increment", 1, (g, t, d) => $"{g.M(t)}.{g.Pick("BitIncrement", "BitDecrement")}({g.E(t, d)})"),
        new("ieee remainder", 1, (g, t, d) => g.Shared(t, d, b => $"{g.M(t)}.IEEERemainder({g.Bounded(t, d)}, {g.Literal(t, 1)} + {b} * {b})")),
        new("round to digits", 1, (g, t, d) => $"{g.M(t)}.Round({g.Bounded(t, d)}, {g._random.Next(1, 3)})"),
    };

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
        new("element of int data", 1, (g, t, d) => g.Data() is Variable m ? $"{m.Name}[{g.Index(m.Name)}]" : g.Leaf(t), Int),
        new("gather through int data", 2, (g, t, d) => g.Data() is Variable m && g.Array() is Variable a ? $"{a.Name}[{m.Name}[{g.Index(m.Name)}] % {a.Name}.Length]" : g.Leaf(t), Double),
        new("array length", 1, (g, t, d) => g.Array() is Variable a ? a.Name + ".Length" : g.Leaf(t), Int),
        new("int helper", 1, (g, t, d) => $"{g._owner}Twice({g.E(FuzzType.Int, d)})", Int),
        new("call scalar helper", 2, (g, t, d) => g.May(Callees.Differentiable) ? $"H({g.E(t, d)}, {g.E(t, d)})" : g.Leaf(t), Double),
        new("call array helper", 2, (g, t, d) => g.May(Callees.Differentiable) && g.Array() is Variable a ? $"S({a.Name}, {g.E(t, d)})" : g.Leaf(t), Double),
        new("call helper without attribute", 2, (g, t, d) => g.May(Callees.Implicit) ? $"G({g.E(t, d)}, {g.E(t, d)})" : g.Leaf(t), Double),
        new("call helper of a non-partial class", 1, (g, t, d) => g.May(Callees.Kernel) ? $"{g._class}Kernels.K({g.E(t, d)})" : g.Leaf(t), Double),
        new("call pullback-only function", 2, (g, t, d) => !g.May(Callees.Fixed) ? g.Leaf(t)
            : g._random.Next(2) == 0 ? $"{g._owner}Cube({g.E(t, d)})" : $"{g._owner}Scaled({g.E(t, d)}, {g.Passive()})", Double),
        // Blend's t is [NoDerivative], but a value that varies is differentiated through it all the same.
        new("call with a [NoDerivative] parameter", 1, (g, t, d) => g.May(Callees.Fixed) ? $"{g._owner}Blend({g.E(t, d)}, {(g._random.Next(2) == 0 ? g.Passive() : g.E(FuzzType.Double, d))})" : g.Leaf(t), Double),
        new("constant of the class", 2, (g, t, d) => g._random.Next(3) switch
        {
            0 => g._owner + g.Pick("Gain", "Offset"),
            1 => $"{g._owner}Table[{g.Index(g._owner + "Table")}]",
            _ => $"({g._owner}Table[{g.Index(g._owner + "Table")}] * {g.E(t, d)})",
        }, Double),
        new("switch expression over a double", 2, (g, t, d) =>
            $"((double)({g.E(FuzzType.Double, d)}) switch {{ < {g.Literal(FuzzType.Double, -1)} => {g.E(t, d)}, < {g.Literal(FuzzType.Double, 1)} => {g.E(t, d)}, _ => {g.E(t, d)} }})", Any),
        new("switch expression over an int", 1, (g, t, d) =>
            $"({g.E(FuzzType.Int, d)} switch {{ 0 => {g.E(t, d)}, 1 or 2 => {g.E(t, d)}, > 3 and < 6 => {g.E(t, d)}, _ => {g.E(t, d)} }})", Any),
        new("throw arm of a ternary", 1, (g, t, d) =>
            $"(!{g.N(t)}.IsNaN({g.E(t, d)}) ? {g.E(t, d)} : throw new InvalidOperationException(\"NaN\"))"),
        new("bit operation", 1, (g, t, d) => g._random.Next(3) switch
        {
            0 => $"({g.E(t, d)} {g.Pick("&", "|", "^")} {g.E(t, d)})",
            // Masked: >>> of a negative int is near int.MaxValue, and a constant product of that overflows (CS0220).
            1 => $"(({g.E(t, d)} {g.Pick("<<", ">>", ">>>")} {g._random.Next(1, 4)}) & 1023)",
            _ => $"(~{g.E(t, d)})",
        }, Int),
        new("math member", 6, (g, t, d) => Weighted(g._random, MathMembers, f => f.Weight).Write(g, t, d)),
    };

    private static readonly ConditionForm[] ConditionForms =
    {
        new("compare doubles", 5, (g, d) => $"{g.E(FuzzType.Double, d)} {g.Pick("<", ">", "<=", ">=")} {g.E(FuzzType.Double, d)}"),
        new("compare ints", 2, (g, d) => $"{g.E(FuzzType.Int, d)} {g.Pick("<", ">", "<=", ">=", "==", "!=")} {g.E(FuzzType.Int, d)}"),
        new("and", 1, (g, d) => $"({g.C(d)} && {g.C(d)})"),
        new("or", 1, (g, d) => $"({g.C(d)} || {g.C(d)})"),
        new("not", 1, (g, d) => $"!({g.C(d)})"),
        new("bool helper", 1, (g, d) => $"{g._owner}Positive({g.E(FuzzType.Double, d)})"),
        new("is pattern on a double", 1, (g, d) => $"((double)({g.E(FuzzType.Double, d)}) is " +
            g.Pick("> -0.5 and < 0.5", "< -1.0 or > 1.0", "not < 0.0", "not (> 0.25 and < 1.0)") + ")"),
        new("is pattern on an int", 1, (g, d) => $"({g.E(FuzzType.Int, d)} is " + g.Pick("0 or 2", "not 1", "> 0 and < 3") + ")"),
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
        new("array write", 3, g => g.LocalArrayVariable() is Variable a ? $"{a.Name}[{g.Index(a.Name)}] {g.Pick("=", "+=")} {g.E(FuzzType.Double, 3)};" : null),
        new("chained assignment", 1, g => g.TwoAssignable(sameType: true) is var (a, b) ? $"{a.Name} = {b.Name} = {g.E(a.Type, 3)};" : null),
        new("deconstruction assignment", 2, g => g.TwoAssignable(sameType: false) is var (a, b) ? $"({a.Name}, {b.Name}) = ({g.E(a.Type, 3)}, {g.E(b.Type, 3)});" : null),
        new("deconstruction declaration", 1, g => g.DeconstructionDeclaration()),
        new("tuple local", 1, g => g.TupleLocal()),
        new("switch statement", 2, g => g.Nested() ? g.Switch() : null),
        new("guard", 2, g => g.Guard()),
        new("call a tuple helper", 1, g => g.May(Callees.Tuple) ? g.CallTupleHelper() : null),
        new("local function", 1, g => g._inLocalFunction ? null : g.LocalFunction()),
    };

    private static readonly string[] ParameterNames = { "x", "y", "z", "w" };

    private readonly Random _random;
    private readonly List<Variable> _scope = new();

    /// <summary>What this body may call: the helpers' bodies call only helpers further down the chain, so nothing recurses.</summary>
    private readonly Callees _callees;

    /// <summary>The program's class, <c>P{seed}</c>; <c>K</c> is in <c>P{seed}Kernels</c>, which is not partial.</summary>
    private readonly string _class;

    /// <summary>How this body names the members of the program's class: "" inside it, <c>P{seed}.</c> from <c>K</c>'s class.</summary>
    private readonly string _owner = "";
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

    /// <summary>Returns <c>(double, double)</c>: the tuple helper <c>T</c>'s body.</summary>
    private bool _tupleResult;

    /// <summary>Inside a local function's body, which declares no other.</summary>
    private bool _inLocalFunction;

    /// <summary>For a program returning an array, its length (the local array <see cref="Outputs"/>); 0 for a scalar result.</summary>
    private readonly int _outputs;
    private const string Outputs = "outputs";

    private ProgramGenerator(int seed, bool arrayResult = false)
    {
        _random = new Random(seed);
        _floats = _random.Next(3) == 0;
        _callees = Callees.All;
        _class = FuzzProgram.ClassNameOf(seed);
        if (arrayResult)
            _outputs = _random.Next(MinimumLength, 5);
    }

    /// <summary>A generator for a helper's body, drawing from the program's random stream, in pure double.</summary>
    private ProgramGenerator(Random random, Callees callees, string programClass, string owner)
    {
        _random = random;
        _floats = false;
        _callees = callees;
        _class = programClass;
        _owner = owner;
    }

    private bool May(Callees callee) => (_callees & callee) != 0;

    public static FuzzProgram Generate(int seed) => new ProgramGenerator(seed).Program(seed);

    /// <summary>
    /// A program returning a <c>double[]</c> of 3 or 4 elements, asking for its vector-Jacobian product, tangent and
    /// Jacobian: the array is in scope for every statement (read, written, looped over), and every return fills some
    /// of it. Its own stream of programs: <see cref="Generate"/>'s are unchanged.
    /// </summary>
    public static FuzzProgram GenerateArrayResult(int seed) => new ProgramGenerator(seed, arrayResult: true).Program(seed);

    /// <summary>
    /// <see cref="Generate"/>'s program held as a model (<see cref="ModelTwin"/>): the parameters it never assigns are fields,
    /// differentiated through an instance method; the program as it is when no differentiable parameter can be one.
    /// </summary>
    public static FuzzProgram GenerateModel(int seed) => ModelTwin.Of(Generate(seed));

    /// <summary><see cref="Generate"/>'s program over a struct (<see cref="StructTwin"/>): its number parameters the struct's fields.</summary>
    public static FuzzProgram GenerateStruct(int seed) => StructTwin.Of(Generate(seed));

    /// <summary><see cref="Generate"/>'s program over spans (<see cref="SpanTwin"/>): its array parameters read-only spans where they can be.</summary>
    public static FuzzProgram GenerateSpan(int seed) => SpanTwin.Of(Generate(seed));

    /// <summary><see cref="Generate"/>'s program over two-dimensional arrays (<see cref="GridTwin"/>): its array parameters grids where they can be.</summary>
    public static FuzzProgram GenerateGrid(int seed) => GridTwin.Of(Generate(seed));

    /// <summary>Ordinary (non-differentiable) helpers every class has: called for ints and conditions.</summary>
    private static readonly string[] OrdinaryHelpers =
    {
        "internal static int Twice(int k) => 2 * k;",
        "internal static bool Positive(double v) => v > 0;",
    };

    /// <summary>
    /// Members every class has for the generator to read or call as it finds them: constants (a static readonly field,
    /// a static get-only property, a static readonly table of at least <see cref="MinimumLength"/> elements), two
    /// pullback-only functions (a <c>[DerivativeOf]</c> pullback and no attribute on the function; <c>Scaled</c>'s
    /// <c>k</c> is <c>[NoDerivative]</c> and its pullback gives no gradient for it), and a helper without attribute whose
    /// <c>t</c> is <c>[NoDerivative]</c>. Passing <c>k</c> a value that varies with the caller's differentiable
    /// parameters is BP1009; <c>t</c> is then differentiated all the same.
    /// </summary>
    public static readonly IReadOnlyList<string> FixedMembers = new[]
    {
        "internal static readonly double Gain = 1.5;",
        "internal static double Offset => 0.25;",
        "internal static readonly double[] Table = { 0.5, -1.25, 2.0, 0.75 };",
        "internal static double Cube(double s) => s * s * s;",
        "[DerivativeOf(nameof(Cube))]\ninternal static void CubePullback(double s, double result, double dResult, out double dS) => dS = dResult * 3 * s * s;",
        "internal static double Scaled(double s, [NoDerivative] double k) => k * Math.Sin(s);",
        "[DerivativeOf(nameof(Scaled))]\ninternal static void ScaledPullback(double s, double k, double result, double dResult, out double dS) => dS = dResult * k * Math.Cos(s);",
        "internal static double Blend(double a, [NoDerivative] double t) => (1 - t) * a + t * Math.Tanh(a);",
    };

    /// <summary>The functions whose only derivative is a pullback: a Hessian through them is refused (BP1008).</summary>
    private static readonly string[] PullbackOnly = { "Cube(", "Scaled(" };

    /// <summary>One program in this many feeds a varying value to a <c>[NoDerivative]</c> parameter and must get BP1009.</summary>
    private const int LostDerivativeShare = 12;

    /// <summary>One double program in this many also asks for the Hessian-vector product.</summary>
    private const int HessianShare = 4;

    /// <summary>
    /// The class's helpers with random bodies: <c>[Differentiable]</c> <c>H(double a, double b)</c> and
    /// <c>S(double[] q, double a)</c>, and <c>G(double a, double b)</c> without attribute, which the generator
    /// differentiates as if marked; and, in the separate non-partial class, <c>K(double a)</c> without attribute. Each
    /// calls only those further down (H and S call G and K, G calls K, all call the fixed members). The
    /// <c>[Differentiable]</c> line takes the program's modes when the program is written out (<see cref="FuzzProgram"/>).
    /// </summary>
    private (string[] Helpers, string Kernel) RandomHelpers()
    {
        const string attribute = "[Differentiable]";
        var k = Helper(Callees.Fixed, _class + ".", ("a", FuzzType.Double));
        string kernel = $"public static double K(double a)\n{k.Body(2)}";
        var g = Helper(Callees.Kernel | Callees.Fixed, "", ("a", FuzzType.Double), ("b", FuzzType.Double));
        string implicitHelper = $"private static double G(double a, double b)\n{g.Body(2)}";
        var h = Helper(Callees.Implicit | Callees.Kernel | Callees.Fixed | Callees.Tuple, "", ("a", FuzzType.Double), ("b", FuzzType.Double));
        string scalar = $"{attribute}\nprivate static double H(double a, double b)\n{h.Body(3)}";
        var s = Helper(Callees.Implicit | Callees.Kernel | Callees.Fixed | Callees.Tuple, "", ("q", FuzzType.DoubleArray), ("a", FuzzType.Double));
        string array = $"{attribute}\nprivate static double S(double[] q, double a)\n{s.Body(3)}";
        var t = Helper(Callees.Kernel | Callees.Fixed, "", ("a", FuzzType.Double), ("b", FuzzType.Double));
        t._tupleResult = true;
        // T is inlined where it is called, which may be in a loop or branch: no local array there.
        t._localArrays = 2;
        string tuple = $"private static (double, double) T(double a, double b)\n{t.Body(3)}";
        return (new[] { scalar, array, implicitHelper, tuple }, kernel);
    }

    private ProgramGenerator Helper(Callees callees, string owner, params (string Name, FuzzType Type)[] parameters)
    {
        var helper = new ProgramGenerator(_random, callees, _class, owner);
        foreach (var (name, type) in parameters)
            helper._scope.Add(new Variable(name, type, type != FuzzType.DoubleArray));
        return helper;
    }

    /// <summary>The random helpers' signatures and their simplest bodies, which still use every parameter.</summary>
    private static readonly (string Signature, string Body)[] SimplestHelpers =
    {
        ("private static double H(double a, double b)", "a * b"),
        ("private static double S(double[] q, double a)", "q[0] * a"),
        ("private static double G(double a, double b)", "a * b"),
        ("public static double K(double a)", "a * a"),
        ("private static (double, double) T(double a, double b)", "(a * b, a)"),
    };

    /// <summary>A random helper with its body replaced by the simplest one (for the shrinker); null for other members.</summary>
    public static string? SimplestHelper(string helper)
    {
        string[] lines = helper.Split('\n');
        int signature = lines[0].StartsWith('[') ? 1 : 0;
        return lines.Length < signature + 2 ? null
            : SimplestHelpers.Where(h => lines[signature] == h.Signature)
                .Select(h => string.Concat(lines.Take(signature).Select(a => a + "\n")) + $"{h.Signature} => {h.Body};").FirstOrDefault();
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
        statements.Add(_tupleResult
            ? $"return ({E(FuzzType.Double, 3)}{Uses(FuzzType.Double)}, {E(FuzzType.Double, 3)});"
            : $"return {E(FuzzType.Double, 3)}{Uses(FuzzType.Double)};");
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
                : kind < 78 ? new("m" + i, FuzzType.IntArray, false, _random.Next(MinimumLength, 6))
                : kind < 90 ? new("q" + i, FuzzType.DoubleArray, false, _random.Next(MinimumLength, 6))
                : new(ParameterNames[i], FuzzType.Double, true);
            parameters.Add(parameter);
            // Parameter arrays are read only: writing to one is unsupported (a diagnostic).
            _scope.Add(new Variable(parameter.Name, parameter.Type, Assignable: parameter.Type is not (FuzzType.DoubleArray or FuzzType.IntArray)));
        }
        _returnType = _floats && _random.Next(3) == 0 && _outputs == 0 ? FuzzType.Float : FuzzType.Double;
        // A Jacobian runs the helpers' tangents and gradients.
        bool tangent = _random.Next(4) == 0 || _outputs > 0;
        var (randomHelpers, kernel) = RandomHelpers();
        // Written while only the parameters are in scope, so it may go anywhere among the top-level statements.
        string? lostDerivative = _random.Next(LostDerivativeShare) == 0 ? LostDerivative() : null;

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
        if (lostDerivative is not null)
            statements.Insert(_random.Next(statements.Count + 1), lostDerivative);
        statements.Add(_outputs > 0 ? FillAndReturn(Enumerable.Range(0, _outputs)) : $"return {E(_returnType, 4)}{Uses(_returnType)};");
        // Array results have no Hessian, and a pullback gives no second derivative (BP1008).
        bool hessian = _random.Next(HessianShare) == 0 && _outputs == 0
            && !statements.Concat(randomHelpers).Append(kernel).Any(text => PullbackOnly.Any(text.Contains));
        return new FuzzProgram(seed, parameters, statements, _returnType, _floats, randomHelpers.Concat(OrdinaryHelpers).Concat(FixedMembers).ToArray(),
            tangent, hessian, _outputs, new[] { kernel });
    }

    /// <summary>
    /// A call passing <c>x</c> (the first parameter, always a differentiable double), or a floating-point expression of
    /// it, to a <c>[NoDerivative]</c> parameter: BP1009 must refuse the program. The generator's analysis of what varies is
    /// flow-insensitive (a variable varies if any write to it does), so x varies wherever the statement lands.
    /// </summary>
    private string LostDerivative()
    {
        string varying = _random.Next(3) switch
        {
            0 => ParameterNames[0],
            1 => $"({E(FuzzType.Double, 2)} + {ParameterNames[0]})",
            _ => $"Math.Sin({ParameterNames[0]})",
        };
        return FuzzProgram.LostDerivativeDeclaration + $"Scaled({E(FuzzType.Double, 2)}, {varying});";
    }

    /// <summary>
    /// A value that never varies with the differentiable parameters, for a <c>[NoDerivative]</c> parameter: a literal, a
    /// constant of the class or a <c>const</c> local, or an int expression (ints carry no derivative).
    /// </summary>
    private string Passive()
    {
        Variable[] constants = _scope.Where(v => v.Constant).ToArray();
        return _random.Next(4) switch
        {
            0 => Literal(FuzzType.Double, Pick(0.25, 0.5, 1.5)),
            1 => _owner + Pick("Gain", "Offset", "Table[2]"),
            2 => E(FuzzType.Int, 2),
            _ => constants.Length > 0 ? Pick(constants).Name : Literal(FuzzType.Double, 0.75),
        };
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

    private string EarlyReturn()
    {
        return _outputs > 0 ? $"if ({C(2)})\n{{\n{Indent(FillAndReturn(new[] { _random.Next(_outputs) }))}\n}}"
            : _tupleResult ? $"if ({C(2)})\n    return ({E(FuzzType.Double, 3)}, {E(FuzzType.Double, 3)});"
            : $"if ({C(2)})\n    return {E(_returnType, 3)};";
    }

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

    /// <summary>A local array, allocated once at the top level of the method: created with its elements, or filled by a loop.</summary>
    private string LocalArray()
    {
        string name = "a" + _locals++;
        if (_random.Next(2) == 0)
        {
            // Created with its elements: an initializer or a collection expression, 3 or 4 of them.
            string[] elements = Enumerable.Range(0, _random.Next(MinimumLength, 5)).Select(_ => E(FuzzType.Double, 2)).ToArray();
            _scope.Add(new Variable(name, FuzzType.DoubleArray, true));
            _localArrays++;
            return _random.Next(2) == 0
                ? $"double[] {name} = {{ {string.Join(", ", elements)} }};"
                : $"double[] {name} = [{string.Join(", ", elements)}];";
        }
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

    /// <summary>An <c>int[]</c> parameter of data, if the method has one.</summary>
    private Variable? Data()
    {
        Variable[] data = _scope.Where(v => v.Type == FuzzType.IntArray).ToArray();
        return data.Length == 0 ? null : Pick(data);
    }

    private Variable? LocalArrayVariable()
    {
        Variable[] arrays = _scope.Where(v => v.Type == FuzzType.DoubleArray && v.Assignable).ToArray();
        return arrays.Length == 0 ? null : Pick(arrays);
    }

    /// <summary>An index always in range: a literal below the minimum length, or a counter modulo the length.</summary>
    private string Index(string array)
    {
        Variable[] counters = _scope.Where(v => v.Counter).ToArray();
        return counters.Length > 0 && _random.Next(3) != 0
            ? $"{Pick(counters).Name} % {array}.Length"
            : _random.Next(MinimumLength).ToString(CultureInfo.InvariantCulture);
    }

    private string ArrayElement(FuzzType type, int depth) =>
        Array() is Variable a ? $"{a.Name}[{Index(a.Name)}]" : Leaf(type);

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
        Variable[] readable = _scope.Where(v => (v.Type == type || (type == FuzzType.Double && v.Type == FuzzType.Float))).ToArray();
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

    /// <summary><c>float</c> or <c>double</c>: the type whose static math members (<c>double.Exp2</c>) take <paramref name="type"/>.</summary>
    private string N(FuzzType type) => type == FuzzType.Float ? "float" : "double";

    /// <summary>The type of a new local: float in half the float programs' declarations, else int one time in six, else double.</summary>
    private FuzzType LocalType() => _floats && _random.Next(2) == 0 ? FuzzType.Float : _random.Next(6) == 0 ? FuzzType.Int : FuzzType.Double;

    /// <summary>Two distinct assignable variables (of one type if <paramref name="sameType"/>), or null.</summary>
    private (Variable, Variable)? TwoAssignable(bool sameType)
    {
        Variable[] assignable = _scope.Where(v => v.Assignable && v.Type != FuzzType.DoubleArray).ToArray();
        if (assignable.Length < 2)
            return null;
        Variable first = Pick(assignable);
        Variable[] others = assignable.Where(v => v != first && (!sameType || v.Type == first.Type)).ToArray();
        return others.Length == 0 ? null : (first, Pick(others));
    }

    /// <summary><c>(double v1, double v2) = (…, …);</c> or <c>var (v1, v2) = Math.SinCos(…);</c></summary>
    private string DeconstructionDeclaration()
    {
        FuzzType type = LocalType();
        string first = "v" + _locals++, second = "v" + _locals++;
        string text = type != FuzzType.Int && _random.Next(2) == 0
            ? $"var ({first}, {second}) = {M(type)}.SinCos({E(type, 3)});"
            : $"({FuzzText.Keyword(type)} {first}, {FuzzText.Keyword(type)} {second}) = ({E(type, 3)}, {E(type, 3)});";
        _scope.Add(new Variable(first, type, true));
        _scope.Add(new Variable(second, type, true));
        return text;
    }

    /// <summary><c>var (v1, v2) = T(…, …);</c>, or the tuple assigned to two double variables.</summary>
    private string CallTupleHelper()
    {
        string call = $"T({E(FuzzType.Double, 2)}, {E(FuzzType.Double, 2)})";
        Variable[] doubles = _scope.Where(v => v.Assignable && v.Type == FuzzType.Double).ToArray();
        if (doubles.Length >= 2 && _random.Next(2) == 0)
        {
            Variable first = Pick(doubles);
            Variable second = Pick(doubles.Where(v => v != first).ToArray());
            return $"({first.Name}, {second.Name}) = {call};";
        }
        string a = "v" + _locals++, b = "v" + _locals++;
        _scope.Add(new Variable(a, FuzzType.Double, true));
        _scope.Add(new Variable(b, FuzzType.Double, true));
        return $"var ({a}, {b}) = {call};";
    }

    /// <summary>
    /// A local function with statements (loops, branches, early returns), reading what is in scope where it is declared
    /// and writing only its parameter and its own locals, then a local that calls it twice: each call is inlined.
    /// </summary>
    private string LocalFunction()
    {
        string name = "L" + _locals++, parameter = "u" + _locals++;
        var local = new ProgramGenerator(_random, _callees, _class, _owner)
        {
            _inLocalFunction = true,
            _locals = _locals,
            // A local array would be allocated at the call, which may be inside a loop or branch.
            _localArrays = 2,
        };
        local._scope.AddRange(_scope.Select(v => v with { Assignable = false }));
        local._scope.Add(new Variable(parameter, FuzzType.Double, true));
        string body = local.Body(3);
        _locals = local._locals;
        string result = "v" + _locals++;
        string declaration = $"double {name}(double {parameter})\n{body}\ndouble {result} = {name}({E(FuzzType.Double, 2)}) {Pick("+", "-", "*")} {name}({E(FuzzType.Double, 2)});";
        _scope.Add(new Variable(result, FuzzType.Double, true));
        return declaration;
    }

    /// <summary>A tuple local, named or not; its elements are variables read and written as <c>t1.Re</c>, <c>t1.Item2</c>.</summary>
    private string TupleLocal()
    {
        FuzzType type = LocalType();
        string name = "t" + _locals++;
        string keyword = FuzzText.Keyword(type);
        bool named = _random.Next(2) == 0;
        string text = named
            ? $"({keyword} Re, {keyword} Im) {name} = ({E(type, 3)}, {E(type, 3)});"
            : $"({keyword}, {keyword}) {name} = ({E(type, 3)}, {E(type, 3)});";
        _scope.Add(new Variable(name + (named ? ".Re" : ".Item1"), type, true));
        _scope.Add(new Variable(name + (named ? ".Im" : ".Item2"), type, true));
        return text;
    }

    /// <summary>
    /// A switch statement over an int (constant, or- and relational patterns) or a double (relational patterns), each
    /// section a block ending in its break, and a default. Break and continue are not written inside a section: there
    /// a break would leave the switch, not the loop around it.
    /// </summary>
    private string Switch()
    {
        bool overInt = _random.Next(2) == 0;
        string[] labels = overInt
            ? new[] { "case 0:", Pick("case 1 or 2:", "case > 2 and < 5:"), "default:" }
            : new[] { "case < -0.5:", Pick("case < 0.5:", "case >= 0.5 and < 1.5:"), "default:" };
        string governing = overInt ? E(FuzzType.Int, 2) : $"(double)({E(FuzzType.Double, 2)})";
        bool breakable = _breakable;
        _breakable = false;
        string sections = string.Concat(labels.Skip(_random.Next(2)).Select(label => $"    {label}\n{Indent(Indent(Block()))}\n        break;\n"));
        _breakable = breakable;
        return $"switch ({governing})\n{{\n{sections}}}";
    }

    /// <summary>
    /// A statement kept for its effect: a guard that may throw (ThrowIfNegative of an int, an <c>if</c> throwing on NaN
    /// or on a runaway value) or a <c>Debug.Assert</c> that always holds (it is compiled out without DEBUG, but the
    /// generator reads it). Where a guard throws in F, the derivative methods must throw the same exception.
    /// </summary>
    private string? Guard()
    {
        Variable[] ints = _scope.Where(v => v.Type == FuzzType.Int).ToArray();
        Variable[] floating = _scope.Where(v => v.Type is FuzzType.Double or FuzzType.Float).ToArray();
        return _random.Next(4) switch
        {
            0 when ints.Length > 0 => $"ArgumentOutOfRangeException.ThrowIfNegative({Pick(ints).Name});",
            1 => $"if (double.IsNaN({E(FuzzType.Double, 2)}))\n    throw new ArgumentException(\"NaN\");",
            2 when floating.Length > 0 && Pick(floating) is var v =>
                $"if ({v.Name} > 1e300)\n    throw new ArgumentOutOfRangeException(nameof({v.Name}), $\"{v.Name} ran away: {{{v.Name}}}\");",
            3 when floating.Length > 0 => $"System.Diagnostics.Debug.Assert(!({Pick(floating).Name} < double.NegativeInfinity), \"nothing is below -infinity\");",
            _ => null,
        };
    }

    private string Declare(int count)
    {
        FuzzType type = LocalType();
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
        _scope.Add(new Variable(name, FuzzType.Double, false, Constant: true));
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
