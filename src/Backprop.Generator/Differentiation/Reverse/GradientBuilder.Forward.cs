using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>The forward sweep: the statements as written, and what the reverse sweep needs of them saved (locals at the top level, the tape inside branches and loops).</summary>
internal sealed partial class GradientBuilder
{
    private List<CodeLine> Forward(Block block)
    {
        var lines = new List<CodeLine>();
        Statement? previous = null;
        foreach (Statement statement in block.Statements)
        {
            var record = new ForwardRecord();
            StatementPlan plan = PlanOf(statement);
            plan.Record = record;
            if (!ContinuesMatrixStatement(previous, statement))
                lines.Add(new CommentLine(statement.Source));
            previous = statement;
            bool nested = plan.Nested;
            switch (statement)
            {
                case AssignStatement assign when _variables[assign.Target].IsArray:
                    ForwardRebind(lines, record, assign, nested);
                    break;
                case SwapStatement swap:
                    lines.AddRange(Swap(swap));
                    break;
                case AssignStatement assign:
                    if (Restoration(assign) == Restore.Saved)
                        Save(lines, record, nested, assign.Target, new NameExpr(assign.Target, _variables[assign.Target].Type), _variables[assign.Target].TypeName);
                    EmitAssignment(lines, record, assign);
                    if (plan.Preaccumulated is Preaccumulated carried)
                    {
                        var values = new Dictionary<int, string>(record.Values) { [assign.Value] = assign.Target };
                        lines.Add(new DeclareLine(carried.Value.Type.Keyword(), carried.Tangent, StatementCode.Resolve(carried.Value, statement, values)));
                    }
                    TapeCalls(lines, record, statement);
                    break;
                case StoreStatement store:
                    Expr stored = StoreValues(lines, record, statement, store.Value);
                    var element = new ElementExpr(store.Array, ResolveForward(statement, record, store.Index), stored.Type);
                    if (Restoration(statement) == Restore.Saved)
                        Save(lines, record, nested, store.Array, element, element.Type.Keyword());
                    lines.Add(new AssignLine(element, stored, false));
                    TapeCalls(lines, record, statement);
                    break;
                case AllocateStatement allocate:
                    VariableSpec array = _variables[allocate.Array];
                    lines.Add(new AllocateLine(array.Type, allocate.Array, ResolveForward(statement, record, allocate.Length), allocate.OnStack));
                    if (_activity.Active.Contains(allocate.Array))
                    {
                        lines.Add(new RentLine(array.Type, _adjointNames[allocate.Array], new LengthExpr(allocate.Array)));
                        _rented.Add(_adjointNames[allocate.Array]);
                    }
                    break;
                case IfStatement branch:
                    Expr condition = ResolveForward(statement, record, branch.Condition);
                    List<CodeLine> then = Forward(branch.Then), otherwise = Forward(branch.Else);
                    if (HasReverse(statement))
                    {
                        if (nested)
                        {
                            // Recorded after the branch's own pushes, so the reverse pass pops it first.
                            then.Add(new PushLine(new ConstantExpr(1, ScalarType.Bool)));
                            otherwise.Add(new PushLine(new ConstantExpr(0, ScalarType.Bool)));
                            _usesTape = true;
                        }
                        else
                        {
                            record.Branch = _names.Allocate("branch");
                            lines.Add(new DeclareLine("bool", record.Branch, condition));
                            condition = new NameExpr(record.Branch, ScalarType.Bool);
                        }
                    }
                    lines.Add(new IfLine(condition, then.ToEquatableArray(), otherwise.ToEquatableArray()));
                    break;
                case LoopStatement loop when plan.Fusion is LoopFusion fusion:
                    EmitFusedLoop(lines, loop, fusion, ResolveForward(statement, record, loop.Condition));
                    break;
                case EffectStatement effect:
                    lines.Add(new EffectLine(effect.Code, effect.Reads));
                    break;
                case LoopStatement loop:
                    Expr test = ResolveForward(statement, record, loop.Condition);
                    List<CodeLine> body = Forward(loop.Body);
                    if (HasReverse(statement))
                    {
                        record.Counter = _names.Allocate("iterations");
                        lines.Add(new DeclareLine("int", record.Counter, new ConstantExpr(0, ScalarType.Int)));
                        body.Insert(0, new IncrementLine(record.Counter));
                    }
                    lines.Add(new WhileLine(test, body.ToEquatableArray(), loop.TestsFirst));
                    if (record.Counter is not null && nested)
                    {
                        lines.Add(new PushLine(new NameExpr(record.Counter, ScalarType.Int)));
                        _usesTape = true;
                    }
                    break;
            }
        }
        return lines;
    }

    /// <summary>
    /// Whether <paramref name="previous"/> computes a value for <paramref name="statement"/> from the same source (a matrix
    /// for any statement, a number for a matrix operation): one comment quotes both.
    /// </summary>
    private bool ContinuesMatrixStatement(Statement? previous, Statement statement) =>
        previous is not null && previous.Source == statement.Source && (IsMatrixWrite(previous) || IsMatrixWrite(statement));

    private void EmitAssignment(List<CodeLine> lines, ForwardRecord record, AssignStatement assign)
    {
        if (_variables[assign.Target].IsMatrix)
        {
            lines.AddRange(MatrixForward.Assignment(assign, _variables[assign.Target], IsFirstWrite(assign), _names));
            return;
        }
        Expr value = StoreValues(lines, record, assign, assign.Value);
        lines.Add(IsFirstWrite(assign)
            ? new DeclareLine(_variables[assign.Target].TypeName, assign.Target, value)
            : new AssignLine(new NameExpr(assign.Target, value.Type), value, false));
    }

    private enum Restore
    {
        /// <summary>The reverse sweep never needs the old value.</summary>
        None,
        /// <summary>Kept in a local (top level) or on the tape (inside branches and loops).</summary>
        Saved,
        /// <summary>An integer step, undone by the opposite step.</summary>
        Inverted,
        /// <summary>A loop-body local, computed again in the reverse iteration.</summary>
        Recomputed,
    }

    /// <summary>How the value a write overwrites comes back for the reverse sweep.</summary>
    private Restore Restoration(Statement statement)
    {
        if (PlanOf(statement).Fused)
            return Restore.None;
        // The array a name referred to comes back for every use the reverse sweep makes of it, and for its derivative buffer.
        if (Statements.IsRebind(statement, _variables) && statement is AssignStatement rebind)
            return !IsFirstWrite(rebind) && (_activity.Active.Contains(rebind.Target) || _needed.Contains(rebind.Target)) ? Restore.Saved : Restore.None;
        if (PlanOf(statement).RecomputedBefore is not null)
            return Restore.Recomputed;
        if (Statements.Write(statement) is not var (target, _) || !_needed.Contains(target) || IsFirstWrite(statement))
            return Restore.None;
        return statement is AssignStatement assign && Recomputation.Inverse(assign) is not null ? Restore.Inverted : Restore.Saved;
    }

    /// <summary>Keeps the value a statement is about to overwrite, when the reverse sweep will read it.</summary>
    private void Save(List<CodeLine> lines, ForwardRecord record, bool nested, string variable, Expr current, string type)
    {
        if (nested)
        {
            lines.Add(new PushLine(current));
            _usesTape = true;
        }
        else
        {
            record.Saved = _names.Allocate(variable + "_before");
            lines.Add(new DeclareLine(type, record.Saved, current));
        }
    }

    /// <summary>
    /// The statement's value as an expression. Values used twice get a local; at the top level so do
    /// the values the reverse sweep reads (inside branches and loops those are recomputed instead, but for
    /// the results of pullback-only functions, which go on the tape).
    /// </summary>
    private Expr StoreValues(List<CodeLine> lines, ForwardRecord record, Statement statement, int root)
    {
        StatementAdjoint? adjoint = PlanOf(statement).Adjoint;
        bool nested = PlanOf(statement).Nested;
        var taped = new HashSet<int>(TapedCalls(statement));
        return StatementCode.StoreValues(lines, _names, statement, root, record.Values, id => adjoint is not null && adjoint.Referenced.Contains(id) && (!nested || taped.Contains(id)));
    }

    /// <summary>
    /// Inside branches and loops, the results of pullback-only functions the reverse sweep reads, in push order: a user's
    /// function may be costly, so it runs once, and its result goes on the tape after the overwritten value.
    /// The statement's own result is not among them: it is the target's new value.
    /// </summary>
    private IEnumerable<int> TapedCalls(Statement statement)
    {
        if (!PlanOf(statement).Nested || PlanOf(statement).Adjoint is not StatementAdjoint adjoint || Statements.Write(statement) is not var (_, root))
            return Enumerable.Empty<int>();
        return statement.Nodes.Where(n => n.Id != root && n.Call?.Pullback is not null && adjoint.Referenced.Contains(n.Id)).Select(n => n.Id);
    }

    private void TapeCalls(List<CodeLine> lines, ForwardRecord record, Statement statement)
    {
        foreach (int node in TapedCalls(statement))
        {
            lines.Add(new PushLine(new NameExpr(record.Values[node], statement.Nodes[node].Type)));
            _usesTape = true;
        }
    }

    private Expr ResolveForward(Statement statement, ForwardRecord record, int node) => StatementCode.Value(statement, record.Values, node);
}
