using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// From a forward program to a <see cref="MethodBody"/>, in the classic two sweeps:
/// <list type="bullet">
/// <item>Forward: the original statements, plus what the reverse sweep will need. At the top level a
/// statement runs once, so its values live in named locals. Inside a branch or loop they go on the
/// tape (<c>Backprop.Tape</c>): a value a statement overwrites (pushed before it is lost), each branch decision,
/// each loop's iteration count.</item>
/// <item>Reverse: statements last to first; branches replay the recorded decision, loops their count,
/// last iteration first. Before its adjoint code a statement restores what it overwrote, so every
/// variable holds the value it had when the statement ran; values inside the statement that the rules
/// read are recomputed from them.</item>
/// </list>
/// A pure function of the model.
/// </summary>
internal sealed class GradientBuilder
{
    private readonly FunctionSpec _function;
    private readonly ForwardProgram _program;
    private readonly Dictionary<string, VariableSpec> _variables;

    /// <summary>Each variable's place in the program's declarations: a statement's contributions are written in that order.</summary>
    private readonly Dictionary<string, int> _declarationOrder;
    private readonly Activity _activity;
    /// <summary>The local arrays that are reassigned or swapped, by the arrays they may share.</summary>
    private readonly ArrayAliases _aliases;
    private readonly NameAllocator _names;
    /// <summary>What the builder decided about each statement, by <see cref="Statement.Id"/>.</summary>
    private readonly StatementPlan[] _plans;

    /// <summary>While a fused loop's unit-seed reverse code is written: the adjoint names it uses instead.</summary>
    private Dictionary<string, string>? _nameOverride;

    /// <summary>A fused loop's accumulators: per outer variable, the loop-only local or buffer its gradient collects in.</summary>
    /// <param name="Direct">Gradient buffers the loop writes directly: nothing after the loop adds to them, so the reverse pass only scales them.</param>
    private sealed record FusedAdjoints(Dictionary<string, string> Names, List<string> Scalars, List<string> Arrays, List<string> Direct);
    private readonly HashSet<string> _clearedBeforeLoop = new();
    private readonly HashSet<string> _needed = new();
    private readonly HashSet<string> _declaredInline = new();
    private readonly HashSet<string> _writtenOnce = new();
    private readonly Dictionary<string, string> _adjointNames = new();
    /// <summary>Per matrix parameter, the flag saying whether a share of its gradient was written into the caller's buffer yet.</summary>
    private readonly Dictionary<string, string> _written = new();
    private readonly List<string> _rented = new();
    private readonly bool _resultSeededOnce;
    private bool _usesTape;

    /// <summary>What the forward sweep left for the reverse sweep of one statement.</summary>
    private sealed class ForwardRecord
    {
        public string? Saved;
        /// <summary>At the top level, the local keeping the derivative buffer of an array a statement rebinds.</summary>
        public string? SavedAdjoint;
        public string? Branch;
        public string? Counter;
        public Dictionary<int, string> Values = new();
    }

    /// <summary>Everything the builder decides about one statement, from planning to both sweeps.</summary>
    private sealed class StatementPlan
    {
        /// <summary>Inside a branch or a loop: it may run any number of times, so what it overwrites goes on the tape.</summary>
        public bool Nested;
        /// <summary>Its adjoint code, when it writes an active variable.</summary>
        public StatementAdjoint? Adjoint;
        /// <summary>The adjoint its sweep starts from: the target's, the stored element's, or 1 for the single top-level result.</summary>
        public Expr? Seed;
        /// <summary>For a store: the local holding the stored element's adjoint.</summary>
        public string? ElementAdjoint;
        /// <summary>What its forward code left for its reverse code.</summary>
        public ForwardRecord? Record;
        /// <summary>A loop-body local recomputed in the reverse iteration, before the reverse code of the body statement with this index.</summary>
        public int? RecomputedBefore;
        /// <summary>A loop summing into an accumulator, differentiated along in the forward pass.</summary>
        public LoopFusion? Fusion;
        /// <summary>The accumulators of a fused loop.</summary>
        public FusedAdjoints? FusedAdjoints;
        /// <summary>A statement of a fused loop's body, and the unit-seed sweep it gets there.</summary>
        public (StatementAdjoint Adjoint, Expr Seed)? FusedSweep;
        public bool Fused;
        /// <summary>A top-level local of one input whose derivative is carried forward.</summary>
        public Preaccumulated? Preaccumulated;
        public bool? HasReverse;
    }

    private StatementPlan PlanOf(Statement statement) => _plans[statement.Id];

    private GradientBuilder(FunctionSpec function)
    {
        _function = function;
        _program = function.Body;
        _variables = _program.Variables.ToDictionary(v => v.Name);
        _declarationOrder = _program.Variables.Select((v, i) => (v.Name, i)).ToDictionary(p => p.Name, p => p.i);
        _activity = Activity.Analyze(function, _variables);
        _aliases = ArrayAliases.Of(_program, _variables);
        _names = NameAllocator.ForDerivativesOf(function);
        _plans = Statements.All(_program.Body).Select(_ => new StatementPlan()).ToArray();

        MarkNesting(_program.Body, nested: false);
        var resultWrites = Statements.All(_program.Body).OfType<AssignStatement>().Where(a => a.Target == _program.Result).ToList();
        _resultSeededOnce = resultWrites.Count == 1 && !PlanOf(resultWrites[0]).Nested && !function.ReturnsMatrix;
        // A matrix written once, at the top level (the result, an inlined method's): nothing was there before.
        foreach (var single in Statements.All(_program.Body).OfType<AssignStatement>().Where(a => _variables[a.Target].IsMatrix).GroupBy(a => a.Target))
        {
            if (single.Count() == 1 && !PlanOf(single.First()).Nested && Statements.All(_program.Body).Count(s => Statements.Write(s)?.Target == single.Key) == 1)
                _writtenOnce.Add(single.Key);
        }
        foreach (Statement statement in _program.Body.Statements)
        {
            if (statement is AssignStatement { Declares: true } or AllocateStatement || statement is AssignStatement { Target: var t } && (t == _program.Result && _resultSeededOnce || _writtenOnce.Contains(t)))
                _declaredInline.Add(((Statement)statement) switch { AssignStatement a => a.Target, AllocateStatement a => a.Array, _ => "" });
        }
    }

    public static MethodBody Build(FunctionSpec function) => new GradientBuilder(function).Build();

    private MethodBody Build()
    {
        NameAdjoints();
        var writeCounts = _program.Variables.ToDictionary(v => v.Name, _ => 0);
        foreach (Statement statement in Statements.All(_program.Body))
        {
            if (Statements.Write(statement) is var (target, _))
                writeCounts[target]++;
        }
        foreach (KeyValuePair<int, Preaccumulated> carried in Preaccumulation.Find(_function, _activity, writeCounts, _names))
            _plans[carried.Key].Preaccumulated = carried.Value;
        foreach (Statement statement in Statements.All(_program.Body))
            Plan(statement);
        // Loop-body locals the reverse sweep reads are recomputed; their inputs must then be restored, which
        // can make more locals needed: repeat until the needed set stops growing.
        var loops = Statements.All(_program.Body).OfType<LoopStatement>().ToList();
        for (int neededBefore = -1; neededBefore != _needed.Count;)
        {
            neededBefore = _needed.Count;
            // An element written to an array the reverse sweep reads is restored in place, so the variables of its
            // index are needed too, even when the array is passive and the store has no adjoint of its own.
            foreach (StoreStatement store in Statements.All(_program.Body).OfType<StoreStatement>().Where(s => _needed.Contains(s.Array)))
                NeedLeavesOf(store.Nodes, store.Index);
            foreach (StatementPlan plan in _plans)
                plan.RecomputedBefore = null;
            // A name that may share its array with another needs what that one needs.
            _aliases.Close(_needed);
            foreach (LoopStatement loop in loops)
            {
                foreach (var (local, before) in Recomputation.LoopLocals(loop.Body, writeCounts, _variables, _needed.Contains, _aliases))
                {
                    PlanOf(local).RecomputedBefore = before;
                    _needed.UnionWith(Recomputation.Inputs(local, _variables).Where(v => !(_variables[v].Kind == VariableKind.Parameter && _variables[v].IsArray)));
                }
            }
        }

        FindFusions(writeCounts);

        var body = new List<CodeLine>();
        if (_function.IsModelMethod)
            body.AddRange(BindFields());
        foreach (ParameterSpec parameter in _function.Inputs.Where(p => p.Role == ParameterRole.Array))
            body.Add(new CheckLengthLine(parameter.Name, parameter.GradientName));
        foreach (ParameterSpec parameter in _function.Inputs.Where(p => p.TakesMatrices))
            body.Add(new RequireShapeLine(parameter.Name, parameter.GradientName, MethodName, parameter.Field));
        int checks = body.Count;
        foreach (VariableSpec variable in _program.Variables)
        {
            if (variable.Kind != VariableKind.Parameter && !_declaredInline.Contains(variable.Name))
                body.Add(new DeclareLine(variable.TypeName, variable.Name, variable.IsMatrix || variable.IsArray ? new NullExpr(variable.Type) : new ConstantExpr(0, variable.Type)));
        }
        // An array a loop gives another array (or a call's) has its derivative buffer follow it from there.
        foreach (VariableSpec variable in _program.Variables.Where(v => v.IsArray && v.Kind != VariableKind.Parameter && !_declaredInline.Contains(v.Name) && _activity.Active.Contains(v.Name)))
            body.Add(new DeclareLine(variable.TypeName, _adjointNames[variable.Name], new NullExpr(variable.Type)));

        List<CodeLine> forward = Forward(_program.Body);
        List<CodeLine> reverse = Reverse(_program.Body);
        // Buffers that fused loops fill directly are cleared first: a call made while a forward value is live (sum = 0,
        // then Array.Clear) makes the JIT keep that value in memory for the whole loop (every register is caller-saved).
        body.InsertRange(checks, _function.Inputs.Where(p => _clearedBeforeLoop.Contains(p.Name)).Select(p => new ClearLine(p.GradientName)));
        if (_usesTape)
            body.Add(new TapeLine(Rent: true));
        if (_function.UsesMatrices)
            body.Add(new ArenaLine(Rent: true, _function.MatrixElement));
        // A [NoDerivative] array that may share a name with differentiated ones takes its share of their gradient into scratch.
        foreach (ParameterSpec parameter in _function.Parameters.Where(p => p.IsArray && p.Role == ParameterRole.Passive && _activity.Active.Contains(p.Name)))
        {
            body.Add(new RentLine(parameter.Type!.Value, _adjointNames[parameter.Name], new LengthExpr(parameter.Name)));
            _rented.Add(_adjointNames[parameter.Name]);
        }
        if (body.Count > 0)
            body.Add(new BlankLine());
        body.Add(new CommentLine("Forward pass."));
        body.AddRange(forward);
        // The reverse sweep restores what writes overwrote, the result among them when it reads it (a / b reads its own
        // value): keep the value to return before it does (found by the fuzzer, seeds 59, 233).
        string? kept = null;
        var values = new List<Expr>();
        foreach (string output in _program.Outputs)
        {
            Expr value = new NameExpr(output, _variables[output].Type);
            if (_needed.Contains(output) && _function.ReturnsArray)
            {
                // An array's elements come back one by one, so the whole array is kept in scratch and copied back after.
                kept = _names.Allocate("value");
                body.Add(new RentLine(value.Type, kept, new LengthExpr(output)));
                body.Add(new CopyLine(output, kept));
            }
            else if (_needed.Contains(output))
            {
                // A matrix is kept by reference: the reverse sweep rebinds the variable, never writes into its matrix.
                string copy = _names.Allocate("value");
                body.Add(new DeclareLine(_variables[output].TypeName, copy, value));
                value = new NameExpr(copy, value.Type);
            }
            values.Add(value);
        }
        Expr result = values.Count == 1 ? values[0] : new TupleExpr(values.ToArray());
        body.Add(new BlankLine());
        body.Add(new CommentLine("Reverse pass: each block differentiates the statement it quotes, last statement first."));
        if (_function.ReturnsArray)
            body.AddRange(SeedArrayResult());
        if (_function.ReturnsMatrix)
            body.AddRange(SeedMatrixResult());
        var (initial, reverseCode) = FirstWrites.Apply(InitialAdjoints().ToList(), reverse);
        body.AddRange(initial);
        body.AddRange(ForwardOrderSums.Apply(reverseCode, ReboundNames));
        foreach (ParameterSpec parameter in _function.Inputs.Where(p => p.Role == ParameterRole.Matrix))
            body.Add(new FinishLine(_written[parameter.Name], parameter.GradientName));
        if (_usesTape || _rented.Count > 0 || kept is not null || _function.UsesMatrices)
            body.Add(new BlankLine());
        if (_usesTape)
            body.Add(new TapeLine(Rent: false));
        if (_function.UsesMatrices)
            body.Add(new ArenaLine(Rent: false, _function.MatrixElement));
        foreach (string name in _rented)
            body.Add(new ReturnLine(name));
        if (kept is not null)
        {
            body.Add(new CopyLine(kept, _program.Result));
            body.Add(new ReturnLine(kept));
        }
        return UnitSeeds.Inline(new MethodBody(body.ToEquatableArray(), result));
    }

    /// <summary>
    /// A model's method starts by binding each field its code reads to a local of the field's name (a model's method never
    /// changes its model, so the local holds the field's value throughout), after checking it was given gradients, its
    /// layers' included.
    /// </summary>
    private IEnumerable<CodeLine> BindFields()
    {
        var layers = _function.Fields.Where(f => f.Role != ParameterRole.Passive)
            .SelectMany(f => f.Field!.Split('.').Select((_, i) => string.Join(".", f.Field.Split('.').Take(i))).Skip(1))
            .Distinct();
        foreach (string gradients in new[] { Naming.ModelGradients }.Concat(layers.Select(layer => Naming.ModelGradients + "." + layer)))
            yield return new EffectLine($"global::System.ArgumentNullException.ThrowIfNull({gradients})", EquatableArray<string>.Empty);
        foreach (ParameterSpec field in _function.Fields)
            yield return new DeclareLine(_variables[field.Name].TypeName, field.Name, new MemberExpr("this." + field.Field, null, field.Type!.Value));
    }

    /// <summary>
    /// The reverse sweep of an array result starts from the caller's cotangent, copied into the result's own adjoint
    /// buffer, which the sweep consumes (the caller's is an input, never modified).
    /// </summary>
    private IEnumerable<CodeLine> SeedArrayResult()
    {
        yield return new CheckResultLengthLine(_program.Result, Naming.ResultDerivative);
        if (_activity.Active.Contains(_program.Result))
            yield return new CopyLine(Naming.ResultDerivative, _adjointNames[_program.Result]);
    }

    /// <summary>The derivative method these lines are the body of, as its shape checks name it.</summary>
    private string MethodName => _function.Name + (_function.ReturnsSeveralValues ? Naming.VectorJacobianSuffix : Naming.GradientSuffix);

    /// <summary>
    /// The reverse sweep of a matrix result starts from the caller's cotangent, copied into the result's own gradient,
    /// which the sweep may add to (the caller's is an input, never modified).
    /// </summary>
    private IEnumerable<CodeLine> SeedMatrixResult()
    {
        VariableSpec result = _variables[_program.Result];
        yield return new RequireShapeLine(result.Name, Naming.ResultDerivative, MethodName);
        if (!_activity.Active.Contains(result.Name))
            yield break;
        string gradient = _adjointNames[result.Name];
        yield return new DeclareLine(result.TypeName + "?", gradient, new SlotExpr(new NameExpr(result.Name, result.Type), null, result.Type));
        yield return new CopyMatrixLine(Naming.ResultDerivative, gradient);
    }

    // ---- planning: adjoints, and the values they need ----

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
            : StatementAdjoint.Sweep(statement.Nodes, value, seed, _activity.ActiveNodes(statement.Nodes, value), _activity.Active);
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
            return new NameExpr(_adjointNames[target], type);
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
            yield return new DeclareLine(variable.Type.Keyword(), _adjointNames[variable.Name], new ConstantExpr(initial, variable.Type));
        }
    }

    // ---- forward sweep ----

    private List<CodeLine> Forward(Block block)
    {
        var lines = new List<CodeLine>();
        foreach (Statement statement in block.Statements)
        {
            var record = new ForwardRecord();
            StatementPlan plan = PlanOf(statement);
            plan.Record = record;
            if (!ContinuesMatrixStatement(block, statement))
                lines.Add(new CommentLine(statement.Source));
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

    // ---- reverse sweep ----

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

    /// <summary>
    /// Whether the statement before this one computes a value for it from the same source (a matrix for any statement,
    /// a number for a matrix operation): one comment quotes both.
    /// </summary>
    private bool ContinuesMatrixStatement(Block block, Statement statement)
    {
        int at = Enumerable.Range(0, block.Statements.Count).First(i => block.Statements[i].Id == statement.Id);
        return at > 0 && block.Statements[at - 1].Source == statement.Source && (IsMatrixWrite(block.Statements[at - 1]) || IsMatrixWrite(statement));
    }

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
            else if (line is CallGradientPlaceholder call)
            {
                Node node = statement.Nodes[call.Node];
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
                lines.Add(new AssignLine(new NameExpr(AdjointName(contribution.Key), _variables[contribution.Key].Type), Finish(contribution.Value), true));
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
                lines.Add(new AssignLine(seed, toTarget ?? (matrix ? new NullExpr(type) : new ConstantExpr(0, type)), false));
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
            Expr seed = target == fusion.Accumulator ? new ConstantExpr(1, type) : new NameExpr(LoopName(names, target, Naming.Derivative(target)), type);
            StatementAdjoint adjoint = StatementAdjoint.Sweep(statement.Nodes, value, seed, _activity.ActiveNodes(statement.Nodes, value), _activity.Active);
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
            lines.Add(new DeclareLine(_variables[scalar].Type.Keyword(), names[scalar], new ConstantExpr(0, _variables[scalar].Type)));
        foreach (string array in arrays)
            lines.Add(new RentLine(_variables[array].Type, names[array], new LengthExpr(array)));

        var body = new List<CodeLine>();
        var forward = Forward(new Block(reversible.ToEquatableArray()));
        body.AddRange(forward);
        var adjointLocals = locals.Where(l => names.ContainsKey(l) && !scalars.Contains(l))
            .Select(l => (CodeLine)new DeclareLine(_variables[l].Type.Keyword(), names[l], new ConstantExpr(0, _variables[l].Type))).ToList();
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
        var seed = new NameExpr(_adjointNames[fusion.Accumulator], _variables[fusion.Accumulator].Type);
        // Each gradient in its own type: a float parameter's summed along a double accumulator (x += f(y)) is float.
        foreach (string scalar in fused.Scalars)
        {
            ScalarType type = _variables[scalar].Type;
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
