using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Model;

namespace Backprop.Generator.Emission;

/// <summary>The forward sweep: the method's own computation, storing in the workspace what the backward sweep reads.</summary>
internal sealed partial class TensorEmitter
{
    /// <summary>Per loop, the names of its iteration counter, its slot index and where its range of slots starts.</summary>
    private sealed record LoopNames(string Count, string Slot, string First, string? ParentSlot);

    private readonly Dictionary<TensorLoop, LoopNames> _loops = new();
    private readonly Dictionary<int, string> _layers = new();

    private void EmitForward(CodeWriter writer)
    {
        NameLoops(_function.Body, null);
        EmitSteps(writer, _function.Body, null);
        writer.Line();
        writer.Line($"return {Name(_function.Result)};");
    }

    /// <summary>Emits a block; <paramref name="source"/> is the statement already quoted (a <c>?:</c> branch's arms are part of its statement).</summary>
    private void EmitSteps(CodeWriter writer, EquatableArray<TensorStep> steps, string? slot, string? source = null)
    {
        bool started = false;
        foreach (TensorStep step in steps)
        {
            if (step.Source != source)
            {
                if (started)
                    writer.Line();
                writer.Line("// " + step.Source);
                source = step.Source;
            }
            started = true;
            switch (step)
            {
                case TensorStatement statement:
                    EmitStatement(writer, statement, slot);
                    break;
                case TensorBranch branch:
                    EmitBranch(writer, branch, slot);
                    break;
                case TensorLoop loop:
                    EmitLoop(writer, loop, slot);
                    break;
            }
        }
    }

    private void EmitStatement(CodeWriter writer, TensorStatement statement, string? slot)
    {
        TensorValue value = _function.Values[statement.Result];
        string name = Name(statement.Result);
        string type = TypeOf(value);
        string[] arguments = statement.Arguments.Select(Operand).ToArray();
        switch (statement.Op)
        {
            case TensorOp.Passive:
                writer.Line($"{type} {name} = {statement.Code};");
                break;
            case TensorOp.Element:
                writer.Line($"{type} {name} = {ElementOf(statement)};");
                break;
            case TensorOp.Layer:
                string layer = _names.Allocate(value.Name + "Layer");
                string workspace = statement.Call!.Pullback!;
                _layers[statement.Result] = slot is null ? "_" + layer : $"_{layer}[{slot}]!";
                if (slot is null)
                    _fields.Add($"private readonly {workspace} _{layer} = new();");
                string instance = slot is null ? "_" + layer : $"({Storage(layer, workspace + "?", slot)} ??= new {workspace}())";
                writer.Line($"{type} {name} = {instance}.Forward({string.Join(", ", arguments)});");
                Keep(writer, value, slot);
                break;
            case TensorOp.Call:
                if (!EmitInto(writer, statement, value, name, arguments, slot))
                {
                    CallSpec call = statement.Call!;
                    string expression = call.Operator is string token
                        ? arguments.Length == 1 ? token + arguments[0] : $"{arguments[0]} {token} {arguments[1]}"
                        : $"{call.Forward}({string.Join(", ", arguments)})";
                    writer.Line($"{type} {name} = {expression};");
                    Keep(writer, value, slot);
                }
                break;
            default:
                writer.Line($"{type} {name} = {Arithmetic(statement.Op, arguments)};");
                Keep(writer, value, slot);
                break;
        }
    }

    private string ElementOf(TensorStatement element) => $"{Operand(element.Arguments[0])}[{element.Arguments[1].Code}]";

    /// <summary>Stores a forward value in the workspace for the backward sweep.</summary>
    private void Keep(CodeWriter writer, TensorValue value, string? slot)
    {
        _kept[value.Id] = slot;
        writer.Line($"{Storage(value.Name, StoredType(value), slot)} = {Name(value.Id)};");
    }

    /// <summary>A call with a destination form writes into its workspace buffer, sized by the shape method or the first matrix argument.</summary>
    private bool EmitInto(CodeWriter writer, TensorStatement statement, TensorValue value, string name, string[] arguments, string? slot)
    {
        CallSpec call = statement.Call!;
        if (value.Kind != TensorKind.Matrix || call.Into is null || ShapeOf(statement, arguments) is not string shape)
            return false;
        if (call.Shape is not null)
        {
            string shapeName = _names.Allocate(value.Name + "Shape");
            writer.Line($"(int Rows, int Columns) {shapeName} = {shape};");
            shape = shapeName;
        }
        _kept[value.Id] = slot;
        writer.Line($"{_matrix} {name} = {_matrix}.Reuse(ref {Storage(value.Name, StoredType(value), slot)}, {shape}.Rows, {shape}.Columns);");
        writer.Line($"{call.Into}({string.Join(", ", call.IntoArguments.Select(i => i < 0 ? name : arguments[i]))});");
        return true;
    }

    private static string Arithmetic(TensorOp op, string[] arguments) =>
        op == TensorOp.Negate ? "-" + arguments[0] : $"{arguments[0]} {TensorRules.Token(op)} {arguments[1]}";

    /// <summary>The result's rows and columns: from the shape method, or from the first matrix argument.</summary>
    private string? ShapeOf(TensorStatement statement, string[] arguments)
    {
        CallSpec call = statement.Call!;
        if (call.Shape is not null)
            return $"{call.Shape}({string.Join(", ", arguments)})";
        for (int i = 0; i < statement.Arguments.Count; i++)
        {
            if (statement.Arguments[i].Value is int v && _function.Values[v].Kind == TensorKind.Matrix)
                return arguments[i];
        }
        return null;
    }

    /// <summary>Merged locals are declared before the <c>if</c>, assigned at the end of each branch and kept after it.</summary>
    private void EmitBranch(CodeWriter writer, TensorBranch branch, string? slot)
    {
        foreach (BranchMerge merge in branch.Merges)
            writer.Line($"{TypeOf(_function.Values[merge.Result])} {Name(merge.Result)};");
        writer.Open($"if ({Condition(branch.Condition)})");
        EmitArm(writer, branch.Then, branch.Merges.Select(m => (m.Result, m.Then)), slot, branch.Source);
        writer.Close();
        if (branch.Else.Count > 0 || branch.Merges.Count > 0)
        {
            writer.Open("else");
            EmitArm(writer, branch.Else, branch.Merges.Select(m => (m.Result, m.Else)), slot, branch.Source);
            writer.Close();
        }
        foreach (BranchMerge merge in branch.Merges)
            Keep(writer, _function.Values[merge.Result], slot);
    }

    private void EmitArm(CodeWriter writer, EquatableArray<TensorStep> steps, IEnumerable<(int Result, int Value)> merges, string? slot, string source)
    {
        EmitSteps(writer, steps, slot, source);
        foreach (var (result, value) in merges)
            writer.Line($"{Name(result)} = {Name(value)};");
    }

    /// <summary>
    /// A loop numbers its iterations with a counter that runs on across the executions of the loop (an inner loop
    /// runs once per outer iteration), so each iteration has its own slot; a carried local is one variable before,
    /// through and after the loop, and its value at the start of each iteration is kept as the iteration's own value.
    /// </summary>
    private void EmitLoop(CodeWriter writer, TensorLoop loop, string? slot)
    {
        LoopNames names = _loops[loop];
        foreach (LoopCarried carried in loop.Carried)
            writer.Line($"{TypeOf(_function.Values[carried.Outer])} {Name(carried.Outer)} = {Name(carried.Initial)};");
        if (slot is null)
        {
            // Counters of this loop and of the loops inside it, which run on across this loop's iterations.
            foreach (TensorLoop counted in Nested(new EquatableArray<TensorStep>(new TensorStep[] { loop })))
                writer.Line($"int {_loops[counted].Count} = 0;");
        }
        else
        {
            writer.Line($"int {names.First} = {names.Count};");
        }

        string variables = loop.Variables.Count == 0 ? ""
            : TypeOf(_function.Values[loop.Variables[0].Value]) + " " + string.Join(", ", loop.Variables.Select(v => $"{Name(v.Value)} = {v.Initial.Code}"));
        writer.Open($"for ({variables}; {Condition(loop.Condition)}; {string.Join(", ", loop.Steps)})");
        writer.Line($"int {names.Slot} = {names.Count}++;");
        foreach (LoopVariable variable in loop.Variables)
            Keep(writer, _function.Values[variable.Value], names.Slot);
        foreach (LoopCarried carried in loop.Carried)
        {
            writer.Line($"{TypeOf(_function.Values[carried.Inner])} {Name(carried.Inner)} = {Name(carried.Outer)};");
            Keep(writer, _function.Values[carried.Inner], names.Slot);
        }
        writer.Line();
        EmitSteps(writer, loop.Body, names.Slot);
        if (loop.Carried.Count > 0)
            writer.Line();
        foreach (LoopCarried carried in loop.Carried)
            writer.Line($"{Name(carried.Outer)} = {Name(carried.Next)};");
        writer.Close();

        foreach (LoopCarried carried in loop.Carried)
            Keep(writer, _function.Values[carried.Outer], slot);
        if (slot is null)
        {
            writer.Line($"{Storage(names.Count, "int", null)} = {names.Count};");
        }
        else
        {
            writer.Line($"{Storage(names.First, "int", slot)} = {names.First};");
            writer.Line($"{Storage(names.Count, "int", slot)} = {names.Count};");
        }
    }

    /// <summary>Names every loop's counter, slot index and first slot, outer loops first.</summary>
    private void NameLoops(EquatableArray<TensorStep> steps, string? slot)
    {
        foreach (TensorStep step in steps)
        {
            switch (step)
            {
                case TensorLoop loop:
                    string baseName = loop.Variables.Count > 0 ? _function.Values[loop.Variables[0].Value].Name : "loop";
                    var names = new LoopNames(_names.Allocate(baseName + "Steps"), _names.Allocate(baseName + "Step"), _names.Allocate(baseName + "First"), slot);
                    _loops[loop] = names;
                    NameLoops(loop.Body, names.Slot);
                    break;
                case TensorBranch branch:
                    NameLoops(branch.Then, slot);
                    NameLoops(branch.Else, slot);
                    break;
            }
        }
    }

    private static IEnumerable<TensorLoop> Nested(EquatableArray<TensorStep> steps) => steps.SelectMany(step => step switch
    {
        TensorLoop loop => new[] { loop }.Concat(Nested(loop.Body)),
        TensorBranch branch => Nested(branch.Then).Concat(Nested(branch.Else)),
        _ => Enumerable.Empty<TensorLoop>(),
    });
}
