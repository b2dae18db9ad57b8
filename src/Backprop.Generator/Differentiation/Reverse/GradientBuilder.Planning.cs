using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>Planning: which statements need adjoints, the values their rules read, loops fused into sums, adjoint names.</summary>
internal sealed partial class GradientBuilder
{
    private void MarkNesting(Block block, bool nested)
    {
        foreach (Statement statement in block.Statements)
        {
            PlanOf(statement).Nested = nested;
            if (statement is IfStatement branch)
            {
                MarkNesting(branch.Then, true);
                MarkNesting(branch.Else, true);
            }
            else if (statement is LoopStatement loop)
                MarkNesting(loop.Body, true);
        }
    }

    private void Plan(Statement statement)
    {
        // A reassigned array's derivative buffer goes with the array itself: nothing to send back, but through a call's
        // vector-Jacobian product, given the new array's gradient (the sweep's seed of 1 scales nothing).
        if (Statements.Write(statement) is not var (target, value) || !_activity.Active.Contains(target) || Statements.IsRebind(statement, _variables) && !IsCallRebind(statement))
            return;
        StatementPlan plan = PlanOf(statement);
        Expr seed = IsCallRebind(statement) ? new ConstantExpr(1, _variables[target].Type) : SeedOf(statement, target);
        plan.Seed = seed;
        StatementAdjoint adjoint = plan.Preaccumulated is Preaccumulated carried
            ? StatementAdjoint.Carried(carried, seed, _variables[carried.Input].Type)
            : StatementAdjoint.Sweep(statement.Nodes, value, Simplify.Cast(seed, _variables[target].Type), _activity.ActiveNodes(statement.Nodes, value), _activity.Active, AliasesThroughTangents);
        if (statement is StoreStatement store)
            adjoint.Referenced.Add(store.Index);
        plan.Adjoint = adjoint;

        foreach (int node in adjoint.Referenced)
        {
            if (node == value)
                _needed.Add(target);
            else if (plan.Nested)
                NeedLeavesOf(statement.Nodes, node);
            else if (statement.Nodes[node].Op == Op.Read || IsLocalArray(statement.Nodes[node], Op.ArrayArgument))
                _needed.Add(statement.Nodes[node].Name!);
        }
    }

    /// <summary><c>s = Step(s, p)</c>: a local array given the new array a call returns.</summary>
    private bool IsCallRebind(Statement statement) =>
        Statements.IsRebind(statement, _variables) && statement is AssignStatement assign && assign.Nodes[assign.Value].Op == Op.Call;

    /// <summary>A value recomputed in the reverse sweep needs the variables it reads restored first.</summary>
    private void NeedLeavesOf(EquatableArray<Node> nodes, int node)
    {
        Node n = nodes[node];
        if (n.Op == Op.Read || IsLocalArray(n, Op.Element) || IsLocalArray(n, Op.ArrayArgument))
            _needed.Add(n.Name!);
        foreach (int argument in n.Arguments)
            NeedLeavesOf(nodes, argument);
    }

    /// <summary>The adjoint the statement's sweep starts from: the target's, the stored element's, or 1 for the single top-level result.</summary>
    private void FindFusions(IReadOnlyDictionary<string, int> writeCounts)
    {
        var readBefore = new HashSet<string>();
        foreach (Statement statement in _program.Body.Statements)
        {
            if (statement is LoopStatement loop && LoopFusion.Find(loop, writeCounts, _activity.Active, readBefore) is LoopFusion fusion)
            {
                PlanOf(loop).Fusion = fusion;
                foreach (Statement inner in loop.Body.Statements)
                {
                    PlanOf(inner).Fused = true;
                    PlanOf(inner).RecomputedBefore = null;
                }
            }
            // What the statements before a loop read in reverse, or restore, must not be changed by a fused loop.
            foreach (Statement inner in Statements.All(new Block(new EquatableArray<Statement>(new[] { statement }))))
            {
                if (PlanOf(inner).Adjoint is StatementAdjoint adjoint)
                {
                    AddLeaves(inner.Nodes, adjoint.Referenced, readBefore);
                    // A rule reading the statement's own result (tanh' = 1 − y²) reads it from the target variable.
                    if (Statements.Write(inner) is var (written, value) && adjoint.Referenced.Contains(value))
                        readBefore.Add(written);
                }
                if (Statements.Write(inner) is var (target, _) && !IsFirstWrite(inner))
                    readBefore.Add(target);
            }
        }
    }

    /// <summary>
    /// Adds the variables the graph below <paramref name="roots"/> reads, each node visited once: a graph shares its
    /// subexpressions, so walking it as a tree would take time exponential in its depth.
    /// </summary>
    private static void AddLeaves(EquatableArray<Node> nodes, IEnumerable<int> roots, HashSet<string> leaves)
    {
        var visited = new bool[nodes.Count];
        var pending = new Stack<int>(roots);
        while (pending.Count > 0)
        {
            int id = pending.Pop();
            if (visited[id])
                continue;
            visited[id] = true;
            if (nodes[id].Name is string name)
            {
                leaves.Add(name);
                continue;
            }
            foreach (int argument in nodes[id].Arguments)
                pending.Push(argument);
        }
    }

    private bool IsLocalArray(Node node, Op op) => node.Op == op && _variables[node.Name!].Kind != VariableKind.Parameter;

    private Expr SeedOf(Statement statement, string target)
    {
        ScalarType type = _variables[target].Type;
        if (target == _program.Result && _resultSeededOnce)
            return new ConstantExpr(1, type);
        if (statement is not StoreStatement)
            return new NameExpr(_adjointNames[target], AdjointType(target));
        string element = _names.Allocate(Naming.Derivative(target) + "_element");
        PlanOf(statement).ElementAdjoint = element;
        return new NameExpr(element, type);
    }

    private void NameAdjoints()
    {
        foreach (ParameterSpec parameter in _function.Inputs.Where(p => p.Role != ParameterRole.Passive))
            _adjointNames[parameter.Name] = parameter.GradientName;
        foreach (ParameterSpec parameter in _function.Inputs.Where(p => p.Role == ParameterRole.Matrix))
            _written[parameter.Name] = _names.Allocate(Naming.Derivative(parameter.Name) + "Written");
        foreach (VariableSpec variable in _program.Variables)
        {
            if (_activity.Active.Contains(variable.Name) && !_adjointNames.ContainsKey(variable.Name))
                _adjointNames[variable.Name] = _names.Allocate(Naming.Derivative(variable.Name));
        }
    }

    private IEnumerable<CodeLine> InitialAdjoints()
    {
        // A fused loop's locals get their adjoints inside the loop.
        var fusedLocals = new HashSet<string>(Statements.All(_program.Body).Where(s => PlanOf(s).Fused).OfType<AssignStatement>().Where(a => a.Declares).Select(a => a.Target));
        foreach (ParameterSpec parameter in _function.Inputs)
        {
            if (parameter.Role == ParameterRole.Scalar)
                yield return new AssignLine(new NameExpr(parameter.GradientName, parameter.Type!.Value), new ConstantExpr(0, parameter.Type!.Value), false);
            else if (parameter.Role == ParameterRole.Array && !_clearedBeforeLoop.Contains(parameter.Name))
                yield return new ClearLine(parameter.GradientName);
            else if (parameter.Role == ParameterRole.Matrix)
                yield return new DeclareLine("bool", _written[parameter.Name], new ConstantExpr(0, ScalarType.Bool));
            else if (parameter.Role == ParameterRole.MatrixArray)
                yield return new ClearMatricesLine(parameter.GradientName);
        }
        foreach (VariableSpec variable in _program.Variables)
        {
            // A [NoDerivative] parameter that is reassigned from differentiable values needs an adjoint local of its own.
            bool hasGradientParameter = _function.Inputs.Any(p => p.Name == variable.Name && p.Role != ParameterRole.Passive);
            if (hasGradientParameter || variable.IsArray || !_activity.Active.Contains(variable.Name) || fusedLocals.Contains(variable.Name))
                continue;
            if (variable.Name == _program.Result && (_resultSeededOnce || _function.ReturnsMatrix))
                continue;
            if (variable.IsMatrix)
            {
                yield return new DeclareLine(variable.TypeName + "?", _adjointNames[variable.Name], new NullExpr(variable.Type));
                continue;
            }
            double initial = variable.Name == _program.Result ? 1 : 0;
            ScalarType type = AdjointType(variable.Name);
            yield return new DeclareLine(type.Keyword(), _adjointNames[variable.Name], new ConstantExpr(initial, type));
        }
    }
}
