using System.Collections.Generic;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A peephole on top-level reverse code: where branches or loops add to a number's adjoint from two lines or more,
/// with nothing but additions to it in between, what the adjoint held before them (what later statements sent) is set
/// aside and added back after them: <c>double dv_later = dv; dv = 0.0; if (…) { dv += a; } … if (…) { dv += b; }
/// dv += dv_later;</c>.
/// <para>
/// Two guarded <c>return v;</c> of one local function, inlined for <c>L(x) - L(y)</c>, send <c>v</c> the same huge
/// value with opposite signs; added one at a time to a small adjoint, they swallow it (the sum is exactly the huge
/// values' rounding). Summed first, they cancel exactly and the small one survives. The order is the forward sweep's:
/// the blocks come from statements before the ones that sent what the adjoint held. <see cref="ForwardOrderSums"/> does
/// the same for contributions outside blocks, which it can move.
/// </para>
/// </summary>
internal static class BlockSumsFirst
{
    public static List<CodeLine> Apply(List<CodeLine> lines, NameAllocator names)
    {
        var before = new Dictionary<int, List<CodeLine>>();
        var after = new Dictionary<int, List<CodeLine>>();
        // The last line that did something other than add to each name, and the runs of additions after it.
        var lastOther = new Dictionary<string, int>();
        var runs = new Dictionary<string, Run>();
        var adds = new Dictionary<string, int>();
        var walk = new Walk();
        for (int i = 0; i < lines.Count; i++)
        {
            adds.Clear();
            walk.Other.Clear();
            if (!Mentions(lines[i], adds, walk, nested: false))
            {
                // A line of a kind not known here may read or write any adjoint.
                foreach (Run run in runs.Values)
                    Close(run, lines, names, before, after);
                runs.Clear();
                lastOther.Clear();
                continue;
            }
            foreach (string name in walk.Other)
            {
                if (runs.TryGetValue(name, out Run? run))
                {
                    Close(run, lines, names, before, after);
                    runs.Remove(name);
                }
                lastOther[name] = i;
            }
            foreach (KeyValuePair<string, int> add in adds)
            {
                if (walk.Other.Contains(add.Key))
                    continue;
                if (!runs.TryGetValue(add.Key, out Run? run))
                {
                    if (!lastOther.TryGetValue(add.Key, out int start))
                        continue;
                    runs[add.Key] = run = new Run(add.Key, start);
                }
                run.Last = i;
                run.BlockAdds += add.Value;
                run.Type = walk.Types[add.Key];
            }
        }
        foreach (Run run in runs.Values)
            Close(run, lines, names, before, after);
        var result = new List<CodeLine>();
        for (int i = 0; i < lines.Count; i++)
        {
            if (before.TryGetValue(i, out List<CodeLine>? replaced))
                result.AddRange(replaced);
            else
                result.Add(lines[i]);
            if (after.TryGetValue(i, out List<CodeLine>? added))
                result.AddRange(added);
        }
        return result;
    }

    /// <summary>The additions to one adjoint after line <see cref="Start"/>, the last line that did anything else with it.</summary>
    private sealed class Run
    {
        public Run(string name, int start)
        {
            Name = name;
            Start = start;
        }

        public string Name { get; }
        public int Start { get; }
        public int Last { get; set; } = -1;

        /// <summary>Lines inside branches and loops that add to the adjoint.</summary>
        public int BlockAdds { get; set; }

        public ScalarType Type { get; set; }
    }

    /// <summary>What walking a line collects beside its additions, and dictionaries for branches' arms, given back.</summary>
    private sealed class Walk
    {
        /// <summary>Names read or written otherwise than by an addition.</summary>
        public HashSet<string> Other { get; } = new();

        /// <summary>Each added-to adjoint's type, as its additions name it.</summary>
        public Dictionary<string, ScalarType> Types { get; } = new();

        public Stack<Dictionary<string, int>> Spare { get; } = new();

        /// <summary>A cleared dictionary for a branch's arm, from those given back.</summary>
        public Dictionary<string, int> Take()
        {
            if (Spare.Count == 0)
                return new Dictionary<string, int>();
            Dictionary<string, int> dictionary = Spare.Pop();
            dictionary.Clear();
            return dictionary;
        }
    }

    private static void Close(Run run, List<CodeLine> lines, NameAllocator names, Dictionary<int, List<CodeLine>> before, Dictionary<int, List<CodeLine>> after)
    {
        if (run.BlockAdds < 2 || before.ContainsKey(run.Start) || before.ContainsKey(run.Start + 1))
            return;
        ScalarType type = run.Type;
        // A model field's gradient is a member (gradients.W): the local is named after the field (dW_later).
        string local = Naming.Local(run.Name);
        string later = names.Allocate((local == run.Name ? local : Naming.Derivative(local)) + "_later");
        var adjoint = new NameExpr(run.Name, type);
        var comment = new CommentLine($"{run.Name}: what later statements sent waits until what the blocks below send, which may cancel, is summed");
        var zero = new AssignLine(adjoint, new ConstantExpr(0, type), false);
        switch (lines[run.Start])
        {
            case DeclareLine declare when declare.Name == run.Name && !StatementCode.Reads(declare.Value, run.Name):
                before[run.Start] = new List<CodeLine> { comment, new DeclareLine(declare.Type, later, declare.Value), declare with { Value = zero.Value } };
                break;
            case AssignLine { Accumulate: false, Target: NameExpr target } assign when target.Name == run.Name && !StatementCode.Reads(assign.Value, run.Name):
                before[run.Start] = new List<CodeLine> { comment, new DeclareLine(type.Keyword(), later, assign.Value), zero };
                break;
            default:
                before[run.Start + 1] = new List<CodeLine> { comment, new DeclareLine(type.Keyword(), later, adjoint), zero, lines[run.Start + 1] };
                break;
        }
        if (!after.TryGetValue(run.Last, out List<CodeLine>? added))
            after[run.Last] = added = new List<CodeLine>();
        added.Add(new AssignLine(adjoint, new NameExpr(later, type), true));
    }

    /// <summary>
    /// Sorts the names a line mentions: <paramref name="adds"/> counts, per name, the lines nested in branches and loops
    /// that add to it (<c>dv += t</c>, <c>t</c> not reading it; 0 for such a line at the top level; of a branch's two
    /// arms, only one runs, so the larger count), and the walk's <see cref="Walk.Other"/> takes every name read or written
    /// otherwise. False for a line of a kind not known here.
    /// </summary>
    private static bool Mentions(CodeLine line, Dictionary<string, int> adds, Walk walk, bool nested)
    {
        switch (line)
        {
            case AssignLine { Accumulate: true, Target: NameExpr target } add when target.Type is ScalarType.Double or ScalarType.Float && !StatementCode.Reads(add.Value, target.Name):
                Count(adds, target.Name, nested ? 1 : 0);
                walk.Types[target.Name] = target.Type;
                StatementCode.Names(add.Value, walk.Other);
                return true;
            case IfLine branch:
                StatementCode.Names(branch.Condition, walk.Other);
                Dictionary<string, int> then = walk.Take(), otherwise = walk.Take();
                bool known = Mentions(branch.Then, then, walk) && Mentions(branch.Else, otherwise, walk);
                if (known)
                {
                    foreach (KeyValuePair<string, int> arm in then)
                        Count(adds, arm.Key, System.Math.Max(arm.Value, otherwise.TryGetValue(arm.Key, out int elsewhere) ? elsewhere : 0));
                    foreach (KeyValuePair<string, int> arm in otherwise)
                    {
                        if (!then.ContainsKey(arm.Key))
                            Count(adds, arm.Key, arm.Value);
                    }
                }
                walk.Spare.Push(then);
                walk.Spare.Push(otherwise);
                return known;
            case WhileLine loop:
                StatementCode.Names(loop.Condition, walk.Other);
                return Mentions(loop.Body, adds, walk);
            case CountdownLine countdown:
                StatementCode.Names(countdown.Count, walk.Other);
                return Mentions(countdown.Body, adds, walk);
            default:
                return FirstWrites.Mentioned(line, walk.Other);
        }
    }

    private static bool Mentions(EquatableArray<CodeLine> lines, Dictionary<string, int> adds, Walk walk)
    {
        foreach (CodeLine line in lines)
        {
            if (!Mentions(line, adds, walk, nested: true))
                return false;
        }
        return true;
    }

    private static void Count(Dictionary<string, int> adds, string name, int lines) =>
        adds[name] = (adds.TryGetValue(name, out int count) ? count : 0) + lines;
}
