using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Array-of-arrays parameters (<c>double[][] x</c>, <c>int[][] groups</c>): each is one array of the forward program
/// (<c>x_values</c>, <see cref="FunctionParser.StructArrayName"/>) that the derivative methods read in place through
/// <c>global::Backprop.RowElements&lt;T&gt;</c>. <c>x[i][j]</c> is its element <c>x_values.At(i, j)</c>, <c>x[i].Length</c> is
/// <c>x_values.RowLength(i)</c> and <c>x.Length</c> its number of rows. A row is named by a local (<c>var row = x[i];</c>,
/// <c>foreach (var row in x)</c>): the local holds the row's index (<c>row_index</c>), and <c>row[j]</c> and
/// <c>row.Length</c> read through it. A row passed to a method of this compilation (<c>Dot(x[i], w)</c>) inlines the
/// method's body there, its parameter naming the row as such a local does.
/// </summary>
internal sealed partial class BodyLowering
{
    private readonly Dictionary<IParameterSymbol, string> _jagged = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// The locals naming a row of an array-of-arrays parameter, and the parameters of an inlined method passed one: its
    /// array's variable, and the int variable holding the row's index.
    /// </summary>
    private readonly Dictionary<ISymbol, (string Values, string Index)> _rows = new(SymbolEqualityComparer.Default);

    private void BindJagged(IParameterSymbol parameter, ScalarType element)
    {
        string values = FunctionParser.StructArrayName(parameter.Name);
        AddVariable(new VariableSpec(values, element, ValueShape.Array, VariableKind.Parameter));
        _variableNames[parameter] = values;
        _jagged[parameter] = values;
    }

    /// <summary>The array-of-arrays parameter an operation names, or <c>null</c>.</summary>
    private IParameterSymbol? JaggedParameter(IOperation? operation) =>
        operation is not null && Unconverted(operation) is IParameterReferenceOperation { Parameter: var parameter } && _jagged.ContainsKey(parameter) ? parameter : null;

    /// <summary>
    /// A row of an array-of-arrays parameter: <c>x[i]</c> (its array's variable and the index's operation), or a local
    /// naming one (its array's variable and the variable holding its index); <c>null</c> for anything else.
    /// </summary>
    private (string Values, IOperation? Index, string? IndexVariable)? Row(IOperation? operation) =>
        operation is null ? null
        : Unconverted(operation) is IArrayElementReferenceOperation { Indices.Length: 1 } element && JaggedParameter(element.ArrayReference) is { } parameter
            ? (_jagged[parameter], element.Indices[0], null)
        : Unconverted(operation) is ILocalReferenceOperation { Local: var local } && _rows.TryGetValue(local, out var row) ? (row.Values, null, row.Index)
        : Unconverted(operation) is IParameterReferenceOperation { Parameter: var named } && _rows.TryGetValue(named, out var passed) ? (passed.Values, null, passed.Index)
        : null;

    /// <summary>Whether a call passes a row of an array of arrays (<c>x[i]</c>, or a local or parameter naming one) to an array or span parameter.</summary>
    private bool PassesRow(IInvocationOperation call) =>
        call.Arguments.Any(a => a.Parameter is { RefKind: RefKind.None } parameter && VariableType(parameter.Type) is (_, true) && Row(a.Value) is not null);

    /// <summary>
    /// A row passed to an inlined method's array parameter (<c>Dot(x[i], w)</c>): the parameter names the row, as
    /// <c>var a = x[i];</c> would, its index computed where the call is; <c>false</c> for another argument.
    /// </summary>
    private bool BindRowArgument(IParameterSymbol parameter, IOperation value, IOperation call, List<(IParameterSymbol Parameter, (string Values, string Index) Row)> rows)
    {
        if (parameter.RefKind != RefKind.None || VariableType(parameter.Type) is not (_, true) || Row(value) is not { } row)
            return false;
        string index = NewVariable(parameter.Name + "_index", ScalarType.Int, ValueShape.Scalar, VariableKind.Local);
        if (LowerRowIndex(row) is int i)
            Add(new AssignStatement($"{parameter.Name} = {OneLine(value.Syntax)}; — the argument of {OneLine(call.Syntax)} (the index of the row)", TakeNodes(i, out int root), index, root, true));
        else
            _nodes = new NodeBuilder();
        rows.Add((parameter, (row.Values, index)));
        return true;
    }

    private int? LowerRowIndex((string Values, IOperation? Index, string? IndexVariable) row) =>
        row.IndexVariable is string variable ? _nodes.Read(variable, ScalarType.Int) : LowerValue(row.Index!) is int index ? _nodes.Convert(index, ScalarType.Int) : null;

    /// <summary>Whether <see cref="LowerJaggedValue"/> lowers <paramref name="operation"/>: an element of a row, or a row's length.</summary>
    private bool IsJaggedValue(IOperation operation) => operation switch
    {
        IArrayElementReferenceOperation { Indices.Length: 1 } element => Row(element.ArrayReference) is not null || JaggedLocalRow(element.ArrayReference) is not null,
        IPropertyReferenceOperation { Property.Name: "Length", Instance: var instance } => Row(instance) is not null || JaggedLocalRow(instance) is not null || JaggedLocal(instance) is not null,
        _ => false,
    };

    private int? LowerJaggedValue(IOperation operation, ScalarType type)
    {
        // A local array of arrays held as a two-dimensional local (BodyLowering.JaggedLocals).
        if (operation is IArrayElementReferenceOperation cell && JaggedLocalRow(cell.ArrayReference) is var (grid, _))
            return JaggedLocalOffset(cell) is int offset ? _nodes.Convert(_nodes.Add(Op.Element, _variablesByName[grid.Values].Type, new[] { offset }, 0, grid.Values, null), type) : null;
        if (operation is IPropertyReferenceOperation { Instance: var counted } && JaggedLocalRow(counted) is { } localRow)
            return JaggedLocalRowLength(localRow) is int columns ? _nodes.Convert(columns, type) : null;
        if (operation is IPropertyReferenceOperation { Instance: var whole } && JaggedLocal(whole) is { } local)
            return _nodes.Convert(_nodes.Read(local.Rows, ScalarType.Int), type);
        if (operation is IArrayElementReferenceOperation element)
        {
            var row = Row(element.ArrayReference)!.Value;
            int? i = LowerRowIndex(row);
            int? column = LowerValue(element.Indices[0]);
            if (i is not int r || column is not int j)
                return null;
            int at = _nodes.Add(Op.PassiveCall, ScalarType.Int, new[] { r, _nodes.Convert(j, ScalarType.Int) }, 0, null, RowCall(row.Values, "At", 2));
            return _nodes.Convert(_nodes.Add(Op.Element, _variablesByName[row.Values].Type, new[] { at }, 0, row.Values, null), type);
        }
        var of = Row(((IPropertyReferenceOperation)operation).Instance)!.Value;
        return LowerRowIndex(of) is int index
            ? _nodes.Convert(_nodes.Add(Op.PassiveCall, ScalarType.Int, new[] { index }, 0, null, RowCall(of.Values, "RowLength", 1)), type)
            : null;
    }

    /// <summary><c>x_values.At(i, j)</c> or <c>x_values.RowLength(i)</c>: a method of the <c>RowElements&lt;T&gt;</c> viewing an array of arrays, passive.</summary>
    private static CallTarget RowCall(string values, string method, int arguments) =>
        new(Naming.Identifier(values) + "." + method, new EquatableArray<bool>(new bool[arguments]), 0);

    /// <summary>
    /// <c>var row = x[i];</c> or <c>row = x[k];</c>: the local names row <c>i</c> of <c>x</c>, its index held in <c>row_index</c>.
    /// <c>false</c> when <paramref name="value"/> is not a row, or <paramref name="local"/> names rows and is given something else (reported).
    /// </summary>
    private bool LowerRowLocal(string source, ILocalSymbol local, IOperation value, SyntaxNode at)
    {
        bool names = _rows.TryGetValue(local, out var existing);
        if (Row(value) is not { } row)
        {
            if (names)
                Report(Diagnostics.UnsupportedExpression, value.Syntax, $"Assigning '{value.Syntax}' to '{local.Name}', which names a row of an array of arrays,",
                    "give it another row of the same array (row = x[k];), or copy the elements into a local array");
            return names;
        }
        if (names && existing.Values != row.Values)
        {
            Report(Diagnostics.UnsupportedExpression, value.Syntax, $"Assigning '{value.Syntax}' to '{local.Name}', which names a row of another array of arrays,",
                "give each array's rows a local of their own");
            return true;
        }
        string index = names ? existing.Index : NewVariable(local.Name + "_index", ScalarType.Int, ValueShape.Scalar, VariableKind.Local);
        _rows[local] = (row.Values, index);
        if (LowerRowIndex(row) is int i)
            Add(new AssignStatement($"{source} (the index of the row)", TakeNodes(i, out int root), index, root, !names));
        else
            _nodes = new NodeBuilder();
        return true;
    }

    /// <summary>Writing an element of a two-dimensional array parameter or of a row of an array of arrays (BP1005, as for any parameter array); <c>false</c> for another target.</summary>
    private bool RefuseParameterGridWrite(IOperation arrayReference, SyntaxNode at)
    {
        string? name = GridParameter(arrayReference)?.Name
            ?? (Unconverted(arrayReference) is IArrayElementReferenceOperation element ? JaggedParameter(element.ArrayReference)?.Name : null)
            ?? (Unconverted(arrayReference) is ILocalReferenceOperation or IParameterReferenceOperation && Row(arrayReference) is not null ? arrayReference.Syntax.ToString() : null);
        if (name is null)
            return false;
        Report(Diagnostics.ParameterArrayWrite, at, name);
        return true;
    }

    /// <summary>
    /// Passing a two-dimensional array, an array of arrays or one of its rows to a method, which derivative methods cannot
    /// do yet (BP1002); <c>false</c> for another argument.
    /// </summary>
    private bool RefuseGridArgument(IOperation passed, IMethodSymbol callee)
    {
        if (GridOf(passed) is not null)
            Report(Diagnostics.UnsupportedExpression, passed.Syntax, $"Passing the two-dimensional array '{passed.Syntax}' to '{callee.Name}'",
                "read its elements in this method (a[i, j]), or take a one-dimensional array (or span) indexed i * columns + j in both methods");
        else if (JaggedParameter(passed) is { } jagged)
            Report(Diagnostics.UnsupportedExpression, passed.Syntax, $"Passing the array of arrays '{jagged.Name}' to '{callee.Name}'",
                "read its rows' elements in this method (x[i][j])");
        else if (Row(passed) is not null)
            Report(Diagnostics.UnsupportedExpression, passed.Syntax, $"Passing the row '{passed.Syntax}' of an array of arrays to '{callee.Name}'",
                "read the row's elements in this method (x[i][j], row[j]), or copy them into a local array and pass that");
        else
            return false;
        return true;
    }
}
