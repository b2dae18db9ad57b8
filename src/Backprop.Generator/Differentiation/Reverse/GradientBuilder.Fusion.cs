using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>Loops fused into sums: a loop accumulating a differentiable term runs its reverse code inside its own iterations.</summary>
internal sealed partial class GradientBuilder
{
    /// <summary>
    /// The fused loop: each iteration runs its statements, then their reverse code for a unit adjoint of the
    /// accumulator, adding into loop-only accumulators, then its integer steps.
    /// </summary>
    private void EmitFusedLoop(List<CodeLine> lines, LoopStatement loop, LoopFusion fusion, Expr condition)
    {
        var names = new Dictionary<string, string>();
        var scalars = new List<string>();
        var arrays = new List<string>();
        var locals = new HashSet<string>(loop.Body.Statements.Select(s => Statements.Write(s)!.Value.Target));
        List<Statement> reversible = loop.Body.Statements.Take(loop.Body.Statements.Count - fusion.Steps).ToList();
        foreach (Statement statement in reversible)
        {
            var (target, value) = Statements.Write(statement)!.Value;
            if (!_activity.Active.Contains(target))
                continue;
            ScalarType type = _variables[target].Type;
            Expr seed = target == fusion.Accumulator ? new ConstantExpr(1, type) : new NameExpr(LoopName(names, target, Naming.Derivative(target)), AdjointType(target));
            StatementAdjoint adjoint = StatementAdjoint.Sweep(statement.Nodes, value, Simplify.Cast(seed, type), _activity.ActiveNodes(statement.Nodes, value), _activity.Active, AliasesThroughTangents);
            PlanOf(statement).FusedSweep = (adjoint, seed);
            foreach (string outer in adjoint.Variables.Select(c => c.Key).Where(v => !locals.Contains(v) && !names.ContainsKey(v)))
            {
                LoopName(names, outer, Naming.Derivative(outer) + "_in_loop");
                scalars.Add(outer);
            }
            foreach (string array in adjoint.Elements.Select(e => e.Array).Where(a => !names.ContainsKey(a)))
            {
                LoopName(names, array, Naming.Derivative(array) + "_in_loop");
                arrays.Add(array);
            }
        }
        // A parameter's gradient buffer that nothing after the loop adds to can take the loop's sums directly.
        var direct = arrays.Where(a => IsGradientBuffer(a) && !_aliases.IsRebound(a) && !ContributedAfter(loop, a) && _clearedBeforeLoop.Add(a)).ToList();
        foreach (string array in direct)
        {
            names[array] = _adjointNames[array];
            arrays.Remove(array);
        }
        PlanOf(loop).FusedAdjoints = new FusedAdjoints(names, scalars, arrays, direct);

        lines.Add(new CommentLine($"The loop sums into {fusion.Accumulator}: its gradient is summed along, for a unit adjoint of {fusion.Accumulator}, and scaled in the reverse pass."));
        foreach (string scalar in scalars)
            lines.Add(new DeclareLine(AdjointType(scalar).Keyword(), names[scalar], new ConstantExpr(0, AdjointType(scalar))));
        foreach (string array in arrays)
            lines.Add(new RentLine(_variables[array].Type, names[array], new LengthExpr(array)));

        var body = new List<CodeLine>();
        var forward = Forward(new Block(reversible.ToEquatableArray()));
        body.AddRange(forward);
        var adjointLocals = locals.Where(l => names.ContainsKey(l) && !scalars.Contains(l))
            .Select(l => (CodeLine)new DeclareLine(AdjointType(l).Keyword(), names[l], new ConstantExpr(0, AdjointType(l)))).ToList();
        _nameOverride = names;
        var gradient = new List<CodeLine>();
        for (int i = reversible.Count - 1; i >= 0; i--)
        {
            var code = new List<CodeLine>();
            ReverseWrite(code, reversible[i], PlanOf(reversible[i]).Record!, nested: true);
            if (code.Count > 0)
            {
                gradient.Add(new CommentLine("gradient of: " + reversible[i].Source));
                gradient.AddRange(code);
            }
        }
        _nameOverride = null;
        var (declarations, accumulation) = FirstWrites.Apply(adjointLocals, gradient);
        body.AddRange(declarations);
        body.AddRange(accumulation);
        body.AddRange(Forward(new Block(loop.Body.Statements.Skip(reversible.Count).ToEquatableArray())));
        lines.Add(new WhileLine(condition, ElementAccumulation.Merge(body, _names, ReboundNames).ToEquatableArray(), loop.TestsFirst));
    }

    private string LoopName(Dictionary<string, string> names, string variable, string wanted)
    {
        if (!names.TryGetValue(variable, out string? name))
            names[variable] = name = _names.Allocate(wanted);
        return name;
    }

    /// <summary>The reverse of a fused loop: its gradients, summed in the forward pass for a unit seed, times the accumulator's adjoint.</summary>
    private void ScaleFusedGradients(List<CodeLine> lines, LoopStatement loop, LoopFusion fusion)
    {
        FusedAdjoints fused = PlanOf(loop).FusedAdjoints!;
        var seed = new NameExpr(_adjointNames[fusion.Accumulator], AdjointType(fusion.Accumulator));
        // Each gradient in its own type: a float parameter's summed along a double accumulator (x += f(y)) is float.
        foreach (string scalar in fused.Scalars)
        {
            ScalarType type = AdjointType(scalar);
            lines.Add(new AssignLine(new NameExpr(_adjointNames[scalar], type), Simplify.Cast(seed * new NameExpr(fused.Names[scalar], type), type), true));
        }
        foreach (string array in fused.Arrays)
        {
            lines.Add(new AddScaledLine(_adjointNames[array], fused.Names[array], Simplify.Cast(seed, _variables[array].Type)));
            lines.Add(new ReturnLine(fused.Names[array]));
        }
        foreach (string array in fused.Direct)
            lines.Add(new ScaleLine(_adjointNames[array], Simplify.Cast(seed, _variables[array].Type)));
    }

    private bool IsGradientBuffer(string array) => _function.Inputs.Any(p => p.Name == array && p.Role == ParameterRole.Array);

    /// <summary>Whether reverse code of a top-level statement after <paramref name="loop"/> adds to <paramref name="array"/>'s adjoint.</summary>
    private bool ContributedAfter(LoopStatement loop, string array)
    {
        EquatableArray<Statement> top = _program.Body.Statements;
        int at = Enumerable.Range(0, top.Count).First(i => ReferenceEquals(top[i], loop));
        return top.Skip(at + 1).SelectMany(s => Statements.All(new Block(new EquatableArray<Statement>(new[] { s }))))
            .Any(s => PlanOf(s).Adjoint is StatementAdjoint a && (a.Elements.Any(e => e.Array == array) || a.Arrays.Any(e => e.Array == array)));
    }
}
