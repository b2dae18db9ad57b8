using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Ways to bring back an overwritten value without the tape, which is where loop gradients spend
/// their time: an integer step (<c>i++</c>, <c>k -= 2</c>) is undone exactly by the opposite step, and a
/// local declared in a loop body is computed again in the reverse iteration, from inputs that are
/// restored by then. Everything else is saved.
/// </summary>
internal static class Recomputation
{
    /// <summary>For <c>v = v ± c</c> on an integer variable: the statement that undoes it, <c>v = v ∓ c</c>.</summary>
    public static Expr? Inverse(AssignStatement assign)
    {
        Node root = assign.Nodes[assign.Value];
        if (root.Type is not (ScalarType.Int or ScalarType.Long) || root.Op is not (Op.Add or Op.Subtract))
            return null;
        Node left = assign.Nodes[root.Arguments[0]], right = assign.Nodes[root.Arguments[1]];
        bool readsTarget(Node n) => n.Op == Op.Read && n.Name == assign.Target;
        var target = new NameExpr(assign.Target, root.Type);
        if (readsTarget(left) && right.Op == Op.Constant)
            return Expr.Raw.Binary(root.Op == Op.Add ? BinaryOperator.Subtract : BinaryOperator.Add, target, new ConstantExpr(right.Value, root.Type), root.Type);
        if (root.Op == Op.Add && readsTarget(right) && left.Op == Op.Constant)
            return Expr.Raw.Binary(BinaryOperator.Subtract, target, new ConstantExpr(left.Value, root.Type), root.Type);
        return null;
    }

    /// <summary>
    /// The declarations in a loop body whose values the reverse sweep needs and that it recomputes instead of restoring, each
    /// with the index of the body statement before whose reverse code it is recomputed. A declaration
    /// qualifies when it is its variable's only write, calls nothing, and every statement after it that
    /// reads the variable comes before the first statement after it that changes one of its inputs. The
    /// reverse sweep recomputes it once every change to its inputs made after it has been undone: just
    /// after the reverse code of that first change. (A statement that both reads it and changes an input,
    /// <c>double e = a[j]; a[1] += Cos(e);</c>, restores the input before it reads the value: it disqualifies.)
    /// Names that may share an array (<paramref name="aliases"/>) count as one: a write through one changes what the others read.
    /// A local array given another array is not recomputed: its derivative buffer goes with it, and both are restored.
    /// </summary>
    public static List<(AssignStatement Local, int Before)> LoopLocals(Block body, IReadOnlyDictionary<string, int> writeCounts, IReadOnlyDictionary<string, VariableSpec> variables,
        Func<string, bool> needed, ArrayAliases aliases)
    {
        var chosen = new List<(AssignStatement Local, int Before)>();
        var statements = body.Statements;
        HashSet<string>[] reads = statements.Select(s => Canonical(Reads(s), aliases)).ToArray();
        HashSet<string>[] writes = statements.Select(s => Canonical(Writes(s), aliases)).ToArray();
        // Found once for the body, not by scanning the statements after each declaration: where each name is
        // written (in order), the last statement reading it, and when each chosen local is recomputed.
        var writtenAt = new Dictionary<string, List<int>>();
        var lastRead = new Dictionary<string, int>();
        for (int j = 0; j < statements.Count; j++)
        {
            foreach (string name in writes[j])
            {
                if (!writtenAt.TryGetValue(name, out List<int>? at))
                    writtenAt[name] = at = new List<int>();
                at.Add(j);
            }
            foreach (string name in reads[j])
                lastRead[name] = j;
        }
        var recomputedBefore = new Dictionary<string, int>();
        for (int k = 0; k < statements.Count; k++)
        {
            if (statements[k] is not AssignStatement { Declares: true } declaration || !needed(declaration.Target) || writeCounts[declaration.Target] != 1
                || declaration.Nodes.Any(n => n.Op is Op.Call or Op.PassiveCall) || variables[declaration.Target].IsArray)
                continue;
            HashSet<string> inputs = Canonical(Inputs(declaration, variables), aliases);
            int firstChange = statements.Count;
            foreach (string input in inputs)
            {
                if (writtenAt.TryGetValue(input, out List<int>? at) && FirstAfter(at, k) is int change && change < firstChange)
                    firstChange = change;
            }
            int before = firstChange - 1;
            bool readTooLate = lastRead.TryGetValue(declaration.Target, out int last) && last >= firstChange;
            // An input computed by another recomputed declaration must be ready first.
            bool dependencyLate = inputs.Any(input => recomputedBefore.TryGetValue(input, out int other) && other < before);
            if (!readTooLate && !dependencyLate)
            {
                chosen.Add((declaration, before));
                recomputedBefore[declaration.Target] = before;
            }
        }
        return chosen;
    }

    /// <summary>The first of the ascending <paramref name="indices"/> greater than <paramref name="k"/>, or null.</summary>
    private static int? FirstAfter(List<int> indices, int k)
    {
        int low = 0, high = indices.Count;
        while (low < high)
        {
            int middle = (low + high) / 2;
            if (indices[middle] <= k)
                low = middle + 1;
            else
                high = middle;
        }
        return low < indices.Count ? indices[low] : null;
    }

    /// <summary>The variables (and local arrays) a statement's value is computed from.</summary>
    public static HashSet<string> Inputs(Statement statement, IReadOnlyDictionary<string, VariableSpec> variables) =>
        new(statement.Nodes.Where(n => n.Op == Op.Read || (n.Op is Op.Element or Op.Length or Op.ArrayArgument && variables[n.Name!].Kind != VariableKind.Parameter)).Select(n => n.Name!));

    private static HashSet<string> Canonical(HashSet<string> names, ArrayAliases aliases) => new(names.Select(aliases.Representative));

    private static HashSet<string> Reads(Statement statement) =>
        new(Statements.All(new Block(new EquatableArray<Statement>(new[] { statement })))
            .SelectMany(s => s.Nodes).Where(n => n.Op is Op.Read or Op.Element or Op.Length or Op.ArrayArgument).Select(n => n.Name!));

    private static HashSet<string> Writes(Statement statement) =>
        new(Statements.All(new Block(new EquatableArray<Statement>(new[] { statement })))
            .SelectMany(s => s is SwapStatement swap ? new[] { swap.A, swap.B } : Statements.Write(s) is var (target, _) ? new[] { target } : Array.Empty<string>()));
}
