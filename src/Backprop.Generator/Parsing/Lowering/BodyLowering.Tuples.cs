using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Tuples of numbers: a tuple local is one variable per element (<c>p_X</c>, <c>p_Y</c>); a static method returning a
/// tuple literal is lowered element by element where it is called; deconstruction
/// (<c>var (s, c) = Math.SinCos(t)</c>, <c>(x, v) = (x + v * dt, v - k * x * dt)</c>) and tuple assignment have
/// simultaneous semantics: every element is computed before any target changes, through a temporary only where a
/// later element reads an earlier target.
/// </summary>
internal sealed partial class BodyLowering
{
    private const string TupleAdvice = "build tuples of numbers from a tuple literal, Math.SinCos or another tuple local, and read their elements";

    /// <summary>The element variables of each tuple local, in element order.</summary>
    private readonly Dictionary<ISymbol, List<string>> _tupleLocals = new(SymbolEqualityComparer.Default);

    private static bool IsTupleOfNumbers(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsTupleType: true } tuple && tuple.TupleElements.All(e => ValueType(e.Type) is not null);

    private List<string> DeclareTupleLocal(ILocalSymbol local)
    {
        if (_tupleLocals.TryGetValue(local, out List<string>? known))
            return known;
        var elements = ((INamedTypeSymbol)local.Type).TupleElements
            .Select(e => NewVariable($"{local.Name}_{e.Name}", ValueType(e.Type)!.Value, kind: VariableKind.Local))
            .ToList();
        _tupleLocals[local] = elements;
        return elements;
    }

    /// <summary><c>(a, b) = value</c> and <c>var (a, b) = value</c>, to locals, scalar parameters and discards.</summary>
    private void LowerDeconstruction(IDeconstructionAssignmentOperation deconstruction, string source)
    {
        IOperation targets = deconstruction.Target is IDeclarationExpressionOperation declaration ? declaration.Expression : deconstruction.Target;
        if (targets is not ITupleOperation tuple)
        {
            UnsupportedStatement(deconstruction.Syntax, $"The deconstruction '{deconstruction.Target.Syntax}'", TupleAdvice);
            return;
        }
        // A struct deconstructed (var (x, y) = v): a record's positional members, when they are its numbers, in order.
        if (StructLayout.Of(deconstruction.Value.Type) is { } layout && (!layout.DeconstructsToLeaves() || layout.Leaves.Count != tuple.Elements.Length))
        {
            Report(Diagnostics.UnsupportedExpression, deconstruction.Value.Syntax, $"Deconstructing the struct '{OneLine(deconstruction.Value.Syntax)}'",
                "read its members (v.X, v.Y); a record struct whose positional members are all its numbers deconstructs into them");
            return;
        }
        var names = new List<string?>();
        foreach (IOperation target in tuple.Elements)
        {
            IOperation element = target is IDeclarationExpressionOperation declared ? declared.Expression : target;
            if (element is IDiscardOperation)
                names.Add(null);
            else if (element is ILocalReferenceOperation { Local: var local } && VariableType(local.Type) is (_, false))
                names.Add(DeclareLocal(local));
            else if (TargetVariable(element) is string variable)
                names.Add(variable);
            else
            {
                UnsupportedStatement(element.Syntax, $"Deconstructing into '{element.Syntax}'", "deconstruct into locals of numbers, scalar parameters or _");
                return;
            }
        }
        AssignTuple(source, names, deconstruction.Value,
            declares: deconstruction.Target is IDeclarationExpressionOperation || tuple.Elements.All(e => e is IDeclarationExpressionOperation));
    }

    /// <summary>
    /// Assigns the elements of a tuple value to <paramref name="targets"/> (a <c>null</c> target discards its element), all
    /// at once; <paramref name="declares"/> when the targets are declared here (nothing was in them before).
    /// </summary>
    private void AssignTuple(string source, IReadOnlyList<string?> targets, IOperation value, bool declares = false)
    {
        if (TupleElements(value, targets.Count) is not { } elements)
            return;
        // Element i is computed before any assignment when it reads a target assigned before it.
        var assigned = new HashSet<string>();
        var values = new string?[targets.Count];
        for (int i = 0; i < targets.Count; i++)
        {
            if (targets[i] is not string target)
                continue;
            if (elements[i].Reads.Overlaps(assigned))
            {
                string temporary = NewVariable(target + "_next", _variablesByName[target].Type);
                values[i] = temporary;
            }
            assigned.Add(target);
        }
        for (int i = 0; i < targets.Count; i++)
        {
            if (values[i] is string temporary)
                AssignElement(source, temporary, elements[i], declares: false);
        }
        for (int i = 0; i < targets.Count; i++)
        {
            if (targets[i] is not string target)
                continue;
            if (values[i] is string temporary)
                AssignElement(source, target, new TupleElement(() => _nodes.Read(temporary, _variablesByName[temporary].Type), new HashSet<string> { temporary }), declares);
            else
                AssignElement(source, target, elements[i], declares);
        }
    }

    private void AssignElement(string source, string target, TupleElement element, bool declares)
    {
        if (element.Lower() is int node)
            Add(new AssignStatement(source, TakeNodes(_nodes.Convert(node, _variablesByName[target].Type), out int value), target, value, declares));
        else
            _nodes = new NodeBuilder();
    }

    /// <summary>One element of a tuple value: how to compute it (in the statement being built), and the variables that reads.</summary>
    private sealed record TupleElement(Func<int?> Lower, HashSet<string> Reads);

    /// <summary>The elements of a tuple-valued expression, or <c>null</c> after a diagnostic.</summary>
    private List<TupleElement>? TupleElements(IOperation value, int count)
    {
        IOperation tuple = Unconverted(value);
        // A struct's elements are its leaves (a struct returned, or deconstructed: see LowerDeconstruction), computed first.
        if (StructLayout.Of(value.Type) is not null)
            return LowerStruct(value) is { } computed
                ? computed.Leaves.Select(name => new TupleElement(() => _nodes.Read(name, _variablesByName[name].Type), new HashSet<string> { name })).ToList()
                : null;
        switch (tuple)
        {
            case IInvocationOperation structCall when IsStructCall(structCall) && ModelCallReceiver(structCall) is null:
                return InlineStructCall(structCall)?.Select(name => new TupleElement(() => _nodes.Read(name, _variablesByName[name].Type), new HashSet<string> { name })).ToList();
            case ITupleOperation literal when literal.Elements.Length == count:
                return literal.Elements.Select(e => new TupleElement(() => LowerValue(e), ReadsOf(e))).ToList();
            case IInvocationOperation { TargetMethod: { Name: "SinCos", ContainingType.Name: "Math" or "MathF" or "Double" or "Single" } sinCos, Arguments.Length: 1 } call
                when sinCos.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true } && count == 2:
                IOperation angle = call.Arguments[0].Value;
                ScalarType type = ValueType(angle.Type)!.Value;
                return new List<TupleElement>
                {
                    new(() => LowerValue(angle) is int t ? _nodes.Add(Op.Sin, type, t) : null, ReadsOf(angle)),
                    new(() => LowerValue(angle) is int t ? _nodes.Add(Op.Cos, type, t) : null, ReadsOf(angle)),
                };
            case IInvocationOperation { TargetMethod: { IsStatic: true } method } call
                when TupleLiteralOf(call) is { } returned && returned.Elements.Length == count && !returned.Elements.Any(e => NeedsStatements(e)):
                if (IsBeingInlined(method))
                {
                    Report(Diagnostics.Recursion, call.Syntax, method.Name);
                    return null;
                }
                if (Hidden(call, method, returned))
                    return null;
                return returned.Elements.Select(e => new TupleElement(() => LowerInlined(method, call.Arguments, e, ValueType(e.Type)!.Value),
                    new HashSet<string>(call.Arguments.SelectMany(a => ReadsOf(a.Value))))).ToList();
            case IInvocationOperation call when InlinedBodyOf(call) is { } body:
                return InlineBody(call, body)?.Select(name => new TupleElement(() => _nodes.Read(name, _variablesByName[name].Type), new HashSet<string> { name })).ToList();
            case ILocalReferenceOperation { Local: var local } when _tupleLocals.TryGetValue(local, out List<string>? elements) && elements.Count == count:
                return elements.Select(name => new TupleElement(() => _nodes.Read(name, _variablesByName[name].Type), new HashSet<string> { name })).ToList();
            default:
                Report(Diagnostics.UnsupportedExpression, value.Syntax, $"The tuple '{value.Syntax}'", TupleAdvice);
                return null;
        }
    }

    /// <summary>The tuple literal a static method of this compilation returns as its one expression, if it is one.</summary>
    private ITupleOperation? TupleLiteralOf(IInvocationOperation call)
    {
        if (call.TargetMethod.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not MethodDeclarationSyntax declaration)
            return null;
        _helpers.BodiesRead.Add(declaration);
        if (ResultExpression(declaration) is not { } result || call.SemanticModel is not { } model)
            return null;
        return Unconverted(ModelOf(declaration, model).GetOperation(result, _cancellationToken) ?? call) as ITupleOperation;
    }

    /// <summary>The variables an expression reads: its locals and parameters, a tuple local's every element, a struct's every leaf.</summary>
    private HashSet<string> ReadsOf(IOperation operation)
    {
        var reads = new HashSet<string>();
        foreach (IOperation reference in operation.DescendantsAndSelf())
        {
            ISymbol? symbol = reference switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (reference is IInstanceReferenceOperation && StructPlace(reference) is { } self)
                reads.UnionWith(self.Leaves);
            if (symbol is null)
                continue;
            if (_variableNames.TryGetValue(symbol, out string? name))
                reads.Add(name);
            else if (_tupleLocals.TryGetValue(symbol, out List<string>? elements))
                reads.UnionWith(elements);
            else if (_structVariables.TryGetValue(symbol, out StructValue? value))
                reads.UnionWith(value.Leaves);
        }
        return reads;
    }

    /// <summary>The variable of a tuple element read or written (<c>p.Item1</c>, <c>p.X</c>), if it is one.</summary>
    private string? TupleElementVariable(IOperation operation) =>
        operation is IFieldReferenceOperation { Instance: ILocalReferenceOperation { Local: var local }, Field: var field }
        && _tupleLocals.TryGetValue(local, out List<string>? elements) && ElementIndex((INamedTypeSymbol)local.Type, field) is int i and >= 0
            ? elements[i]
            : null;

    /// <summary>Which element of <paramref name="tuple"/> a field names; a named element (<c>p.X</c>) and its <c>ItemN</c> are one.</summary>
    private static int ElementIndex(INamedTypeSymbol tuple, IFieldSymbol field)
    {
        var fields = tuple.TupleElements;
        for (int i = 0; i < fields.Length; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(fields[i].CorrespondingTupleField ?? fields[i], field.CorrespondingTupleField ?? field))
                return i;
        }
        return -1;
    }
}
