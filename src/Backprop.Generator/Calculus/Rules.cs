using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using static Backprop.Generator.Calculus.MathCalls;

namespace Backprop.Generator.Calculus;

/// <summary>
/// The local derivative of one argument of an operation: given the output's adjoint <c>g</c>, the
/// argument values <c>x</c> and the output value <c>y</c>, the argument's adjoint contribution.
/// </summary>
internal delegate Expr Partial(Expr g, Expr[] x, Expr y);

/// <summary>
/// The calculus, and nothing else: one entry per operation, one partial per argument (<c>null</c>
/// where the output does not depend on that argument differentiably). Rules reuse forward values
/// where they can (<c>exp' = y</c>, <c>tanh' = 1 − y²</c>).
/// </summary>
internal static class Rules
{
    private static readonly Partial? None = null;

    /// <summary>a·b + c, however rounded.</summary>
    private static readonly Partial?[] MultiplyAdd = { (g, x, y) => g * x[1], (g, x, y) => g * x[0], (g, x, y) => g };

    private static readonly Dictionary<Op, Partial?[]> s_rules = new()
    {
        [Op.Constant] = new Partial?[0],
        // Leaves and non-differentiable values: the sweep routes a leaf's adjoint to its variable.
        [Op.Read] = new Partial?[0],
        [Op.Element] = new[] { None },
        [Op.Length] = new Partial?[0],
        [Op.ArrayArgument] = new Partial?[0],
        [Op.PassiveCall] = new Partial?[0],
        [Op.Conditional] = new[] { None, None, None },
        [Op.Less] = new[] { None, None },
        [Op.LessOrEqual] = new[] { None, None },
        [Op.Greater] = new[] { None, None },
        [Op.GreaterOrEqual] = new[] { None, None },
        [Op.Equal] = new[] { None, None },
        [Op.NotEqual] = new[] { None, None },
        [Op.And] = new[] { None, None },
        [Op.Or] = new[] { None, None },
        [Op.Not] = new[] { None },
        // Integer bit operations: integers carry no derivative.
        [Op.BitwiseAnd] = new[] { None, None },
        [Op.BitwiseOr] = new[] { None, None },
        [Op.ExclusiveOr] = new[] { None, None },
        [Op.OnesComplement] = new[] { None },
        [Op.LeftShift] = new[] { None, None },
        [Op.RightShift] = new[] { None, None },
        [Op.UnsignedRightShift] = new[] { None, None },
        // Constants from outside the method (static readonly fields, get-only properties, their arrays): no derivative.
        [Op.Member] = new Partial?[0],
        [Op.MemberElement] = new[] { None },
        // The adjoint in the operand's type; an adjoint that came through the opposite conversion ((float)dv for a
        // double dv summed for a float local) goes back unrounded: rounding is not differentiated.
        [Op.Convert] = new Partial?[] { (g, x, y) => g is CastExpr { Operand: var unrounded } && unrounded.Type == x[0].Type ? unrounded : Simplify.Cast(g, x[0].Type) },
        [Op.Negate] = new Partial?[] { (g, x, y) => -g },
        [Op.Add] = new Partial?[] { (g, x, y) => g, (g, x, y) => g },
        [Op.Subtract] = new Partial?[] { (g, x, y) => g, (g, x, y) => -g },
        [Op.Multiply] = new Partial?[] { (g, x, y) => g * x[1], (g, x, y) => x[0] * g },
        // 1 / b: the partial −1/b² is −y², a product, where −y/b would divide again (σ's derivative, 1 / (1 + e⁻ᶻ)).
        [Op.Divide] = new Partial?[] { (g, x, y) => g / x[1], (g, x, y) => x[0].IsConstant(1) ? -(g * (y * y)) : -(g * y / x[1]) },
        [Op.Remainder] = new Partial?[] { (g, x, y) => g, (g, x, y) => -(g * Call(Op.Truncate, x[0] / x[1])) },
        [Op.Exp] = new Partial?[] { (g, x, y) => g * y },
        [Op.Log] = new Partial?[] { (g, x, y) => g / x[0] },
        [Op.LogBase] = new Partial?[] { (g, x, y) => g / (x[0] * Call(Op.Log, x[1])), (g, x, y) => -(g * y / (x[1] * Call(Op.Log, x[1]))) },
        [Op.Log10] = new Partial?[] { (g, x, y) => g / (Math.Log(10) * x[0]) },
        [Op.Log2] = new Partial?[] { (g, x, y) => g / (Math.Log(2) * x[0]) },
        [Op.Sqrt] = new Partial?[] { (g, x, y) => g / (2 * y) },
        [Op.Cbrt] = new Partial?[] { (g, x, y) => g / (3 * (y * y)) },
        [Op.Pow] = new Partial?[] { (g, x, y) => g * PowerRule(x[0], x[1]), (g, x, y) => g * (y * Call(Op.Log, x[0])) },
        [Op.Sin] = new Partial?[] { (g, x, y) => g * Call(Op.Cos, x[0]) },
        [Op.Cos] = new Partial?[] { (g, x, y) => -(g * Call(Op.Sin, x[0])) },
        [Op.Tan] = new Partial?[] { (g, x, y) => g * (1 + y * y) },
        [Op.Asin] = new Partial?[] { (g, x, y) => g / Call(Op.Sqrt, 1 - x[0] * x[0]) },
        [Op.Acos] = new Partial?[] { (g, x, y) => -(g / Call(Op.Sqrt, 1 - x[0] * x[0])) },
        [Op.Atan] = new Partial?[] { (g, x, y) => g / (1 + x[0] * x[0]) },
        // b/(a² + b²) and −a/(a² + b²), divided through by b and by a: a² + b² overflows long before atan2 does
        // (float a = b = 1e20), which silently zeroed these partials.
        [Op.Atan2] = new Partial?[]
        {
            (g, x, y) => g / (x[1] + x[0] * (x[0] / x[1])),
            (g, x, y) => -(g / (x[0] + x[1] * (x[1] / x[0]))),
        },
        [Op.Sinh] = new Partial?[] { (g, x, y) => g * Call(Op.Cosh, x[0]) },
        [Op.Cosh] = new Partial?[] { (g, x, y) => g * Call(Op.Sinh, x[0]) },
        [Op.Tanh] = new Partial?[] { (g, x, y) => g * (1 - y * y) },
        // The sign of x written as comparisons, not Math.Sign, which throws on NaN where Math.Abs does not (a NaN that
        // never reaches the result must not make the gradient throw).
        [Op.Abs] = new Partial?[]
        {
            (g, x, y) => new ConditionalExpr(Compare(BinaryOperator.Greater, x[0], new ConstantExpr(0, x[0].Type)), g,
                Simplify.When(Compare(BinaryOperator.Less, x[0], new ConstantExpr(0, x[0].Type)), -g)),
        },
        // Ties send the whole gradient to the first argument, as a subgradient must pick one side.
        [Op.Max] = new Partial?[] { (g, x, y) => Simplify.When(Compare(BinaryOperator.GreaterOrEqual, x[0], x[1]), g), (g, x, y) => Simplify.When(Compare(BinaryOperator.Less, x[0], x[1]), g) },
        [Op.Min] = new Partial?[] { (g, x, y) => Simplify.When(Compare(BinaryOperator.LessOrEqual, x[0], x[1]), g), (g, x, y) => Simplify.When(Compare(BinaryOperator.Greater, x[0], x[1]), g) },
        // As Math.Clamp decides: the minimum when value < min, else the maximum when value > max, else the value, which
        // so takes the gradient also when a bound is NaN (x >= NaN is false, but so is x < NaN).
        [Op.Clamp] = new Partial?[]
        {
            (g, x, y) => Simplify.When(new BinaryExpr(BinaryOperator.And, new NotExpr(Compare(BinaryOperator.Less, x[0], x[1])), new NotExpr(Compare(BinaryOperator.Greater, x[0], x[2])), ScalarType.Bool), g),
            (g, x, y) => Simplify.When(Compare(BinaryOperator.Less, x[0], x[1]), g),
            (g, x, y) => Simplify.When(new BinaryExpr(BinaryOperator.And, new NotExpr(Compare(BinaryOperator.Less, x[0], x[1])), Compare(BinaryOperator.Greater, x[0], x[2]), ScalarType.Bool), g),
        },
        // Piecewise constant: zero derivative almost everywhere.
        [Op.Floor] = new[] { None },
        [Op.Ceiling] = new[] { None },
        [Op.Round] = new[] { None, None }, // and the digits, when given
        [Op.Truncate] = new[] { None },
        [Op.Sign] = new[] { None },
        [Op.FusedMultiplyAdd] = MultiplyAdd,
        // Fused or not as the platform prefers: a rounding apart, the same a·b + c.
        [Op.MultiplyAddEstimate] = MultiplyAdd,
        // 1/√(x² + 1) is 1/cosh(asinh x): no x² to overflow (at float x = 1e20 it gave 0, not 1e-20).
        [Op.Asinh] = new Partial?[] { (g, x, y) => g / Call(Op.Cosh, y) },
        // 1/√(x² − 1) is 1/sinh(acosh x): no cancellation in x² − 1 near 1, no overflow for large x; infinite at 1 as it is.
        [Op.Acosh] = new Partial?[] { (g, x, y) => g / Call(Op.Sinh, y) },
        // 1 − x² as (1 − x)(1 + x): no cancellation near ±1, where the derivative is largest.
        [Op.Atanh] = new Partial?[] { (g, x, y) => g / ((1 - x[0]) * (1 + x[0])) },
        [Op.SinPi] = new Partial?[] { (g, x, y) => g * (Math.PI * Call(Op.CosPi, x[0])) },
        [Op.CosPi] = new Partial?[] { (g, x, y) => -(g * (Math.PI * Call(Op.SinPi, x[0]))) },
        [Op.TanPi] = new Partial?[] { (g, x, y) => g * (Math.PI * (1 + y * y)) },
        [Op.AsinPi] = InHalfTurns(Op.Asin, arity: 1),
        [Op.AcosPi] = InHalfTurns(Op.Acos, arity: 1),
        [Op.AtanPi] = InHalfTurns(Op.Atan, arity: 1),
        [Op.Atan2Pi] = InHalfTurns(Op.Atan2, arity: 2),
        [Op.DegreesToRadians] = new Partial?[] { (g, x, y) => Math.PI / 180 * g },
        [Op.RadiansToDegrees] = new Partial?[] { (g, x, y) => 180 / Math.PI * g },
        [Op.Exp2] = new Partial?[] { (g, x, y) => g * (Math.Log(2) * y) },
        [Op.Exp10] = new Partial?[] { (g, x, y) => g * (Math.Log(10) * y) },
        // The result is eˣ − 1, so eˣ is y + 1, exact enough: where y + 1 rounds, eˣ is near 1 and so is the derivative.
        [Op.ExpM1] = new Partial?[] { (g, x, y) => g * (y + 1) },
        [Op.Exp2M1] = new Partial?[] { (g, x, y) => g * (Math.Log(2) * (y + 1)) },
        [Op.Exp10M1] = new Partial?[] { (g, x, y) => g * (Math.Log(10) * (y + 1)) },
        [Op.LogP1] = new Partial?[] { (g, x, y) => g / (1 + x[0]) },
        [Op.Log2P1] = new Partial?[] { (g, x, y) => g / (Math.Log(2) * (1 + x[0])) },
        [Op.Log10P1] = new Partial?[] { (g, x, y) => g / (Math.Log(10) * (1 + x[0])) },
        // a/hypot and b/hypot: no a² + b² to overflow. NaN at the origin, the tip of the cone, where hypot has no
        // derivative (as Math.Sqrt(a * a + b * b) written out gives too).
        [Op.Hypot] = new Partial?[] { (g, x, y) => g * (x[0] / y), (g, x, y) => g * (x[1] / y) },
        // The inverse of y ↦ yⁿ, so one over the power rule at the result: infinite at 0 as the derivative is (y/(n·x)
        // would be 0/0 there), and right for negative x with odd n.
        [Op.RootN] = new Partial?[] { (g, x, y) => g / PowerRule(y, Simplify.Cast(x[1], y.Type)), None },
        // As double.Lerp computes it: a·(1 − t) + b·t.
        [Op.Lerp] = new Partial?[] { (g, x, y) => g * (1 - x[2]), (g, x, y) => g * x[2], (g, x, y) => g * (x[1] - x[0]) },
        // |x| with the sign of s: the derivative is 1 where the result is x, −1 where it is −x; at x = 0 either sign is
        // a subgradient. The sign argument is piecewise constant.
        [Op.CopySign] = new Partial?[] { (g, x, y) => new ConditionalExpr(Compare(BinaryOperator.Equal, y, x[0]), g, -g), None },
        // One unit in the last place up or down: the identity but for a step far below any difference quotient's, not
        // piecewise constant (the difference quotient of BitIncrement is 1).
        [Op.BitIncrement] = new Partial?[] { (g, x, y) => g },
        [Op.BitDecrement] = new Partial?[] { (g, x, y) => g },
        // x·2ⁿ: the adjoint scaled alike, exactly, with no 2ⁿ to overflow on its own (ScaleB(1e-300, 1100) is finite).
        [Op.ScaleB] = new Partial?[] { (g, x, y) => Call(Op.ScaleB, g, x[1]), None },
        // x − n·y, n the quotient rounded to the nearest integer, ties to even (Math.Round's default), piecewise constant.
        [Op.IEEERemainder] = new Partial?[] { (g, x, y) => g, (g, x, y) => -(g * Call(Op.Round, x[0] / x[1])) },
        // These return one of their arguments, chosen by magnitude, by NaN policy, or as the platform's instruction
        // prefers (the Native ones): whichever they chose, the result equals it, so the result itself says where the
        // gradient goes, with no second guess of the choice that could silently differ.
        [Op.MaxMagnitude] = ReturnsAnArgument(arity: 2),
        [Op.MinMagnitude] = ReturnsAnArgument(arity: 2),
        [Op.MaxNumber] = ReturnsAnArgument(arity: 2),
        [Op.MinNumber] = ReturnsAnArgument(arity: 2),
        [Op.MaxMagnitudeNumber] = ReturnsAnArgument(arity: 2),
        [Op.MinMagnitudeNumber] = ReturnsAnArgument(arity: 2),
        [Op.MaxNative] = ReturnsAnArgument(arity: 2),
        [Op.MinNative] = ReturnsAnArgument(arity: 2),
        [Op.NumberClamp] = ReturnsAnArgument(arity: 3),
        [Op.ClampNative] = ReturnsAnArgument(arity: 3),
    };

    /// <summary>The partials of <paramref name="op"/>, one per argument.</summary>
    /// <exception cref="InvalidOperationException">The operation has no rule: a bug, reported as BP9001.</exception>
    public static Partial?[] For(Op op) =>
        s_rules.TryGetValue(op, out Partial?[]? partials) ? partials : throw new InvalidOperationException($"No derivative rule for operation {op}.");

    /// <summary>A node's arguments as the rules take them: constants as literals, so the algebra can fold them (g * 2.0 * 3.0 → 6.0 * g).</summary>
    public static Expr[] Arguments(EquatableArray<Node> nodes, Node node) =>
        node.Arguments.Select(a => nodes[a].Op == Op.Constant ? new ConstantExpr(nodes[a].Value, nodes[a].Type) : (Expr)new ValueExpr(a, nodes[a].Type)).ToArray();

    /// <summary>Whether <paramref name="node"/>'s value depends differentiably on its argument <paramref name="argument"/>.</summary>
    public static bool Propagates(Node node, int argument, ScalarType argumentType)
    {
        if (!argumentType.IsFloatingPoint())
            return false;
        if (node.Op == Op.Call)
            return node.Call!.Differentiable[argument];
        Partial?[] partials = For(node.Op);
        return argument < partials.Length && partials[argument] is not null;
    }

    /// <summary>d(aᵇ)/da = b·aᵇ⁻¹, written out for the common constant exponents (<c>Pow(x, 2)</c> → <c>2 * x</c>).</summary>
    private static Expr PowerRule(Expr a, Expr b) => b switch
    {
        ConstantExpr { Value: 1 } => new ConstantExpr(1, a.Type),
        ConstantExpr { Value: 2 } => 2 * a,
        ConstantExpr c => c * Call(Op.Pow, a, new ConstantExpr(c.Value - 1, c.Type)),
        _ => b * Call(Op.Pow, a, b - 1),
    };

    /// <summary>
    /// The rule of a function measuring angles in half-turns (<c>AsinPi(x) = Asin(x) / π</c>): <paramref name="op"/>'s,
    /// divided by π, given the result in radians.
    /// </summary>
    private static Partial?[] InHalfTurns(Op op, int arity) =>
        Enumerable.Range(0, arity).Select(i => (Partial?)((g, x, y) => For(op)[i]!(g / Math.PI, x, Math.PI * y))).ToArray();

    /// <summary>
    /// The rule of a function that returns one of its arguments: the gradient goes to the first argument the result
    /// equals (ties are equal values, so either side is a subgradient); a NaN result equals none and passes none on.
    /// </summary>
    private static Partial?[] ReturnsAnArgument(int arity) =>
        Enumerable.Range(0, arity).Select(i => (Partial?)((g, x, y) => Simplify.When(Returned(i, x, y), g))).ToArray();

    /// <summary><c>y != x[0] &amp;&amp; … &amp;&amp; y == x[i]</c>: the result is argument i and no earlier one.</summary>
    private static Expr Returned(int i, Expr[] x, Expr y) =>
        Enumerable.Range(0, i).Select(j => Compare(BinaryOperator.NotEqual, y, x[j])).Append(Compare(BinaryOperator.Equal, y, x[i]))
            .Aggregate((earlier, condition) => new BinaryExpr(BinaryOperator.And, earlier, condition, ScalarType.Bool));

    private static Expr Compare(BinaryOperator op, Expr a, Expr b) => new BinaryExpr(op, a, b, ScalarType.Bool);
}

/// <summary>Builds calls to Math functions in the type of their first argument.</summary>
internal static class MathCalls
{
    public static Expr Call(Op function, params Expr[] arguments) =>
        new CallExpr(function, new EquatableArray<Expr>(arguments), arguments[0].Type);
}
