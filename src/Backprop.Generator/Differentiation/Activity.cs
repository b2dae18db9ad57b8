using System.Collections.Generic;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Which nodes matter. <see cref="Live"/>: the result depends on it at all. <see cref="Active"/>: it
/// depends on a differentiable parameter and the result depends on it differentiably, so it needs an
/// adjoint; everything else gets none.
/// </summary>
internal sealed class Activity
{
    private Activity(bool[] live, bool[] active, int[] uses)
    {
        Live = live;
        Active = active;
        Uses = uses;
    }

    public bool[] Live { get; }

    public bool[] Active { get; }

    /// <summary>How many live nodes use each node as an argument.</summary>
    public int[] Uses { get; }

    public static Activity Analyze(FunctionSpec function, int result)
    {
        EquatableArray<Node> nodes = function.Body.Nodes;
        var differentiable = new HashSet<string>();
        foreach (ParameterSpec parameter in function.Parameters)
        {
            if (parameter.Role != ParameterRole.Passive)
                differentiable.Add(parameter.Name);
        }

        var varied = new bool[nodes.Count];
        foreach (Node node in nodes)
        {
            varied[node.Id] = node.Op == Op.Parameter
                ? differentiable.Contains(node.Name!)
                : node.Type.IsFloatingPoint() && AnyArgumentVaries(node, varied, nodes);
        }

        var live = new bool[nodes.Count];
        var useful = new bool[nodes.Count];
        var uses = new int[nodes.Count];
        live[result] = true;
        useful[result] = true;
        for (int id = nodes.Count - 1; id >= 0; id--)
        {
            if (!live[id])
                continue;
            Node node = nodes[id];
            for (int i = 0; i < node.Arguments.Count; i++)
            {
                int argument = node.Arguments[i];
                live[argument] = true;
                uses[argument]++;
                if (useful[id] && Rules.Propagates(node.Op, i, nodes[argument].Type))
                    useful[argument] = true;
            }
        }

        var active = new bool[nodes.Count];
        for (int id = 0; id < nodes.Count; id++)
            active[id] = varied[id] && useful[id];
        return new Activity(live, active, uses);
    }

    private static bool AnyArgumentVaries(Node node, bool[] varied, EquatableArray<Node> nodes)
    {
        for (int i = 0; i < node.Arguments.Count; i++)
        {
            if (varied[node.Arguments[i]] && Rules.Propagates(node.Op, i, nodes[node.Arguments[i]].Type))
                return true;
        }
        return false;
    }
}
