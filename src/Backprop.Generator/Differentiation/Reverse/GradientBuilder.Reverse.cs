using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>The reverse sweep: statements last to first, each restoring what it overwrote, then sending its adjoint to what it read.</summary>
internal sealed partial class GradientBuilder
{
    /// <summary>Whether the statement needs reverse code (memoised: branches and loops ask about their bodies).</summary>
    private bool HasReverse(Statement statement) => PlanOf(statement).HasReverse ??= ComputeHasReverse(statement);

    private bool ComputeHasReverse(Statement statement) => statement switch
    {
        IfStatement branch => branch.Then.Statements.Concat(branch.Else.Statements).Any(HasReverse),
        LoopStatement loop when PlanOf(loop).Fusion is not null => true,
        LoopStatement loop => loop.Body.Statements.Any(HasReverse),
        SwapStatement swap => _activity.Active.Contains(swap.A) || _needed.Contains(swap.A),
        _ => PlanOf(statement).Adjoint is not null || Restoration(statement) is Restore.Saved or Restore.Inverted,
    };

    /// <summary>A top-level declaration, the single top-level return or an initializer's store: nothing was there before it, so nothing to save or reset.</summary>
    private bool IsFirstWrite(Statement statement) =>
        !PlanOf(statement).Nested && (statement is AssignStatement assign && (assign.Declares || (assign.Target == _program.Result && _resultSeededOnce) || _writtenOnce.Contains(assign.Target))
            || statement is StoreStatement { Initializes: true });

    private List<CodeLine> Reverse(Block block)
    {
        var lines = new List<CodeLine>();
        ILookup<int, Statement> recomputedBefore = block.Statements.Where(s => PlanOf(s).RecomputedBefore is not null).ToLookup(s => PlanOf(s).RecomputedBefore!.Value);
        string? lastCommented = null;
        bool lastCommentedMatrix = false;
        for (int i = block.Statements.Count - 1; i >= 0; i--)
        {
            foreach (Statement local in recomputedBefore[i])
            {
                lines.Add(new CommentLine("recompute: " + local.Source));
                EmitAssignment(lines, new ForwardRecord(), (AssignStatement)local);
            }
            Statement statement = block.Statements[i];
            if (!HasReverse(statement))
                continue;
            ForwardRecord record = PlanOf(statement).Record!;
            bool nested = PlanOf(statement).Nested;
            var code = new List<CodeLine>();
            switch (statement)
            {
                case IfStatement branch:
                    Expr taken = nested ? new PopExpr(ScalarType.Bool) : new NameExpr(record.Branch!, ScalarType.Bool);
                    code.Add(new IfLine(taken, Reverse(branch.Then).ToEquatableArray(), Reverse(branch.Else).ToEquatableArray()));
                    break;
                case LoopStatement loop when PlanOf(loop).Fusion is LoopFusion fusion:
                    ScaleFusedGradients(code, loop, fusion);
                    break;
                case LoopStatement loop:
                    Expr count = nested ? new PopExpr(ScalarType.Int) : new NameExpr(record.Counter!, ScalarType.Int);
                    code.Add(new CountdownLine(_names.Allocate("iteration"), count, Reverse(loop.Body).ToEquatableArray()));
                    break;
                case SwapStatement swap:
                    // A swap undoes itself.
                    code.AddRange(Swap(swap));
                    break;
                case AssignStatement assign when _variables[assign.Target].IsArray && !IsCallRebind(assign):
                    ReverseRebind(code, assign, record, nested);
                    break;
                default:
                    ReverseWrite(code, statement, record, nested);
                    break;
            }
            if (code.Count > 0)
            {
                // A matrix computed inside a statement, or a number computed for a matrix operation, is differentiated
                // right after the rest of it, under its comment.
                if (!(lastCommented == statement.Source && (IsMatrixWrite(statement) || lastCommentedMatrix)))
                    lines.Add(new CommentLine(statement.Source));
                lines.AddRange(code);
                lastCommented = statement.Source;
                lastCommentedMatrix = IsMatrixWrite(statement);
            }
        }
        return ElementAccumulation.Merge(lines, _names, ReboundNames);
    }

    /// <summary>The generated names that may refer to a reassigned or swapped array: the arrays and their derivative buffers.</summary>
    private ISet<string> ReboundNames => _reboundNames ??= new HashSet<string>(_aliases.Rebound.SelectMany(a => _adjointNames.TryGetValue(a, out string? d) ? new[] { a, d } : new[] { a }));

    private ISet<string>? _reboundNames;

    /// <summary>
    /// <c>a = b</c>: the array, and its derivative buffer, that <c>a</c> referred to before are kept (in locals at the top
    /// level, on the tape in branches and loops) when the reverse sweep reads them or the array carries a derivative.
    /// </summary>
    private void ForwardRebind(List<CodeLine> lines, ForwardRecord record, AssignStatement assign, bool nested)
    {
        VariableSpec target = _variables[assign.Target];
        bool active = _activity.Active.Contains(target.Name);
        if (Restoration(assign) == Restore.Saved)
        {
            Save(lines, record, nested, target.Name, new NameExpr(target.Name, target.Type), target.TypeName);
            if (active)
            {
                string? saved = record.Saved;
                Save(lines, record, nested, _adjointNames[target.Name], new NameExpr(_adjointNames[target.Name], target.Type), target.TypeName);
                (record.Saved, record.SavedAdjoint) = (saved, record.Saved);
            }
        }
        Expr value = StoreValues(lines, record, assign, assign.Value);
        bool declares = IsFirstWrite(assign);
        lines.Add(declares ? new DeclareLine(target.TypeName, target.Name, value) : new AssignLine(new NameExpr(target.Name, target.Type), value, false));
        if (active && assign.Nodes[assign.Value] is { Op: Op.Read } source)
        {
            var gradient = new NameExpr(_adjointNames[source.Name!], target.Type);
            lines.Add(declares ? new DeclareLine(target.TypeName, _adjointNames[target.Name], gradient) : new AssignLine(new NameExpr(_adjointNames[target.Name], target.Type), gradient, false));
        }
        else if (active)
        {
            // A new array, a new gradient buffer: given back when the reverse sweep has passed its gradient to the call's arguments.
            lines.Add(new RentLine(target.Type, _adjointNames[target.Name], new LengthExpr(target.Name), Declares: declares));
        }
    }

    /// <summary>The arrays swapped, and their derivative buffers with them.</summary>
    private IEnumerable<CodeLine> Swap(SwapStatement swap)
    {
        yield return new SwapLine(swap.A, swap.B);
        if (_activity.Active.Contains(swap.A))
            yield return new SwapLine(_adjointNames[swap.A], _adjointNames[swap.B]);
    }

    /// <summary>The reverse of <c>a = b</c>: <c>a</c> and its derivative buffer refer again to what they did before (popped in the opposite order).</summary>
    private void ReverseRebind(List<CodeLine> lines, AssignStatement assign, ForwardRecord record, bool nested)
    {
        if (Restoration(assign) != Restore.Saved)
            return;
        RestoreReference(lines, assign, record, nested);
    }

    private void RestoreReference(List<CodeLine> lines, AssignStatement assign, ForwardRecord record, bool nested)
    {
        VariableSpec target = _variables[assign.Target];
        var value = new NameExpr(target.Name, target.Type);
        NameExpr? gradient = _activity.Active.Contains(target.Name) ? new NameExpr(_adjointNames[target.Name], target.Type) : null;
        if (nested)
        {
            if (gradient is not null)
                lines.Add(new AssignLine(gradient, new PopExpr(target.Type, ValueShape.Array), false));
            lines.Add(new AssignLine(value, new PopExpr(target.Type, ValueShape.Array), false));
            return;
        }
        lines.Add(new AssignLine(value, new NameExpr(record.Saved!, target.Type), false));
        if (gradient is not null)
            lines.Add(new AssignLine(gradient, new NameExpr(record.SavedAdjoint!, target.Type), false));
    }

    private bool IsMatrixWrite(Statement statement) => statement is AssignStatement assign && _variables[assign.Target].IsMatrix;

    private void ReverseWrite(List<CodeLine> lines, Statement statement, ForwardRecord record, bool nested)
    {
        var (target, root) = Statements.Write(statement)!.Value;
        ScalarType type = _variables[target].Type;
        StatementPlan plan = PlanOf(statement);
        StatementAdjoint? adjoint = plan.Adjoint;
        Expr seed = adjoint is null ? new ConstantExpr(0, type) : plan.Seed!;
        // A fused loop's statements are reversed only inside the loop, for a unit seed.
        if (plan.FusedSweep is var (fusedAdjoint, fusedSeed))
            (adjoint, seed) = (fusedAdjoint, fusedSeed);
        var values = new Dictionary<int, string>(nested ? new Dictionary<int, string>() : record.Values);
        Restore restoration = Restoration(statement);
        bool restores = restoration is Restore.Saved or Restore.Inverted;
        var store = statement as StoreStatement;

        Expr? index = null;
        if (store is not null)
            index = Recompute(lines, statement, values, store.Index, nested);
        Expr current = index is null ? new NameExpr(target, type) : new ElementExpr(target, index, type);

        // s = Step(s, p): the new array's gradient buffer is the cotangent of the call's vector-Jacobian product, taken
        // aside before the name and its buffer refer again to the array the call was given.
        string? cotangent = null;
        if (IsCallRebind(statement))
        {
            if (adjoint is not null)
                cotangent = Materialize(lines, new NameExpr(_adjointNames[target], type), _adjointNames[target] + "_after", _variables[target].TypeName);
            if (restores)
                RestoreReference(lines, (AssignStatement)statement, record, nested);
            restores = false;
        }

        // Pushed after the overwritten value, the functions' results come back first.
        foreach (int node in TapedCalls(statement).Reverse())
            values[node] = Materialize(lines, new PopExpr(statement.Nodes[node].Type, Of: record.Values[node]), ForwardExpressions.NameFor(Op.Call));
        bool matrix = store is null && _variables[target].IsMatrix;
        // The statement's own result, if a rule reads it, must be taken before the old value comes back.
        if (adjoint is not null && adjoint.Referenced.Contains(root))
        {
            if (restores || store is not null)
                values[root] = Materialize(lines, current, target + "_after", store is null ? _variables[target].TypeName : type.Keyword());
            else
                values[root] = target;
        }
        if (restores)
            lines.Add(new AssignLine(current, restoration == Restore.Inverted ? Recomputation.Inverse((AssignStatement)statement)!
                : nested ? new PopExpr(type, matrix ? ValueShape.Matrix : ValueShape.Scalar) : new NameExpr(record.Saved!, type), false));
        if (adjoint is null)
            return;

        // A matrix's gradient is null until a share reaches it: no share, nothing to differentiate. When the statement reads
        // the matrix it assigns (h = Relu(h)), that gradient is taken aside first, and the earlier value collects its own.
        List<CodeLine> outer = lines;
        var renamed = new Dictionary<string, string>();
        bool detached = false;
        if (matrix)
        {
            lines = new List<CodeLine>();
            if (statement.Nodes.Any(n => n.Op == Op.Read && n.Name == target))
            {
                string gradient = ((NameExpr)seed).Name;
                string result = _names.Allocate(gradient + "_result");
                lines.Add(new DeclareLine(_variables[target].TypeName, result, seed));
                lines.Add(new AssignLine(seed, new NullExpr(type), false));
                renamed[gradient] = result;
                detached = true;
            }
        }

        if (store is not null)
        {
            var adjointElement = new ElementExpr(_adjointNames[target], index!, type);
            lines.Add(new DeclareLine(type.Keyword(), plan.ElementAdjoint!, adjointElement));
            lines.Add(new AssignLine(adjointElement, new ConstantExpr(0, type), false));
        }

        foreach (int node in adjoint.Referenced.OrderBy(n => n))
        {
            if (node != root)
                Recompute(lines, statement, values, node, nested);
        }

        var temporaries = new Dictionary<int, string>();
        var callOutputs = new Dictionary<(int, int), string>();
        Expr Finish(Expr expr) => Resolve(renamed.Count == 0 ? expr : StatementCode.Rewrite(expr, e => e is NameExpr name && renamed.TryGetValue(name.Name, out string? to) ? name with { Name = to } : null),
            statement, values, (temporaries, callOutputs));
        foreach (CodeLine line in adjoint.Lines)
        {
            if (line is AdjointLine temporary)
            {
                string name = _names.Allocate(Naming.Derivative(ForwardExpressions.NameFor(statement.Nodes[temporary.Node].Op)));
                lines.Add(new DeclareLine(statement.Nodes[temporary.Node].Type.Keyword(), name, Finish(temporary.Value)));
                temporaries[temporary.Node] = name;
            }
            else if (line is CallTangentPlaceholder tangent)
            {
                Node node = statement.Nodes[tangent.Node];
                var directions = Enumerable.Range(0, node.Arguments.Count).Where(i => node.Call!.Differentiable[i])
                    .Select(i => (Expr)new ConstantExpr(tangent.Positions.Contains(i) ? 1 : 0, statement.Nodes[node.Arguments[i]].Type));
                var passed = node.Arguments.Select(a => Resolve(new ValueExpr(a, statement.Nodes[a].Type), statement, values, null));
                string name = _names.Allocate(Naming.Derivative(ForwardExpressions.NameFor(Op.Call)));
                lines.Add(new CommentLine("one value passed for several parameters: its share from the callee's tangent along them, where their partials cancel exactly"));
                lines.Add(new CallTangentLine(node.Call!.DerivativeMethod, passed.Concat(directions).ToEquatableArray(), name));
                callOutputs[(tangent.Node, tangent.Positions[0])] = name;
            }
            else if (line is CallGradientPlaceholder call)
            {
                Node node = statement.Nodes[call.Node];
                var throughTangents = new HashSet<int>(adjoint.Lines.OfType<CallTangentPlaceholder>().Where(t => t.Node == call.Node).SelectMany(t => t.Positions));
                var buffers = new List<bool>();
                var outputs = new List<string>();
                var collects = new List<CodeLine>();
                for (int i = 0; i < node.Arguments.Count; i++)
                {
                    Node argument = statement.Nodes[node.Arguments[i]];
                    if (argument.Shape == ValueShape.Matrix)
                    {
                        // A matrix's share is written into a buffer (null: not wanted), then collected into its gradient.
                        buffers.Add(true);
                        outputs.Add(!node.Call!.Differentiable[i] ? ""
                            : !adjoint.Matrices.Contains((node.Arguments[i], call.Node, i)) ? "null"
                            : Share(lines, collects, statement, values, argument));
                        continue;
                    }
                    bool buffer = argument.Op == Op.ArrayArgument;
                    buffers.Add(buffer);
                    if (!node.Call!.Differentiable[i])
                    {
                        outputs.Add("");
                        continue;
                    }
                    if (throughTangents.Contains(i))
                    {
                        outputs.Add("_");
                        continue;
                    }
                    string name = _names.Allocate(Naming.Derivative(buffer ? argument.Name! : ForwardExpressions.NameFor(Op.Call)));
                    callOutputs[(call.Node, i)] = name;
                    outputs.Add(name);
                    if (buffer)
                        lines.Add(new RentLine(argument.Type, name, new LengthExpr(argument.Name!)));
                }
                var passed = node.Arguments.Select(a => Resolve(new ValueExpr(a, statement.Nodes[a].Type), statement, values, null)).ToEquatableArray();
                lines.Add(node.Call!.Pullback is string pullback
                    ? CallGradientLine.ForPullback(pullback, passed, Resolve(new ValueExpr(call.Node, node.Type), statement, values, null), Finish(call.Seed!), outputs.ToEquatableArray(), buffers.ToEquatableArray(), node.Call.PullbackTangent)
                    : node.Shape == ValueShape.Array
                        // A call returning an array: its vector-Jacobian product, given its result's gradient.
                        ? new CallGradientLine(node.Call!.DerivativeMethod, passed.Append(new NameExpr(cotangent!, node.Type)).ToEquatableArray(), outputs.ToEquatableArray(), buffers.ToEquatableArray(), Naming.VectorJacobianSuffix)
                        : new CallGradientLine(node.Call!.DerivativeMethod, passed, outputs.ToEquatableArray(), buffers.ToEquatableArray()));
                lines.AddRange(collects);
            }
        }

        Expr? toTarget = null;
        foreach (var contribution in adjoint.Variables.OrderBy(c => _declarationOrder[c.Key]))
        {
            if (contribution.Key == target && store is null)
                toTarget = Finish(contribution.Value);
            else if (_variables[contribution.Key].IsMatrix)
                lines.Add(new PassLine(AdjointName(contribution.Key), _written.TryGetValue(contribution.Key, out string? written) ? written : null, Finish(contribution.Value)));
            else
            {
                ScalarType sum = AdjointType(contribution.Key);
                lines.Add(new AssignLine(new NameExpr(AdjointName(contribution.Key), sum), Simplify.Widen(Finish(contribution.Value), sum), true));
            }
        }
        foreach (var (array, elementIndex, value) in adjoint.Elements)
        {
            Expr at = Resolve(new ValueExpr(elementIndex, ScalarType.Int), statement, values, null);
            var element = new ElementExpr(AdjointName(array), at, _variables[array].Type);
            lines.Add(_variables[array].Shape == ValueShape.MatrixArray ? new CollectLine(element, ((NameExpr)Finish(value)).Name) : new AssignLine(element, Finish(value), true));
        }
        foreach (var (array, call, parameter, scale) in adjoint.Arrays)
        {
            string buffer = callOutputs[(call, parameter)];
            lines.Add(new AddScaledLine(_adjointNames[array], buffer, Finish(scale)));
            lines.Add(new ReturnLine(buffer));
        }
        if (cotangent is not null)
            lines.Add(new ReturnLine(cotangent));
        // A constant seed (the single top-level result, a fused loop's unit seed) has no variable to reset.
        if (store is null && seed is not ConstantExpr && !detached)
        {
            if (toTarget is not null ? !toTarget.Equals(seed) : !IsFirstWrite(statement))
                lines.Add(new AssignLine(seed, toTarget ?? (matrix ? new NullExpr(type) : new ConstantExpr(0, seed.Type)), false));
        }
        if (matrix && lines.Count > 0)
            outer.Add(new IfLine(new NotNullExpr(((NameExpr)seed).Name), lines.ToEquatableArray(), EquatableArray<CodeLine>.Empty));
    }

    /// <summary>
    /// The buffer a pullback writes a share of a matrix argument's gradient into, declared in <paramref name="lines"/>, and
    /// the line adding it into that gradient once the pullback has run, in <paramref name="collects"/>: for a matrix of an
    /// array of matrices, a slot of the arena added into the caller's buffer at its index; else the matrix's gradient itself
    /// when no share has reached it yet.
    /// </summary>
    private string Share(List<CodeLine> lines, List<CodeLine> collects, Statement statement, Dictionary<int, string> values, Node argument)
    {
        ScalarType element = argument.Type;
        string type = ValueShapes.MatrixType(element);
        string share = _names.Allocate(Naming.Derivative(argument.Name!) + "Share");
        if (argument.Op == Op.Element)
        {
            Expr matrix = Resolve(new ValueExpr(argument.Id, element), statement, values, null);
            Expr at = Resolve(new ValueExpr(argument.Arguments[0], ScalarType.Int), statement, values, null);
            lines.Add(new DeclareLine(type, share, new SlotExpr(matrix, null, element)));
            collects.Add(new CollectLine(new ElementExpr(AdjointName(argument.Name!), at, element), share));
            return share;
        }
        string gradient = AdjointName(argument.Name!);
        lines.Add(new DeclareLine(type, share, new ShareExpr(gradient, _written.TryGetValue(argument.Name!, out string? written) ? written : null, new NameExpr(argument.Name!, element), element)));
        collects.Add(new CollectLine(new NameExpr(gradient, element), share));
        return share;
    }

    private string AdjointName(string variable) =>
        _nameOverride is not null && _nameOverride.TryGetValue(variable, out string? name) ? name : _adjointNames[variable];

    /// <summary>In a branch or loop, a value the reverse code reads is computed again from the restored variables.</summary>
    private Expr Recompute(List<CodeLine> lines, Statement statement, Dictionary<int, string> values, int node, bool nested)
    {
        Node n = statement.Nodes[node];
        if (values.TryGetValue(node, out string? name) && name is not null)
            return new NameExpr(name, n.Type);
        Expr expr = Resolve(ForwardExpressions.Of(n, statement.Nodes), statement, values, null);
        if (!nested || n.Op is Op.Constant or Op.Read or Op.Length or Op.ArrayArgument || n.Shape == ValueShape.Opaque)
            return expr;
        name = _names.Allocate(ForwardExpressions.NameFor(n.Op));
        lines.Add(new DeclareLine(n.Shape.TypeName(n.Type), name, expr));
        values[node] = name;
        return new NameExpr(name, n.Type);
    }

    private string Materialize(List<CodeLine> lines, Expr value, string wanted, string? type = null)
    {
        string name = _names.Allocate(wanted);
        lines.Add(new DeclareLine(type ?? value.Type.Keyword(), name, value));
        return name;
    }

    private static Expr Resolve(Expr expr, Statement statement, Dictionary<int, string> values, (Dictionary<int, string> Temporaries, Dictionary<(int, int), string> Calls)? adjoints) =>
        StatementCode.Resolve(expr, statement, values, e => e switch
        {
            AdjointExpr adjoint => new NameExpr(adjoints!.Value.Temporaries[adjoint.Node], adjoint.Type),
            CallPartialExpr partial => new NameExpr(adjoints!.Value.Calls[(partial.Node, partial.Parameter)], partial.Type),
            _ => null,
        });
}
