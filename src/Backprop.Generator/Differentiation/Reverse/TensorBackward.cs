using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>How one argument of a statement receives its share of the gradient in the backward sweep.</summary>
internal enum Contribution
{
    /// <summary>The first share (in reverse order) of the argument's gradient: written straight into its adjoint.</summary>
    First,
    /// <summary>A later share: written into a scratch buffer, then added to the adjoint (a value used twice collects from both uses).</summary>
    Accumulate,
}

/// <summary>One item of the backward sweep.</summary>
internal abstract record ReverseItem;

/// <param name="Arguments">Per argument, the value that receives a gradient and how, or <c>null</c> when it takes none.</param>
internal sealed record AdjointStep(TensorStatement Statement, IReadOnlyList<(int Value, Contribution Kind)?> Arguments) : ReverseItem;

/// <summary>The adjoint of <paramref name="Value"/> starts at zero here: later shares, on whichever path runs, add to it.</summary>
internal sealed record ZeroAdjoint(int Value) : ReverseItem;

/// <summary>The gradient of <paramref name="From"/> flows unchanged to <paramref name="To"/> (a merged value to its branch's value, a carried one around its loop).</summary>
internal sealed record IdentityStep(int From, int To, Contribution Kind) : ReverseItem;

/// <summary>At the end of a reverse iteration the adjoint of the carried local becomes that of its value at the start of the iteration (zero when nothing there reads it).</summary>
internal sealed record CarryStep(LoopCarried Carried, bool InnerReached) : ReverseItem;

/// <param name="Zero">Adjoints of values from outside the branch that receive shares inside it, zeroed before it.</param>
internal sealed record ReverseBranch(TensorBranch Branch, IReadOnlyList<ReverseItem> Zero, IReadOnlyList<ReverseItem> Then, IReadOnlyList<ReverseItem> Else) : ReverseItem;

/// <param name="Zero">Adjoints of values from outside the loop that receive shares inside it, zeroed before it.</param>
/// <param name="After">What follows the reversed iterations: the carried locals' gradients flowing to their initial values.</param>
internal sealed record ReverseLoop(TensorLoop Loop, IReadOnlyList<ReverseItem> Zero, IReadOnlyList<ReverseItem> Body, IReadOnlyList<ReverseItem> After) : ReverseItem;

/// <summary>
/// The backward sweep of a tensor program.
/// <paramref name="Items"/>: the top-level items, last statement first;
/// <paramref name="Relevant"/>: the active values the result depends on (those that get adjoints);
/// <paramref name="Reads"/>: the forward values the sweep reads (to load or recompute).
/// </summary>
internal sealed record ReversePlan(IReadOnlyList<ReverseItem> Items, HashSet<int> Relevant, HashSet<int> Reads);

/// <summary>
/// Plans the reverse sweep of a tensor program: the statements whose results reach the returned value, last
/// first, and for each argument whether its gradient starts there or adds to an earlier share. A branch is
/// reversed arm by arm and a loop iteration by iteration, so an adjoint that gets shares inside one from a value
/// defined outside it starts at zero before it. The traversal knows no calculus: pullbacks and
/// <see cref="TensorRules"/> do.
/// </summary>
internal sealed class TensorBackward
{
    private readonly TensorFunctionSpec _function;
    private readonly HashSet<int> _relevant;
    private readonly HashSet<int> _reads = new();

    private TensorBackward(TensorFunctionSpec function, HashSet<int> relevant)
    {
        _function = function;
        _relevant = relevant;
    }

    public static ReversePlan Plan(TensorFunctionSpec function)
    {
        var planner = new TensorBackward(function, Relevance(function));
        var items = planner.Block(function.Body, new HashSet<int> { function.Result });
        planner.CloseReads();
        return new ReversePlan(items, planner._relevant, planner._reads);
    }

    /// <summary>The active values the result depends on, to a fixed point (a carried local reaches its previous iteration).</summary>
    private static HashSet<int> Relevance(TensorFunctionSpec function)
    {
        var relevant = new HashSet<int> { function.Result };
        int count;
        do
        {
            count = relevant.Count;
            Visit(function.Body);
        }
        while (relevant.Count != count);
        return relevant;

        void Visit(EquatableArray<TensorStep> steps)
        {
            for (int s = steps.Count - 1; s >= 0; s--)
            {
                switch (steps[s])
                {
                    case TensorStatement statement when relevant.Contains(statement.Result):
                        for (int a = 0; a < statement.Arguments.Count; a++)
                            AddIfActive(statement.Arguments[a].Value, TensorActivity.TakesGradient(statement, a));
                        break;
                    case TensorBranch branch:
                        foreach (BranchMerge merge in branch.Merges.Where(m => relevant.Contains(m.Result)))
                        {
                            AddIfActive(merge.Then, true);
                            AddIfActive(merge.Else, true);
                        }
                        Visit(branch.Then);
                        Visit(branch.Else);
                        break;
                    case TensorLoop loop:
                        foreach (LoopCarried carried in loop.Carried.Where(c => relevant.Contains(c.Outer) || relevant.Contains(c.Inner)))
                        {
                            AddIfActive(carried.Next, true);
                            AddIfActive(carried.Initial, true);
                        }
                        Visit(loop.Body);
                        break;
                }
            }
        }

        void AddIfActive(int? value, bool takesGradient)
        {
            if (value is int v && takesGradient && function.Values[v].Active)
                relevant.Add(v);
        }
    }

    private bool IsRelevant(int value) => _relevant.Contains(value);

    /// <summary>Reverses a block; <paramref name="initialized"/> holds the values whose adjoints already hold a share (it grows).</summary>
    private List<ReverseItem> Block(EquatableArray<TensorStep> steps, HashSet<int> initialized)
    {
        var items = new List<ReverseItem>();
        for (int s = steps.Count - 1; s >= 0; s--)
        {
            switch (steps[s])
            {
                case TensorStatement statement when statement.Op != TensorOp.Passive && IsRelevant(statement.Result):
                    items.AddRange(Statement(statement, initialized));
                    break;
                case TensorBranch branch:
                    var branchZero = ZeroOutside(branch, initialized);
                    var then = Arm(branch.Merges.Select(m => m.Then), branch.Merges, branch.Then, initialized);
                    var otherwise = Arm(branch.Merges.Select(m => m.Else), branch.Merges, branch.Else, initialized);
                    if (then.Count + otherwise.Count > 0)
                        items.Add(new ReverseBranch(branch, branchZero, then, otherwise));
                    _reads.UnionWith(branch.Condition.Reads);
                    break;
                case TensorLoop loop:
                    items.AddRange(Loop(loop, initialized));
                    break;
            }
        }
        return items;
    }

    private IEnumerable<ReverseItem> Statement(TensorStatement statement, HashSet<int> initialized)
    {
        var arguments = new List<(int, Contribution)?>();
        var zero = new List<ReverseItem>();
        for (int a = 0; a < statement.Arguments.Count; a++)
        {
            TensorOperand argument = statement.Arguments[a];
            _reads.UnionWith(argument.Reads);
            if (argument.Value is int value && IsRelevant(value) && TensorActivity.TakesGradient(statement, a))
            {
                // An array's gradient is a set of buffers that element reads add into: all of them start at zero.
                if (_function.Values[value].Kind == TensorKind.MatrixArray && !initialized.Contains(value))
                    zero.Add(Zero(value, initialized));
                arguments.Add((value, initialized.Add(value) ? Contribution.First : Contribution.Accumulate));
            }
            else
            {
                arguments.Add(null);
            }
        }
        _reads.Add(statement.Result);
        return zero.Append(new AdjointStep(statement, arguments));
    }

    private List<ReverseItem> Arm(IEnumerable<int> targets, EquatableArray<BranchMerge> merges, EquatableArray<TensorStep> steps, HashSet<int> outer)
    {
        var initialized = new HashSet<int>(outer);
        var items = new List<ReverseItem>();
        foreach (var (merge, target) in merges.Zip(targets, (m, t) => (m, t)))
        {
            if (IsRelevant(merge.Result) && IsRelevant(target))
                items.Add(new IdentityStep(merge.Result, target, initialized.Add(target) ? Contribution.First : Contribution.Accumulate));
        }
        items.AddRange(Block(steps, initialized));
        return items;
    }

    private IEnumerable<ReverseItem> Loop(TensorLoop loop, HashSet<int> initialized)
    {
        var zero = ZeroOutside(loop, initialized);
        var carried = loop.Carried.Where(c => IsRelevant(c.Outer) || IsRelevant(c.Inner)).ToList();
        foreach (LoopCarried c in carried.Where(c => !initialized.Contains(c.Outer)))
            zero.Add(Zero(c.Outer, initialized));

        var inside = new HashSet<int>(initialized);
        var body = new List<ReverseItem>();
        foreach (LoopCarried c in carried.Where(c => IsRelevant(c.Next)))
            body.Add(new IdentityStep(c.Outer, c.Next, inside.Add(c.Next) ? Contribution.First : Contribution.Accumulate));
        body.AddRange(Block(loop.Body, inside));
        foreach (LoopCarried c in carried)
        {
            bool innerReached = inside.Contains(c.Inner);
            body.Add(new CarryStep(c, innerReached));
            _reads.Add(c.Inner);
        }

        var after = carried.Where(c => IsRelevant(c.Initial))
            .Select(c => (ReverseItem)new IdentityStep(c.Outer, c.Initial, initialized.Add(c.Initial) ? Contribution.First : Contribution.Accumulate)).ToList();
        if (body.Count == 0 && after.Count == 0)
            return Enumerable.Empty<ReverseItem>();
        return new[] { new ReverseLoop(loop, zero, body, after) };
    }

    /// <summary>Zeroes the adjoints of values defined outside <paramref name="compound"/> that get shares inside it and have none yet.</summary>
    private List<ReverseItem> ZeroOutside(TensorStep compound, HashSet<int> initialized)
    {
        var definedInside = new HashSet<int>();
        var receiving = new List<int>();
        Collect(compound, definedInside, receiving);
        return receiving.Where(v => !definedInside.Contains(v) && IsRelevant(v) && !initialized.Contains(v)).Distinct().OrderBy(v => v)
            .Select(v => Zero(v, initialized)).ToList();
    }

    private ReverseItem Zero(int value, HashSet<int> initialized)
    {
        initialized.Add(value);
        _reads.Add(value);
        return new ZeroAdjoint(value);
    }

    /// <summary>The values defined inside a compound step, and those that receive gradient shares inside it.</summary>
    private void Collect(TensorStep step, HashSet<int> defined, List<int> receiving)
    {
        switch (step)
        {
            case TensorStatement statement:
                defined.Add(statement.Result);
                for (int a = 0; a < statement.Arguments.Count; a++)
                {
                    if (statement.Arguments[a].Value is int v && TensorActivity.TakesGradient(statement, a))
                        receiving.Add(v);
                }
                break;
            case TensorBranch branch:
                foreach (TensorStep inner in branch.Then.Concat(branch.Else))
                    Collect(inner, defined, receiving);
                foreach (BranchMerge merge in branch.Merges)
                {
                    defined.Add(merge.Result);
                    receiving.Add(merge.Then);
                    receiving.Add(merge.Else);
                }
                break;
            case TensorLoop loop:
                defined.UnionWith(loop.Variables.Select(v => v.Value));
                foreach (TensorStep inner in loop.Body)
                    Collect(inner, defined, receiving);
                foreach (LoopCarried carried in loop.Carried)
                {
                    defined.Add(carried.Outer);
                    defined.Add(carried.Inner);
                    receiving.Add(carried.Next);
                }
                break;
        }
    }

    /// <summary>Adds what the values read need in turn: passive values and element reads are recomputed from their arguments.</summary>
    private void CloseReads()
    {
        var definitions = new Dictionary<int, TensorStatement>();
        Index(_function.Body);
        var pending = new Stack<int>(_reads);
        while (pending.Count > 0)
        {
            if (!definitions.TryGetValue(pending.Pop(), out TensorStatement? statement) || statement.Op is not (TensorOp.Passive or TensorOp.Element))
                continue;
            foreach (int read in statement.Arguments.SelectMany(a => a.Reads))
            {
                if (_reads.Add(read))
                    pending.Push(read);
            }
        }

        void Index(EquatableArray<TensorStep> steps)
        {
            foreach (TensorStep step in steps)
            {
                switch (step)
                {
                    case TensorStatement statement:
                        definitions[statement.Result] = statement;
                        break;
                    case TensorBranch branch:
                        Index(branch.Then);
                        Index(branch.Else);
                        break;
                    case TensorLoop loop:
                        Index(loop.Body);
                        break;
                }
            }
        }
    }
}
