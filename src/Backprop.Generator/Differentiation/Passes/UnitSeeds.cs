using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// An adjoint declared as 1 and never written again (the result's unit seed, <c>ds = 1.0</c> over a sum of
/// terms) is the literal itself: its reads become 1 and the algebra drops the multiplications
/// (<c>ds * t * e</c> → <c>t * e</c>, which the JIT can then share with the forward pass's <c>t * e</c>).
/// Only expressions that read such a name are rebuilt, so forward code stays exactly as the source wrote it.
/// </summary>
internal static class UnitSeeds
{
    public static MethodBody Inline(MethodBody body)
    {
        var ones = new Dictionary<string, ScalarType>();
        var written = new HashSet<string>();
        Scan(body.Body, ones, written);
        var units = ones.Where(o => !written.Contains(o.Key)).ToDictionary(o => o.Key, o => o.Value);
        return units.Count == 0 ? body : new MethodBody(Lines(body.Body, units).ToEquatableArray(), Substitute(body.Result, units) ?? body.Result);
    }

    private static void Scan(IEnumerable<CodeLine> lines, Dictionary<string, ScalarType> ones, HashSet<string> written)
    {
        foreach (CodeLine line in lines)
        {
            switch (line)
            {
                case DeclareLine { Value: ConstantExpr { Value: 1 } one } declare when !ones.ContainsKey(declare.Name):
                    ones[declare.Name] = one.Type;
                    break;
                case DeclareLine declare:
                    written.Add(declare.Name);
                    break;
                case AssignLine { Target: NameExpr target }:
                    written.Add(target.Name);
                    break;
                case IncrementLine increment:
                    written.Add(increment.Name);
                    break;
                case EffectLine effect:
                    // An effect's code names its variables as text, which the substitution cannot reach: keep them.
                    written.UnionWith(effect.Reads);
                    break;
                case CallGradientLine call:
                    written.UnionWith(call.Outputs);
                    break;
                case CallTangentLine call:
                    written.Add(call.Derivative);
                    if (call.Value is not null)
                        written.Add(call.Value);
                    break;
                case CountdownLine countdown:
                    written.Add(countdown.Counter);
                    Scan(countdown.Body, ones, written);
                    break;
                case IfLine branch:
                    Scan(branch.Then, ones, written);
                    Scan(branch.Else, ones, written);
                    break;
                case WhileLine loop:
                    Scan(loop.Body, ones, written);
                    break;
            }
        }
    }

    private static List<CodeLine> Lines(IEnumerable<CodeLine> lines, Dictionary<string, ScalarType> units)
    {
        var output = new List<CodeLine>();
        var input = lines.ToList();
        for (int i = 0; i < input.Count; i++)
        {
            CodeLine line = input[i];
            Expr E(Expr expr) => Substitute(expr, units) ?? expr;
            if (line is DeclareLine unit && units.ContainsKey(unit.Name) || line is ScaleLine scaled && E(scaled.Scale).IsConstant(1))
            {
                // A block left empty loses the comment that quoted its statement.
                if (output.Count > 0 && output[output.Count - 1] is CommentLine && (i + 1 == input.Count || input[i + 1] is CommentLine or BlankLine))
                    output.RemoveAt(output.Count - 1);
                continue;
            }
            switch (line)
            {
                case DeclareLine declare:
                    output.Add(declare with { Value = E(declare.Value) });
                    break;
                case AssignLine assign:
                    output.Add(assign with { Target = E(assign.Target), Value = E(assign.Value) });
                    break;
                case PushLine push:
                    output.Add(new PushLine(E(push.Value)));
                    break;
                case IfLine branch:
                    output.Add(new IfLine(E(branch.Condition), Lines(branch.Then, units).ToEquatableArray(), Lines(branch.Else, units).ToEquatableArray()));
                    break;
                case WhileLine loop:
                    output.Add(loop with { Condition = E(loop.Condition), Body = Lines(loop.Body, units).ToEquatableArray() });
                    break;
                case CountdownLine countdown:
                    output.Add(countdown with { Count = E(countdown.Count), Body = Lines(countdown.Body, units).ToEquatableArray() });
                    break;
                case CallGradientLine call:
                    output.Add(call with { Arguments = call.Arguments.Select(E).ToEquatableArray() });
                    break;
                case ScaleLine scale:
                    output.Add(scale with { Scale = E(scale.Scale) });
                    break;
                case AddScaledLine add:
                    output.Add(add with { Scale = E(add.Scale) });
                    break;
                default:
                    output.Add(line);
                    break;
            }
        }
        return output;
    }

    /// <summary>The expression with the unit names replaced by 1 and simplified again, or <c>null</c> when it reads none.</summary>
    private static Expr? Substitute(Expr expr, Dictionary<string, ScalarType> units)
    {
        switch (expr)
        {
            case NameExpr name when units.TryGetValue(name.Name, out ScalarType type):
                return new ConstantExpr(1, type);
            case BinaryExpr binary:
            {
                Expr? left = Substitute(binary.Left, units), right = Substitute(binary.Right, units);
                if (left is null && right is null)
                    return null;
                Expr a = left ?? binary.Left, b = right ?? binary.Right;
                return binary.Operator switch
                {
                    BinaryOperator.Add => a + b,
                    BinaryOperator.Subtract => a - b,
                    BinaryOperator.Multiply => a * b,
                    BinaryOperator.Divide => a / b,
                    _ => binary with { Left = a, Right = b },
                };
            }
            case NegateExpr negate:
                return Substitute(negate.Operand, units) is Expr operand ? -operand : null;
            case CastExpr cast:
                return Substitute(cast.Operand, units) is Expr castOperand ? Simplify.Cast(castOperand, cast.Type) : null;
            default:
            {
                bool changed = false;
                Expr rebuilt = StatementCode.Rewrite(expr, e =>
                {
                    if (ReferenceEquals(e, expr) || e is not (NameExpr or BinaryExpr or NegateExpr or CastExpr))
                        return null;
                    Expr? replaced = Substitute(e, units);
                    changed |= replaced is not null;
                    return replaced ?? e;
                });
                return changed ? rebuilt : null;
            }
        }
    }
}
