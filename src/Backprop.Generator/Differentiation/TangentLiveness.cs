using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// The second half of activity analysis for forward over reverse: a tangent that no product reads
/// (the value's own, <c>sum_dot</c>) is dropped, with every line that only computes it. A fixpoint
/// from the outputs backwards through the tangent lines, since loops carry tangents backwards.
/// </summary>
internal static class TangentLiveness
{
    /// <summary>The lines without writes to tangents in <paramref name="tangents"/> that nothing in <paramref name="outputs"/> depends on.</summary>
    public static List<CodeLine> RemoveDead(List<CodeLine> lines, ISet<string> tangents, IEnumerable<string> outputs)
    {
        var live = new HashSet<string>(outputs);
        for (int before = -1; before != live.Count;)
        {
            before = live.Count;
            MarkLive(lines, tangents, live);
        }
        return Keep(lines, tangents, live);
    }

    /// <summary>The tangent a line writes, if any.</summary>
    private static string? Written(CodeLine line, ISet<string> tangents)
    {
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
        return target is not null && tangents.Contains(target) ? target : null;
    }

    private static void MarkLive(IEnumerable<CodeLine> lines, ISet<string> tangents, HashSet<string> live)
    {
        foreach (CodeLine line in lines)
        {
            switch (line)
            {
                case IfLine branch:
                    Read(branch.Condition, live);
                    MarkLive(branch.Then, tangents, live);
                    MarkLive(branch.Else, tangents, live);
                    continue;
                case WhileLine loop:
                    Read(loop.Condition, live);
                    MarkLive(loop.Body, tangents, live);
                    continue;
                case CountdownLine countdown:
                    Read(countdown.Count, live);
                    MarkLive(countdown.Body, tangents, live);
                    continue;
            }
            if (Written(line, tangents) is string target && !live.Contains(target))
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
            }
        }
    }

    private static List<CodeLine> Keep(IEnumerable<CodeLine> lines, ISet<string> tangents, HashSet<string> live)
    {
        var kept = new List<CodeLine>();
        foreach (CodeLine line in lines)
        {
            if (Written(line, tangents) is string target && !live.Contains(target))
                continue;
            kept.Add(line switch
            {
                IfLine branch => new IfLine(branch.Condition, Keep(branch.Then, tangents, live).ToEquatableArray(), Keep(branch.Else, tangents, live).ToEquatableArray()),
                WhileLine loop => loop with { Body = Keep(loop.Body, tangents, live).ToEquatableArray() },
                CountdownLine countdown => countdown with { Body = Keep(countdown.Body, tangents, live).ToEquatableArray() },
                _ => line,
            });
        }
        return kept;
    }

    private static void Read(Expr expr, HashSet<string> live) => StatementCode.Names(expr, live);
}
