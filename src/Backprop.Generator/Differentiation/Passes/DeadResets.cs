using System.Collections.Generic;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A peephole on a gradient method's code: the reverse sweep sets an adjoint back to zero once its statement has sent
/// it on (<c>dstretch = 0.0;</c>), for whatever adds to it next. When the adjoint is a local declared in the same block
/// and nothing after the reset in that block mentions it, nothing adds to it next: a loop's body declares it afresh
/// each iteration, and outside the block it does not exist. Such resets are dropped; they were a line of generated
/// code each (in a loop over struct members, one per member), which the user reads and the compiler compiles.
/// </summary>
internal static class DeadResets
{
    /// <param name="lines">The method's lines, every block of them.</param>
    /// <param name="result">What the method returns after the lines, which they must keep.</param>
    public static List<CodeLine> Apply(List<CodeLine> lines, Expr result)
    {
        var live = new HashSet<string>();
        StatementCode.Names(result, live);
        return Block(lines, live, out _);
    }

    /// <summary>
    /// The block without its dead resets. <paramref name="live"/> holds the names mentioned after the block (for a
    /// nested block: none it can declare), and on return every name the block mentions too; <paramref name="opaque"/>
    /// says a line of a kind not known here, which may mention any name, was met.
    /// </summary>
    private static List<CodeLine> Block(IReadOnlyList<CodeLine> lines, HashSet<string> live, out bool opaque)
    {
        var declared = new HashSet<string>();
        foreach (CodeLine line in lines)
        {
            if (line is DeclareLine declare)
                declared.Add(declare.Name);
        }
        opaque = false;
        var kept = new List<CodeLine>(lines.Count);
        for (int i = lines.Count - 1; i >= 0; i--)
        {
            CodeLine line = Nested(lines[i], live, ref opaque);
            if (!opaque && line is AssignLine { Accumulate: false, Target: NameExpr target, Value: ConstantExpr { Value: 0 } }
                && declared.Contains(target.Name) && !live.Contains(target.Name))
                continue;
            if (!FirstWrites.Mentioned(line, live))
                opaque = true;
            kept.Add(line);
        }
        kept.Reverse();
        return kept;
    }

    /// <summary>The line with the dead resets of the blocks it holds dropped; a block's names join <paramref name="live"/> when the line's own are added.</summary>
    private static CodeLine Nested(CodeLine line, HashSet<string> live, ref bool opaque)
    {
        switch (line)
        {
            case IfLine branch:
                return branch with { Then = Inner(branch.Then, live, ref opaque), Else = Inner(branch.Else, live, ref opaque) };
            case WhileLine loop:
                return loop with { Body = Inner(loop.Body, live, ref opaque) };
            case CountdownLine countdown:
                return countdown with { Body = Inner(countdown.Body, live, ref opaque) };
            default:
                return line;
        }
    }

    /// <summary>
    /// A nested block, walked with the names live after its line. Names are unique in a method, so a name the block
    /// declares is mentioned nowhere outside it (and is fresh in each run of a loop's body), and one it does not
    /// declare it never drops: the block's names may join <paramref name="live"/> as they are found.
    /// </summary>
    private static EquatableArray<CodeLine> Inner(EquatableArray<CodeLine> lines, HashSet<string> live, ref bool opaque)
    {
        if (lines.Count == 0)
            return lines;
        List<CodeLine> kept = Block(lines, live, out bool innerOpaque);
        opaque |= innerOpaque;
        return kept.ToEquatableArray();
    }
}
