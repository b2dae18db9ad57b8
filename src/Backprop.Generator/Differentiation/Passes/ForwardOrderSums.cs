using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A peephole on top-level reverse code: an adjoint written <c>dv = a; … dv += b; … dv += c;</c>, as the reverse sweep
/// meets its contributions (last statement first), becomes one sum in the forward sweep's order, <c>dv = c + b + a;</c>,
/// where the last of them was. The terms are the same; the order is the one in which the forward sweep made the values
/// they read. Added from the latest, the sum is a serial chain that starts only once the forward sweep's last value is
/// known (PolyExp's tenth exp); added from the earliest, all but the last additions overlap with the forward sweep's
/// remaining work.
/// <para>
/// A term moves, forward or back, only when nothing between its line and the sum's writes what it reads; the sum goes
/// to the latest term's line that every term can reach, and where none is, the last contributions stay as they were.
/// Terms that pop the tape or call user methods never move. A term reading an array that is reassigned or swapped
/// (<c>rebound</c>) does not move past a line that writes any such array, which may be the one it reads.
/// </para>
/// </summary>
internal static class ForwardOrderSums
{
    public static List<CodeLine> Apply(List<CodeLine> lines, ISet<string> rebound)
    {
        var result = new List<CodeLine?>(lines);
        var mentions = new MentionIndex(result);
        var sums = new HashSet<int>();
        for (int first = 0; first < result.Count; first++)
        {
            if (FirstWrite(result[first]) is not (string name, Expr value))
                continue;
            List<(int Line, Expr Value)> terms = Contributions(result, mentions, first, name, value);
            if (Target(result, mentions, terms, rebound) is not (int count, int at))
                continue;
            terms.RemoveRange(count, terms.Count - count);
            Expr sum = Enumerable.Reverse(terms).Select(t => t.Value).Aggregate((a, b) => a + b);
            mentions.Replace(at, result[first] is DeclareLine declare ? declare with { Value = sum } : new AssignLine(new NameExpr(name, sum.Type), sum, false));
            foreach (var (line, _) in terms.Where(t => t.Line != at))
                mentions.Replace(line, null);
            sums.Add(at);
        }
        return DropEmptyBlocks(lines, result, sums);
    }

    /// <summary><c>double dv = a;</c> or <c>dv = a;</c> where <c>a</c> does not read <c>dv</c>.</summary>
    private static (string, Expr)? FirstWrite(CodeLine? line) => line switch
    {
        DeclareLine declare when !StatementCode.Reads(declare.Value, declare.Name) => (declare.Name, declare.Value),
        AssignLine { Accumulate: false, Target: NameExpr target } assign when !StatementCode.Reads(assign.Value, target.Name) => (target.Name, assign.Value),
        _ => null,
    };

    /// <summary>The first write and the <c>dv += …</c> after it, up to the first line that reads or writes <c>dv</c> otherwise.</summary>
    private static List<(int Line, Expr Value)> Contributions(List<CodeLine?> lines, MentionIndex mentions, int first, string name, Expr value)
    {
        var terms = new List<(int, Expr)> { (first, value) };
        // Lines that do not mention the name neither add to it nor end the run: only those that may are visited.
        foreach (int i in mentions.Between(name, first + 1, lines.Count))
        {
            if (lines[i] is AssignLine { Accumulate: true, Target: NameExpr target } add && target.Name == name && !StatementCode.Reads(add.Value, name))
                terms.Add((i, add.Value));
            else
                break;
        }
        return terms;
    }

    /// <summary>
    /// Where the sum goes and how many of the terms (the first ones) it takes: the most terms, at least two, that can
    /// all move to one of their lines, and the latest such line; null when no two can meet. A term may move back as well
    /// as forward: the run of contributions ends at the last, but a term whose adjoint is cleared after it
    /// (<c>dcall = 0.0;</c>) can only stay or go back, and all of them must meet in one sum. That sum is what keeps
    /// huge contributions that cancel (the same value sent back through two calls, <c>L(v) - L(v)</c>) together, before
    /// a small one is added to them. Each term can reach an interval of lines around its own (<see cref="Reach"/>),
    /// found once; the terms of a prefix meet on the lines that every interval holds.
    /// </summary>
    private static (int Count, int At)? Target(List<CodeLine?> lines, MentionIndex mentions, List<(int Line, Expr Value)> terms, ISet<string> rebound)
    {
        int n = terms.Count;
        if (n < 2)
            return null;
        int first = terms[0].Line, last = terms[n - 1].Line;
        // The highest line that every term of the first k can reach forward to.
        var highest = new int[n + 1];
        highest[0] = int.MaxValue;
        for (int k = 0; k < n; k++)
            highest[k + 1] = System.Math.Min(highest[k], Reach(lines, mentions, terms[k], first, last, rebound, forward: true));
        // Usually every term reaches the last one's line, and the terms before a line need not reach back to it: the
        // backward reaches are found only for terms after the line tried first, and for all terms when that fails.
        int latest = LastAtOrBefore(terms, n, highest[n]);
        bool allReachBack = true;
        for (int k = latest + 1; k < n && allReachBack; k++)
            allReachBack = Reach(lines, mentions, terms[k], first, last, rebound, forward: false) <= terms[latest].Line;
        if (allReachBack)
            return (n, terms[latest].Line);
        // The lowest line that every term of the first k can reach back to.
        var lowest = new int[n + 1];
        lowest[0] = int.MinValue;
        for (int k = 0; k < n; k++)
            lowest[k + 1] = System.Math.Max(lowest[k], Reach(lines, mentions, terms[k], first, last, rebound, forward: false));
        for (int count = n - 1; count >= 2; count--)
        {
            // The latest of the first count terms' lines not past what all of them reach forward to.
            latest = LastAtOrBefore(terms, count, highest[count]);
            if (latest >= 0 && terms[latest].Line >= lowest[count])
                return (count, terms[latest].Line);
        }
        return null;
    }

    /// <summary>The index of the last of the first <paramref name="count"/> terms whose line is at most <paramref name="line"/>, or -1.</summary>
    private static int LastAtOrBefore(List<(int Line, Expr Value)> terms, int count, int line)
    {
        int low = 0, high = count;
        while (low < high)
        {
            int middle = (low + high) / 2;
            if (terms[middle].Line <= line)
                low = middle + 1;
            else
                high = middle;
        }
        return low - 1;
    }

    /// <summary>
    /// The furthest line, forward up to <paramref name="last"/> or back down to <paramref name="first"/>, that a term can
    /// move to and read the same values there as at its own: the nearest line that way that writes what it reads.
    /// </summary>
    private static int Reach(List<CodeLine?> lines, MentionIndex mentions, (int Line, Expr Value) term, int first, int last, ISet<string> rebound, bool forward)
    {
        if (StatementCode.Any(term.Value, e => e is PopExpr or MethodCallExpr))
            return term.Line;
        var reads = new HashSet<string>();
        StatementCode.Names(term.Value, reads);
        if (reads.Overlaps(rebound))
            reads.UnionWith(rebound);
        int reach = forward ? last : first;
        // A line that writes a name mentions it: only those lines are visited.
        foreach (string name in reads)
        {
            foreach (int i in forward ? mentions.Between(name, term.Line + 1, reach) : mentions.BetweenDescending(name, reach + 1, term.Line))
            {
                if (lines[i] is CodeLine line && Writes(line, name))
                {
                    reach = i;
                    break;
                }
            }
        }
        return reach;
    }

    private static bool Writes(CodeLine line, string name) => line switch
    {
        DeclareLine declare => declare.Name == name,
        AssignLine { Target: NameExpr target } => target.Name == name,
        AssignLine { Target: ElementExpr element } => element.Array == name,
        CallGradientLine call => call.Outputs.Contains(name),
        CommentLine or BlankLine => false,
        _ => FirstWrites.Mentions(line, name),
    };

    /// <summary>
    /// Removes what moved and the comment of a block that has no code left, and says above each sum where its terms
    /// come from, since they are no longer in the blocks of the statements that contribute them.
    /// </summary>
    private static List<CodeLine> DropEmptyBlocks(List<CodeLine> before, List<CodeLine?> after, HashSet<int> sums)
    {
        var kept = new List<CodeLine>();
        for (int i = 0; i < after.Count; i++)
        {
            if (after[i] is not CodeLine line)
                continue;
            bool emptied = line is CommentLine && i + 1 < before.Count && before[i + 1] is not CommentLine
                && NextKept(after, i + 1) is null or CommentLine;
            if (emptied)
                continue;
            if (sums.Contains(i))
                kept.Add(new CommentLine($"{Target(line)}: the sum of what this and later statements add, in forward order"));
            kept.Add(line);
        }
        return kept;
    }

    private static CodeLine? NextKept(List<CodeLine?> lines, int from)
    {
        for (int i = from; i < lines.Count; i++)
        {
            if (lines[i] is CodeLine line)
                return line;
        }
        return null;
    }

    private static string Target(CodeLine sum) => sum switch
    {
        DeclareLine declare => declare.Name,
        AssignLine { Target: NameExpr target } => target.Name,
        _ => "",
    };
}
