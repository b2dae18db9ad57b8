using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Which values of a tensor program depend on a differentiable parameter. Straight-line code knows that as it is
/// lowered; a loop-carried local does not until its body is, so the flags are settled here, to a fixed point.
/// </summary>
internal static class TensorActivity
{
    public static EquatableArray<TensorValue> Settle(IReadOnlyList<TensorValue> values, EquatableArray<TensorStep> body)
    {
        var active = new bool[values.Count];
        foreach (TensorValue value in values.Where(v => v.IsParameter))
            active[value.Id] = value.Active;
        bool changed = true;
        while (changed)
        {
            changed = false;
            Visit(body, active, ref changed);
        }
        return values.Select(v => v with { Active = active[v.Id] && v.Kind != TensorKind.Passive }).ToEquatableArray();
    }

    /// <summary>Whether argument <paramref name="argument"/> of <paramref name="statement"/> passes a gradient back (its rule or pullback takes one).</summary>
    public static bool TakesGradient(TensorStatement statement, int argument) =>
        statement.Op != TensorOp.Passive && (statement.Call is not { } call || call.Pullback is not null && call.Gradients[argument]);

    private static void Visit(EquatableArray<TensorStep> steps, bool[] active, ref bool changed)
    {
        foreach (TensorStep step in steps)
        {
            switch (step)
            {
                case TensorStatement statement:
                    bool any = false;
                    for (int i = 0; i < statement.Arguments.Count; i++)
                        any |= statement.Arguments[i].Value is int v && active[v] && TakesGradient(statement, i);
                    Set(statement.Result, any, active, ref changed);
                    break;
                case TensorBranch branch:
                    Visit(branch.Then, active, ref changed);
                    Visit(branch.Else, active, ref changed);
                    foreach (BranchMerge merge in branch.Merges)
                        Set(merge.Result, active[merge.Then] || active[merge.Else], active, ref changed);
                    break;
                case TensorLoop loop:
                    foreach (LoopCarried carried in loop.Carried)
                        Set(carried.Inner, active[carried.Initial] || active[carried.Next], active, ref changed);
                    Visit(loop.Body, active, ref changed);
                    foreach (LoopCarried carried in loop.Carried)
                        Set(carried.Outer, active[carried.Inner], active, ref changed);
                    break;
            }
        }
    }

    private static void Set(int value, bool isActive, bool[] active, ref bool changed)
    {
        if (isActive && !active[value])
        {
            active[value] = true;
            changed = true;
        }
    }
}
