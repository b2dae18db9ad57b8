using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// The reverse of one assignment, symbolically: starting from the target's adjoint, each node of the
/// statement's graph, last to first, applies its rule and sends its adjoint to its arguments. Leaves
/// send theirs to variables (<c>dv += …</c>) or array elements (<c>da[i] += …</c>). The traversal knows
/// no calculus: that is in <see cref="Rules"/>. Node values stay as <see cref="ValueExpr"/> references
/// for the builder to resolve, as forward locals or as recomputation.
/// </summary>
internal sealed class StatementAdjoint
{
    /// <summary>Adjoints computed once because several partials read them, and gradient calls, in order.</summary>
    public List<CodeLine> Lines { get; } = new();

    /// <summary>What the statement adds to each variable's adjoint, in order of first contribution.</summary>
    public List<KeyValuePair<string, Expr>> Variables { get; } = new();

    /// <summary>What it adds to array elements' adjoints: array, index node, value.</summary>
    public List<(string Array, int Index, Expr Value)> Elements { get; } = new();

    /// <summary>Matrices passed to pullbacks: the share of the gradient of argument node <c>Argument</c> (a matrix read) that call node <c>Call</c>'s pullback gives for its parameter <c>Parameter</c>.</summary>
    public HashSet<(int Argument, int Call, int Parameter)> Matrices { get; } = new();

    /// <summary>Whole arrays passed to calls: the callee's gradient for parameter <c>Parameter</c> of call node <c>Call</c>, scaled by <c>Scale</c>, is added to the array's adjoint.</summary>
    public List<(string Array, int Call, int Parameter, Expr Scale)> Arrays { get; } = new();

    /// <summary>Nodes whose forward values the derivative code reads: the reverse code, or a carried derivative.</summary>
    public HashSet<int> Referenced { get; } = new();

    /// <param name="aliasesThroughTangents">
    /// Whether a call that takes one value for several parameters may get that value's share from the callee's tangent
    /// (<see cref="CallTangentPlaceholder"/>): not where second derivatives are taken of this code.
    /// </param>
    public static StatementAdjoint Sweep(EquatableArray<Node> nodes, int root, Expr seed, bool[] active, ISet<string> activeVariables, bool aliasesThroughTangents)
    {
        var adjoint = new StatementAdjoint();
        var pending = new Dictionary<int, Expr> { [root] = seed };
        var variables = new Dictionary<string, int>();
        for (int id = root; id >= 0; id--)
        {
            if (!active[id] || !pending.TryGetValue(id, out Expr? g))
                continue;
            Node node = nodes[id];
            switch (node.Op)
            {
                case Op.Read:
                    if (activeVariables.Contains(node.Name!))
                        adjoint.AddToVariable(variables, node.Name!, g);
                    continue;
                case Op.Element:
                    if (activeVariables.Contains(node.Name!))
                        adjoint.Elements.Add((node.Name!, node.Arguments[0], g));
                    continue;
            }
            int[] targets = Enumerable.Range(0, node.Arguments.Count)
                .Where(i => active[node.Arguments[i]] && Rules.Propagates(node, i, nodes[node.Arguments[i]].Type))
                .ToArray();
            if (targets.Length > 1 && g is not (ConstantExpr or NameExpr or NegateExpr { Operand: ConstantExpr or NameExpr } or CastExpr { Operand: NameExpr }))
            {
                // Several partials read it: compute it once (a negated or converted name is as cheap to read again, and
                // the algebra can then carry the sign out: dx -= g * y rather than dproduct = -g; dx += dproduct * y).
                adjoint.Lines.Add(new AdjointLine(id, g));
                g = new AdjointExpr(id, node.Type);
            }
            Expr[] arguments = Rules.Arguments(nodes, node);
            if (node.Call?.Pullback is not null)
            {
                // A user's pullback takes the result's adjoint itself and gives the arguments' adjoints.
                adjoint.Lines.Add(new CallGradientPlaceholder(id, g));
                foreach (int i in targets.Where(i => nodes[node.Arguments[i]].Shape == ValueShape.Matrix))
                    adjoint.Matrices.Add((node.Arguments[i], id, i));
                Send(pending, node, targets.Where(i => nodes[node.Arguments[i]].Shape != ValueShape.Matrix)
                    .Select(i => (i, (Expr)new CallPartialExpr(id, i, nodes[node.Arguments[i]].Type))));
                continue;
            }
            if (node.Op == Op.Call)
            {
                IReadOnlyList<int[]> aliased = aliasesThroughTangents && SharesAnArgument(node, targets) ? Aliased(node, nodes, targets) : System.Array.Empty<int[]>();
                int[] alone = aliased.Count == 0 ? targets : targets.Where(i => !aliased.Any(group => group.Contains(i))).ToArray();
                if (alone.Length > 0)
                    adjoint.Lines.Add(new CallGradientPlaceholder(id));
                foreach (int[] group in aliased)
                    adjoint.Lines.Add(new CallTangentPlaceholder(id, group.ToEquatableArray()));
                foreach (int i in alone.Where(i => nodes[node.Arguments[i]].Op == Op.ArrayArgument))
                    adjoint.Arrays.Add((nodes[node.Arguments[i]].Name!, id, i, g));
                Send(pending, node, alone.Where(i => nodes[node.Arguments[i]].Op != Op.ArrayArgument).Concat(aliased.Select(group => group[0]))
                    .Select(i => (i, g * new CallPartialExpr(id, i, nodes[node.Arguments[i]].Type))));
                continue;
            }
            Partial?[] partials = Rules.For(node.Op);
            var output = new ValueExpr(id, node.Type);
            Send(pending, node, targets.Select(i => (i, partials[i]!(g, arguments, output))));
        }
        adjoint.CollectReferences(nodes);
        return adjoint;
    }

    /// <summary>
    /// The reverse of a statement whose derivative the forward sweep carried (<see cref="Preaccumulation"/>): the target's
    /// adjoint <paramref name="seed"/> times that derivative, added to the parameter's gradient, of type <paramref name="inputType"/>.
    /// </summary>
    public static StatementAdjoint Carried(Preaccumulated carried, Expr seed, ScalarType inputType)
    {
        var adjoint = new StatementAdjoint();
        adjoint.Variables.Add(new KeyValuePair<string, Expr>(carried.Input, Simplify.Cast(seed * new NameExpr(carried.Tangent, carried.Value.Type), inputType)));
        StatementCode.References(carried.Value, adjoint.Referenced);
        return adjoint;
    }

    private void AddToVariable(Dictionary<string, int> positions, string variable, Expr value)
    {
        if (positions.TryGetValue(variable, out int position))
            Variables[position] = new KeyValuePair<string, Expr>(variable, Variables[position].Value + value);
        else
        {
            positions[variable] = Variables.Count;
            Variables.Add(new KeyValuePair<string, Expr>(variable, value));
        }
    }

    /// <summary>
    /// The parameters of a call that take one value, grouped, where that value's share is better had from the callee's
    /// tangent along them: for <c>H(y, y)</c> with <c>H(a, b)</c> reading <c>Math.Atan2(a - b, c)</c> at c ≈ 10⁻¹⁶, the
    /// gradient gives ∂H/∂a and ∂H/∂b each about ±10¹⁶ beside their small terms, which their sum loses (0 where the
    /// derivative is −4.87; fuzz seed 1337938); along (1, 1), <c>a - b</c>'s tangent is exactly 0. Only for a callee with
    /// a tangent, returning a number, all of whose differentiable arguments are numbers.
    /// </summary>
    private static IReadOnlyList<int[]> Aliased(Node call, EquatableArray<Node> nodes, int[] targets)
    {
        bool numbersOnly = call.Shape == ValueShape.Scalar && (call.Call!.Derivatives & DerivativeKinds.Tangent) != 0
            && Enumerable.Range(0, call.Arguments.Count).All(i => !call.Call.Differentiable[i] || nodes[call.Arguments[i]].Shape == ValueShape.Scalar && nodes[call.Arguments[i]].Op != Op.ArrayArgument);
        if (!numbersOnly)
            return System.Array.Empty<int[]>();
        return targets.GroupBy(i => call.Arguments[i]).Where(group => group.Count() > 1).Select(group => group.ToArray()).ToList();
    }

    /// <summary>Whether two of the positions take one argument node: asked first, since it allocates nothing.</summary>
    private static bool SharesAnArgument(Node call, int[] targets)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            for (int j = i + 1; j < targets.Length; j++)
            {
                if (call.Arguments[targets[i]] == call.Arguments[targets[j]])
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Adds a node's partials (argument position, value) to its arguments' pending adjoints. The partials of one
    /// argument that appears several times are summed first, and join the argument's other contributions as one term:
    /// <c>v - v</c> sends <c>g - g</c>, exactly 0 as its forward value is, where added one at a time to a sum already
    /// holding a small term, a huge <c>g</c> and <c>−g</c> would round it away (float <c>(v - v) * (v * n) - v</c> at
    /// n = 2·10⁹ got gradient 0, not −1; fuzz seed 1047339).
    /// </summary>
    private static void Send(Dictionary<int, Expr> pending, Node node, IEnumerable<(int Position, Expr Value)> partials)
    {
        foreach (var group in partials.GroupBy(p => node.Arguments[p.Position]))
        {
            Expr sum = group.Select(p => p.Value).Aggregate((a, b) => a + b);
            pending[group.Key] = pending.TryGetValue(group.Key, out Expr? before) ? before + sum : sum;
        }
    }

    private void CollectReferences(EquatableArray<Node> nodes)
    {
        foreach (CodeLine line in Lines)
        {
            switch (line)
            {
                case AdjointLine adjoint:
                    Mark(adjoint.Value);
                    break;
                case CallTangentPlaceholder tangent:
                    foreach (int argument in nodes[tangent.Node].Arguments)
                        Referenced.Add(argument);
                    break;
                case CallGradientPlaceholder call:
                    foreach (int argument in nodes[call.Node].Arguments)
                        Referenced.Add(argument);
                    // A pullback takes the function's result and its adjoint too.
                    if (call.Seed is not null)
                    {
                        Referenced.Add(call.Node);
                        Mark(call.Seed);
                    }
                    break;
            }
        }
        foreach (var contribution in Variables)
            Mark(contribution.Value);
        foreach (var (_, index, value) in Elements)
        {
            Referenced.Add(index);
            Mark(value);
        }
        foreach (var (_, _, _, scale) in Arrays)
            Mark(scale);
    }

    private void Mark(Expr expr)
    {
        switch (expr)
        {
            case ValueExpr value:
                Referenced.Add(value.Node);
                break;
            case BinaryExpr binary:
                Mark(binary.Left);
                Mark(binary.Right);
                break;
            case NegateExpr negate:
                Mark(negate.Operand);
                break;
            case NotExpr not:
                Mark(not.Operand);
                break;
            case ComplementExpr complement:
                Mark(complement.Operand);
                break;
            case CastExpr cast:
                Mark(cast.Operand);
                break;
            case CallExpr call:
                foreach (Expr argument in call.Arguments)
                    Mark(argument);
                break;
            case ConditionalExpr conditional:
                Mark(conditional.Condition);
                Mark(conditional.WhenTrue);
                Mark(conditional.WhenFalse);
                break;
        }
    }
}

/// <summary>An adjoint several partials read: <c>d{Node} = Value</c>, named by the builder.</summary>
internal sealed record AdjointLine(int Node, Expr Value) : CodeLine;

/// <summary>
/// The gradient call for call node <see cref="Node"/>, whose outputs <see cref="CallPartialExpr"/> read: partials for
/// a <c>[Differentiable]</c> callee, or, with the node's adjoint <see cref="Seed"/> passed to a user's pullback, the
/// arguments' adjoints themselves.
/// </summary>
internal sealed record CallGradientPlaceholder(int Node, Expr? Seed = null) : CodeLine;

/// <summary>
/// The tangent call for call node <see cref="Node"/> along its parameters <see cref="Positions"/>, which take one value:
/// the callee's derivative along them, which <see cref="CallPartialExpr"/> of the first of them reads.
/// </summary>
internal sealed record CallTangentPlaceholder(int Node, EquatableArray<int> Positions) : CodeLine;
