using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Two-dimensional array parameters (<c>double[,] a</c>, <c>int[,] cells</c>): each is read as the span of its elements,
/// row after row (<c>a_values</c>, <see cref="FunctionParser.StructArrayName"/>), a one-dimensional array to every later
/// stage. <c>a[i, j]</c> is its element <c>Grid.Offset(i, j, a_rows, a_columns)</c> (<c>i * a.GetLength(1) + j</c>, with C#'s bounds check
/// on each index), <c>a.GetLength(0)</c> and <c>a.GetLength(1)</c> are <c>a_rows</c> and <c>a_columns</c> (bound once), <c>a.Length</c> is the span's, and
/// <c>foreach</c> runs over the span (C# visits a two-dimensional array row after row too).
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>Each two-dimensional array parameter's variables: its elements (<c>a_values</c>), its rows and its columns (<c>a_rows</c>, <c>a_columns</c>).</summary>
    private readonly Dictionary<IParameterSymbol, (string Values, string Rows, string Columns)> _grids = new(SymbolEqualityComparer.Default);

    private void BindGrid(IParameterSymbol parameter, ScalarType element)
    {
        string values = FunctionParser.StructArrayName(parameter.Name);
        AddVariable(new VariableSpec(values, element, ValueShape.Array, VariableKind.Parameter));
        var dimensions = FunctionParser.GridDimensions.Select(d => FunctionParser.StructLeafName(parameter.Name, d.Name)).ToList();
        foreach (string dimension in dimensions)
            AddVariable(new VariableSpec(dimension, ScalarType.Int, ValueShape.Scalar, VariableKind.Parameter));
        _variableNames[parameter] = values;
        _grids[parameter] = (values, dimensions[0], dimensions[1]);
    }

    /// <summary>The two-dimensional array parameter an operation names, or <c>null</c>.</summary>
    private IParameterSymbol? GridParameter(IOperation? operation) =>
        operation is not null && Unconverted(operation) is IParameterReferenceOperation { Parameter: var parameter } && _grids.ContainsKey(parameter) ? parameter : null;

    /// <summary>Whether <see cref="LowerGridValue"/> lowers <paramref name="operation"/>: an element, a dimension or the rank of a two-dimensional array parameter.</summary>
    private bool IsGridValue(IOperation operation) => operation switch
    {
        IArrayElementReferenceOperation { Indices.Length: 2 } element => GridParameter(element.ArrayReference) is not null,
        IInvocationOperation { TargetMethod.Name: "GetLength" or "GetLongLength", Instance: var instance } => GridParameter(instance) is not null,
        IPropertyReferenceOperation { Property.Name: "Rank", Instance: var instance } => GridParameter(instance) is not null,
        _ => false,
    };

    private int? LowerGridValue(IOperation operation, ScalarType type)
    {
        switch (operation)
        {
            case IArrayElementReferenceOperation element:
                var grid = _grids[GridParameter(element.ArrayReference)!];
                int? row = LowerValue(element.Indices[0]);
                int? column = LowerValue(element.Indices[1]);
                if (row is not int i || column is not int j)
                    return null;
                int offset = _nodes.Add(Op.PassiveCall, ScalarType.Int,
                    new[] { _nodes.Convert(i, ScalarType.Int), _nodes.Convert(j, ScalarType.Int), _nodes.Read(grid.Rows, ScalarType.Int), _nodes.Read(grid.Columns, ScalarType.Int) }, 0, null,
                    new CallTarget("global::Backprop.Grid.Offset", new EquatableArray<bool>(new[] { false, false, false, false }), 0));
                return _nodes.Convert(_nodes.Add(Op.Element, _variablesByName[grid.Values].Type, new[] { offset }, 0, grid.Values, null), type);
            case IInvocationOperation { Arguments: { Length: 1 } arguments } dimension when arguments[0].Value.ConstantValue is { HasValue: true, Value: int k } && k is 0 or 1:
                var of = _grids[GridParameter(dimension.Instance)!];
                return _nodes.Convert(_nodes.Read(k == 0 ? of.Rows : of.Columns, ScalarType.Int), type);
            case IInvocationOperation dimension:
                return Report(Diagnostics.UnsupportedExpression, dimension.Syntax, $"'{dimension.Syntax}'", "read a dimension of a two-dimensional array with GetLength(0) (rows) or GetLength(1) (columns)");
            default:
                return _nodes.Constant(2, type);
        }
    }

    /// <summary>Writing an element of a two-dimensional array parameter (BP1005, as for any parameter array); <c>false</c> for another target.</summary>
    private bool RefuseGridWrite(IOperation arrayReference, SyntaxNode at)
    {
        if (GridParameter(arrayReference) is not { } grid)
            return false;
        Report(Diagnostics.ParameterArrayWrite, at, grid.Name);
        return true;
    }

    /// <summary>Passing a two-dimensional array parameter to a method, which derivative methods cannot do yet (BP1002); <c>false</c> for another argument.</summary>
    private bool RefuseGridArgument(IOperation passed, IMethodSymbol callee)
    {
        if (GridParameter(passed) is not { } grid)
            return false;
        Report(Diagnostics.UnsupportedExpression, passed.Syntax, $"Passing the two-dimensional array '{grid.Name}' to '{callee.Name}'",
            "read its elements in this method (a[i, j]), or pass them one row at a time in a one-dimensional array or span");
        return true;
    }
}
