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
        List<CodeLine> rewritten = Walk(body.Body, new HashSet<string>(), new HashSet<string>(), renamed);
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

    /// <param name="unshared">Gradients known to be null here.</param>
    /// <param name="unwritten">Flags known to be false here (a parameter's gradient buffer not written yet).</param>
    private static List<CodeLine> Walk(IEnumerable<CodeLine> lines, HashSet<string> unshared, HashSet<string> unwritten, Dictionary<string, string> renamed)
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
                case DeclareLine { Value: NullExpr } declared:
                    result.Add(line);
                    unshared.Add(declared.Name);
                    continue;
                case AssignLine { Value: NullExpr, Accumulate: false, Target: NameExpr reset }:
                    resets[reset.Name] = result.Count;
                    result.Add(line);
                    unshared.Add(reset.Name);
                    continue;
                case DeclareLine { Type: "bool", Value: ConstantExpr { Value: 0 } } flag:
                    result.Add(line);
                    unwritten.Add(flag.Name);
                    continue;
                case DeclareLine { Value: ShareExpr { Written: null } share } declare when unshared.Contains(share.Gradient):
                    emitted = new AssignLine(new NameExpr(share.Gradient, share.Type), new SlotExpr(share.Value, null, share.Type), false);
                    renamed[declare.Name] = share.Gradient;
                    if (resets.TryGetValue(share.Gradient, out int at))
                        result[at] = null;
                    break;
                case DeclareLine { Value: ShareExpr { Written: { } written } share } declare when unwritten.Contains(written):
                    emitted = new AssignLine(new NameExpr(written, ScalarType.Bool), new ConstantExpr(1, ScalarType.Bool), false);
                    renamed[declare.Name] = share.Gradient;
                    break;
                case CollectLine { Gradient: NameExpr gradient } collect when renamed.TryGetValue(collect.Share, out string? into) && into == gradient.Name:
                    continue;
                case CallGradientLine call when call.Outputs.Any(renamed.ContainsKey):
                    emitted = call with { Outputs = call.Outputs.Select(o => renamed.TryGetValue(o, out string? into) ? into : o).ToEquatableArray() };
                    break;
                case IfLine branch:
                    string[] tested = branch.Condition is NotNullExpr notNull ? new[] { notNull.Name } : new string[0];
                    emitted = branch with
                    {
                        Then = Walk(branch.Then, Without(unshared, tested), new HashSet<string>(unwritten), renamed).ToEquatableArray(),
                        Else = Walk(branch.Else, new HashSet<string>(unshared), new HashSet<string>(unwritten), renamed).ToEquatableArray(),
                    };
                    break;
                case WhileLine loop:
                    // A later iteration meets what an earlier one wrote: only what the body never mentions is known inside.
                    emitted = loop with { Body = Walk(loop.Body, Unmentioned(unshared, loop), Unmentioned(unwritten, loop), renamed).ToEquatableArray() };
                    break;
                case CountdownLine countdown:
                    emitted = countdown with { Body = Walk(countdown.Body, Unmentioned(unshared, countdown), Unmentioned(unwritten, countdown), renamed).ToEquatableArray() };
                    break;
            }
            result.Add(emitted);
            // After a line, whatever it mentions may have been written.
            names.Clear();
            if (!FirstWrites.Mentioned(emitted, names))
            {
                unshared.Clear();
                unwritten.Clear();
            }
            unshared.ExceptWith(names);
            unwritten.ExceptWith(names);
            foreach (string name in names)
                resets.Remove(name);
        }
        return result.Where(line => line is not null).Select(line => line!).ToList();
    }

    private static HashSet<string> Without(HashSet<string> names, IEnumerable<string> removed)
    {
        var copy = new HashSet<string>(names);
        copy.ExceptWith(removed);
        return copy;
    }

    private static HashSet<string> Unmentioned(HashSet<string> names, CodeLine loop)
    {
        var mentioned = new HashSet<string>();
        return FirstWrites.Mentioned(loop, mentioned) ? Without(names, mentioned) : new HashSet<string>();
    }
}
