using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Model;

namespace Backprop.Generator.Emission;

/// <summary>
/// The backward sweep: each block first loads (or recomputes) the forward values it reads, then runs the planned
/// reverse items; a branch replays the arm that ran, a loop runs its iterations last first, each reading its own slots.
/// </summary>
internal sealed partial class TensorEmitter
{
    private ReversePlan _plan = null!;

    /// <summary>
    /// Carried matrices whose value before the loop needs no gradient (the network's input): in the loop's first
    /// iteration their gradient goes nowhere, so it is not computed (a null buffer); the value is the condition that says so.
    /// </summary>
    private readonly Dictionary<int, string> _unusedAtFirstIteration = new();

    private void EmitBackward(CodeWriter writer)
    {
        _plan = TensorBackward.Plan(_function);
        foreach (var loop in _loops)
        {
            string first = loop.Value.ParentSlot is null ? "0" : Stored(loop.Value.First, loop.Value.ParentSlot);
            foreach (LoopCarried carried in loop.Key.Carried.Where(c => _function.Values[c.Inner].Kind == TensorKind.Matrix && !_plan.Relevant.Contains(c.Initial)))
                _unusedAtFirstIteration[carried.Inner] = $"{loop.Value.Slot} == {first}";
        }
        Prologue(writer, _function.Body, null, null);
        _adjoints[_function.Result] = "dResult";
        EmitItems(writer, _plan.Items, null, started: true);

        foreach (TensorParameter parameter in Differentiable.Where(p => !_plan.Relevant.Contains(p.Value)))
        {
            writer.Line();
            writer.Line($"// {parameter.Name} does not reach the result.");
            writer.Line(parameter.Kind switch
            {
                TensorKind.Matrix => $"{parameter.GradientName}?.Span.Clear();",
                TensorKind.MatrixArray => $"global::Backprop.GradientBuffers.Clear({parameter.GradientName});",
                _ => $"{parameter.GradientName} = {ExprPrinter.Literal(0, _function.Element)};",
            });
        }
    }

    /// <summary>Loads or recomputes the values of a block (and, for a loop body, the iteration's variables) that the sweep reads; true when it wrote any.</summary>
    private bool Prologue(CodeWriter writer, EquatableArray<TensorStep> steps, TensorLoop? loop, string? slot)
    {
        var values = new List<int>();
        if (loop is not null)
            values.AddRange(loop.Variables.Select(v => v.Value).Concat(loop.Carried.Select(c => c.Inner)));
        foreach (TensorStep step in steps)
        {
            values.AddRange(step switch
            {
                TensorStatement statement => new[] { statement.Result },
                TensorBranch branch => branch.Merges.Select(m => m.Result),
                TensorLoop inner => inner.Carried.Select(c => c.Outer),
                _ => Enumerable.Empty<int>(),
            });
        }
        bool wrote = false;
        foreach (int id in values.Where(_plan.Reads.Contains))
        {
            TensorValue value = _function.Values[id];
            string? code = Definition(steps, id) is { } statement && statement.Op is TensorOp.Passive or TensorOp.Element
                ? statement.Op == TensorOp.Passive ? statement.Code : ElementOf(statement)
                : _kept.TryGetValue(id, out string? keptAt) ? Stored(value.Name, keptAt) + (value.Kind == TensorKind.Matrix ? "!" : "") : null;
            if (code is null)
                continue;
            writer.Line($"{TypeOf(value)} {Name(id)} = {code};");
            wrote = true;
        }
        return wrote;
    }

    private static TensorStatement? Definition(EquatableArray<TensorStep> steps, int value) =>
        steps.OfType<TensorStatement>().FirstOrDefault(s => s.Result == value);

    /// <summary>Emits reverse items; <paramref name="started"/> tells whether the block has lines already, <paramref name="source"/> which statement is quoted already.</summary>
    private void EmitItems(CodeWriter writer, IReadOnlyList<ReverseItem> items, string? slot, bool started, string? source = null)
    {
        void Comment(string text)
        {
            if (started)
                writer.Line();
            writer.Line("// " + text);
            started = true;
        }

        foreach (ReverseItem item in items)
        {
            switch (item)
            {
                case AdjointStep step:
                    if (step.Statement.Source != source)
                        Comment(source = step.Statement.Source);
                    EmitStep(writer, step);
                    break;
                case ZeroAdjoint zero:
                    EmitZero(writer, zero.Value);
                    break;
                case IdentityStep identity:
                    EmitIdentity(writer, identity);
                    break;
                case CarryStep carry:
                    Comment($"{carry.Carried.Local}: its gradient at the start of this iteration is the gradient of the previous iteration's result.");
                    EmitCarry(writer, carry);
                    break;
                case ReverseBranch branch:
                    if (branch.Branch.Source != source)
                        Comment(branch.Branch.Source);
                    EmitItems(writer, branch.Zero, slot, started: true);
                    string condition = Condition(branch.Branch.Condition);
                    writer.Open(branch.Then.Count > 0 ? $"if ({condition})" : $"if (!({condition}))");
                    EmitArm(writer, branch.Then.Count > 0 ? branch.Branch.Then : branch.Branch.Else, branch.Then.Count > 0 ? branch.Then : branch.Else, slot, branch.Branch.Source);
                    writer.Close();
                    if (branch.Then.Count > 0 && branch.Else.Count > 0)
                    {
                        writer.Open("else");
                        EmitArm(writer, branch.Branch.Else, branch.Else, slot, branch.Branch.Source);
                        writer.Close();
                    }
                    source = null;
                    break;
                case ReverseLoop loop:
                    Comment(loop.Loop.Source);
                    EmitLoopBackward(writer, loop);
                    source = null;
                    break;
            }
        }
    }

    private void EmitArm(CodeWriter writer, EquatableArray<TensorStep> steps, IReadOnlyList<ReverseItem> items, string? slot, string source) =>
        EmitItems(writer, items, slot, Prologue(writer, steps, null, slot), source);

    private void EmitLoopBackward(CodeWriter writer, ReverseLoop reverse)
    {
        LoopNames names = _loops[reverse.Loop];
        EmitItems(writer, reverse.Zero, names.ParentSlot, started: false);
        string end = Stored(names.Count, names.ParentSlot);
        string first = names.ParentSlot is null ? "0" : Stored(names.First, names.ParentSlot);
        writer.Open($"for (int {names.Slot} = {end} - 1; {names.Slot} >= {first}; {names.Slot}--)");
        EmitItems(writer, reverse.Body, names.Slot, Prologue(writer, reverse.Loop.Body, reverse.Loop, names.Slot));
        writer.Close();
        EmitItems(writer, reverse.After, names.ParentSlot, started: false);
    }

    private void EmitStep(CodeWriter writer, AdjointStep step)
    {
        TensorStatement statement = step.Statement;
        string g = _adjoints[statement.Result];
        string[] arguments = statement.Arguments.Select(Operand).ToArray();
        if (statement.Op == TensorOp.Element)
        {
            // The element's gradient adds into the array's buffer at its index (all zeroed before the first share).
            if (step.Arguments[0] is not null)
            {
                string array = GradientOf(_function.Values[statement.Arguments[0].Value!.Value]);
                string element = $"{array}[{statement.Arguments[1].Code}]";
                writer.Line($"if ({array} is not null) global::Backprop.MatrixOps.Add({element}, {g}, {element});");
            }
            return;
        }
        var after = new List<string>();
        var targets = new List<string>();
        for (int i = 0; i < step.Arguments.Count; i++)
            targets.Add(Target(writer, statement, i, step.Arguments[i], after));
        switch (statement.Op)
        {
            case TensorOp.Call:
                writer.Line($"{statement.Call!.Pullback}({string.Join(", ", arguments.Concat(new[] { Name(statement.Result), g }).Concat(GradientArguments(statement, targets)))});");
                break;
            case TensorOp.Layer:
                writer.Line($"{_layers[statement.Result]}.Backward({string.Join(", ", arguments.Concat(new[] { g }).Concat(GradientArguments(statement, targets)))});");
                break;
            default:
                for (int i = 0; i < targets.Count; i++)
                {
                    if (step.Arguments[i] is not null)
                        writer.Line($"{targets[i]} {TensorRules.Share(statement.Op, i, g, arguments, Name(statement.Result))};");
                }
                break;
        }
        foreach (string line in after)
            writer.Line(line);
    }

    /// <summary>What a call's gradient parameters receive: a buffer or <c>null</c> for matrices, <c>out</c> targets for scalars.</summary>
    private IEnumerable<string> GradientArguments(TensorStatement statement, List<string> targets)
    {
        for (int i = 0; i < targets.Count; i++)
        {
            if (statement.Call!.Gradients[i])
                yield return targets[i];
        }
    }

    private TensorParameter? ParameterOf(TensorValue value) => value.IsParameter ? _function.Parameters.First(p => p.Value == value.Id) : null;

    /// <summary>The adjoint of a value: its parameter's gradient buffer, the name it already has, or a new name.</summary>
    private string GradientOf(TensorValue value) =>
        ParameterOf(value)?.GradientName ?? (_adjoints.TryGetValue(value.Id, out string? existing) ? existing : AdjointName(value));

    /// <summary>
    /// Declares what argument <paramref name="index"/> of <paramref name="statement"/> writes its gradient into, and
    /// adds to <paramref name="after"/> the lines that fold a later share into the adjoint.
    /// </summary>
    private string Target(CodeWriter writer, TensorStatement statement, int index, (int Value, Contribution Kind)? gradient, List<string> after)
    {
        bool isCall = statement.Op is TensorOp.Call or TensorOp.Layer;
        TensorOperand operand = statement.Arguments[index];
        if (gradient is null)
            return operand.Value is int v && _function.Values[v].Kind is TensorKind.Matrix or TensorKind.MatrixArray ? "null" : "out _";

        TensorValue value = _function.Values[gradient.Value.Value];
        TensorParameter? parameter = ParameterOf(value);
        string adjoint = GradientOf(value);
        if (value.Kind == TensorKind.Scalar)
        {
            if (gradient.Value.Kind == Contribution.First)
            {
                _adjoints[value.Id] = adjoint;
                if (parameter is not null)
                    return isCall ? "out " + adjoint : adjoint + " =";
                return isCall ? $"out {_element} {adjoint}" : $"{_element} {adjoint} =";
            }
            if (!isCall)
                return adjoint + " +=";
            string share = _names.Allocate(adjoint + "Share");
            after.Add($"{adjoint} += {share};");
            return $"out {_element} {share}";
        }

        string shape = Name(value.Id);
        if (gradient.Value.Kind == Contribution.First)
        {
            _adjoints[value.Id] = adjoint;
            if (parameter is null)
                writer.Line(_unusedAtFirstIteration.TryGetValue(value.Id, out string? first)
                    ? $"{_matrix}? {adjoint} = {first} ? null : {Reuse(adjoint, shape)};"
                    : $"{_matrix} {adjoint} = {Reuse(adjoint, shape)};");
            return adjoint;
        }
        string part = _names.Allocate(adjoint + "Share");
        if (!MayBeNull(value))
        {
            writer.Line($"{_matrix} {part} = {Reuse(part, shape)};");
            after.Add($"global::Backprop.MatrixOps.Add({adjoint}, {part}, {adjoint});");
        }
        else
        {
            // The caller may not want this parameter's gradient (a null buffer), or nothing needs it: then there is nothing to add to.
            writer.Line($"{_matrix}? {part} = {adjoint} is null ? null : {Reuse(part, shape)};");
            after.Add($"if ({adjoint} is not null) global::Backprop.MatrixOps.Add({adjoint}, {part}!, {adjoint});");
        }
        return part;
    }

    /// <summary>Whether a matrix's adjoint may be a null buffer: a parameter's the caller skips, or a carried value's in its loop's first iteration.</summary>
    private bool MayBeNull(TensorValue value) => value.Kind == TensorKind.Matrix && (value.IsParameter || _unusedAtFirstIteration.ContainsKey(value.Id));

    /// <summary>A workspace buffer named after <paramref name="buffer"/>, reshaped to the shape of the matrix <paramref name="like"/>.</summary>
    private string Reuse(string buffer, string like) => $"{_matrix}.Reuse(ref {Field(buffer, _matrix + "?")}, {like}.Rows, {like}.Columns)";

    /// <summary>Starts an adjoint at zero, so that every later share, on whichever path runs, adds to it.</summary>
    private void EmitZero(CodeWriter writer, int id)
    {
        TensorValue value = _function.Values[id];
        string adjoint = GradientOf(value);
        _adjoints[id] = adjoint;
        string zero = ExprPrinter.Literal(0, _function.Element);
        bool skipped = _unusedAtFirstIteration.TryGetValue(id, out string? first);
        writer.Line((value.Kind, value.IsParameter) switch
        {
            (TensorKind.MatrixArray, _) => $"global::Backprop.GradientBuffers.Clear({adjoint});",
            (TensorKind.Matrix, true) => $"{adjoint}?.Span.Clear();",
            (TensorKind.Matrix, false) when skipped => $"{_matrix}? {adjoint} = {first} ? null : {Reuse(adjoint, Name(id))};",
            (TensorKind.Matrix, false) => $"{_matrix} {adjoint} = {Reuse(adjoint, Name(id))};",
            (_, true) => $"{adjoint} = {zero};",
            _ => $"{_element} {adjoint} = {zero};",
        });
        if (value.Kind == TensorKind.Matrix && !value.IsParameter)
            writer.Line(skipped ? $"{adjoint}?.Span.Clear();" : $"{adjoint}.Span.Clear();");
    }

    /// <summary>
    /// The gradient of a merged or carried value flowing unchanged to the value it stands for: the first share
    /// takes over the buffer (copied when it is the caller's <c>dResult</c>, which the sweep never writes), a later one adds.
    /// </summary>
    private void EmitIdentity(CodeWriter writer, IdentityStep identity)
    {
        string g = _adjoints[identity.From];
        TensorValue value = _function.Values[identity.To];
        bool isParameter = value.IsParameter;
        string adjoint = GradientOf(value);
        _adjoints[value.Id] = adjoint;
        if (value.Kind == TensorKind.Scalar)
        {
            writer.Line(identity.Kind == Contribution.Accumulate ? $"{adjoint} += {g};" : isParameter ? $"{adjoint} = {g};" : $"{_element} {adjoint} = {g};");
            return;
        }
        if (identity.Kind == Contribution.Accumulate)
            writer.Line(MayBeNull(value)
                ? $"if ({adjoint} is not null) global::Backprop.MatrixOps.Add({adjoint}, {g}, {adjoint});"
                : $"global::Backprop.MatrixOps.Add({adjoint}, {g}, {adjoint});");
        else if (isParameter)
            writer.Line($"if ({adjoint} is not null) {g}.Span.CopyTo({adjoint}.Span);");
        else if (g == "dResult")
        {
            writer.Line($"{_matrix} {adjoint} = {Reuse(adjoint, g)};");
            writer.Line($"{g}.Span.CopyTo({adjoint}.Span);");
        }
        else
            writer.Line($"{_matrix} {adjoint} = {g};");
    }

    /// <summary>Moves a carried local's gradient back one iteration: it becomes the gradient of the local's value at the start of this iteration.</summary>
    private void EmitCarry(CodeWriter writer, CarryStep carry)
    {
        TensorValue inner = _function.Values[carry.Carried.Inner];
        string outer = _adjoints[carry.Carried.Outer];
        string? innerAdjoint = carry.InnerReached ? _adjoints[inner.Id] : null;
        if (inner.Kind == TensorKind.Scalar)
        {
            writer.Line($"{outer} = {innerAdjoint ?? ExprPrinter.Literal(0, _function.Element)};");
            return;
        }
        if (innerAdjoint is not null && MayBeNull(inner))
            writer.Open($"if ({innerAdjoint} is not null)");
        writer.Line($"{outer} = {Reuse(_names.Allocate(outer + "Carry"), Name(inner.Id))};");
        writer.Line(innerAdjoint is null ? $"{outer}.Span.Clear();" : $"{innerAdjoint}.Span.CopyTo({outer}.Span);");
        if (innerAdjoint is not null && MayBeNull(inner))
            writer.Close();
    }

    private string AdjointName(TensorValue value) =>
        _names.Allocate(Naming.Derivative(value.Name.Length == 1 ? value.Name : char.ToUpperInvariant(value.Name[0]) + value.Name.Substring(1)));
}
