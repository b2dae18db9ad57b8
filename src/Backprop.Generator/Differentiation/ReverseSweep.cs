using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>An adjoint assignment before naming: <c>d{Node} = Value</c> or <c>d{Node} += Value</c>.</summary>
internal sealed record AdjointLine(int Node, Expr Value, bool Accumulate) : CodeLine;

/// <summary>
/// The reverse pass: statements last to first, and within each the nodes it created, last to first,
/// applying each node's rule to send its adjoint to its arguments. The traversal knows no calculus.
/// Adjoints of values made in the same statement stay symbolic and are inlined; adjoints of values
/// made by earlier statements (variables, parameters) accumulate in named locals, so each block holds
/// exactly the code that differentiates its statement.
/// </summary>
internal sealed class ReverseSweep
{
    private readonly EquatableArray<Node> _nodes;
    private readonly Activity _activity;
    private readonly Dictionary<int, Expr> _pending = new();
    private readonly HashSet<int> _declared = new();

    private ReverseSweep(EquatableArray<Node> nodes, Activity activity)
    {
        _nodes = nodes;
        _activity = activity;
    }

    /// <summary>The reverse blocks, in emission order (last statement first), with the nodes whose adjoint was declared.</summary>
    public static (List<(Statement Statement, List<CodeLine> Lines)> Blocks, HashSet<int> Declared) Run(
        ForwardProgram program, Activity activity, int result)
    {
        var sweep = new ReverseSweep(program.Nodes, activity);
        var blocks = new List<(Statement, List<CodeLine>)>();
        for (int s = program.Statements.Count - 1; s >= 0; s--)
        {
            Statement statement = program.Statements[s];
            blocks.Add((statement, sweep.Differentiate(statement, result)));
        }
        return (blocks, sweep._declared);
    }

    private List<CodeLine> Differentiate(Statement statement, int result)
    {
        var lines = new List<CodeLine>();
        var outgoing = new SortedDictionary<int, Expr>();
        if (statement is ReturnStatement && _activity.Active[result])
            Contribute(result, new ConstantExpr(1, _nodes[result].Type), statement, outgoing);

        for (int id = statement.EndNode - 1; id >= statement.FirstNode; id--)
        {
            if (!_activity.Active[id])
                continue;
            bool named = _declared.Contains(id);
            _pending.TryGetValue(id, out Expr? local);
            _pending.Remove(id);
            if (!named && local is null)
                continue;
            Node node = _nodes[id];
            var accumulator = new AdjointExpr(id, node.Type);
            Expr g = named ? (local is null ? accumulator : accumulator + local) : local!;
            Partial?[] partials = Rules.For(node.Op);
            int[] targets = Enumerable.Range(0, node.Arguments.Count)
                .Where(i => _activity.Active[node.Arguments[i]] && Rules.Propagates(node.Op, i, _nodes[node.Arguments[i]].Type))
                .ToArray();
            if (targets.Length > 1 && g is not (AdjointExpr or ConstantExpr or NameExpr))
            {
                // Several partials read it: compute it once.
                lines.Add(new AdjointLine(id, local!, Accumulate: named));
                _declared.Add(id);
                g = accumulator;
            }
            Expr[] arguments = node.Arguments.Select(a => (Expr)new ValueExpr(a, _nodes[a].Type)).ToArray();
            var output = new ValueExpr(id, node.Type);
            foreach (int i in targets)
                Contribute(node.Arguments[i], partials[i]!(g, arguments, output), statement, outgoing);
        }

        foreach (KeyValuePair<int, Expr> contribution in outgoing)
        {
            lines.Add(new AdjointLine(contribution.Key, contribution.Value, Accumulate: _declared.Contains(contribution.Key)));
            _declared.Add(contribution.Key);
        }
        return lines;
    }

    private void Contribute(int target, Expr value, Statement statement, SortedDictionary<int, Expr> outgoing)
    {
        if (target >= statement.FirstNode)
            _pending[target] = _pending.TryGetValue(target, out Expr? sum) ? sum + value : value;
        else
            outgoing[target] = outgoing.TryGetValue(target, out Expr? sum) ? sum + value : value;
    }
}
