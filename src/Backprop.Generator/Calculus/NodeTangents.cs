using System;
using Backprop.Generator.Model;

namespace Backprop.Generator.Calculus;

/// <summary>
/// Forward mode through one statement's graph: each active node's tangent from its arguments', by the
/// rules in <see cref="Rules"/> (linear in what they are given, so an argument's tangent in gives its
/// contribution out). Reads, elements and calls are the caller's: their tangents depend on the mode.
/// </summary>
internal static class NodeTangents
{
    /// <summary>
    /// The tangent of <paramref name="root"/>, or <c>null</c> when it is zero. <paramref name="leaf"/> gives the tangent of a
    /// read, element or call node, given the tangents found so far (by node id).
    /// </summary>
    public static Expr? Of(EquatableArray<Node> nodes, int root, bool[] active, Func<int, Expr?[], Expr?> leaf)
    {
        var tangents = new Expr?[nodes.Count];
        for (int id = 0; id <= root; id++)
        {
            if (!active[id])
                continue;
            Node node = nodes[id];
            tangents[id] = node.Op switch
            {
                Op.Read or Op.Element or Op.Call => leaf(id, tangents),
                // The one rule that changes type: forward, the tangent takes the output's.
                Op.Convert => tangents[node.Arguments[0]] is Expr t ? Simplify.Cast(t, node.Type) : null,
                _ => ByRules(nodes, id, tangents),
            };
        }
        return tangents[root];
    }

    private static Expr? ByRules(EquatableArray<Node> nodes, int id, Expr?[] tangents)
    {
        Node node = nodes[id];
        Partial?[] partials = Rules.For(node.Op);
        Expr[] arguments = Rules.Arguments(nodes, node);
        Expr? sum = null;
        for (int i = 0; i < node.Arguments.Count; i++)
        {
            if (tangents[node.Arguments[i]] is Expr t && Rules.Propagates(node, i, nodes[node.Arguments[i]].Type))
            {
                Expr term = partials[i]!(t, arguments, new ValueExpr(id, node.Type));
                sum = sum is null ? term : sum + term;
            }
        }
        return sum;
    }
}
