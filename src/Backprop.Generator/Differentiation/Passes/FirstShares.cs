using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A peephole on the reverse code of matrices: a pullback writes a share of a gradient into
/// <c>arena.Share(ref dh, h)</c>, which is <c>dh</c> itself when <c>dh</c> has no share yet, and <c>arena.Collect</c>
/// then adds nothing. Where the code can see that <c>dh</c> is still null (declared so, or just passed on with
/// <c>dh = null</c>, and nothing since that may have written it), the share is <c>dh = arena.Like(h)</c> and the pullback
/// writes into <c>dh</c>; likewise a parameter's gradient buffer not yet written is the pullback's destination after
/// <c>dWWritten = true</c>. The same slots are taken in the same order; the code reads as what it does, and the compiler
/// binds two calls fewer per share. A reset to null that such a share overwrites at once (<c>dh = null;</c> then
/// <c>dh = arena.Like(h);</c>) is dropped.
/// </summary>
internal static class FirstShares
{
    public static MethodBody Apply(MethodBody body)
    {
        var renamed = new Dictionary<string, string>();
        List<CodeLine> rewritten = Walk(body.Body, new JournaledSet(), renamed);
        if (renamed.Count == 0)
            return body;
        // A share is read only by its pullback and its collect (GradientBuilder.Share); should another line read one, it
        // would dangle: keep the code as it was. (Lines of the kinds Mentioned does not know, the prologue's and epilogue's
        // plumbing, name no share.)
        var mentioned = new HashSet<string>();
        foreach (CodeLine line in rewritten)
            FirstWrites.Mentioned(line, mentioned);
        if (renamed.Keys.Any(mentioned.Contains))
            return body;
        return body with { Body = rewritten.ToEquatableArray() };
    }

    /// <param name="known">Gradients known to be null here, and flags known to be false (a parameter's gradient buffer not written yet).</param>
    private static List<CodeLine> Walk(IEnumerable<CodeLine> lines, JournaledSet known, Dictionary<string, string> renamed)
    {
        var result = new List<CodeLine?>();
        var names = new HashSet<string>();
        // Where in this block a gradient was last set to null with nothing reading it since: a first share right after
        // overwrites it, and the reset goes.
        var resets = new Dictionary<string, int>();
        foreach (CodeLine line in lines)
        {
            CodeLine emitted = line;
            switch (line)
            {
                case DeclareLine { Value: NullExpr } or DeclareLine { Type: "bool", Value: ConstantExpr { Value: 0 } }:
                    result.Add(line);
                    known.Add(((DeclareLine)line).Name);
                    continue;
                case AssignLine { Value: NullExpr, Accumulate: false, Target: NameExpr reset }:
                    resets[reset.Name] = result.Count;
                    result.Add(line);
                    known.Add(reset.Name);
                    continue;
                case DeclareLine { Value: ShareExpr { Written: null } share } declare when known.Contains(share.Gradient):
                    emitted = new AssignLine(new NameExpr(share.Gradient, share.Type), new SlotExpr(share.Value, null, share.Type), false);
                    renamed[declare.Name] = share.Gradient;
                    if (resets.TryGetValue(share.Gradient, out int at))
                        result[at] = null;
                    break;
                case DeclareLine { Value: ShareExpr { Written: { } written } share } declare when known.Contains(written):
                    emitted = new AssignLine(new NameExpr(written, ScalarType.Bool), new ConstantExpr(1, ScalarType.Bool), false);
                    renamed[declare.Name] = share.Gradient;
                    break;
                case CollectLine { Gradient: NameExpr gradient } collect when renamed.TryGetValue(collect.Share, out string? into) && into == gradient.Name:
                    continue;
                case CallGradientLine call when call.Outputs.Any(renamed.ContainsKey):
                    emitted = call with { Outputs = call.Outputs.Select(o => renamed.TryGetValue(o, out string? into) ? into : o).ToEquatableArray() };
                    break;
                case IfLine branch:
                {
                    // Each branch starts from what is known before the if (in the then branch of `if (dh is not null)`, not dh).
                    int before = known.Mark;
                    if (branch.Condition is NotNullExpr tested)
                        known.Remove(tested.Name);
                    var then = Walk(branch.Then, known, renamed);
                    known.Undo(before);
                    var otherwise = Walk(branch.Else, known, renamed);
                    known.Undo(before);
                    emitted = branch with { Then = then.ToEquatableArray(), Else = otherwise.ToEquatableArray() };
                    break;
                }
                case WhileLine or CountdownLine:
                {
                    // A later iteration meets what an earlier one wrote: only what the body never mentions is known inside.
                    int before = known.Mark;
                    known.RemoveMentioned(line, names);
                    emitted = line is WhileLine loop
                        ? loop with { Body = Walk(loop.Body, known, renamed).ToEquatableArray() }
                        : (CountdownLine)line with { Body = Walk(((CountdownLine)line).Body, known, renamed).ToEquatableArray() };
                    known.Undo(before);
                    break;
                }
            }
            result.Add(emitted);
            // After a line, whatever it mentions may have been written.
            known.RemoveMentioned(emitted, names);
            foreach (string name in names)
                resets.Remove(name);
        }
        return result.Where(line => line is not null).Select(line => line!).ToList();
    }
}
