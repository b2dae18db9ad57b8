using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A peephole on reverse code: an adjoint starts at zero and only ever accumulates, but when its first
/// mention is an unconditional <c>dz += v</c> at the top level, that is simply <c>double dz = v</c>.
/// Straight-line code then reads as plain assignments, and the JIT need not add to a zero (which it may
/// not fold away: 0.0 + −0.0 is +0.0) or store an out parameter twice.
/// </summary>
internal static class FirstWrites
{
    public static (List<CodeLine> Initial, List<CodeLine> Reverse) Apply(List<CodeLine> initial, List<CodeLine> reverse)
    {
        Dictionary<string, int> firstMentions = FirstMentions(reverse, out int firstOpaque);
        var keptInitial = new List<CodeLine>();
        var replaced = new Dictionary<int, CodeLine>();
        foreach (CodeLine line in initial)
        {
            (string name, bool declares) = line switch
            {
                DeclareLine { Value: ConstantExpr { Value: 0 } } declare => (declare.Name, true),
                AssignLine { Target: NameExpr target, Value: ConstantExpr { Value: 0 }, Accumulate: false } => (target.Name, false),
                _ => ("", false),
            };
            int first = name.Length == 0 ? -1 : Math.Min(firstMentions.TryGetValue(name, out int at) ? at : int.MaxValue, firstOpaque);
            if (first >= 0 && first < reverse.Count && !replaced.ContainsKey(first) && reverse[first] is AssignLine { Accumulate: true, Target: NameExpr written } add
                && written.Name == name && !Reads(add.Value, name))
            {
                replaced[first] = declares ? new DeclareLine(((DeclareLine)line).Type, name, add.Value) : add with { Accumulate = false };
                continue;
            }
            keptInitial.Add(line);
        }
        return (keptInitial, reverse.Select((l, i) => replaced.TryGetValue(i, out CodeLine? r) ? r : l).ToList());
    }

    /// <summary>
    /// The first line that mentions each name, in one pass over the lines (each line's expressions walked once);
    /// <paramref name="firstOpaque"/> is the first line of a kind that may mention any name (or the count of lines).
    /// </summary>
    private static Dictionary<string, int> FirstMentions(List<CodeLine> lines, out int firstOpaque)
    {
        var first = new Dictionary<string, int>();
        var names = new HashSet<string>();
        for (int i = 0; i < lines.Count; i++)
        {
            names.Clear();
            if (!Mentioned(lines[i], names))
            {
                firstOpaque = i;
                return first;
            }
            foreach (string name in names)
            {
                if (!first.ContainsKey(name))
                    first[name] = i;
            }
        }
        firstOpaque = lines.Count;
        return first;
    }

    /// <summary>Whether a line (or anything nested in it) reads or writes <paramref name="name"/>.</summary>
    public static bool Mentions(CodeLine line, string name)
    {
        var names = new HashSet<string>();
        return !Mentioned(line, names) || names.Contains(name);
    }

    /// <summary>
    /// Adds every name a line (or anything nested in it) reads or writes to <paramref name="into"/>; false for a line
    /// of a kind not known here, which may mention any name.
    /// </summary>
    public static bool Mentioned(CodeLine line, ISet<string> into)
    {
        switch (line)
        {
            case DeclareLine declare:
                into.Add(declare.Name);
                StatementCode.Names(declare.Value, into);
                return true;
            case AssignLine assign:
                StatementCode.Names(assign.Target, into);
                StatementCode.Names(assign.Value, into);
                return true;
            case PushLine push:
                StatementCode.Names(push.Value, into);
                return true;
            case SwapLine swap:
                into.Add(swap.A);
                into.Add(swap.B);
                return true;
            case IfLine branch:
                StatementCode.Names(branch.Condition, into);
                return branch.Then.All(l => Mentioned(l, into)) && branch.Else.All(l => Mentioned(l, into));
            case WhileLine loop:
                StatementCode.Names(loop.Condition, into);
                return loop.Body.All(l => Mentioned(l, into));
            case CountdownLine countdown:
                StatementCode.Names(countdown.Count, into);
                return countdown.Body.All(l => Mentioned(l, into));
            case CallGradientLine call:
                foreach (Expr argument in call.Arguments)
                    StatementCode.Names(argument, into);
                foreach (string output in call.Outputs)
                    into.Add(output);
                return true;
            case CallTangentLine call:
                foreach (Expr argument in call.Arguments)
                    StatementCode.Names(argument, into);
                into.Add(call.Derivative);
                return true;
            case AddScaledLine add:
                into.Add(add.Target);
                into.Add(add.Source);
                StatementCode.Names(add.Scale, into);
                return true;
            case OperationLine operation:
                into.Add(operation.Destination);
                foreach (Expr argument in operation.Arguments)
                    StatementCode.Names(argument, into);
                return true;
            case CollectLine collect:
                StatementCode.Names(collect.Gradient, into);
                into.Add(collect.Share);
                return true;
            case PassLine pass:
                into.Add(pass.Gradient);
                if (pass.Written is not null)
                    into.Add(pass.Written);
                StatementCode.Names(pass.Share, into);
                return true;
            case FinishLine finish:
                into.Add(finish.Written);
                into.Add(finish.Gradient);
                return true;
            case CopyMatrixLine copy:
                into.Add(copy.Source);
                into.Add(copy.Destination);
                return true;
            case CommentLine or BlankLine:
                return true;
            default:
                return false;
        }
    }

    private static bool Reads(Expr expr, string name) => StatementCode.Reads(expr, name);
}
