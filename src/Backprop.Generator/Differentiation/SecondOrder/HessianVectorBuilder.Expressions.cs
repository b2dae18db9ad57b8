using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>Forward over reverse on expressions: each value with its tangent, from the rule table for numbers and the callees' tangents for calls.</summary>
internal sealed partial class HessianVectorBuilder
{
    /// <summary>
    /// An expression's value (with calls whose derivative reads their result hoisted into locals
    /// when <paramref name="hoist"/>) and its tangent, or <c>null</c> where it does not move.
    /// </summary>
    private (Expr Value, Expr? Tangent) Differentiate(List<CodeLine> output, Expr expr, bool hoist)
    {
        if (!expr.Type.IsFloatingPoint())
            return (expr, null);
        switch (expr)
        {
            case NameExpr name:
                return (name, _varied.Contains(name.Name) ? name with { Name = TangentName(name.Name) } : null);
            case ElementExpr element:
                return (element, _varied.Contains(element.Array) ? element with { Array = TangentName(element.Array) } : null);
            case NegateExpr negate:
            {
                var (value, tangent) = Differentiate(output, negate.Operand, hoist);
                return (new NegateExpr(value), tangent is null ? null : -tangent);
            }
            case CastExpr cast:
            {
                var (value, tangent) = Differentiate(output, cast.Operand, hoist);
                return (cast with { Operand = value }, tangent is null ? null : Simplify.Cast(tangent, cast.Type));
            }
            case BinaryExpr binary:
            {
                var (left, leftTangent) = Differentiate(output, binary.Left, hoist);
                var (right, rightTangent) = Differentiate(output, binary.Right, hoist);
                Expr value = binary with { Left = left, Right = right };
                return (value, Apply(OperationOf(binary.Operator), new[] { left, right }, new[] { leftTangent, rightTangent }, value));
            }
            case CallExpr call:
                return MathCall(output, call, hoist);
            case ConditionalExpr conditional:
            {
                // Nothing is hoisted out of a branch: the untaken one must stay unevaluated.
                var (whenTrue, trueTangent) = Differentiate(output, conditional.WhenTrue, hoist: false);
                var (whenFalse, falseTangent) = Differentiate(output, conditional.WhenFalse, hoist: false);
                Expr value = new ConditionalExpr(conditional.Condition, whenTrue, whenFalse);
                return (value, trueTangent is null && falseTangent is null ? null
                    : new ConditionalExpr(conditional.Condition, trueTangent ?? Zero(expr.Type), falseTangent ?? Zero(expr.Type)));
            }
            case MethodCallExpr call:
                return MethodCall(output, call);
            case ConstantExpr or MemberExpr or NullExpr or SlotExpr or ShareExpr:
                return (expr, null);
            default:
                throw new InvalidOperationException($"No tangent for {expr.GetType().Name}.");
        }
    }

    private (Expr Value, Expr? Tangent) MathCall(List<CodeLine> output, CallExpr call, bool hoist, NameExpr? result = null)
    {
        var arguments = new Expr[call.Arguments.Count];
        var tangents = new Expr?[call.Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
            (arguments[i], tangents[i]) = Differentiate(output, call.Arguments[i], hoist);
        Op op = call.Op;
        Expr value = call with { Arguments = arguments.ToEquatableArray() };
        // exp' = exp, tanh' = 1 − tanh²: a rule that reads the result reads a local, not a second call.
        var probe = new NameExpr("\0result", call.Type);
        if (result is not null)
            return (value, Apply(op, arguments, tangents, result));
        if (hoist && Apply(op, arguments, tangents, probe) is Expr probed && StatementCode.Reads(probed, probe.Name))
        {
            string name = _names.Allocate(ForwardExpressions.NameFor(op));
            output.Add(new DeclareLine(call.Type.Keyword(), name, value));
            value = new NameExpr(name, call.Type);
        }
        return (value, Apply(op, arguments, tangents, value));
    }

    /// <summary><c>var (call, call_dot) = G…Tangent(arguments, directions);</c> for a call of a <c>[Differentiable]</c> method whose arguments move.</summary>
    private (Expr Value, Expr? Tangent) MethodCall(List<CodeLine> output, MethodCallExpr call)
    {
        if (call.Tangent is string rule)
            return OperationCall(output, call, rule);
        var differentiable = Enumerable.Range(0, call.Arguments.Count).Where(i => call.Differentiable.Count > 0 && call.Differentiable[i]).ToList();
        bool IsArray(int i) => call.Arguments[i] is NameExpr name && _arrays.Contains(name.Name);
        bool moves = differentiable.Any(i => IsArray(i) ? _varied.Contains(((NameExpr)call.Arguments[i]).Name) : Differentiate(output, call.Arguments[i], hoist: false).Tangent is not null);
        if (!moves)
            return (call, null);
        var zeros = new List<string>();
        var directions = differentiable.Select(i => Direction(output, zeros, call.Arguments[i], IsArray(i))).ToList();
        string value = _names.Allocate("call");
        string derivative = _names.Allocate(Naming.Tangent(value));
        output.Add(new CallTangentLine(call.DerivativeMethod, call.Arguments.Concat(directions).ToEquatableArray(), derivative, value));
        output.AddRange(zeros.Select(name => new ReturnLine(name)));
        return (new NameExpr(value, call.Type), new NameExpr(derivative, call.Type));
    }

    /// <summary>Σᵢ ∂f/∂xᵢ · ẋᵢ from the rule table: each partial is linear in the adjoint it is given, so given ẋᵢ it gives the term.</summary>
    private static Expr? Apply(Op op, Expr[] arguments, Expr?[] tangents, Expr result)
    {
        Partial?[] partials = Rules.For(op);
        Expr? sum = null;
        for (int i = 0; i < arguments.Length; i++)
        {
            if (tangents[i] is Expr tangent && i < partials.Length && partials[i] is Partial partial)
            {
                Expr term = partial(tangent, arguments, result);
                sum = sum is null ? term : sum + term;
            }
        }
        return sum;
    }

    private static Op OperationOf(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => Op.Add,
        BinaryOperator.Subtract => Op.Subtract,
        BinaryOperator.Multiply => Op.Multiply,
        BinaryOperator.Divide => Op.Divide,
        BinaryOperator.Remainder => Op.Remainder,
        _ => throw new InvalidOperationException($"No floating-point operation {op}."),
    };

    private static Expr Zero(ScalarType type) => new ConstantExpr(0, type);
}
