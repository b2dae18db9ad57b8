using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Dead code in generated lines: a write to a variable that no output depends on is dropped. In a
/// Hessian-vector product that is the second half of activity analysis (a tangent no product reads,
/// the value's own <c>sum_dot</c>) and, for <c>FHessianVector</c>, the gradient itself where no product
/// reads it. A fixpoint from the outputs backwards, since loops carry values backwards. Only plain writes
/// go (declarations, assignments, array updates); pops, pushes, calls, effects and control flow stay.
/// </summary>
internal static class Liveness
{
    /// <summary>
    /// The lines without the writes to variables <paramref name="removable"/> selects that nothing in
    /// <paramref name="outputs"/> depends on, and the variables that stay live.
    /// </summary>
    public static (List<CodeLine> Lines, HashSet<string> Live) RemoveDead(List<CodeLine> lines, Func<string, bool> removable, IEnumerable<string> outputs)
    {
        var live = new HashSet<string>(outputs);
        for (int before = -1; before != live.Count;)
        {
            before = live.Count;
            MarkLive(lines, removable, live);
        }
        return (Keep(lines, removable, live), live);
    }

    /// <summary>The removable variable a line only writes, if any; a write that pops the tape is not removable.</summary>
    private static string? Written(CodeLine line, Func<string, bool> removable)
    {
        if (line is DeclareLine { Value: var declared } && Pops(declared) || line is AssignLine { Value: var assigned } && Pops(assigned))
            return null;
        string? target = line switch
        {
            DeclareLine declare => declare.Name,
            AssignLine { Target: NameExpr name } => name.Name,
            AssignLine { Target: ElementExpr element } => element.Array,
            AddScaledLine add => add.Target,
            ScaleLine scale => scale.Target,
            ClearLine clear => clear.Array,
            RentLine rent => rent.Name,
            ReturnLine returned => returned.Name,
            _ => null,
        };
        return target is not null && removable(target) ? target : null;
    }

    private static bool Pops(Expr expr) => StatementCode.Any(expr, e => e is PopExpr);

    private static void MarkLive(IEnumerable<CodeLine> lines, Func<string, bool> removable, HashSet<string> live)
    {
        foreach (CodeLine line in lines)
        {
            switch (line)
            {
                case IfLine branch:
                    Read(branch.Condition, live);
                    MarkLive(branch.Then, removable, live);
                    MarkLive(branch.Else, removable, live);
                    continue;
                case WhileLine loop:
                    Read(loop.Condition, live);
                    MarkLive(loop.Body, removable, live);
                    continue;
                case CountdownLine countdown:
                    Read(countdown.Count, live);
                    MarkLive(countdown.Body, removable, live);
                    continue;
            }
            if (Written(line, removable) is string target && !live.Contains(target))
                continue;
            switch (line)
            {
                case DeclareLine declare:
                    Read(declare.Value, live);
                    break;
                case AssignLine assign:
                    Read(assign.Target, live);
                    Read(assign.Value, live);
                    break;
                case AddScaledLine add:
                    live.Add(add.Source);
                    Read(add.Scale, live);
                    break;
                case ScaleLine scale:
                    Read(scale.Scale, live);
                    break;
                case PushLine push:
                    Read(push.Value, live);
                    break;
                case SwapLine swap:
                    // Either name may be read afterwards as the other.
                    live.Add(swap.A);
                    live.Add(swap.B);
                    break;
                case CallGradientLine call:
                    foreach (Expr argument in call.Arguments)
                        Read(argument, live);
                    // The call writes its products whether or not they are read: their buffers stay.
                    live.UnionWith(call.Outputs);
                    break;
                case CallTangentLine call:
                    foreach (Expr argument in call.Arguments)
                        Read(argument, live);
                    break;
                case EffectLine effect:
                    live.UnionWith(effect.Reads);
                    break;
            }
        }
    }

    private static List<CodeLine> Keep(IEnumerable<CodeLine> lines, Func<string, bool> removable, HashSet<string> live)
    {
        var kept = new List<CodeLine>();
        foreach (CodeLine line in lines)
        {
            if (Written(line, removable) is string target && !live.Contains(target))
                continue;
            kept.Add(line switch
            {
                IfLine branch => new IfLine(branch.Condition, Keep(branch.Then, removable, live).ToEquatableArray(), Keep(branch.Else, removable, live).ToEquatableArray()),
                WhileLine loop => loop with { Body = Keep(loop.Body, removable, live).ToEquatableArray() },
                CountdownLine countdown => countdown with { Body = Keep(countdown.Body, removable, live).ToEquatableArray() },
                _ => line,
            });
        }
        return kept;
    }

    private static void Read(Expr expr, HashSet<string> live) => StatementCode.Names(expr, live);
}
