using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Forward mode: the original statements, each followed by its tangent, <c>dv = Σᵢ ∂v/∂xᵢ · dxᵢ</c>.
/// The rules in <see cref="Rules"/> are linear in the adjoint they are given, so applied to an
/// argument's tangent they give its contribution to the output's tangent: one table serves both modes.
/// Branches and loops run as written; nothing is recorded. A pure function of the model.
/// </summary>
internal sealed class TangentBuilder
{
    private readonly FunctionSpec _function;
    private readonly ForwardProgram _program;
    private readonly Dictionary<string, VariableSpec> _variables;
    private readonly Activity _activity;
    private readonly ArrayAliases _aliases;
    private readonly NameAllocator _names;
    private readonly Dictionary<string, string> _tangentNames = new();
    private readonly List<string> _rented = new();

    private TangentBuilder(FunctionSpec function)
    {
        _function = function;
        _program = function.Body;
        _variables = _program.Variables.ToDictionary(v => v.Name);
        _activity = Activity.Analyze(function, _variables);
        _aliases = ArrayAliases.Of(_program, _variables);
        _names = NameAllocator.ForDerivativesOf(function);
        // A model's field moves along its member of the direction (direction.W1).
        foreach (ParameterSpec input in function.Inputs.Where(p => p.Role != ParameterRole.Passive))
            _tangentNames[input.Name] = ModelBinding.Derivative(input, Naming.ModelDirection);
        // An array result's tangent is the caller's buffer, also when no direction moves it (then it is cleared).
        if (function.ReturnsArray)
            _tangentNames[_program.Result] = Naming.ResultDerivative;
        foreach (VariableSpec variable in _program.Variables)
        {
            if (_activity.Active.Contains(variable.Name) && !_tangentNames.ContainsKey(variable.Name))
                _tangentNames[variable.Name] = _names.Allocate(Naming.Derivative(variable.Name));
        }
    }

    public static MethodBody Build(FunctionSpec function) => new TangentBuilder(function).Build();

    private MethodBody Build()
    {
        var body = new List<CodeLine>();
        if (_function.IsModelMethod)
            body.AddRange(ModelBinding.Bind(_function, _variables, Naming.ModelDirection));
        foreach (ParameterSpec input in _function.Inputs.Where(p => p.Role == ParameterRole.Array && !p.ShapeCheckedBySignature && _tangentNames.ContainsKey(p.Name)))
            body.Add(new CheckLengthLine(input.Name, _tangentNames[input.Name]));
        foreach (ParameterSpec input in _function.Inputs.Where(p => p.TakesMatrices))
            body.Add(new RequireShapeLine(input.Name, _tangentNames[input.Name], _function.Name + Naming.TangentSuffix, input.Field));
        foreach (VariableSpec variable in _program.Variables.Where(v => !v.IsArray))
        {
            // A matrix, or its tangent, is null until a statement computes it; a null tangent is zero.
            Expr zero = variable.IsMatrix ? new NullExpr(variable.Type) : new ConstantExpr(0, variable.Type);
            if (variable.Kind != VariableKind.Parameter)
                body.Add(new DeclareLine(variable.TypeName, variable.Name, zero));
            // A [NoDerivative] parameter that is reassigned from differentiable values needs a tangent local of its own.
            bool isDirection = _function.Inputs.Any(p => p.Name == variable.Name && p.Role != ParameterRole.Passive);
            if (!isDirection && _tangentNames.TryGetValue(variable.Name, out string? tangent))
                body.Add(new DeclareLine(variable.IsMatrix ? variable.TypeName + "?" : variable.Type.Keyword(), tangent, zero));
        }
        // A local array that is only ever given other arrays (var t = a; in a loop) is declared here, and its tangent with it.
        var allocated = new HashSet<string>(Calculus.Statements.All(_program.Body).OfType<AllocateStatement>().Select(a => a.Array));
        foreach (VariableSpec variable in _program.Variables.Where(v => v.IsArray && v.Kind != VariableKind.Parameter && !allocated.Contains(v.Name)))
        {
            body.Add(new DeclareLine(variable.TypeName, variable.Name, new NullExpr(variable.Type)));
            if (_tangentNames.TryGetValue(variable.Name, out string? tangent))
                body.Add(new DeclareLine(variable.TypeName, tangent, new NullExpr(variable.Type)));
        }
        if (_function.UsesMatrices)
            body.Add(new ArenaLine(Rent: true, _function.MatrixElement));
        // A [NoDerivative] array that may share a name with differentiated ones does not move: its tangent is zero.
        foreach (ParameterSpec parameter in _function.Parameters.Where(p => p.IsArray && p.Role == ParameterRole.Passive && _tangentNames.ContainsKey(p.Name)))
        {
            body.Add(new RentLine(parameter.Type!.Value, _tangentNames[parameter.Name], new LengthExpr(parameter.Name)));
            _rented.Add(_tangentNames[parameter.Name]);
        }
        if (body.Count > 0)
            body.Add(new BlankLine());
        body.Add(new CommentLine("Each statement, then its tangent: how it moves along the direction given."));
        body.AddRange(Statements(_program.Body));
        if (_function.ReturnsMatrix)
        {
            body.Add(new BlankLine());
            body.Add(new RequireShapeLine(_program.Result, Naming.ResultDerivative, _function.Name + Naming.TangentSuffix));
            body.Add(new WriteIntoLine(_tangentNames.TryGetValue(_program.Result, out string? resultTangent) ? resultTangent : "null", Naming.ResultDerivative));
        }
        if (_rented.Count > 0 || _function.UsesMatrices)
            body.Add(new BlankLine());
        body.AddRange(_rented.Select(name => new ReturnLine(name)));
        if (_function.UsesMatrices)
            body.Add(new ArenaLine(Rent: false, _function.MatrixElement));
        if (_function.ReturnsMatrix)
            return new MethodBody(body.ToEquatableArray(), new TupleExpr(new NameExpr(_program.Result, _function.ReturnType), new NameExpr(Naming.ResultDerivative, _function.ReturnType)));

        var values = new List<Expr>();
        var derivatives = new List<Expr>();
        int leaf = 0;
        foreach (VariableSpec output in _program.Outputs.Select(name => _variables[name]))
        {
            values.Add(new NameExpr(output.Name, output.Type));
            // A struct result's [NoDerivative] members have no derivative, whatever they were computed from.
            bool differentiated = _function.ResultStruct?.Leaves[leaf++].Differentiable ?? true;
            derivatives.Add(differentiated && _tangentNames.TryGetValue(output.Name, out string? d) ? new NameExpr(d, output.Type) : new ConstantExpr(0, output.Type));
        }
        return new MethodBody(body.ToEquatableArray(), _function.ResultStruct is { } made
            ? new TupleExpr(new TupleExpr(values.ToEquatableArray(), made), new TupleExpr(derivatives.ToEquatableArray(), made))
            : new TupleExpr(values[0], derivatives[0]));
    }

    private List<CodeLine> Statements(Block block)
    {
        var lines = new List<CodeLine>();
        Statement? previous = null;
        foreach (Statement statement in block.Statements)
        {
            // A matrix computed for the statement after it, from the same source: one comment quotes both.
            if (!(previous is AssignStatement { Target: var computed } && _variables[computed].IsMatrix && previous.Source == statement.Source))
                lines.Add(new CommentLine(statement.Source));
            previous = statement;
            var values = new Dictionary<int, string>();
            switch (statement)
            {
                case AssignStatement assign when _variables[assign.Target].IsMatrix:
                    WriteMatrix(lines, assign);
                    break;
                case AssignStatement assign when _variables[assign.Target].IsArray:
                    Rebind(lines, assign);
                    break;
                case SwapStatement swap:
                    lines.Add(new SwapLine(swap.A, swap.B));
                    if (_tangentNames.ContainsKey(swap.A))
                        lines.Add(new SwapLine(_tangentNames[swap.A], _tangentNames[swap.B]));
                    break;
                case AssignStatement assign:
                    Write(lines, statement, values, assign.Value, new NameExpr(assign.Target, _variables[assign.Target].Type), assign.Target, null);
                    break;
                case StoreStatement store:
                    Expr index = StatementCode.Value(statement, values, store.Index);
                    Write(lines, statement, values, store.Value, new ElementExpr(store.Array, index, _variables[store.Array].Type), store.Array, index);
                    break;
                case AllocateStatement allocate:
                    VariableSpec array = _variables[allocate.Array];
                    lines.Add(new AllocateLine(array.Type, allocate.Array, StatementCode.Value(statement, values, allocate.Length), allocate.OnStack));
                    if (_function.ReturnsArray && allocate.Array == _program.Result)
                    {
                        lines.Add(new CheckResultLengthLine(allocate.Array, Naming.ResultDerivative));
                        lines.Add(new ClearLine(Naming.ResultDerivative));
                    }
                    else if (_tangentNames.TryGetValue(allocate.Array, out string? tangent) && _aliases.IsReassigned(allocate.Array))
                    {
                        // The name may come to refer to another array, and its tangent with it: the buffer is given back under a name of its own.
                        string rented = _names.Allocate(tangent + "_rented");
                        lines.Add(new RentLine(array.Type, rented, new LengthExpr(allocate.Array)));
                        lines.Add(new DeclareLine(array.TypeName, tangent, new NameExpr(rented, array.Type)));
                        _rented.Add(rented);
                    }
                    else if (_tangentNames.TryGetValue(allocate.Array, out tangent))
                    {
                        lines.Add(new RentLine(array.Type, tangent, new LengthExpr(allocate.Array)));
                        _rented.Add(tangent);
                    }
                    break;
                case IfStatement branch:
                    lines.Add(new IfLine(StatementCode.Value(statement, values, branch.Condition), Statements(branch.Then).ToEquatableArray(), Statements(branch.Else).ToEquatableArray()));
                    break;
                case LoopStatement loop:
                    lines.Add(new WhileLine(StatementCode.Value(statement, values, loop.Condition), Statements(loop.Body).ToEquatableArray(), loop.TestsFirst));
                    break;
                case EffectStatement effect:
                    lines.Add(new EffectLine(effect.Code, effect.Reads));
                    break;
            }
        }
        return lines;
    }

    /// <summary>
    /// <c>a = b</c> on local arrays: the name refers to the other array, and its tangent to that one's tangent. For
    /// <c>s = Step(s, p)</c>, the call's value comes first (its length sizes the tangent, a new array, as the call's
    /// result is), then the callee's tangent method writes J·v into it; both read the arguments before the names move.
    /// </summary>
    private void Rebind(List<CodeLine> lines, AssignStatement assign)
    {
        VariableSpec target = _variables[assign.Target];
        var values = new Dictionary<int, string>();
        if (assign.Nodes[assign.Value].Op == Op.Call)
        {
            if (!_tangentNames.TryGetValue(target.Name, out string? moved))
            {
                lines.Add(new AssignLine(new NameExpr(target.Name, target.Type), StatementCode.StoreValues(lines, _names, assign, assign.Value, values, _ => false), false));
                return;
            }
            var calls = new List<CodeLine>();
            Expr? derivative = Tangent(assign, assign.Value, calls);
            var referenced = new HashSet<int>();
            foreach (CallTangentLine call in calls.OfType<CallTangentLine>())
            {
                foreach (Expr argument in call.Arguments)
                    StatementCode.References(argument, referenced);
            }
            string value = _names.Allocate(target.Name + "_next");
            lines.Add(new DeclareLine(target.TypeName, value, StatementCode.StoreValues(lines, _names, assign, assign.Value, values, referenced.Contains)));
            string buffer = _names.Allocate(moved + "_next");
            lines.Add(new AllocateLine(target.Type, buffer, new LengthExpr(value)));
            // The callee's tangent method, given the new buffer for its derivative (with no direction moving it, it stays zero).
            if (derivative is not null)
                lines.AddRange(calls.Select(line => line is CallTangentLine call
                    ? call with { Arguments = call.Arguments.Select(a => StatementCode.Resolve(a, assign, values)).Append(new NameExpr(buffer, target.Type)).ToEquatableArray() }
                    : ResolveLine(line, assign, values)));
            lines.Add(new AssignLine(new NameExpr(target.Name, target.Type), new NameExpr(value, target.Type), false));
            lines.Add(new AssignLine(new NameExpr(moved, target.Type), new NameExpr(buffer, target.Type), false));
            return;
        }
        lines.Add(new AssignLine(new NameExpr(target.Name, target.Type), StatementCode.Value(assign, values, assign.Value), false));
        if (_tangentNames.TryGetValue(target.Name, out string? tangent) && assign.Nodes[assign.Value] is { Op: Op.Read } source)
            lines.Add(new AssignLine(new NameExpr(tangent, target.Type), new NameExpr(_tangentNames[source.Name!], target.Type), false));
    }

    /// <summary>Assigns the value and its tangent; the tangent is computed before the old value is overwritten.</summary>
    private void Write(List<CodeLine> lines, Statement statement, Dictionary<int, string> values, int root, Expr target, string variable, Expr? index)
    {
        if (!_tangentNames.TryGetValue(variable, out string? tangentName))
        {
            lines.Add(new AssignLine(target, StatementCode.StoreValues(lines, _names, statement, root, values, _ => false), false));
            return;
        }
        var calls = new List<CodeLine>();
        Expr tangent = Tangent(statement, root, calls) ?? new ConstantExpr(0, target.Type);
        var referenced = new HashSet<int>();
        StatementCode.References(tangent, referenced);
        // A pullback reads the function's arguments and result: computed once, in locals.
        foreach (CallGradientLine pullback in calls.OfType<CallGradientLine>())
        {
            foreach (Expr argument in pullback.Arguments)
                StatementCode.References(argument, referenced);
        }
        Expr value = StatementCode.StoreValues(lines, _names, statement, root, values, referenced.Contains);
        if (referenced.Contains(root))
        {
            string name = _names.Allocate("value");
            lines.Add(new DeclareLine(target.Type.Keyword(), name, value));
            values[root] = name;
            value = new NameExpr(name, target.Type);
        }
        lines.AddRange(calls.Select(line => ResolveLine(line, statement, values)));
        Expr tangentTarget = index is null ? new NameExpr(tangentName, target.Type) : new ElementExpr(tangentName, index, target.Type);
        tangent = StatementCode.Resolve(tangent, statement, values);
        if (StatementCode.Reads(tangent, variable))
        {
            // The tangent reads the old value: compute it before the value is overwritten.
            string next = _names.Allocate(tangentName + "_next");
            lines.Add(new DeclareLine(target.Type.Keyword(), next, tangent));
            tangent = new NameExpr(next, target.Type);
        }
        lines.Add(new AssignLine(target, value, false));
        if (!tangent.Equals(tangentTarget))
            lines.Add(new AssignLine(tangentTarget, tangent, false));
    }

    private static CodeLine ResolveLine(CodeLine line, Statement statement, Dictionary<int, string> values) => line switch
    {
        CallTangentLine call => call with { Arguments = call.Arguments.Select(a => StatementCode.Resolve(a, statement, values)).ToEquatableArray() },
        CallGradientLine pullback => pullback with { Arguments = pullback.Arguments.Select(a => StatementCode.Resolve(a, statement, values)).ToEquatableArray() },
        _ => line,
    };

    /// <summary>The tangent of <paramref name="root"/>, or <c>null</c> when it is zero.</summary>
    private Expr? Tangent(Statement statement, int root, List<CodeLine> calls)
    {
        EquatableArray<Node> nodes = statement.Nodes;
        return NodeTangents.Of(nodes, root, _activity.ActiveNodes(nodes, root), (id, tangents) =>
        {
            Node node = nodes[id];
            return node.Op switch
            {
                Op.Read when _tangentNames.TryGetValue(node.Name!, out string? name) => new NameExpr(name, node.Type),
                Op.Element when _tangentNames.TryGetValue(node.Name!, out string? name) => new ElementExpr(name, new ValueExpr(node.Arguments[0], ScalarType.Int), node.Type),
                Op.Call when node.Call!.Tangent is string rule => RuleTangent(id, rule, nodes, tangents, calls),
                Op.Call when node.Call!.Pullback is string pullback => PullbackTangent(id, pullback, nodes, tangents, calls),
                Op.Call => CallTangent(node, nodes, tangents, calls),
                _ => null,
            };
        });
    }

    /// <summary>
    /// An operation on matrices with a number for its result (<c>Sum</c>, a loss): its <c>[TangentOf]</c> rule, given the
    /// arguments, the result and the arguments' tangents, gives the result's; <c>null</c> when no argument moves.
    /// </summary>
    private Expr? RuleTangent(int id, string rule, EquatableArray<Node> nodes, Expr?[] tangents, List<CodeLine> calls)
    {
        Node call = nodes[id];
        if (Directions(call, nodes, i => tangents[call.Arguments[i]]) is not { } directions)
            return null;
        string derivative = _names.Allocate("dcall");
        calls.Add(RuleCall(rule, call.Arguments.Select(a => (Expr)new ValueExpr(a, nodes[a].Type)), new ValueExpr(id, call.Type), directions, derivative, buffer: false));
        return new NameExpr(derivative, call.Type);
    }

    /// <summary>
    /// The directions a <c>[TangentOf]</c> rule takes, one per differentiable argument: its tangent, or zero (<c>null</c>
    /// for a matrix); <c>null</c> when every one is zero.
    /// </summary>
    private static List<Expr>? Directions(Node call, EquatableArray<Node> nodes, System.Func<int, Expr?> tangentOf)
    {
        var directions = new List<Expr>();
        bool moves = false;
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            if (!call.Call!.Differentiable[i])
                continue;
            Node argument = nodes[call.Arguments[i]];
            Expr? tangent = tangentOf(i);
            moves |= tangent is not null;
            directions.Add(tangent ?? (argument.Shape == ValueShape.Matrix ? new NullExpr(argument.Type) : new ConstantExpr(0, argument.Type)));
        }
        return moves ? directions : null;
    }

    /// <summary><c>rule(arguments, result, directions, output)</c>: the output an <c>out</c> number, or a matrix buffer the rule writes.</summary>
    private static CallGradientLine RuleCall(string rule, IEnumerable<Expr> arguments, Expr result, IEnumerable<Expr> directions, string output, bool buffer) =>
        new(rule, arguments.Append(result).Concat(directions).ToEquatableArray(), new EquatableArray<string>(new[] { output }), new EquatableArray<bool>(new[] { buffer }), "", true);

    /// <summary>
    /// A statement assigning a matrix, then its tangent: a copy's is the tangent copied (a reference: tangents are never
    /// written once computed), an operation's comes from its <c>[TangentOf]</c> rule into a new matrix of the arena.
    /// The rule reads the arguments as they were before the statement, the target's old value among them.
    /// </summary>
    private void WriteMatrix(List<CodeLine> lines, AssignStatement assign)
    {
        VariableSpec target = _variables[assign.Target];
        Node root = assign.Nodes[assign.Value];
        if (!_tangentNames.TryGetValue(assign.Target, out string? tangentName))
        {
            lines.AddRange(MatrixForward.Assignment(assign, target, declares: false, _names));
            return;
        }
        var values = new Dictionary<int, string>();
        if (root.Op == Op.Call && assign.Nodes.Any(n => n.Op == Op.Read && n.Name == assign.Target))
        {
            string before = _names.Allocate(assign.Target + "_before");
            lines.Add(new DeclareLine(target.TypeName, before, new NameExpr(assign.Target, target.Type)));
            foreach (Node read in assign.Nodes.Where(n => n.Op == Op.Read && n.Name == assign.Target))
                values[read.Id] = before;
        }
        var calls = new List<CodeLine>();
        Expr? ArgumentTangent(int node)
        {
            Node argument = assign.Nodes[node];
            if (argument.Shape != ValueShape.Matrix)
                return Tangent(assign, node, calls) is Expr scalar ? StatementCode.Resolve(scalar, assign, values) : null;
            if (!_tangentNames.TryGetValue(argument.Name!, out string? name))
                return null;
            return argument.Op == Op.Element ? new ElementExpr(name, StatementCode.Value(assign, values, argument.Arguments[0]), argument.Type) : new NameExpr(name, argument.Type);
        }
        var tangentTarget = new NameExpr(tangentName, target.Type);
        if (root.Op != Op.Call)
        {
            Expr? copied = ArgumentTangent(assign.Value);
            lines.AddRange(MatrixForward.Assignment(assign, target, declares: false, _names));
            lines.Add(new AssignLine(tangentTarget, copied ?? new NullExpr(target.Type), false));
            return;
        }
        List<Expr>? directions = Directions(root, assign.Nodes, i => ArgumentTangent(root.Arguments[i]));
        var arguments = root.Arguments.Select(a => StatementCode.Value(assign, values, a)).ToList();
        lines.AddRange(calls.Select(line => ResolveLine(line, assign, values)));
        lines.AddRange(MatrixForward.Assignment(assign, target, declares: false, _names));
        if (directions is null)
        {
            lines.Add(new AssignLine(tangentTarget, new NullExpr(target.Type), false));
            return;
        }
        // A direction that is the target's own tangent is read before the new one replaces it.
        string destination = directions.Any(d => StatementCode.Reads(d, tangentName)) ? _names.Allocate(tangentName + "_next") : tangentName;
        Expr slot = new SlotExpr(new NameExpr(target.Name, target.Type), null, target.Type);
        lines.Add(destination == tangentName ? new AssignLine(tangentTarget, slot, false) : new DeclareLine(target.TypeName, destination, slot));
        lines.Add(RuleCall(root.Call!.Tangent!, arguments, new NameExpr(target.Name, target.Type), directions, destination, buffer: true));
        if (destination != tangentName)
            lines.Add(new AssignLine(tangentTarget, new NameExpr(destination, target.Type), false));
    }

    /// <summary>
    /// A function with only a pullback: its partials come from the pullback given a unit result gradient, and
    /// the tangent is their sum weighted by the arguments' tangents (those that have one); <c>null</c> when none has.
    /// </summary>
    private Expr? PullbackTangent(int id, string pullback, EquatableArray<Node> nodes, Expr?[] tangents, List<CodeLine> calls)
    {
        Node call = nodes[id];
        var outputs = new List<string>();
        Expr? sum = null;
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            if (!call.Call!.Differentiable[i] || tangents[call.Arguments[i]] is not Expr direction)
            {
                // The pullback still has an out parameter for a differentiable argument without a tangent: discard it.
                outputs.Add(call.Call!.Differentiable[i] ? "_" : "");
                continue;
            }
            string partial = _names.Allocate("dcall");
            outputs.Add(partial);
            Expr term = Simplify.Cast(new NameExpr(partial, direction.Type) * direction, call.Type);
            sum = sum is null ? term : sum + term;
        }
        if (sum is not null)
            calls.Add(CallGradientLine.ForPullback(pullback, call.Arguments.Select(a => (Expr)new ValueExpr(a, nodes[a].Type)), new ValueExpr(id, call.Type), new ConstantExpr(1, call.Type), outputs.ToEquatableArray(), outputs.Select(_ => false).ToEquatableArray()));
        return sum;
    }

    /// <summary>A call's tangent comes from the callee's own tangent method, given the arguments' tangents.</summary>
    private Expr CallTangent(Node call, EquatableArray<Node> nodes, Expr?[] tangents, List<CodeLine> calls)
    {
        var directions = new List<Expr>();
        var zeroBuffers = new List<string>();
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            if (!call.Call!.Differentiable[i])
                continue;
            Node argument = nodes[call.Arguments[i]];
            if (argument.Op != Op.ArrayArgument)
                directions.Add(tangents[call.Arguments[i]] ?? new ConstantExpr(0, argument.Type));
            else if (_tangentNames.TryGetValue(argument.Name!, out string? name))
                directions.Add(new NameExpr(name, argument.Type));
            else
            {
                // A constant array still needs a (zero) direction of its own length, rented for this call alone: the
                // call may sit in a branch or loop, out of the method end's scope.
                string zeros = _names.Allocate(Naming.Derivative(argument.Name!));
                calls.Add(new RentLine(argument.Type, zeros, new LengthExpr(argument.Name!)));
                zeroBuffers.Add(zeros);
                directions.Add(new NameExpr(zeros, argument.Type));
            }
        }
        string derivative = _names.Allocate("dcall");
        var arguments = call.Arguments.Select(a => (Expr)new ValueExpr(a, nodes[a].Type)).Concat(directions).ToEquatableArray();
        calls.Add(new CallTangentLine(call.Call!.DerivativeMethod, arguments, derivative));
        calls.AddRange(zeroBuffers.Select(zeros => new ReturnLine(zeros)));
        return new NameExpr(derivative, call.Type);
    }
}
