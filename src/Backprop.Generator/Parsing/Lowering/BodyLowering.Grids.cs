using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Two-dimensional arrays. A parameter (<c>double[,] a</c>, <c>int[,] cells</c>) is read as the span of its elements,
/// row after row (<c>a_values</c>, <see cref="FunctionParser.StructArrayName"/>), a one-dimensional array to every later
/// stage. <c>a[i, j]</c> is its element <c>GridElements.Offset(i, j, a_rows, a_columns)</c> (<c>i * a.GetLength(1) + j</c>, with C#'s bounds check
/// on each index), <c>a.GetLength(0)</c> and <c>a.GetLength(1)</c> are <c>a_rows</c> and <c>a_columns</c> (bound once), <c>a.Length</c> is the span's, and
/// <c>foreach</c> runs over the span (C# visits a two-dimensional array row after row too). A local
/// (<c>double[,] g = new double[n, m];</c>, at the top level) is a local array of n × m elements (<c>g</c>) with its
/// dimensions in <c>g_rows</c> and <c>g_columns</c>, written and read the same way.
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>A two-dimensional array's variables: its elements (<c>a_values</c>, a local's <c>g</c>), its rows and its columns.</summary>
    private readonly record struct GridVariables(string Values, string Rows, string Columns);

    /// <summary>The two-dimensional arrays among the parameters and locals.</summary>
    private readonly Dictionary<ISymbol, GridVariables> _grids = new(SymbolEqualityComparer.Default);

    private void BindGrid(IParameterSymbol parameter, ScalarType element)
    {
        string values = FunctionParser.StructArrayName(parameter.Name);
        AddVariable(new VariableSpec(values, element, ValueShape.Array, VariableKind.Parameter));
        var dimensions = FunctionParser.GridDimensions.Select(d => FunctionParser.StructLeafName(parameter.Name, d.Name)).ToList();
        foreach (string dimension in dimensions)
            AddVariable(new VariableSpec(dimension, ScalarType.Int, ValueShape.Scalar, VariableKind.Parameter));
        _variableNames[parameter] = values;
        _grids[parameter] = new GridVariables(values, dimensions[0], dimensions[1]);
    }

    /// <summary>
    /// <c>double[,] g = new double[n, m];</c>: a local array of <c>GridElements.Length(n, m)</c> elements (n × m, checked as C#
    /// checks the dimensions), allocated once at the top level as local arrays are, its dimensions in <c>g_rows</c> and
    /// <c>g_columns</c>.
    /// </summary>
    private void LowerGridLocal(string source, IVariableDeclaratorOperation declarator, ScalarType element)
    {
        ILocalSymbol local = declarator.Symbol;
        if (declarator.GetVariableInitializer()?.Value is not IArrayCreationOperation { DimensionSizes.Length: 2, Initializer: null } creation)
        {
            _refusedLocals.Add(local);
            Report(Diagnostics.UnsupportedExpression, declarator.Syntax, $"The two-dimensional local '{local.Name}'{(declarator.GetVariableInitializer() is { } given ? $" made from '{OneLine(given.Value.Syntax)}'" : " declared without a value")}",
                $"create it with its dimensions at the top level of the method ({element.Keyword()}[,] {local.Name} = new {element.Keyword()}[rows, columns];) and fill it element by element");
            return;
        }
        string values = NewVariable(local.Name, element, ValueShape.Array, VariableKind.Local);
        var grid = new GridVariables(values, NewVariable(local.Name + "_rows", ScalarType.Int, ValueShape.Scalar, VariableKind.Local),
            NewVariable(local.Name + "_columns", ScalarType.Int, ValueShape.Scalar, VariableKind.Local));
        _variableNames[local] = values;
        _grids[local] = grid;
        AllocateGrid(source, local.Name, grid, creation.DimensionSizes[0], creation.DimensionSizes[1], creation.Syntax);
    }

    /// <summary>A two-dimensional local's dimensions, then its elements, allocated once at the top level.</summary>
    private void AllocateGrid(string source, string name, GridVariables grid, IOperation rows, IOperation columns, SyntaxNode at)
    {
        if (!MayAllocate(grid.Values, at))
            return;
        AssignValue($"int {grid.Rows} = {OneLine(rows.Syntax)}; (the rows of {name})", grid.Rows, rows, declares: true);
        AssignValue($"int {grid.Columns} = {OneLine(columns.Syntax)}; (the columns of {name})", grid.Columns, columns, declares: true);
        int length = _nodes.Add(Op.PassiveCall, ScalarType.Int, new[] { _nodes.Read(grid.Rows, ScalarType.Int), _nodes.Read(grid.Columns, ScalarType.Int) }, 0, null,
            new CallTarget("global::Backprop.GridElements.Length", new EquatableArray<bool>(new[] { false, false }), 0));
        Allocate(source, grid.Values, length);
    }

    /// <summary>The variables of the two-dimensional array (a parameter or a local) an operation names, or <c>null</c>.</summary>
    private GridVariables? GridOf(IOperation? operation) =>
        operation is null ? null
        : Unconverted(operation) switch
        {
            IParameterReferenceOperation { Parameter: var parameter } when _grids.TryGetValue(parameter, out var grid) => grid,
            ILocalReferenceOperation { Local: var local } when _grids.TryGetValue(local, out var grid) => grid,
            _ => null,
        };

    /// <summary>The two-dimensional array parameter an operation names, or <c>null</c>.</summary>
    private IParameterSymbol? GridParameter(IOperation? operation) =>
        operation is not null && Unconverted(operation) is IParameterReferenceOperation { Parameter: var parameter } && _grids.ContainsKey(parameter) ? parameter : null;

    /// <summary>Whether <see cref="LowerGridValue"/> lowers <paramref name="operation"/>: an element, a dimension or the rank of a two-dimensional array.</summary>
    private bool IsGridValue(IOperation operation) => operation switch
    {
        IArrayElementReferenceOperation { Indices.Length: 2 } element => GridOf(element.ArrayReference) is not null,
        IInvocationOperation { TargetMethod.Name: "GetLength" or "GetLongLength", Instance: var instance } => GridOf(instance) is not null,
        IPropertyReferenceOperation { Property.Name: "Rank", Instance: var instance } => GridOf(instance) is not null,
        _ => false,
    };

    private int? LowerGridValue(IOperation operation, ScalarType type)
    {
        switch (operation)
        {
            case IArrayElementReferenceOperation element:
                var grid = GridOf(element.ArrayReference)!.Value;
                return GridOffset(grid, element.Indices[0], element.Indices[1]) is int offset
                    ? _nodes.Convert(_nodes.Add(Op.Element, _variablesByName[grid.Values].Type, new[] { offset }, 0, grid.Values, null), type)
                    : null;
            case IInvocationOperation { Arguments: { Length: 1 } arguments } dimension when arguments[0].Value.ConstantValue is { HasValue: true, Value: int k } && k is 0 or 1:
                var of = GridOf(dimension.Instance)!.Value;
                return _nodes.Convert(_nodes.Read(k == 0 ? of.Rows : of.Columns, ScalarType.Int), type);
            case IInvocationOperation dimension:
                return Report(Diagnostics.UnsupportedExpression, dimension.Syntax, $"'{dimension.Syntax}'", "read a dimension of a two-dimensional array with GetLength(0) (rows) or GetLength(1) (columns)");
            default:
                return _nodes.Constant(2, type);
        }
    }

    /// <summary><c>GridElements.Offset(i, j, rows, columns)</c>: where element [i, j] is among the elements, checked against both dimensions as C# checks <c>a[i, j]</c>.</summary>
    private int? GridOffset(GridVariables grid, IOperation rowIndex, IOperation columnIndex)
    {
        int? row = LowerValue(rowIndex);
        int? column = LowerValue(columnIndex);
        if (row is not int i || column is not int j)
            return null;
        return _nodes.Add(Op.PassiveCall, ScalarType.Int,
            new[] { _nodes.Convert(i, ScalarType.Int), _nodes.Convert(j, ScalarType.Int), _nodes.Read(grid.Rows, ScalarType.Int), _nodes.Read(grid.Columns, ScalarType.Int) }, 0, null,
            new CallTarget("global::Backprop.GridElements.Offset", new EquatableArray<bool>(new[] { false, false, false, false }), 0));
    }
}
