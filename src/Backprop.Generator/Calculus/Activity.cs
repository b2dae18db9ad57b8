using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Calculus;

/// <summary>
/// Which variables need adjoints: those that depend on a differentiable parameter (varied) and that
/// the result depends on differentiably (useful). Both are fixpoints over all statements, since a loop
/// carries values backwards through the source. Everything else gets no adjoint code.
/// </summary>
internal sealed class Activity
{
    private readonly HashSet<string> _varied = new();

    private Activity(FunctionSpec function)
    {
        foreach (ParameterSpec parameter in function.Inputs)
        {
            if (parameter.Role != ParameterRole.Passive)
                _varied.Add(parameter.Name);
        }
    }

    /// <summary>The floating-point variables (scalars and arrays) that carry adjoints.</summary>
    public HashSet<string> Active { get; } = new();

    public static Activity Analyze(FunctionSpec function, Dictionary<string, VariableSpec> variables)
    {
        var activity = new Activity(function);
        // A write through one name of an array reaches every name that may refer to it, and a read through any of them
        // makes it useful: names that may share an array are one variable here.
        ArrayAliases aliases = ArrayAliases.Of(function.Body, variables);
        List<(Statement Statement, string Target, int Value)> writes = Statements.All(function.Body.Body)
            .Select(s => (s, Statements.Write(s)))
            .Where(w => w.Item2 is not null)
            .Select(w => (w.s, w.Item2!.Value.Target, w.Item2!.Value.Value))
            .ToList();

        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var (statement, target, value) in writes)
            {
                if (!activity._varied.Contains(target) && activity.Varied(statement.Nodes)[value])
                    changed |= activity._varied.Add(target);
            }
            changed |= aliases.Close(activity._varied);
        }

        var useful = new HashSet<string>(function.Body.Outputs) { function.Body.Result };
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var (statement, target, value) in writes)
            {
                if (!useful.Contains(target))
                    continue;
                bool[] reached = Reached(statement.Nodes, value);
                foreach (Node node in statement.Nodes)
                {
                    if (reached[node.Id] && node.Op is Op.Read or Op.Element or Op.ArrayArgument)
                        changed |= useful.Add(node.Name!);
                }
            }
            changed |= aliases.Close(useful);
        }

        foreach (string name in activity._varied)
        {
            if (useful.Contains(name) && variables[name].Type.IsFloatingPoint())
                activity.Active.Add(name);
        }
        return activity;
    }

    /// <summary>
    /// The call arguments that vary with the differentiable parameters but go to a parameter the callee does not
    /// differentiate: the derivative through them would be silently lost.
    /// </summary>
    public IEnumerable<UndifferentiatedParameter> LostDerivatives(Block body)
    {
        foreach (Statement statement in Statements.All(body))
        {
            bool[]? varied = null;
            foreach (Node node in statement.Nodes)
            {
                if (node.Call is null)
                    continue;
                foreach (UndifferentiatedParameter parameter in node.Call.Undifferentiated)
                {
                    varied ??= Varied(statement.Nodes);
                    if (varied[node.Arguments[parameter.Ordinal]])
                        yield return parameter;
                }
            }
        }
    }

    /// <summary>Nodes of a statement that carry an adjoint when its target does: varied, and on a differentiable path to <paramref name="root"/>.</summary>
    public bool[] ActiveNodes(EquatableArray<Node> nodes, int root)
    {
        bool[] varied = Varied(nodes);
        bool[] reached = Reached(nodes, root);
        var active = new bool[nodes.Count];
        for (int id = 0; id < nodes.Count; id++)
            active[id] = varied[id] && reached[id];
        return active;
    }

    private bool[] Varied(EquatableArray<Node> nodes)
    {
        var varied = new bool[nodes.Count];
        foreach (Node node in nodes)
        {
            if (node.Op is Op.Read or Op.Element or Op.ArrayArgument)
            {
                varied[node.Id] = node.Type.IsFloatingPoint() && _varied.Contains(node.Name!);
                continue;
            }
            for (int i = 0; i < node.Arguments.Count && node.Type.IsFloatingPoint(); i++)
                varied[node.Id] |= varied[node.Arguments[i]] && Rules.Propagates(node, i, nodes[node.Arguments[i]].Type);
        }
        return varied;
    }

    /// <summary>Nodes <paramref name="root"/> depends on differentiably.</summary>
    private static bool[] Reached(EquatableArray<Node> nodes, int root)
    {
        var reached = new bool[nodes.Count];
        reached[root] = true;
        for (int id = root; id >= 0; id--)
        {
            if (!reached[id])
                continue;
            Node node = nodes[id];
            for (int i = 0; i < node.Arguments.Count; i++)
            {
                if (Rules.Propagates(node, i, nodes[node.Arguments[i]].Type))
                    reached[node.Arguments[i]] = true;
            }
        }
        return reached;
    }
}
