using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>Expressions: each becomes a node of the statement's graph (equal subexpressions shared).</summary>
internal sealed partial class BodyLowering
{
    /// <summary>
    /// Applies a binary operator after the usual numeric promotion, converting the result back to <paramref name="resultType"/>
    /// (a shift promotes its left operand alone: a byte shifts as an int).
    /// </summary>
    private int Combine(Op op, int left, int right, ScalarType resultType)
    {
        if (IsShift(op))
        {
            ScalarType shifted = Promote(_nodes.TypeOf(left), _nodes.TypeOf(left));
            return _nodes.Convert(_nodes.Add(op, shifted, _nodes.Convert(left, shifted), _nodes.Convert(right, ScalarType.Int)), resultType);
        }
        ScalarType operandType = Promote(_nodes.TypeOf(left), _nodes.TypeOf(right));
        int value = _nodes.Add(op, operandType, _nodes.Convert(left, operandType), _nodes.Convert(right, operandType));
        return _nodes.Convert(value, resultType);
    }

    /// <summary>A comparison after the usual numeric promotion of its operands.</summary>
    private int Compare(Op op, int left, int right)
    {
        ScalarType operands = Promote(_nodes.TypeOf(left), _nodes.TypeOf(right));
        return _nodes.Add(op, ScalarType.Bool, _nodes.Convert(left, operands), _nodes.Convert(right, operands));
    }

    private static ScalarType Promote(ScalarType a, ScalarType b) =>
        a == ScalarType.Bool && b == ScalarType.Bool ? ScalarType.Bool
        // T meets only T and integer constants (the compiler asks for an explicit conversion from anything else).
        : a == ScalarType.Generic || b == ScalarType.Generic ? ScalarType.Generic
        : a == ScalarType.Double || b == ScalarType.Double ? ScalarType.Double
        : a == ScalarType.Float || b == ScalarType.Float ? ScalarType.Float
        : a == ScalarType.Long || b == ScalarType.Long ? ScalarType.Long
        : ScalarType.Int;

    /// <summary>Lowers an expression to the node holding its value, or returns <c>null</c> after reporting why it cannot.</summary>
    private int? LowerValue(IOperation operation)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        // An expression nested thousands deep would overflow the stack and take the compiler down with it: near the
        // limit this throws InsufficientExecutionStackException instead, which the pipeline reports as BP9001.
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (ChecksOverflowOtherwise(operation))
            return null;
        if (Symbols.MatrixType(operation.Type) is not null)
            return LowerMatrixValue(operation);
        ScalarType? type = ValueType(operation.Type);
        if (type is null && operation is IInvocationOperation { TargetMethod: var callee } && VariableType(callee.ReturnType) is (_, true))
            return ArrayCallHere(operation, callee);
        if (type is null)
            return Report(Diagnostics.UnsupportedExpression, operation.Syntax, Unsupported.DescribeValue(operation.Type), Unsupported.ValueAdvice(operation.Type));

        if (operation.ConstantValue is { HasValue: true, Value: var constant } && ToDouble(constant) is double value)
            return _nodes.Constant(value, type.Value);
        // Kept out of the switch below: each of its cases' variables is a local of this frame, which recursion multiplies.
        if (IsStructNumber(operation))
            return LowerStructNumber(operation, type.Value);
        if (IsGridValue(operation))
            return LowerGridValue(operation, type.Value);
        if (IsJaggedValue(operation))
            return LowerJaggedValue(operation, type.Value);

        switch (operation)
        {
            case IConversionOperation conversion when GenericMath.IsBuiltInOperator(conversion.OperatorMethod):
                return LowerValue(conversion.Operand) is int operand ? _nodes.Convert(operand, type.Value) : null;
            case ILocalReferenceOperation { Local: var local }:
                return _variableNames.TryGetValue(local, out string? localName) ? _nodes.Read(localName, type.Value) : IsRefused(operation) ? null : Report(Diagnostics.UnsupportedExpression, operation.Syntax, $"Reading '{local.Name}'", "declare it inside the method");
            case IParameterReferenceOperation { Parameter: var inlined } when _inlinedArguments.TryGetValue(inlined, out int argument):
                return _nodes.Convert(argument, type.Value);
            case IParameterReferenceOperation { Parameter: var parameter } when _variableNames.TryGetValue(parameter, out string? parameterName):
                return _nodes.Read(parameterName, type.Value);
            case IFieldReferenceOperation when TupleElementVariable(operation) is string element:
                return _nodes.Read(element, type.Value);
            case IFieldReferenceOperation or IPropertyReferenceOperation when LowerModelRead(operation, type.Value) is int field:
                return field;
            // An element of a tuple computed on the spot: Polar(x, y).R, Math.SinCos(t).Cos.
            case IFieldReferenceOperation { Instance: { Type: INamedTypeSymbol tuple } instance, Field: var field }
                when IsTupleOfNumbers(tuple) && instance is not ILocalReferenceOperation && ElementIndex(tuple, field) is int elementIndex and >= 0:
                return TupleElements(instance, tuple.TupleElements.Length) is { } computed ? computed[elementIndex].Lower() : null;
            case IParameterReferenceOperation { Parameter: { Type.TypeKind: TypeKind.Enum } parameter }:
                return _nodes.Add(Op.Member, type.Value, null, 0, $"({type.Value.Keyword()}){Naming.Identifier(parameter.Name)}", null);
            // T.One, T.Pi: the same number in every IEEE type; T.Epsilon and the like are T's own, read as constants.
            case IPropertyReferenceOperation { Property: var property } when GenericMath.IsMemberOfT(property):
                return GenericMath.ConstantValue(property) is double known
                    ? _nodes.Constant(known, type.Value)
                    : _nodes.Add(Op.Member, type.Value, null, 0, $"{Naming.Identifier(property.ContainingType.TypeArguments[0].Name)}.{property.Name}", null);
            case IFieldReferenceOperation or IPropertyReferenceOperation when Constant(operation) is string member:
                return _nodes.Add(Op.Member, type.Value, null, 0, operation.Type!.TypeKind == TypeKind.Enum ? $"({type.Value.Keyword()}){member}" : member, null);
            case IArrayElementReferenceOperation { ArrayReference: var table, Indices.Length: 1 } element when Constant(table) is string constantArray:
                return LowerIndex(element) is int at ? _nodes.Add(Op.MemberElement, type.Value, new[] { at }, 0, constantArray, null) : null;
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { Type: IArrayTypeSymbol } table } when Constant(table) is string constantLength:
                return _nodes.Add(Op.Member, ScalarType.Int, null, 0, constantLength + ".Length", null);
            case IArrayElementReferenceOperation element:
                return ArrayVariable(element.ArrayReference) is (string array, _) && LowerIndex(element) is int index
                    ? _nodes.Add(Op.Element, type.Value, new[] { index }, 0, array, null)
                    : null;
            case IPropertyReferenceOperation { Property.Name: "Rows" or "Columns" or "Length", Instance: { } shaped } shape when Symbols.MatrixType(shaped.Type) is (_, ValueShape.Matrix):
                return LowerMatrixShape(shape);
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { Type: IArrayTypeSymbol } instance }:
                return ArrayVariable(instance) is (string lengthOf, _) ? _nodes.Add(Op.Length, ScalarType.Int, null, 0, lengthOf, null) : null;
            // A span parameter is read as an array: by index and Length.
            case IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: { } span } spanElement when Symbols.SpanElement(span.Type) is not null:
                return ArrayVariable(span) is (string spanName, _) && LowerValue(spanElement.Arguments[0].Value) is int position
                    ? _nodes.Add(Op.Element, type.Value, new[] { _nodes.Convert(position, ScalarType.Int) }, 0, spanName, null)
                    : null;
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { } spanLength } when Symbols.SpanElement(spanLength.Type) is not null:
                return ArrayVariable(spanLength) is (string spanOf, _) ? _nodes.Add(Op.Length, ScalarType.Int, null, 0, spanOf, null) : null;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Plus } plus when GenericMath.IsBuiltInOperator(plus.OperatorMethod):
                return LowerValue(plus.Operand);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } minus when GenericMath.IsBuiltInOperator(minus.OperatorMethod):
                return LowerValue(minus.Operand) is int negated ? _nodes.Add(Op.Negate, type.Value, negated) : null;
            case IUnaryOperation { OperatorMethod: null, OperatorKind: UnaryOperatorKind.Not } not:
                return LowerValue(not.Operand) is int inverted ? _nodes.Add(Op.Not, ScalarType.Bool, inverted) : null;
            case IUnaryOperation { OperatorMethod: null, OperatorKind: UnaryOperatorKind.BitwiseNegation } complement:
                return LowerValue(complement.Operand) is int bits ? _nodes.Add(Op.OnesComplement, type.Value, bits) : null;
            case IBinaryOperation { OperatorMethod: null, OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logical
                when NeedsStatements(logical.RightOperand):
                return LowerShortCircuit(logical);
            case IBinaryOperation binary when GenericMath.IsBuiltInOperator(binary.OperatorMethod) && ToOp(binary.OperatorKind) is Op op:
                int? left = LowerValue(binary.LeftOperand);
                int? right = LowerValue(binary.RightOperand);
                if (left is not int l || right is not int r)
                    return null;
                // & | ^ on bools are the logical operators: operands without effects make them && || !=.
                if (type == ScalarType.Bool && op is Op.BitwiseAnd or Op.BitwiseOr or Op.ExclusiveOr)
                    op = op switch { Op.BitwiseAnd => Op.And, Op.BitwiseOr => Op.Or, _ => Op.NotEqual };
                if (op is Op.And or Op.Or)
                    return _nodes.Add(op, ScalarType.Bool, l, r);
                if (IsComparison(op))
                    return Compare(op, l, r);
                return _nodes.Add(op, type.Value, l, r);
            case IConditionalOperation conditional:
                return LowerConditional(conditional, type.Value);
            case ISwitchExpressionOperation switchExpression:
                return LowerSwitchExpression(switchExpression, type.Value);
            case IIsPatternOperation isPattern:
                return LowerIsPattern(isPattern);
            // T.CreateChecked(2), T.CreateChecked(n), double.CreateChecked(t): conversions, folded for constants.
            case IInvocationOperation { TargetMethod: var create, Arguments: { Length: 1 } converted } when GenericMath.IsConversion(create) && ValueType(converted[0].Value.Type) is not null:
                return LowerValue(converted[0].Value) is int from ? _nodes.Convert(from, type.Value) : null;
            case IInvocationOperation invocation:
                return LowerCall(invocation, type.Value);
            default:
                return IsRefused(operation)
                    ? null
                    : Report(Diagnostics.UnsupportedExpression, operation.Syntax, Unsupported.DescribeExpression(operation), Unsupported.ExpressionAdvice(operation));
        }
    }

    /// <summary>
    /// The C# of a value read as a constant: a static readonly field, or a static property with a getter alone, of a
    /// number, enum or array type, outside any instance; <c>null</c> for anything else.
    /// </summary>
    private static string? Constant(IOperation operation) => operation switch
    {
        IFieldReferenceOperation { Instance: null, Field: { IsStatic: true, IsReadOnly: true } field } when IsConstantType(field.Type) =>
            Symbols.TypeName(field.ContainingType) + "." + Naming.Identifier(field.Name),
        IPropertyReferenceOperation { Instance: null, Arguments.Length: 0, Property: { IsStatic: true, SetMethod: null } property } when IsConstantType(property.Type) =>
            Symbols.TypeName(property.ContainingType) + "." + Naming.Identifier(property.Name),
        _ => null,
    };

    private static bool IsConstantType(ITypeSymbol type) =>
        ValueType(type) is not null || type is IArrayTypeSymbol { Rank: 1, ElementType: var element } && ValueType(element) is not null;

    private int? LowerIndex(IArrayElementReferenceOperation element)
    {
        if (element.Indices.Length != 1)
            return Report(Diagnostics.UnsupportedExpression, element.Syntax, "A multi-dimensional index", "use a one-dimensional array");
        return LowerValue(element.Indices[0]) is int index ? _nodes.Convert(index, ScalarType.Int) : null;
    }

    /// <summary>A differentiable <c>c ? a : b</c> (of numbers or matrices) becomes an <c>if</c> assigning a new variable, so only the taken branch runs and is differentiated.</summary>
    private int? LowerConditional(IConditionalOperation conditional, ScalarType type, ValueShape shape = ValueShape.Scalar)
    {
        if (!type.IsFloatingPoint())
        {
            int? c = LowerValue(conditional.Condition);
            int? a = LowerValue(conditional.WhenTrue!);
            int? b = LowerValue(conditional.WhenFalse!);
            return c is int ci && a is int ai && b is int bi ? _nodes.Add(Op.Conditional, type, ci, _nodes.Convert(ai, type), _nodes.Convert(bi, type)) : null;
        }
        NodeBuilder outer = _nodes;
        _nodes = new NodeBuilder();
        string temporary = NewVariable("choice", type, shape, VariableKind.Synthetic);
        int? condition = LowerValue(conditional.Condition);
        NodeBuilder conditionNodes = TakeNodes();
        string text = OneLine(conditional.Syntax);
        Block then = LowerBranchValue(conditional.WhenTrue!, temporary, text);
        Block otherwise = LowerBranchValue(conditional.WhenFalse!, temporary, text);
        _nodes = outer;
        if (condition is not int c2)
            return null;
        Add(new IfStatement($"if ({conditional.Condition.Syntax}) — from {text}", conditionNodes.ToNodes(), c2, then, otherwise));
        return _nodes.Read(temporary, type, shape);
    }

    /// <summary>
    /// Whether lowering <paramref name="operation"/> adds statements before the one being built: a conditional or
    /// switch expression over numbers, or a call inlined with its statements.
    /// </summary>
    private bool NeedsStatements(IOperation operation, HashSet<IMethodSymbol>? inlined = null) =>
        operation.DescendantsAndSelf().Any(o => o switch
        {
            IConditionalOperation { Type: var type } => ValueType(type)?.IsFloatingPoint() == true || Symbols.MatrixType(type) is not null,
            ISwitchExpressionOperation => true,
            // A matrix computed inside an expression is computed by a statement of its own.
            IInvocationOperation or IBinaryOperation or IUnaryOperation when Symbols.MatrixType(o.Type) is (_, ValueShape.Matrix) => true,
            IInvocationOperation call when InlinedExpressionOf(call) is { } expression =>
                (inlined ??= new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default)).Add(call.TargetMethod) && NeedsStatements(expression, inlined),
            IInvocationOperation call => InlinedBodyOf(call) is not null,
            _ => MakesStruct(o),
        });

    /// <summary>The number an inlined call gives, read from its result variable.</summary>
    private int? Inlined(IReadOnlyList<string>? results, ScalarType type) =>
        results is { Count: 1 } ? _nodes.Convert(_nodes.Read(results[0], _variablesByName[results[0]].Type), type) : null;

    /// <summary>
    /// <c>a &amp;&amp; b</c> or <c>a || b</c> whose <c>b</c> needs statements of its own: a new variable holds <c>a</c>,
    /// and <c>b</c> is computed under an <c>if</c>, only when C# would evaluate it.
    /// </summary>
    private int? LowerShortCircuit(IBinaryOperation logical)
    {
        NodeBuilder outer = _nodes;
        _nodes = new NodeBuilder();
        string text = OneLine(logical.Syntax);
        bool and = logical.OperatorKind == BinaryOperatorKind.ConditionalAnd;
        string temporary = NewVariable(and ? "both" : "either", ScalarType.Bool);
        AssignValue($"{temporary} = {OneLine(logical.LeftOperand.Syntax)}; — from {text}", temporary, logical.LeftOperand, declares: false);
        int known = _nodes.Read(temporary, ScalarType.Bool);
        int condition = and ? known : _nodes.Add(Op.Not, ScalarType.Bool, known);
        NodeBuilder conditionNodes = TakeNodes();
        Block right = LowerBranchValue(logical.RightOperand, temporary, text);
        Add(new IfStatement($"if ({(and ? "" : "!")}{temporary}) — from {text}", conditionNodes.ToNodes(), condition, right, new Block(EquatableArray<Statement>.Empty)));
        _nodes = outer;
        return _nodes.Read(temporary, ScalarType.Bool);
    }

    private Block LowerBranchValue(IOperation value, string temporary, string source)
    {
        List<Statement> outer = _statements;
        _statements = new List<Statement>();
        if (Unconverted(value) is IThrowOperation thrown)
            LowerEffect(thrown, $"{OneLine(value.Syntax)}; — from {source}");
        else
            AssignValue($"{temporary} = {OneLine(value.Syntax)}; — from {source}", temporary, value, declares: false);
        var block = new Block(_statements.ToEquatableArray());
        _statements = outer;
        return block;
    }

    private static Op? ToOp(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => Op.Add,
        BinaryOperatorKind.Subtract => Op.Subtract,
        BinaryOperatorKind.Multiply => Op.Multiply,
        BinaryOperatorKind.Divide => Op.Divide,
        BinaryOperatorKind.Remainder => Op.Remainder,
        BinaryOperatorKind.LessThan => Op.Less,
        BinaryOperatorKind.LessThanOrEqual => Op.LessOrEqual,
        BinaryOperatorKind.GreaterThan => Op.Greater,
        BinaryOperatorKind.GreaterThanOrEqual => Op.GreaterOrEqual,
        BinaryOperatorKind.Equals => Op.Equal,
        BinaryOperatorKind.NotEquals => Op.NotEqual,
        BinaryOperatorKind.ConditionalAnd => Op.And,
        BinaryOperatorKind.ConditionalOr => Op.Or,
        BinaryOperatorKind.And => Op.BitwiseAnd,
        BinaryOperatorKind.Or => Op.BitwiseOr,
        BinaryOperatorKind.ExclusiveOr => Op.ExclusiveOr,
        BinaryOperatorKind.LeftShift => Op.LeftShift,
        BinaryOperatorKind.RightShift => Op.RightShift,
        BinaryOperatorKind.UnsignedRightShift => Op.UnsignedRightShift,
        _ => null,
    };

    private static bool IsShift(Op op) => op is Op.LeftShift or Op.RightShift or Op.UnsignedRightShift;

    private static bool IsComparison(Op op) => op is Op.Less or Op.LessOrEqual or Op.Greater or Op.GreaterOrEqual or Op.Equal or Op.NotEqual;

    private static double? ToDouble(object? constant) => constant switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        byte u => u,
        bool b => b ? 1 : 0,
        _ => null,
    };
}
