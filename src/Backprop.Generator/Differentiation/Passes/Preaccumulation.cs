using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A top-level local that depends on one differentiable parameter alone, carried forward: its derivative with
/// respect to <see cref="Input"/>, <see cref="Value"/>, is computed beside it in the forward sweep into the local
/// <see cref="Tangent"/>, and its reverse block is one multiply-add into the parameter's gradient.
/// </summary>
internal sealed record Preaccumulated(string Input, string Tangent, Expr Value);

/// <summary>
/// Preaccumulation: finds the locals to carry forward. Reverse mode through a chain such as x2 = x * x, x3 = x2 * x, …,
/// x10 = x9 * x hands each adjoint to the one before, a serial chain of multiply-adds that starts only once the last
/// adjoint is known. Carried forward, the same derivatives overlap with the rest of the forward sweep, and the reverse
/// sweep's contributions no longer wait on each other.
/// <para>
/// A candidate is declared at the top level and never written again, is not the result, and its statement's active
/// values read only that parameter (never assigned in the body) or other carried locals of the same parameter:
/// no calls, no array elements. What it reads then keeps its value for the rest of the method.
/// </para>
/// </summary>
internal static class Preaccumulation
{
    /// <summary>The carried locals, by their statement's <see cref="Statement.Id"/>.</summary>
    public static Dictionary<int, Preaccumulated> Find(FunctionSpec function, Activity activity, IReadOnlyDictionary<string, int> writeCounts, NameAllocator names)
    {
        var found = new Dictionary<int, Preaccumulated>();
        // Per carried variable: its parameter, and the name of its derivative (null for the parameter itself, whose is 1).
        var carried = function.Inputs
            .Where(p => p.Role == ParameterRole.Scalar && writeCounts[p.Name] == 0)
            .ToDictionary(p => p.Name, p => (Input: p.Name, Tangent: (string?)null));
        foreach (Statement statement in function.Body.Body.Statements)
        {
            if (statement is not AssignStatement { Declares: true } assign || assign.Target == function.Body.Result || assign.Nodes.Any(n => n.Shape != ValueShape.Scalar)
                || writeCounts[assign.Target] != 1 || !activity.Active.Contains(assign.Target))
                continue;
            EquatableArray<Node> nodes = statement.Nodes;
            bool[] active = activity.ActiveNodes(nodes, assign.Value);
            if (SingleInput(nodes, assign.Value, active, carried) is not string input)
                continue;
            // Only reads are leaves here: the parameter's derivative is 1, a carried local's is its tangent.
            Expr? tangent = NodeTangents.Of(nodes, assign.Value, active, (id, _) => carried[nodes[id].Name!].Tangent is string name
                ? new NameExpr(name, nodes[id].Type)
                : new ConstantExpr(1, nodes[id].Type));
            if (tangent is null)
                continue;
            string tangentName = names.Allocate(Naming.Derivative(assign.Target) + "_d" + input);
            found[statement.Id] = new Preaccumulated(input, tangentName, Fused(Simplify.Cast(tangent, nodes[assign.Value].Type)));
            carried[assign.Target] = (input, tangentName);
        }
        return found;
    }

    /// <summary>
    /// <c>a * b + c</c> as one fused multiply-add. A carried derivative reads the one before it (dx3_dx = dx2_dx * x + x2),
    /// so the chain's latency is what the forward sweep waits on: fused, each step costs one operation's latency, not
    /// two. The result rounds once, so it is as exact or more. (Hardware without FMA computes it in software, slowly.)
    /// </summary>
    private static Expr Fused(Expr expr) => StatementCode.Rewrite(expr, e => e switch
    {
        BinaryExpr { Operator: BinaryOperator.Add, Left: BinaryExpr { Operator: BinaryOperator.Multiply } product } sum =>
            MathCalls.Call(Op.FusedMultiplyAdd, Fused(product.Left), Fused(product.Right), Fused(sum.Right)),
        BinaryExpr { Operator: BinaryOperator.Add, Right: BinaryExpr { Operator: BinaryOperator.Multiply } product } sum =>
            MathCalls.Call(Op.FusedMultiplyAdd, Fused(product.Left), Fused(product.Right), Fused(sum.Left)),
        _ => null,
    });

    /// <summary>The one parameter the statement's active values depend on, or <c>null</c>.</summary>
    private static string? SingleInput(EquatableArray<Node> nodes, int root, bool[] active, Dictionary<string, (string Input, string? Tangent)> carried)
    {
        string? input = null;
        for (int id = 0; id <= root; id++)
        {
            if (!active[id])
                continue;
            Node node = nodes[id];
            if (node.Op is Op.Call or Op.Element or Op.ArrayArgument)
                return null;
            if (node.Op != Op.Read)
                continue;
            if (!carried.TryGetValue(node.Name!, out var read) || (input is not null && input != read.Input))
                return null;
            input = read.Input;
        }
        return input;
    }
}
