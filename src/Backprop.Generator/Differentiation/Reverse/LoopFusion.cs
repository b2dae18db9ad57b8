using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A top-level loop that only sums (<c>s += f(…)</c>, with loop-local values and an integer step) has a
/// reverse sweep that adds <c>ds · ∂f/∂…</c> for every iteration, with <c>ds</c> the same throughout. Such
/// a loop's gradient is computed during the forward loop itself, for a unit <c>ds</c>, into loop-only
/// accumulators; the reverse sweep then only scales them by <c>ds</c>. This saves the second pass over
/// the data that reverse mode otherwise needs (Rosenbrock-like sums run about twice as fast).
/// </summary>
/// <param name="Accumulator">The variable the loop sums into.</param>
/// <param name="Steps">The body's trailing integer steps (<c>i++</c>), after which nothing runs.</param>
internal sealed record LoopFusion(string Accumulator, int Steps)
{
    /// <summary>The fusion for <paramref name="loop"/>, or <c>null</c> when its reverse sweep is not a plain sum.</summary>
    /// <param name="readBefore">Variables whose values the reverse code of statements before the loop reads.</param>
    public static LoopFusion? Find(LoopStatement loop, IReadOnlyDictionary<string, int> writeCounts, ISet<string> active, ISet<string> readBefore)
    {
        EquatableArray<Statement> body = loop.Body.Statements;
        if (body.Any(s => s is not AssignStatement || s.Nodes.Any(n => n.Op is Op.Call or Op.ArrayArgument || n.Shape != ValueShape.Scalar)))
            return null;
        var assigns = body.Cast<AssignStatement>().ToList();
        int steps = 0;
        while (steps < assigns.Count && Recomputation.Inverse(assigns[assigns.Count - 1 - steps]) is not null)
            steps++;

        string? accumulator = null;
        foreach (AssignStatement assign in assigns.Take(assigns.Count - steps))
        {
            if (assign.Declares && writeCounts[assign.Target] == 1)
                continue; // a loop-local value
            if (accumulator is not null || !IsAccumulation(assign) || !active.Contains(assign.Target))
                return null;
            accumulator = assign.Target;
        }
        if (accumulator is null)
            return null;

        // Only the accumulation itself may read or write the accumulator, and nothing before the loop may need
        // the values the loop overwrites (the fused loop saves none of them).
        var written = new HashSet<string>(assigns.Select(a => a.Target));
        bool readElsewhere = assigns.Any(a => a.Target != accumulator && a.Nodes.Any(n => n.Name == accumulator))
            || loop.Nodes.Any(n => n.Name is not null && written.Contains(n.Name) && n.Name == accumulator);
        if (readElsewhere || written.Overlaps(readBefore) || assigns.Count(a => a.Target == accumulator) != 1)
            return null;
        return new LoopFusion(accumulator, steps);
    }

    /// <summary>
    /// <c>s = s + e</c>, <c>s = e + s</c> or <c>s = s − e</c>, where <c>e</c> does not read <c>s</c>. Reads are shared
    /// nodes (<c>s - f(s)</c> holds one read of <c>s</c>, used twice), so <c>e</c>'s subgraph is searched for it.
    /// </summary>
    private static bool IsAccumulation(AssignStatement assign)
    {
        Node root = assign.Nodes[assign.Value];
        if (root.Op is not (Op.Add or Op.Subtract) || !root.Type.IsFloatingPoint())
            return false;
        bool IsTarget(int id) => assign.Nodes[id] is { Op: Op.Read } read && read.Name == assign.Target;
        int? term = IsTarget(root.Arguments[0]) ? root.Arguments[1] : root.Op == Op.Add && IsTarget(root.Arguments[1]) ? root.Arguments[0] : null;
        return term is int e && !Reaches(assign.Nodes, e, IsTarget);
    }

    private static bool Reaches(EquatableArray<Node> nodes, int from, System.Func<int, bool> found)
    {
        var pending = new Stack<int>(new[] { from });
        var seen = new HashSet<int>();
        while (pending.Count > 0)
        {
            int id = pending.Pop();
            if (!seen.Add(id))
                continue;
            if (found(id))
                return true;
            foreach (int argument in nodes[id].Arguments)
                pending.Push(argument);
        }
        return false;
    }
}
