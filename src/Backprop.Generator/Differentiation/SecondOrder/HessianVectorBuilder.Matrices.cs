using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>Forward over reverse on the gradient's matrix lines: operations by their [TangentOf] rules, pullback calls by their own tangent rules, shares and collections mirrored on the tangents.</summary>
internal sealed partial class HessianVectorBuilder
{
    private bool IsMatrix(Expr expr) => expr is NameExpr name && _matrices.Contains(name.Name) || expr is ElementExpr element && _matrices.Contains(element.Array);

    /// <summary>A matrix's tangent: its name's, or an element's of an array of matrices; <c>null</c> where it does not move.</summary>
    private Expr? MatrixTangent(Expr matrix) => matrix switch
    {
        NameExpr name when _varied.Contains(name.Name) => name with { Name = TangentName(name.Name) },
        ElementExpr element when _varied.Contains(element.Array) => element with { Array = TangentName(element.Array) },
        _ => null,
    };

    /// <summary>The tangents a <c>[TangentOf]</c> rule takes for <paramref name="arguments"/> (zero, or <c>null</c> for a matrix, where one does not move), and whether any moves.</summary>
    private (List<Expr> Tangents, bool Moves) Tangents(List<CodeLine> output, IEnumerable<Expr> arguments)
    {
        var tangents = new List<Expr>();
        bool moves = false;
        foreach (Expr argument in arguments)
        {
            Expr? tangent = IsMatrix(argument) ? MatrixTangent(argument) : Differentiate(output, argument, hoist: false).Tangent;
            moves |= tangent is not null;
            tangents.Add(tangent ?? (IsMatrix(argument) ? new NullExpr(argument.Type) : Zero(argument.Type)));
        }
        return (tangents, moves);
    }

    private static CallGradientLine RuleCall(string rule, IEnumerable<Expr> arguments, IEnumerable<string> outputs, IEnumerable<bool> buffers) =>
        new(rule, arguments.ToEquatableArray(), outputs.ToEquatableArray(), buffers.ToEquatableArray(), "", true);

    /// <summary>An operation on matrices giving a number (<c>Sum</c>, a loss) whose arguments move: its value in a local, its tangent from its <c>[TangentOf]</c> rule.</summary>
    private (Expr Value, Expr? Tangent) OperationCall(List<CodeLine> output, MethodCallExpr call, string rule)
    {
        var (directions, moves) = Tangents(output, call.Arguments.Where((_, i) => call.Differentiable[i]));
        if (!moves)
            return (call, null);
        string value = _names.Allocate("call");
        output.Add(new DeclareLine(call.Type.Keyword(), value, call));
        string derivative = _names.Allocate(Naming.Tangent(value));
        output.Add(RuleCall(rule, call.Arguments.Append(new NameExpr(value, call.Type)).Concat(directions), new[] { derivative }, new[] { false }));
        return (new NameExpr(value, call.Type), new NameExpr(derivative, call.Type));
    }

    /// <summary>
    /// Lines on matrices: a matrix's tangent is <c>null</c> (zero) until it moves; an operation's comes from its
    /// <c>[TangentOf]</c> rule, a pullback's from the pullback's own; shares, collections and passes of gradients are linear
    /// and are mirrored on the gradients' tangents. Returns <c>false</c> for any other line.
    /// </summary>
    private bool MatrixLine(List<CodeLine> output, CodeLine line)
    {
        switch (line)
        {
            case DeclareLine { Type: "bool" } flag when _flags.ContainsKey(flag.Name):
                // A matrix parameter's product is written through shares too, with a flag of its own.
                output.Add(flag);
                output.Add(flag with { Name = TangentName(flag.Name) });
                return true;
            case DeclareLine { Value: MethodCallExpr { Tangent: string declaredRule } made } declare when _matrices.Contains(declare.Name):
                output.Add(declare);
                AllocatedTangent(output, declare.Name, made, declaredRule, declare.Type);
                return true;
            case AssignLine { Target: NameExpr made, Value: MethodCallExpr { Tangent: string assignedRule } call } assign when _matrices.Contains(made.Name):
                output.Add(assign);
                AllocatedTangent(output, made.Name, call, assignedRule, null);
                return true;
            case DeclareLine declare when _matrices.Contains(declare.Name):
                output.Add(declare);
                if (MatrixWriteTangent(output, declare.Name, declare.Value) is Expr declared)
                    output.Add(declare with { Name = TangentName(declare.Name), Type = declare.Type.TrimEnd('?') + "?", Value = declared });
                return true;
            case AssignLine { Target: NameExpr target } assign when _matrices.Contains(target.Name):
                if (assign.Value is PopExpr && _varied.Contains(target.Name))
                {
                    // The tangent was pushed after the value: it comes back first.
                    output.Add(new AssignLine(target with { Name = TangentName(target.Name) }, assign.Value, false));
                    output.Add(assign);
                    return true;
                }
                output.Add(assign);
                if (assign.Value is not PopExpr && MatrixWriteTangent(output, target.Name, assign.Value) is Expr assigned)
                    output.Add(new AssignLine(target with { Name = TangentName(target.Name) }, assigned, false));
                return true;
            case OperationLine operation:
            {
                var (directions, moves) = Tangents(output, operation.Arguments.Where((_, i) => operation.Call.Differentiable[i]));
                output.Add(operation);
                if (Vary(operation.Destination, moves))
                    output.Add(RuleCall(operation.Call.Tangent!, operation.Arguments.Append(new NameExpr(operation.Destination, operation.Arguments[0].Type)).Concat(directions),
                        new[] { TangentName(operation.Destination) }, new[] { true }));
                return true;
            }
            case CallGradientLine { PullbackTangent: string rule } pullback:
                PullbackCall(output, pullback, rule);
                return true;
            case CollectLine collect:
                output.Add(collect);
                if (_varied.Contains(collect.Share))
                {
                    Expr gradient = collect.Gradient is ElementExpr element ? element with { Array = TangentName(element.Array) } : new NameExpr(TangentName(((NameExpr)collect.Gradient).Name), collect.Gradient.Type);
                    Vary(collect.Gradient is ElementExpr e ? e.Array : ((NameExpr)collect.Gradient).Name, true);
                    output.Add(new CollectLine(gradient, TangentName(collect.Share)));
                }
                return true;
            case PassLine pass:
                output.Add(pass);
                if (MatrixTangent(pass.Share) is NameExpr passed)
                {
                    Vary(pass.Gradient, true);
                    output.Add(new IfLine(new NotNullExpr(passed.Name), new EquatableArray<CodeLine>(new CodeLine[]
                    {
                        new PassLine(TangentName(pass.Gradient), pass.Written is null ? null : TangentName(pass.Written), passed),
                    }), EquatableArray<CodeLine>.Empty));
                }
                return true;
            case FinishLine finish:
                output.Add(finish);
                output.Add(new FinishLine(TangentName(finish.Written), TangentName(finish.Gradient)));
                return true;
            case ClearMatricesLine clear:
                output.Add(clear);
                output.Add(new ClearMatricesLine(TangentName(clear.Gradients)));
                return true;
            case RequireShapeLine require:
                output.Add(require with { Method = _function.Name + Naming.GradientHessianVectorSuffix });
                return true;
            case ArenaLine:
                output.Add(line);
                return true;
            case DeclareLine { Value: MethodCallExpr { Tangent: string rule } reduced } declare:
            {
                // A number an operation on matrices gives (a sum, a loss): its rule's tangent is declared by the rule's out.
                var (directions, moves) = Tangents(output, reduced.Arguments.Where((_, i) => reduced.Differentiable[i]));
                output.Add(declare);
                if (Vary(declare.Name, moves))
                    output.Add(RuleCall(rule, reduced.Arguments.Append(new NameExpr(declare.Name, reduced.Type)).Concat(directions), new[] { TangentName(declare.Name) }, new[] { false }));
                return true;
            }
            default:
                return false;
        }
    }

    /// <summary>
    /// The tangent of a matrix an operation without a destination form made (<c>m = F(…)</c>, just written): its rule,
    /// after the value, into a slot shaped like it; <paramref name="declaredType"/> declares the tangent when not <c>null</c>.
    /// </summary>
    private void AllocatedTangent(List<CodeLine> output, string name, MethodCallExpr call, string rule, string? declaredType)
    {
        var (directions, moves) = Tangents(output, call.Arguments.Where((_, i) => call.Differentiable[i]));
        if (!Vary(name, moves))
            return;
        var value = new NameExpr(name, call.Type);
        var slot = new SlotExpr(value, null, call.Type);
        output.Add(declaredType is null ? new AssignLine(value with { Name = TangentName(name) }, slot, false) : new DeclareLine(declaredType.TrimEnd('?') + "?", TangentName(name), slot));
        output.Add(RuleCall(rule, call.Arguments.Append(value).Concat(directions), new[] { TangentName(name) }, new[] { true }));
    }

    /// <summary>
    /// A pullback of an operation on matrices, then, when anything it reads moves or an output's tangent is wanted, the
    /// pullback's own <c>[TangentOf]</c> rule: given the tangents of the operation's arguments, of its result and of the
    /// result's gradient, it writes the tangents of the shares the pullback wrote (zero when nothing moves).
    /// </summary>
    private void PullbackCall(List<CodeLine> output, CallGradientLine call, string rule)
    {
        int parameters = call.Outputs.Count;
        var differentiable = Enumerable.Range(0, parameters).Where(i => call.Outputs[i].Length > 0).ToList();
        var (directions, moves) = Tangents(output, differentiable.Select(i => call.Arguments[i]).Concat(new[] { call.Arguments[parameters], call.Arguments[parameters + 1] }));
        var outputs = new List<string>();
        foreach (int i in differentiable)
        {
            string share = call.Outputs[i];
            outputs.Add(share == "null" || !Vary(share, moves) ? (call.Buffers[i] ? "null" : "_") : TangentName(share));
        }
        output.Add(call);
        if (moves || outputs.Any(o => o is not ("null" or "_")))
            output.Add(RuleCall(rule, call.Arguments.Concat(directions), outputs, differentiable.Select(i => call.Buffers[i])));
    }

    /// <summary>
    /// The tangent to write beside a write of <paramref name="value"/> to matrix <paramref name="name"/>, or <c>null</c> when
    /// <paramref name="name"/> has no tangent. A share's is a share of the gradient's tangent; a slot's, a slot of the same
    /// shape (a rule or a pullback's tangent fills it); a copy's, the tangent copied; a call's, its rule's.
    /// </summary>
    private Expr? MatrixWriteTangent(List<CodeLine> output, string name, Expr value)
    {
        switch (value)
        {
            case ShareExpr share:
                if (!_varied.Contains(name))
                    return null;
                Vary(share.Gradient, true);
                return share with { Gradient = TangentName(share.Gradient), Written = share.Written is null ? null : TangentName(share.Written) };
            case SlotExpr:
                return _varied.Contains(name) ? value : null;
            case NullExpr:
                return _varied.Contains(name) ? value : null;
            case MethodCallExpr call:
                throw new InvalidOperationException($"No forward-over-reverse form for {call.Method} (an operation without a destination form) in a Hessian-vector product.");
            default:
                Expr? copied = MatrixTangent(value);
                return Vary(name, copied is not null) ? copied ?? new NullExpr(value.Type) : null;
        }
    }
}
