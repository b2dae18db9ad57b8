using System.Collections.Generic;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A peephole after <see cref="FirstShares"/>: the reverse sweep guards each statement's block with
/// <c>if (dh is not null)</c>, but right after <c>dh = arena.Like(h)</c> (a first share), with nothing since that may
/// have set <c>dh</c> again (or after <c>arena.Pass(ref dh, d)</c> of a matrix known to be there), the guard always
/// holds and its lines take its place. Pullbacks and collects write into a gradient's matrix, never replace it, so they
/// keep what is known.
/// </summary>
internal static class KnownGuards
{
    public static MethodBody Apply(MethodBody body)
    {
        bool changed = false;
        List<CodeLine> lines = Walk(body.Body, new JournaledSet(), ref changed);
        return changed ? body with { Body = lines.ToEquatableArray() } : body;
    }

    /// <param name="made">Gradients known to hold a matrix here.</param>
    private static List<CodeLine> Walk(IEnumerable<CodeLine> lines, JournaledSet made, ref bool changed)
    {
        var result = new List<CodeLine>();
        var names = new HashSet<string>();
        foreach (CodeLine line in lines)
        {
            switch (line)
            {
                case AssignLine { Target: NameExpr target, Value: SlotExpr, Accumulate: false }:
                    result.Add(line);
                    made.Add(target.Name);
                    continue;
                case PassLine { Written: null, Share: NameExpr passed } pass when made.Contains(passed.Name):
                    // Passing on a matrix leaves the local holding one: the matrix itself, or its own with the matrix added in.
                    result.Add(line);
                    made.Add(pass.Gradient);
                    continue;
                case IfLine { Condition: NotNullExpr tested, Else.Count: 0 } guard when made.Contains(tested.Name):
                    // The block's lines run where the guard stood, and what they do is known after them as after any line.
                    result.AddRange(Walk(guard.Then, made, ref changed));
                    changed = true;
                    continue;
                case IfLine branch:
                {
                    int before = made.Mark;
                    var then = Walk(branch.Then, made, ref changed);
                    made.Undo(before);
                    var otherwise = Walk(branch.Else, made, ref changed);
                    made.Undo(before);
                    result.Add(branch with { Then = then.ToEquatableArray(), Else = otherwise.ToEquatableArray() });
                    break;
                }
                case WhileLine or CountdownLine:
                {
                    // A later iteration meets what an earlier one replaced: only what the body never replaces is known inside.
                    int before = made.Mark;
                    Forget(line, made, names);
                    result.Add(line is WhileLine loop
                        ? loop with { Body = Walk(loop.Body, made, ref changed).ToEquatableArray() }
                        : (CountdownLine)line with { Body = Walk(((CountdownLine)line).Body, made, ref changed).ToEquatableArray() });
                    made.Undo(before);
                    break;
                }
                default:
                    result.Add(line);
                    break;
            }
            Forget(result[result.Count - 1], made, names);
        }
        return result;
    }

    /// <summary>
    /// Drops from <paramref name="made"/> every name <paramref name="line"/> may set to another matrix or to null: every
    /// name it mentions, but for the lines known to write only into the matrices they are given.
    /// </summary>
    private static void Forget(CodeLine line, JournaledSet made, HashSet<string> names)
    {
        switch (line)
        {
            case CallGradientLine call:
                // A buffer output is written into; an output that is not a buffer is declared by the call (out var).
                for (int i = 0; i < call.Outputs.Count; i++)
                {
                    if (!call.Buffers[i])
                        made.Remove(call.Outputs[i]);
                }
                return;
            case CollectLine or FinishLine or CommentLine or BlankLine:
                return;
        }
        made.RemoveMentioned(line, names);
    }
}
