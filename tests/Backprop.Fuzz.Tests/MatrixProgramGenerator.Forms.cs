namespace Backprop.Fuzz.Tests;

/// <summary>
/// The statements of a matrix program and the scopes they open: loops over int counters (bounded as
/// <see cref="LoopBounds"/> proves), foreach over arrays of weights and of inputs, branches and <c>?:</c> on
/// matrices, conditions computed from matrices (which carry no derivative), break, continue and early returns,
/// scalar locals accumulated in loops.
/// </summary>
internal sealed partial class MatrixProgramGenerator
{
    /// <summary>Compound statements nest this deep: a loop in a branch of the top level, a simple statement inside that.</summary>
    private const int MaxDepth = 2;

    /// <summary>A statement form: writes one statement at a depth, or <c>null</c> where it does not fit (a break outside loops).</summary>
    private sealed record Form(string Name, int Weight, Func<MatrixProgramGenerator, int, string?> Write);

    private static readonly Form[] Forms =
    {
        new("declare", 8, (g, depth) => g.Declare()),
        new("alias a parameter", 1, (g, depth) => g.Alias()),
        new("reassign", 3, (g, depth) => g.Reassign()),
        new("for", 2, (g, depth) => depth < MaxDepth ? g.For(depth) : null),
        new("while", 1, (g, depth) => depth < MaxDepth ? g.While(depth, atEnd: false) : null),
        new("do", 1, (g, depth) => depth < MaxDepth ? g.While(depth, atEnd: true) : null),
        new("foreach over weights", 2, (g, depth) => depth < MaxDepth ? g.ForeachWeight(depth) : null),
        new("foreach over inputs", 1, (g, depth) => depth < MaxDepth ? g.ForeachInput(depth) : null),
        new("if", 3, (g, depth) => depth < MaxDepth ? g.If(depth) : null),
        new("switch", 1, (g, depth) => depth < MaxDepth ? g.Switch(depth) : null),
        new("assigned in both branches", 1, (g, depth) => g.AssignedInBothBranches()),
        new("conditional", 2, (g, depth) => g.Conditional()),
        new("scalar", 2, (g, depth) => g.ScalarLocal()),
        new("accumulate", 2, (g, depth) => g.Accumulate()),
        // A break inside a switch section would leave the section, not the loop (and leaving a section before its end is BP1001).
        new("break", 1, (g, depth) => g._jumps.Count > 0 && g._jumps[^1] ? $"if ({g.Condition()})\n{{\n    break;\n}}" : null),
        new("continue", 1, (g, depth) => g._jumps.Contains(true) ? $"if ({g.Condition()})\n{{\n    continue;\n}}" : null),
        new("return", 1, (g, depth) => g.EarlyReturn()),
    };

    private static readonly string[] Thresholds = { "-0.3", "-0.1", "0.05", "0.2", "0.4", "0.7", "1.3" };

    /// <summary>The matrices in scope, innermost last: parameters, locals, foreach variables.</summary>
    private readonly List<Value> _values = new();

    /// <summary>The scalar locals in scope; those of the top level are added to the loss.</summary>
    private readonly List<string> _scalars = new();

    /// <summary>The int counters of the loops around the statement being written, innermost last.</summary>
    private readonly List<string> _counters = new();

    /// <summary>What a break or continue would leave, innermost last: a loop (<c>true</c>) or a switch section (<c>false</c>).</summary>
    private readonly List<bool> _jumps = new();

    /// <summary>
    /// How many blocks (of a loop, a branch, a switch section, an arm of <c>?:</c>) are around the statement or
    /// expression being written: a reassignment at 0 always runs.
    /// </summary>
    private int _nested;

    private string Statement(int depth)
    {
        while (true)
        {
            if (ProgramGenerator.Weighted(_random, Forms, f => f.Weight).Write(this, depth) is string statement)
                return statement;
        }
    }

    /// <summary>
    /// A block at <paramref name="depth"/>: <paramref name="first"/> (written by the caller, declaring nothing), then
    /// <paramref name="more"/> random statements, whose locals go out of scope at its end.
    /// </summary>
    private string Block(int depth, int more, params string[] first)
    {
        int values = _values.Count, scalars = _scalars.Count;
        var statements = first.ToList();
        _nested++;
        for (int i = 0; i < more; i++)
            statements.Add(Statement(depth));
        _nested--;
        _values.RemoveRange(values, _values.Count - values);
        _scalars.RemoveRange(scalars, _scalars.Count - scalars);
        return "{\n" + string.Join("\n", statements.Select(s => "    " + s.Replace("\n", "\n    "))) + "\n}";
    }

    /// <summary>A loop body: the carried variable's update (and a while loop's step before it), then 0–2 random statements.</summary>
    private string LoopBody(int depth, string? counter, params string[] first)
    {
        _jumps.Add(true);
        if (counter is not null)
            _counters.Add(counter);
        string body = Block(depth + 1, _random.Next(3), first);
        if (counter is not null)
            _counters.RemoveAt(_counters.Count - 1);
        _jumps.RemoveAt(_jumps.Count - 1);
        return body;
    }

    /// <summary>Writes what runs under a branch or in a loop (a loop body's first statements, an arm of <c>?:</c>), which <see cref="_nested"/> then counts.</summary>
    private string Nested(Func<string> write)
    {
        _nested++;
        string text = write();
        _nested--;
        return text;
    }

    /// <summary>A local (a value the program may reassign), the last one half the time.</summary>
    private Value State()
    {
        Value[] states = _values.Where(v => v.Local).ToArray();
        return _random.Next(2) == 0 ? states[^1] : states[_random.Next(states.Length)];
    }

    /// <summary><c>state = value;</c>, where the value is active: at the top level the state is active from then on.</summary>
    private string Assign(Value state, string value)
    {
        if (_nested == 0)
            _values[_values.IndexOf(state)] = state with { Active = true };
        return $"{state.Name} = {value};";
    }

    private Value ActiveValue()
    {
        Value[] active = _values.Where(v => v.Active).ToArray();
        return active[_random.Next(active.Length)];
    }

    /// <summary>A local given a new value from itself, or, one time in three, from another value of its shape.</summary>
    private string Reassign()
    {
        Value state = State();
        Value[] same = _values.Where(v => v.Rows == state.Rows && v.Columns == state.Columns).ToArray();
        return Assign(state, Update(_random.Next(3) == 0 ? same[_random.Next(same.Length)] : state));
    }

    /// <summary><c>var h… = p;</c> for a parameter (the input, a weight) or a foreach variable, which the program may then reassign.</summary>
    private string Alias()
    {
        Value[] sources = _values.Where(v => !v.Local).Concat(_weights.Select(w => new Value(w.Name, w.Rows, w.Columns, Active: true))).ToArray();
        Value source = sources[_random.Next(sources.Length)];
        string name = NewName("h");
        _values.Add(source with { Name = name, Local = true });
        return $"var {name} = {source.Name};";
    }

    /// <summary>A for loop carrying a matrix: up to a bound, or over an array of weights by index (<c>V[i]</c>).</summary>
    private string For(int depth)
    {
        Value state = State();
        string i = NewName("i");
        if (_random.Next(3) == 0)
        {
            string array = WeightArray(state.Columns, state.Columns);
            return $"for (int {i} = 0; {i} < {array}.Length; {i}++)\n"
                + LoopBody(depth, i, $"{state.Name} = Tanh(MatMul({state.Name}, {array}[{i}]));");
        }
        string bound = Bound();
        _counters.Add(i);
        string first = Nested(() => $"{state.Name} = {Update(state)};");
        _counters.RemoveAt(_counters.Count - 1);
        return $"for (int {i} = 0; {i} < {bound}; {i}++)\n" + LoopBody(depth, i, first);
    }

    /// <summary>A while or do loop carrying a matrix, its counter stepped first; a third of them also test a condition computed from matrices.</summary>
    private string While(int depth, bool atEnd)
    {
        Value state = State();
        string k = NewName("k");
        string bound = Bound();
        _counters.Add(k);
        string first = Nested(() => $"{state.Name} = {Update(state)};");
        _counters.RemoveAt(_counters.Count - 1);
        string body = LoopBody(depth, k, $"{k}++;", first);
        string condition = $"{k} < {bound}" + (_random.Next(3) == 0 ? " && " + MatrixCondition() : "");
        return atEnd ? $"int {k} = 0;\ndo\n{body}\nwhile ({condition});" : $"int {k} = 0;\nwhile ({condition})\n{body}";
    }

    /// <summary>A foreach over an array of weights: square ones multiplying the carried matrix, ones of its shape added to it, or a penalty on each.</summary>
    private string ForeachWeight(int depth)
    {
        Value state = State();
        string v = NewName("v");
        string array, first;
        // A penalty needs a scalar local to add to.
        switch (_random.Next(_scalars.Count > 0 ? 3 : 2))
        {
            case 0:
                array = WeightArray(state.Columns, state.Columns);
                first = _random.Next(3) == 0 ? $"{state.Name} = {Layer()}({v}, {state.Name});" : $"{state.Name} = Tanh(MatMul({state.Name}, {v}));";
                break;
            case 1:
                array = WeightArray(state.Rows, state.Columns);
                first = $"{state.Name} = {Pick("Sigmoid", "Tanh")}({state.Name} + {v});";
                break;
            default:
                array = WeightArray(_random.Next(1, 4), _random.Next(1, 4));
                string e = _scalars[_random.Next(_scalars.Count)];
                first = $"{e} = {e} + 0.1 * Sum(Square({v}));";
                break;
        }
        MatrixParameter weights = _weightArrays.Single(a => a.Name == array);
        return $"foreach (var {v} in {array})\n" + WithVariable(new Value(v, weights.Rows, weights.Columns, Active: true), () => LoopBody(depth, null, first));
    }

    /// <summary>A foreach over an array of inputs, each added to the carried matrix or multiplied by a weight first.</summary>
    private string ForeachInput(int depth)
    {
        Value state = State();
        string x = NewName("x");
        string array, first;
        if (_random.Next(2) == 0)
        {
            array = InputArray(state.Rows, state.Columns);
            first = $"{state.Name} = Tanh({state.Name} + {x});";
        }
        else
        {
            int columns = _random.Next(1, 5);
            array = InputArray(state.Rows, columns);
            first = $"{state.Name} = {state.Name} + Tanh(MatMul({x}, {Weight(columns, state.Columns)}));";
        }
        MatrixParameter inputs = _data.Single(a => a.Name == array);
        return $"foreach (var {x} in {array})\n" + WithVariable(new Value(x, inputs.Rows, inputs.Columns), () => LoopBody(depth, null, first));
    }

    /// <summary>Writes a body with a foreach variable in scope.</summary>
    private string WithVariable(Value variable, Func<string> body)
    {
        _values.Add(variable);
        string text = body();
        _values.Remove(variable);
        return text;
    }

    /// <summary>A switch over an int, each section a block and its break; a break or continue inside may only leave for the enclosing loop.</summary>
    private string Switch(int depth)
    {
        string subject = Subject();
        _jumps.Add(false);
        string sections = string.Concat(new[] { "case 0:", "case 1:", "default:" }.Skip(_random.Next(2))
            .Select(label => $"    {label}\n        {Block(depth + 1, _random.Next(1, 3)).Replace("\n", "\n        ")}\n        break;\n"));
        _jumps.RemoveAt(_jumps.Count - 1);
        return $"switch ({subject})\n{{\n{sections}}}";
    }

    /// <summary>What a switch switches on: the count, a shape, or the innermost counter modulo 3.</summary>
    private string Subject() => _random.Next(3) switch
    {
        0 => Count(),
        1 when _counters.Count > 0 => $"{_counters[^1]} % 3",
        _ => Size(),
    };

    private string If(int depth)
    {
        string text = $"if ({Condition()})\n{Block(depth + 1, _random.Next(1, 3))}";
        return _random.Next(2) == 0 ? text : text + $"\nelse\n{Block(depth + 1, _random.Next(1, 3))}";
    }

    /// <summary>A matrix local declared without a value and assigned in both branches of an if.</summary>
    private string AssignedInBothBranches()
    {
        Value from = ActiveValue();
        string name = NewName("h");
        string text = $"Matrix<double> {name};\nif ({Condition()})\n{{\n    {name} = {Nested(() => Update(from))};\n}}\nelse\n{{\n    {name} = {Nested(() => Update(from))};\n}}";
        _values.Add(new Value(name, from.Rows, from.Columns, Active: true, Local: true));
        return text;
    }

    /// <summary>
    /// <c>?:</c> on matrices: a new local or a reassignment from two updates, or a choice between two values of a shape;
    /// or its sibling, a reassignment from a switch expression over an int whose three arms are updates.
    /// </summary>
    private string Conditional()
    {
        switch (_random.Next(4))
        {
            case 0:
            {
                Value state = State();
                return Assign(state, $"{Condition()} ? {Nested(() => Update(state))} : {Nested(() => Update(state))}");
            }
            case 3:
            {
                Value state = State();
                string subject = $"({Subject()})";
                return Assign(state, $"{subject} switch\n{{\n    0 => {Nested(() => Update(state))},\n    1 => {Nested(() => Update(state))},\n    _ => {Nested(() => Update(state))},\n}}");
            }
            case 1:
            {
                Value from = ActiveValue();
                string name = NewName("h");
                string text = $"var {name} = {Condition()} ? {Nested(() => Update(from))} : {Nested(() => Update(from))};";
                _values.Add(new Value(name, from.Rows, from.Columns, Active: true, Local: true));
                return text;
            }
            default:
            {
                Value from = ActiveValue();
                _active = false;
                string other = SameShape(from);
                bool active = _active;
                string name = NewName("h");
                string condition = Condition();
                string choice = _random.Next(2) == 0 ? $"{condition} ? {from.Name} : {other}" : $"{condition} ? {other} : {from.Name}";
                _values.Add(new Value(name, from.Rows, from.Columns, active, Local: true));
                return $"var {name} = {Pick("Tanh", "Sigmoid")}({choice});";
            }
        }
    }

    private string ScalarLocal()
    {
        Value m = ActiveValue();
        string e = NewName("e");
        string value = _random.Next(4) switch
        {
            0 => "0.0",
            1 => $"Sum({m.Name})",
            2 => $"Mean({m.Name}) * {Scalar()}",
            _ => $"Mean(Square({m.Name}))",
        };
        _scalars.Add(e);
        return $"double {e} = {value};";
    }

    private string? Accumulate()
    {
        if (_scalars.Count == 0)
            return null;
        string e = _scalars[_random.Next(_scalars.Count)];
        Value m = ActiveValue();
        return _random.Next(3) switch
        {
            0 => $"{e} = {e} + Mean({m.Name});",
            1 => $"{e} += 0.5 * Mean(Square({m.Name}));",
            _ => $"{e} = 0.5 * {e} + Sum(Multiply({m.Name}, {SameShape(m)}));",
        };
    }

    /// <summary>A loop bound of 1–4: a literal, <c>Math.Min(n, 3)</c> (0–3), or a parameter's shape.</summary>
    private string Bound() => _random.Next(6) switch
    {
        < 3 => _random.Next(1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => $"Math.Min({Count()}, 3)",
        _ => Size(),
    };

    /// <summary>A condition, which carries no derivative: computed from matrices, or a scalar, a counter, a shape or the count compared.</summary>
    private string Condition()
    {
        bool active = _active;
        string condition = _random.Next(5) == 0 ? $"{OneCondition()} {Pick("&&", "||")} {OneCondition()}" : OneCondition();
        _active = active;
        return condition;
    }

    private string OneCondition() => _random.Next(10) switch
    {
        5 when _scalars.Count > 0 => $"{_scalars[_random.Next(_scalars.Count)]} > {Threshold()}",
        6 => $"{Scalar()} > {Threshold()}",
        7 when _counters.Count > 0 => _random.Next(3) switch
        {
            0 => $"{_counters[^1]} == 1",
            1 => $"{_counters[^1]} % 2 == 0",
            _ => $"{_counters[^1]} > 0",
        },
        8 => $"{Size()} > {_random.Next(1, 3)}",
        9 => $"{Count()} > {_random.Next(0, 3)}",
        _ => MatrixCondition(),
    };

    /// <summary>A comparison of a matrix's mean or sum (or mean square) with a threshold that no sum of a softmax or mean of a sigmoid sits on.</summary>
    private string MatrixCondition()
    {
        Value m = _values[_random.Next(_values.Count)];
        string value = _random.Next(4) == 0 ? Called(m) : m.Name;
        return _random.Next(3) switch
        {
            0 => $"Mean({value}) > {Threshold()}",
            1 => $"Sum({value}) < {Threshold()}",
            _ => $"Mean(Square({value})) > {Threshold()}",
        };
    }

    /// <summary>A call with <paramref name="m"/> (of the layer, the helper or the local function), whose body the condition or return that reads it must inline.</summary>
    private string Called(Value m) => _random.Next(3) switch
    {
        0 => $"{Layer()}({Weight(m.Columns, _random.Next(1, 5))}, {m.Name})",
        1 => $"{Helper()}({m.Name}, {m.Name})",
        _ => Cell(m),
    };

    private string Threshold() => Thresholds[_random.Next(Thresholds.Length)];

    /// <summary>An early return; the statements after it run under a guard, as if in a branch.</summary>
    private string EarlyReturn() => $"if ({Condition()})\n{{\n    return {ReturnValue()};\n}}";

    /// <summary>What an early return returns: a loss of an active value, perhaps plus a scalar local or times the innermost counter.</summary>
    private string ReturnValue()
    {
        Value m = ActiveValue();
        string value = _random.Next(5) switch
        {
            0 => $"Mean(Square({m.Name}))",
            1 => $"Sum({m.Name})",
            2 => $"0.5 * Sum(Square({m.Name}))",
            3 => $"Mean({Called(m)})",
            _ => $"Mean({m.Name}) * {Scalar()}",
        };
        if (_scalars.Count > 0 && _random.Next(3) == 0)
            value += " + " + _scalars[_random.Next(_scalars.Count)];
        if (_counters.Count > 0 && _random.Next(3) == 0)
            value = $"({value}) * ({_counters[^1]} + 1)";
        return value;
    }
}
