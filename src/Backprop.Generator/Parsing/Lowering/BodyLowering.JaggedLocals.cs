using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// A local array of arrays made with rows of one length, in its one form:
/// <code>
/// var rows = new double[n][];
/// for (int i = 0; i &lt; n; i++)   // or i &lt; rows.Length
///     rows[i] = new double[m];
/// </code>
/// the loop right after the declaration, at the top level, <c>m</c> the same for every row. It is held as a
/// two-dimensional local of n × m elements (<c>rows</c>, its dimensions <c>rows_rows</c> and <c>rows_columns</c>):
/// <c>rows[i][j]</c> is element (i, j), checked against both dimensions as C# checks each index, <c>rows[i].Length</c> the
/// columns and <c>rows.Length</c> the rows. Nothing else may name it (a row given another array, a row named by a local
/// or passed to a method, <c>foreach</c>): those reach no variable and are refused where they are.
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>The local arrays of arrays held as two-dimensional locals.</summary>
    private readonly Dictionary<ILocalSymbol, GridVariables> _jaggedLocals = new(SymbolEqualityComparer.Default);

    /// <summary>The loops that made the rows of such a local, lowered with its declaration and skipped where they stand.</summary>
    private readonly HashSet<IOperation> _rowAllocations = new();

    /// <summary>
    /// <c>var rows = new double[n][];</c> followed by the loop giving each row <c>new double[m]</c>: a two-dimensional
    /// local of n × m; <c>false</c> (nothing lowered) for any other form.
    /// </summary>
    private bool LowerJaggedLocal(string source, IVariableDeclarationGroupOperation group, IVariableDeclaratorOperation declarator, ScalarType element)
    {
        ILocalSymbol local = declarator.Symbol;
        if (declarator.GetVariableInitializer()?.Value is not IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: null } creation
            || group.Parent is not IBlockOperation block || group.Declarations.Sum(d => d.Declarators.Length) != 1)
            return false;
        int at = block.Operations.IndexOf(group);
        if (at + 1 >= block.Operations.Length || RowLength(block.Operations[at + 1], local, creation.DimensionSizes[0]) is not { } columns)
            return false;
        IOperation loop = block.Operations[at + 1];
        string values = NewVariable(local.Name, element, ValueShape.Array, VariableKind.Local);
        var grid = new GridVariables(values, NewVariable(local.Name + "_rows", ScalarType.Int, ValueShape.Scalar, VariableKind.Local),
            NewVariable(local.Name + "_columns", ScalarType.Int, ValueShape.Scalar, VariableKind.Local));
        _jaggedLocals[local] = grid;
        _rowAllocations.Add(loop);
        AllocateGrid($"{source} {OneLine(loop.Syntax)}", local.Name, grid, creation.DimensionSizes[0], columns, creation.Syntax);
        return true;
    }

    /// <summary>
    /// The length <c>m</c> every row gets when <paramref name="loop"/> is <c>for (int i = 0; i &lt; n; i++) rows[i] = new T[m];</c>
    /// over all <paramref name="rows"/> (<c>n</c> the declared length, written the same, or <c>rows.Length</c>), with
    /// <c>n</c> and <c>m</c> computed without effects and <c>m</c> the same in every iteration; otherwise <c>null</c>.
    /// </summary>
    private static IOperation? RowLength(IOperation loop, ILocalSymbol rows, IOperation declaredLength)
    {
        if (loop is not IForLoopOperation { Before: { Length: 1 } before, Condition: IBinaryOperation { OperatorKind: BinaryOperatorKind.LessThan } condition, AtLoopBottom: { Length: 1 } step } forLoop
            || before[0] is not IVariableDeclarationGroupOperation { Declarations: { Length: 1 } declarations } || declarations[0].Declarators.Length != 1
            || declarations[0].Declarators[0] is not { Symbol: var counter } first || first.GetVariableInitializer()?.Value.ConstantValue is not { HasValue: true, Value: 0 }
            || Unconverted(condition.LeftOperand) is not ILocalReferenceOperation { Local: var tested } || !SymbolEqualityComparer.Default.Equals(tested, counter)
            || !CoversAllRows(condition.RightOperand, rows, declaredLength)
            || !Increments(step[0], counter))
            return null;
        IOperation body = forLoop.Body is IBlockOperation { Operations.Length: 1 } block ? block.Operations[0] : forLoop.Body;
        if (body is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation { Indices: { Length: 1 } indices } row, Value: var made } }
            || Unconverted(row.ArrayReference) is not ILocalReferenceOperation { Local: var assigned } || !SymbolEqualityComparer.Default.Equals(assigned, rows)
            || Unconverted(indices[0]) is not ILocalReferenceOperation { Local: var index } || !SymbolEqualityComparer.Default.Equals(index, counter)
            || made is not IArrayCreationOperation { DimensionSizes: { Length: 1 } lengths, Initializer: null }
            || !WithoutEffects(lengths[0]) || lengths[0].DescendantsAndSelf().Any(o => o is ILocalReferenceOperation { Local: var used } && (SymbolEqualityComparer.Default.Equals(used, counter) || SymbolEqualityComparer.Default.Equals(used, rows))))
            return null;
        return lengths[0];
    }

    /// <summary>Whether a loop bound is every row: <c>rows.Length</c>, or the declared length written the same and computed without effects.</summary>
    private static bool CoversAllRows(IOperation bound, ILocalSymbol rows, IOperation declaredLength) =>
        Unconverted(bound) is IPropertyReferenceOperation { Property.Name: "Length", Instance: ILocalReferenceOperation { Local: var of } } && SymbolEqualityComparer.Default.Equals(of, rows)
        || WithoutEffects(declaredLength) && Regex.Replace(bound.Syntax.ToString(), @"\s+", "") == Regex.Replace(declaredLength.Syntax.ToString(), @"\s+", "");

    /// <summary>Whether evaluating an operation changes nothing and reads nothing that changes meanwhile: literals, locals, parameters, lengths, arithmetic.</summary>
    private static bool WithoutEffects(IOperation operation) =>
        operation.DescendantsAndSelf().All(o => o is ILiteralOperation or ILocalReferenceOperation or IParameterReferenceOperation or IBinaryOperation or IConversionOperation
            or IPropertyReferenceOperation { Property.Name: "Length", Property.IsIndexer: false } or IFieldReferenceOperation { Field.IsConst: true });

    private static bool Increments(IOperation step, ILocalSymbol counter) =>
        (step is IExpressionStatementOperation statement ? statement.Operation : step) switch
        {
            IIncrementOrDecrementOperation { Kind: OperationKind.Increment, Target: ILocalReferenceOperation { Local: var stepped } } => SymbolEqualityComparer.Default.Equals(stepped, counter),
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Target: ILocalReferenceOperation { Local: var stepped }, Value.ConstantValue: { HasValue: true, Value: 1 } } => SymbolEqualityComparer.Default.Equals(stepped, counter),
            _ => false,
        };

    /// <summary>A row of a local array of arrays held as a two-dimensional local (<c>rows[i]</c>): its variables and its index.</summary>
    private (GridVariables Grid, IOperation Index)? JaggedLocalRow(IOperation? operation) =>
        operation is not null && Unconverted(operation) is IArrayElementReferenceOperation { Indices.Length: 1, ArrayReference: var array } row
        && Unconverted(array) is ILocalReferenceOperation { Local: var local } && _jaggedLocals.TryGetValue(local, out var grid)
            ? (grid, row.Indices[0])
            : null;

    /// <summary>Such a local itself (<c>rows</c>), for its <c>Length</c>.</summary>
    private GridVariables? JaggedLocal(IOperation? operation) =>
        operation is not null && Unconverted(operation) is ILocalReferenceOperation { Local: var local } && _jaggedLocals.TryGetValue(local, out var grid) ? grid : null;

    /// <summary><c>rows[i].Length</c>: the columns, once the row is checked (<c>GridElements.RowLength(i, rows, columns)</c>).</summary>
    private int? JaggedLocalRowLength((GridVariables Grid, IOperation Index) row) =>
        LowerValue(row.Index) is int i
            ? _nodes.Add(Op.PassiveCall, ScalarType.Int, new[] { _nodes.Convert(i, ScalarType.Int), _nodes.Read(row.Grid.Rows, ScalarType.Int), _nodes.Read(row.Grid.Columns, ScalarType.Int) }, 0, null,
                new CallTarget("global::Backprop.GridElements.RowLength", new EquatableArray<bool>(new[] { false, false, false }), 0))
            : null;

    /// <summary>Element (i, j) of such a local, <c>rows[i][j]</c>: its offset among the elements, checked against both dimensions.</summary>
    private int? JaggedLocalOffset(IArrayElementReferenceOperation element)
    {
        var (grid, row) = JaggedLocalRow(element.ArrayReference)!.Value;
        return GridOffset(grid, row, element.Indices[0]);
    }
}
