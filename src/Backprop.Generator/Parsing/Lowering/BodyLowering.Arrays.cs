using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>Local arrays beyond their allocation: span locals, and the elements they and arrays are written through.</summary>
internal sealed partial class BodyLowering
{
    /// <summary>Locals refused at their declaration (span locals, locals of other types): their uses say nothing more (one construct, one diagnostic).</summary>
    private readonly HashSet<ILocalSymbol> _refusedLocals = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// A span local of numbers is a local array: created with <c>stackalloc</c> (its length, or its elements) it lives on
    /// the stack in every derivative method as in the source; created with <c>new T[n]</c> (or its elements) it is an
    /// array. Either is allocated once, at the top level of the method, as local arrays are.
    /// </summary>
    private void LowerSpanLocal(string source, IVariableDeclaratorOperation declarator)
    {
        ILocalSymbol local = declarator.Symbol;
        IOperation? value = declarator.GetVariableInitializer()?.Value is { } initial ? Unconverted(initial) : null;
        switch (value?.Syntax)
        {
            case StackAllocArrayCreationExpressionSyntax { Initializer: { } elements } stack:
                LowerFilledAllocation(source, DeclareLocal(local), stack, Operations(elements.Expressions, value), onStack: true);
                return;
            case ImplicitStackAllocArrayCreationExpressionSyntax implicitStack:
                LowerFilledAllocation(source, DeclareLocal(local), implicitStack, Operations(implicitStack.Initializer.Expressions, value), onStack: true);
                return;
            case StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax { RankSpecifiers: { Count: 1 } ranks } } stack when ranks[0].Sizes.Count == 1:
                string array = DeclareLocal(local);
                if (MayAllocate(array, stack, onStack: true) && Operations(ranks[0].Sizes, value)[0] is { } size && LowerValue(size) is int length)
                    Allocate(source, array, length, onStack: true);
                return;
            case CollectionExpressionSyntax collection:
                // C# keeps a span's collection expression on the stack.
                LowerCollectionExpression(source, DeclareLocal(local), collection, value.SemanticModel!, onStack: true);
                return;
        }
        if (value is IArrayCreationOperation creation)
        {
            string array = DeclareLocal(local);
            if (creation.Initializer is { } filled)
                LowerFilledAllocation(source, array, filled.Syntax, filled.ElementValues);
            else
                LowerAllocation(source, array, creation);
            return;
        }
        _refusedLocals.Add(local);
        Report(Diagnostics.UnsupportedExpression, declarator.Syntax, $"The span local '{local.Name}'{(value is null ? " declared without a value" : $" made from '{value.Syntax}'")}",
            $"create it at the top level of the method with stackalloc or new ({local.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} {local.Name} = stackalloc {Symbols.SpanElement(local.Type)!.Value.Keyword()}[n];), or read the array or span it would view directly");
    }

    /// <summary>Where each local array is first reassigned or swapped, and where elements of local arrays are written: refusals that need the whole body name them.</summary>
    private readonly Dictionary<string, SyntaxNode> _rebound = new();
    private readonly List<(string Array, SyntaxNode At)> _stores = new();

    /// <summary>The arrays <c>foreach</c> loops around the statement being lowered run over (C# reads the array once, before the loop).</summary>
    private readonly List<string> _foreachArrays = new();

    /// <summary>
    /// <c>a = b</c>, <c>var t = a</c>: a local array is given another array (a local or a parameter), a reference; or
    /// <c>s = Step(s, p)</c>, the new array a <c>[Differentiable]</c> method returns (a roll-out). The derivative methods
    /// rebind it (and its derivative buffer with it) as the source does, and the reverse sweep restores what it referred
    /// to before.
    /// </summary>
    private void LowerRebind(string source, ILocalSymbol local, IOperation value, SyntaxNode at, bool declares)
    {
        if (Symbols.SpanElement(local.Type) is not null)
        {
            UnsupportedStatement(at, $"Reassigning the span local '{local.Name}'", "reassign or swap local arrays (double[] a = new double[n];) instead, or copy the elements in a loop");
            return;
        }
        string target = DeclareLocal(local);
        if (!MayRebind(target, at))
            return;
        IOperation assigned = Unconverted(value);
        if (assigned is ILocalReferenceOperation or IParameterReferenceOperation && ArrayVariable(assigned) is (string array, _))
        {
            ScalarType type = _variablesByName[target].Type;
            Add(new AssignStatement(source, TakeNodes(_nodes.Read(array, type, ValueShape.Array), out int read), target, read, declares));
            return;
        }
        if (assigned is IInvocationOperation call && VariableType(call.TargetMethod.ReturnType) is (_, true))
        {
            ScalarType element = _variablesByName[target].Type;
            string? outer = _source;
            _source = source;
            int? made = LowerArrayCall(call, element);
            _source = outer;
            if (made is int node)
                Add(new AssignStatement(source, TakeNodes(node, out int root), target, root, declares));
            else
                _nodes = new NodeBuilder();
            return;
        }
        if (assigned is IConditionalOperation { WhenFalse: { } whenFalse } choice)
        {
            // a = c ? b : d: the branch taken gives the array.
            int? condition = LowerValue(choice.Condition);
            NodeBuilder nodes = TakeNodes();
            string from = OneLine(choice.Syntax);
            Block then = LowerBlock(() => LowerRebind($"{local.Name} = {OneLine(choice.WhenTrue.Syntax)}; — from {source}", local, choice.WhenTrue, at, declares: false));
            Block otherwise = LowerBlock(() => LowerRebind($"{local.Name} = {OneLine(whenFalse.Syntax)}; — from {source}", local, whenFalse, at, declares: false));
            if (condition is int c)
                Add(new IfStatement($"if ({OneLine(choice.Condition.Syntax)}) — from {from}{InlinedFrom}", nodes.ToNodes(), c, then, otherwise));
            return;
        }
        if (assigned is IArrayCreationOperation)
            UnsupportedStatement(at, $"Giving the local array '{local.Name}' a new array", "allocate each array once, at the top level of the method, and reassign or swap those (or copy elements in a loop)");
        else
            Report(Diagnostics.UnsupportedExpression, value.Syntax, $"Assigning '{value.Syntax}' to the local array '{local.Name}'",
                "assign another local or parameter array");
    }

    /// <summary>
    /// <c>(a, b) = (b, a)</c>, or any permutation of local arrays: swaps, which undo themselves (and swap the arrays'
    /// derivative buffers with them).
    /// </summary>
    private void LowerArrayDeconstruction(IDeconstructionAssignmentOperation deconstruction, string source)
    {
        var targets = new List<string>();
        var sources = new List<string>();
        int count = deconstruction.Target is ITupleOperation tuple ? tuple.Elements.Length : -1;
        if (deconstruction.Target is ITupleOperation { Elements: var targetElements } && Unconverted(deconstruction.Value) is ITupleOperation { Elements: var sourceElements })
        {
            targets.AddRange(targetElements.Select(LocalArray).OfType<string>());
            sources.AddRange(sourceElements.Select(e => LocalArray(Unconverted(e))).OfType<string>());
        }
        // A permutation: the same local arrays on both sides, each once.
        if (targets.Count != count || sources.Count != count || targets.Distinct().Count() != count
            || !sources.OrderBy(n => n, System.StringComparer.Ordinal).SequenceEqual(targets.OrderBy(n => n, System.StringComparer.Ordinal)))
        {
            UnsupportedStatement(deconstruction.Syntax, $"The deconstruction '{deconstruction.Syntax}' of arrays",
                "swap two local arrays ((a, b) = (b, a)), or assign them one at a time (a = b;)");
            return;
        }
        if (targets.Any(target => !MayRebind(target, deconstruction.Syntax)))
            return;
        // The arrays are permuted at once; as swaps, position by position: each brings the array that belongs there.
        var holding = new List<string>(targets);
        for (int i = 0; i < targets.Count; i++)
        {
            int from = holding.IndexOf(sources[i]);
            if (from == i)
                continue;
            Add(new SwapStatement(source + InlinedFrom, targets[i], targets[from]));
            (holding[i], holding[from]) = (holding[from], holding[i]);
        }
    }

    /// <summary>The local array (not a span) a reference reads, or <c>null</c>.</summary>
    private string? LocalArray(IOperation reference) =>
        reference is ILocalReferenceOperation { Local: var local } && Symbols.SpanElement(local.Type) is null && !_grids.ContainsKey(local) && _variableNames.TryGetValue(local, out string? name) && _variablesByName[name].IsArray
            ? name : null;

    /// <summary>Whether a deconstruction assigns arrays (which only a swap may do).</summary>
    private static bool DeconstructsArrays(IDeconstructionAssignmentOperation deconstruction) =>
        deconstruction.Target is ITupleOperation tuple && tuple.Elements.Any(e => e.Type is IArrayTypeSymbol || Symbols.SpanElement(e.Type) is not null);

    /// <summary>Whether local array <paramref name="target"/> may be given another array here; records where it first is.</summary>
    private bool MayRebind(string target, SyntaxNode at)
    {
        if (_foreachArrays.Contains(target))
        {
            UnsupportedStatement(at, $"Reassigning '{target}' inside a foreach loop over it", "loop over its indices with for (int i = 0; i < a.Length; i++), which reads the array reassigned");
            return false;
        }
        if (!_rebound.ContainsKey(target))
            _rebound[target] = at;
        return true;
    }

    /// <summary>
    /// What only the whole body shows: an array result that is reassigned (its derivative buffers are the caller's), and a
    /// write through a name that may refer to a parameter array (after <c>var s = x;</c>), which the method never modifies.
    /// </summary>
    private void CheckRebinds(ForwardProgram program)
    {
        if (_rebound.Count == 0)
            return;
        if (_returnsArray && _rebound.TryGetValue(program.Result, out SyntaxNode? resultAt))
            UnsupportedStatement(resultAt, $"Reassigning the local array '{program.Result}', which the method returns,",
                "return an array that is never reassigned (copy the elements into one allocated at the top level)");
        var variables = program.Variables.ToDictionary(v => v.Name);
        var aliases = Calculus.ArrayAliases.Of(program, variables);
        foreach (var (array, at) in _stores)
        {
            if (aliases.ParametersReferredTo(array).FirstOrDefault() is string parameter)
                Report(Diagnostics.ParameterArrayWrite, at, $"{array}', which may refer to '{parameter}");
        }
    }

    /// <summary>The operations of expressions inside <paramref name="within"/> (a stackalloc's length or elements, which C# gives no operations of their own).</summary>
    private IOperation?[] Operations(IEnumerable<ExpressionSyntax> expressions, IOperation within) =>
        expressions.Select(e => within.SemanticModel!.GetOperation(e, _cancellationToken)).ToArray();

    /// <summary>Whether <paramref name="reference"/> reads a refused local, or a field or property of one.</summary>
    private bool IsRefused(IOperation reference) => reference switch
    {
        ILocalReferenceOperation { Local: var local } => _refusedLocals.Contains(local),
        IMemberReferenceOperation { Instance: { } owner } => IsRefused(owner),
        IArrayElementReferenceOperation { ArrayReference: var array } => IsRefused(array),
        _ => false,
    };

    /// <summary>An element written by an assignment: of an array (<c>a[i]</c>), or of a span local through its indexer (<c>t[i]</c>).</summary>
    private bool IsElementTarget(IOperation target) =>
        target is IArrayElementReferenceOperation || target is IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: ILocalReferenceOperation span } && Symbols.SpanElement(span.Type) is not null;

    /// <summary>The array or span an element target is of, and its index lowered to an int (<c>null</c> after a report).</summary>
    private (IOperation Array, int? Index) ElementOf(IOperation element) => element switch
    {
        IArrayElementReferenceOperation { Indices.Length: 2 } cell when GridOf(cell.ArrayReference) is { } grid => (cell.ArrayReference, GridOffset(grid, cell.Indices[0], cell.Indices[1])),
        IArrayElementReferenceOperation { Indices.Length: 1 } cell when JaggedLocalRow(cell.ArrayReference) is not null => (cell.ArrayReference, JaggedLocalOffset(cell)),
        IArrayElementReferenceOperation array => (array.ArrayReference, LowerIndex(array)),
        IPropertyReferenceOperation indexer => (indexer.Instance!, LowerValue(indexer.Arguments[0].Value) is int index ? _nodes.Convert(index, ScalarType.Int) : null),
        _ => throw new System.InvalidOperationException($"Not an element: {element.Kind}."),
    };
}
