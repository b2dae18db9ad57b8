using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A peephole on reverse code for norms, √(Σ xᵢ²): the square root's rule gives its argument the adjoint
/// <c>t = g / (2 * y)</c>, and each square's rule then multiplies it by 2 again, <c>2 * (t * x)</c>. When every read
/// of such a local is that product by the same power of two, the factor cancels: <c>t = g / y</c> and <c>t * x</c>, two
/// multiplications fewer per term, bit for bit the same numbers (scaling by a power of two is exact, so rounding
/// commutes with it; only results at the edge of overflow or of the subnormals could differ).
/// </summary>
internal static class PowerOfTwoFactors
{
    public static MethodBody Cancel(MethodBody body)
    {
        var candidates = new Dictionary<string, double>();
        foreach (CodeLine line in CodeLine.All(body.Body))
        {
            if (line is DeclareLine { Value: BinaryExpr { Operator: BinaryOperator.Divide, Right: BinaryExpr { Operator: BinaryOperator.Multiply, Left: ConstantExpr factor } } } declare
                && declare.Value.Type.IsFloatingPoint() && IsPowerOfTwo(factor.Value) && !candidates.ContainsKey(declare.Name))
                candidates[declare.Name] = factor.Value;
        }
        if (candidates.Count == 0)
            return body;
        var declared = new HashSet<string>();
        foreach (CodeLine line in CodeLine.All(body.Body))
            Disqualify(line, candidates, declared);
        var returned = new HashSet<string>();
        StatementCode.Names(body.Result, returned);
        foreach (string name in returned)
            candidates.Remove(name);
        return candidates.Count == 0 ? body : body with { Body = Lines(body.Body, candidates).ToEquatableArray() };
    }

    private static bool IsPowerOfTwo(double value)
    {
        if (value <= 0 || double.IsInfinity(value) || value == 1)
            return false;
        int exponent = (int)Math.Round(Math.Log(value, 2));
        return Math.Pow(2, exponent) == value;
    }

    /// <summary>Drops the candidates <paramref name="line"/> uses otherwise than as <c>c * (t * x)</c> (or writes with anything but zero).</summary>
    private static void Disqualify(CodeLine line, Dictionary<string, double> candidates, HashSet<string> declared)
    {
        switch (line)
        {
            case DeclareLine declare when candidates.ContainsKey(declare.Name) && declared.Add(declare.Name):
                Reads(((BinaryExpr)declare.Value).Left, candidates);
                Reads(((BinaryExpr)((BinaryExpr)declare.Value).Right).Right, candidates);
                return;
            case DeclareLine declare:
                candidates.Remove(declare.Name);
                Reads(declare.Value, candidates);
                return;
            case AssignLine { Target: NameExpr target, Value: ConstantExpr { Value: 0 }, Accumulate: false } when candidates.ContainsKey(target.Name):
                return;
            case AssignLine assign:
                if (assign.Target is NameExpr written)
                    candidates.Remove(written.Name);
                Reads(assign.Target is NameExpr ? null : assign.Target, candidates);
                Reads(assign.Value, candidates);
                return;
            case IfLine or WhileLine or CountdownLine or CommentLine or BlankLine:
                // Their bodies are lines of their own (CodeLine.All); their conditions and counts are read here.
                Reads(line switch { IfLine branch => branch.Condition, WhileLine loop => loop.Condition, CountdownLine countdown => countdown.Count, _ => null }, candidates);
                return;
            case RentLine rent:
                Reads(rent.Length, candidates);
                return;
            case AllocateLine allocate:
                Reads(allocate.Length, candidates);
                return;
            case ScaleLine scale:
                Reads(scale.Scale, candidates);
                return;
            case EffectLine effect:
                foreach (string name in effect.Reads)
                    candidates.Remove(name);
                return;
            // Lines that name arrays, matrices, the tape or flags only, never a number's adjoint.
            case CheckLengthLine or CheckResultLengthLine or ClearLine or CopyLine or ReturnLine or TapeLine or ArenaLine or IncrementLine
                or RequireShapeLine or ClearMatricesLine or CopyMatrixLine or WriteIntoLine or FinishLine or SwapLine:
                return;
            default:
                var mentioned = new HashSet<string>();
                if (!FirstWrites.Mentioned(line, mentioned))
                    candidates.Clear();
                foreach (string name in mentioned)
                    candidates.Remove(name);
                return;
        }
    }

    /// <summary>Drops the candidates an expression reads anywhere but in the product that cancels their factor.</summary>
    private static void Reads(Expr? expr, Dictionary<string, double> candidates)
    {
        if (expr is null)
            return;
        if (Cancelled(expr, candidates) is var (_, rest))
        {
            Reads(rest, candidates);
            return;
        }
        if (expr is NameExpr name)
        {
            candidates.Remove(name.Name);
            return;
        }
        for (int i = 0; i < expr.OperandCount; i++)
            Reads(expr.OperandAt(i), candidates);
    }

    /// <summary>For <c>c * (t * x)</c> or <c>c * (x * t)</c> with <c>t</c> a candidate of factor <c>c</c>: <c>t</c>, and <c>x</c>.</summary>
    private static (string Name, Expr Other)? Cancelled(Expr expr, Dictionary<string, double> candidates) => expr switch
    {
        BinaryExpr { Operator: BinaryOperator.Multiply, Left: ConstantExpr factor, Right: BinaryExpr { Operator: BinaryOperator.Multiply } product } =>
            product.Left is NameExpr left && candidates.TryGetValue(left.Name, out double c) && c == factor.Value ? (left.Name, product.Right)
            : product.Right is NameExpr right && candidates.TryGetValue(right.Name, out double d) && d == factor.Value ? (right.Name, product.Left)
            : null,
        _ => null,
    };

    private static IEnumerable<CodeLine> Lines(IEnumerable<CodeLine> lines, Dictionary<string, double> cancelled)
    {
        Expr E(Expr expr) => StatementCode.Rewrite(expr, e => Cancelled(e, cancelled) is var (name, other)
            ? Simplify.Multiply(new NameExpr(name, e.Type), E(other)) : null);
        foreach (CodeLine line in lines)
        {
            yield return line switch
            {
                DeclareLine { Value: BinaryExpr { Operator: BinaryOperator.Divide } quotient } declare when cancelled.ContainsKey(declare.Name) =>
                    declare with { Value = quotient with { Left = E(quotient.Left), Right = E(((BinaryExpr)quotient.Right).Right) } },
                DeclareLine declare => declare with { Value = E(declare.Value) },
                AssignLine assign => assign with { Target = E(assign.Target), Value = E(assign.Value) },
                IfLine branch => new IfLine(E(branch.Condition), Lines(branch.Then, cancelled).ToEquatableArray(), Lines(branch.Else, cancelled).ToEquatableArray()),
                WhileLine loop => loop with { Condition = E(loop.Condition), Body = Lines(loop.Body, cancelled).ToEquatableArray() },
                CountdownLine countdown => countdown with { Count = E(countdown.Count), Body = Lines(countdown.Body, cancelled).ToEquatableArray() },
                _ => line,
            };
        }
    }
}
