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
internal sealed partial class GradientBuilder
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

    /// <summary>Whether the gradient is double: a differentiable parameter or the result is.</summary>
    private readonly bool _doubleGradient;
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

    /// <summary>
    /// The type a scalar variable's adjoint is summed in: a float local's is double when the gradient is. Its
    /// contributions come from statements computed in float, each exact to float's precision; summed in float, huge
    /// ones that cancel (one float value sent back through two calls, ±1.7·10⁵) swallow a small one beside them, which
    /// double keeps (fuzz seed 1335007). Parameters' and fields' gradients keep their declared types.
    /// </summary>
    /// <summary>Second derivatives are taken of this code (forward over reverse), which has no rule for a callee's tangent call.</summary>
    private bool AliasesThroughTangents => (_function.Derivatives & DerivativeKinds.Hessian) == 0;

    private ScalarType AdjointType(string variable)
    {
        VariableSpec spec = _variables[variable];
        return spec.Type == ScalarType.Float && _doubleGradient && spec.Kind != VariableKind.Parameter && spec.Shape == ValueShape.Scalar ? ScalarType.Double : spec.Type;
    }

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
        _doubleGradient = function.ReturnType == ScalarType.Double || function.Inputs.Any(p => p.Role != ParameterRole.Passive && p.Type == ScalarType.Double);
        // A matrix written once, at the top level (the result, an inlined method's): nothing was there before.
        var writes = new Dictionary<string, int>();
        foreach (Statement statement in Statements.All(_program.Body))
        {
            if (Statements.Write(statement) is (string target, _))
                writes[target] = writes.TryGetValue(target, out int count) ? count + 1 : 1;
        }
        foreach (var single in Statements.All(_program.Body).OfType<AssignStatement>().Where(a => _variables[a.Target].IsMatrix).GroupBy(a => a.Target))
        {
            if (single.Count() == 1 && !PlanOf(single.First()).Nested && writes[single.Key] == 1)
                _writtenOnce.Add(single.Key);
        }
        foreach (Statement statement in _program.Body.Statements)
        {
            if (statement is AssignStatement { Declares: true } or AllocateStatement || statement is AssignStatement { Target: var t } && (t == _program.Result && _resultSeededOnce || _writtenOnce.Contains(t)))
                _declaredInline.Add(((Statement)statement) switch { AssignStatement a => a.Target, AllocateStatement a => a.Array, _ => "" });
        }
    }

    public static MethodBody Build(FunctionSpec function) => new GradientBuilder(function).Build();

    /// <summary>The comment that starts the reverse sweep in a gradient's body, which later passes find it by.</summary>
    public const string ReversePass = "Reverse pass: each block differentiates the statement it quotes, last statement first.";

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
            body.AddRange(ModelBinding.Bind(_function, _variables, Naming.ModelGradients));
        foreach (ParameterSpec parameter in _function.Inputs.Where(p => p.Role == ParameterRole.Array && !p.ShapeCheckedBySignature))
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
        Expr result = _function.ResultStruct is { } made ? new TupleExpr(values.ToEquatableArray(), made) : values[0];
        body.Add(new BlankLine());
        body.Add(new CommentLine(ReversePass));
        if (_function.ReturnsArray)
            body.AddRange(SeedArrayResult());
        if (_function.ReturnsMatrix)
            body.AddRange(SeedMatrixResult());
        var (initial, reverseCode) = FirstWrites.Apply(InitialAdjoints().ToList(), reverse);
        body.AddRange(initial);
        body.AddRange(BlockSumsFirst.Apply(ForwardOrderSums.Apply(reverseCode, ReboundNames), _names));
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
        return PowerOfTwoFactors.Cancel(UnitSeeds.Inline(new MethodBody(DeadResets.Apply(body, result).ToEquatableArray(), result)));
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
}
