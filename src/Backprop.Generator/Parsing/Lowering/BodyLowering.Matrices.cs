using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Matrices: values of the runtime's <c>Matrix&lt;T&gt;</c>, and parameters that are arrays of them. An operation on
/// matrices is a call that brings its own <c>[DerivativeOf]</c> pullback (a runtime operation, an operator, a user's
/// function); a method of this compilation that takes or returns matrices (another <c>[Differentiable]</c> method, a
/// layer) is inlined where it is called. A matrix computed inside an expression becomes the value of a statement of
/// its own, quoting the same source, so a statement computes at most one matrix, at its root, and every matrix the
/// reverse sweep reads is held by a variable.
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>The source quoted by the statement being lowered, for the statements its matrices are computed in.</summary>
    private string? _source;

    /// <summary>While an inlined body is lowered: its parameters that take opaque values (a geometry, a mask), as the code of the argument passed.</summary>
    private readonly Dictionary<IParameterSymbol, string> _opaqueArguments = new(SymbolEqualityComparer.Default);

    /// <summary>An expression of a matrix type where a value is wanted (kept out of <see cref="LowerValue"/>, whose frame every nesting level pays for).</summary>
    private int? LowerMatrixValue(IOperation operation) =>
        Symbols.MatrixType(operation.Type) is (_, ValueShape.Matrix)
            ? LowerMatrix(operation)
            : Report(Diagnostics.UnsupportedExpression, operation.Syntax, $"The array of matrices '{OneLine(operation.Syntax)}' as a value",
                "read its matrices by index (W[i]), or loop over it with foreach");

    /// <summary>
    /// A matrix parameter's <c>Rows</c>, <c>Columns</c> or <c>Length</c>: the parameter is never assigned, so its shape is
    /// the same throughout the method, and is read as a value from outside it.
    /// </summary>
    private int? LowerMatrixShape(IPropertyReferenceOperation shape)
    {
        if (shape.Instance is IParameterReferenceOperation { Parameter: var shaped } && _inlinedBodies.Count == 0)
            return _nodes.Add(Op.Member, ScalarType.Int, null, 0, $"{Naming.Identifier(shaped.Name)}.{shape.Property.Name}", null);
        // A model's field is never assigned either.
        if (ModelMember(shape.Instance!) is var (_, field, _))
            return _nodes.Add(Op.Member, ScalarType.Int, null, 0, $"{Join("this", field)}.{shape.Property.Name}", null);
        return Report(Diagnostics.UnsupportedExpression, shape.Syntax, $"Reading the shape of '{OneLine(shape.Instance!.Syntax)}'{(_inlinedBodies.Count > 0 ? $" in '{_inlinedBodies.Peek()}', which is inlined where it is called," : "")}",
            "read the shape of a matrix parameter of the [Differentiable] method (x.Rows), or pass the size as an int parameter");
    }

    /// <summary>A matrix-valued expression as a node of the statement being built: a read of a matrix variable, or of an element of an array of matrices.</summary>
    private int? LowerMatrix(IOperation operation)
    {
        var (element, _) = Symbols.MatrixType(operation.Type)!.Value;
        switch (operation)
        {
            case IConversionOperation { OperatorMethod: null } conversion when Symbols.MatrixType(conversion.Operand.Type) is not null:
                return LowerMatrix(conversion.Operand);
            case ILocalReferenceOperation { Local: var local } when _variableNames.TryGetValue(local, out string? localName):
                return _nodes.Read(localName, element, ValueShape.Matrix);
            case IParameterReferenceOperation { Parameter: var parameter } when _variableNames.TryGetValue(parameter, out string? parameterName):
                return _nodes.Read(parameterName, element, ValueShape.Matrix);
            case IFieldReferenceOperation or IPropertyReferenceOperation when FieldVariable(operation) is string field:
                return _nodes.Read(field, element, ValueShape.Matrix);
            case IArrayElementReferenceOperation { Indices.Length: 1 } read when ArrayVariable(read.ArrayReference) is (string matrices, _):
                return LowerIndex(read) is int index ? _nodes.Add(Op.Element, element, new[] { index }, 0, matrices, null, ValueShape.Matrix) : null;
            case IConditionalOperation conditional:
                return LowerConditional(conditional, element, ValueShape.Matrix);
            case ISwitchExpressionOperation switchExpression:
                return LowerSwitchExpression(switchExpression, element, ValueShape.Matrix);
            case IInvocationOperation or IBinaryOperation { OperatorMethod: not null } or IUnaryOperation { OperatorMethod: not null }:
                return Hoist(operation, element);
            default:
                return Report(Diagnostics.UnsupportedExpression, operation.Syntax, $"The matrix expression '{OneLine(operation.Syntax)}'",
                    "compute matrices with the runtime's operations and operators, methods with a [DerivativeOf] pullback and other [Differentiable] methods, and keep them in locals");
        }
    }

    /// <summary>A matrix computed inside an expression: a statement of its own assigns it to a new variable, which the expression reads.</summary>
    private int? Hoist(IOperation operation, ScalarType element)
    {
        NodeBuilder outer = _nodes;
        _nodes = new NodeBuilder();
        int? root = LowerMatrixRoot(operation);
        NodeBuilder nodes = TakeNodes();
        _nodes = outer;
        if (root is not int value)
            return null;
        Node computed = nodes.ToNodes()[value];
        // An inlined method's result is a variable already.
        if (computed.Op == Op.Read)
            return _nodes.Read(computed.Name!, element, ValueShape.Matrix);
        string temporary = NewVariable(ValueName(operation, "matrix"), element, ValueShape.Matrix, VariableKind.Synthetic);
        Add(new AssignStatement(_source ?? OneLine(operation.Syntax) + ";" + InlinedFrom, nodes.ToNodes(), temporary, value, Declares: true));
        return _nodes.Read(temporary, element, ValueShape.Matrix);
    }

    /// <summary>Names a value after what computes it: <c>matMul</c>, <c>relu</c>, <c>sum</c>, else <paramref name="otherwise"/>.</summary>
    private static string ValueName(IOperation operation, string otherwise)
    {
        IMethodSymbol? method = operation switch
        {
            IInvocationOperation invocation => invocation.TargetMethod,
            IBinaryOperation binary => binary.OperatorMethod,
            IUnaryOperation unary => unary.OperatorMethod,
            _ => null,
        };
        return method?.MethodKind == MethodKind.UserDefinedOperator
            ? method.Name switch { "op_Addition" => "sum", "op_Subtraction" => "difference", "op_Multiply" => "product", "op_Division" => "quotient", _ => "negation" }
            : method is null ? otherwise : char.ToLowerInvariant(method.Name[0]) + method.Name.Substring(1);
    }

    /// <summary>
    /// The root of a statement assigning a matrix: a call of an operation (its node), or for a method whose body is
    /// inlined, a read of the variable its returns assign; else a read (<see cref="LowerMatrix"/>).
    /// </summary>
    private int? LowerMatrixRoot(IOperation operation)
    {
        switch (operation)
        {
            case IConversionOperation { OperatorMethod: null } conversion when Symbols.MatrixType(conversion.Operand.Type) is not null:
                return LowerMatrixRoot(conversion.Operand);
            case IInvocationOperation invocation:
                IMethodSymbol target = invocation.TargetMethod;
                if (_helpers.IsBeingLowered(target) || IsBeingInlined(target))
                    return Report(Diagnostics.Recursion, invocation.Syntax, target.Name);
                if (Pullbacks.Find(target) is not null)
                    return LowerOperation(target, ArgumentsInOrder(invocation), invocation);
                if (InlinedBodyOf(invocation) is { } body)
                    return InlineBody(invocation, body) is { Count: 1 } results ? _nodes.Read(results[0], _variablesByName[results[0]].Type, ValueShape.Matrix) : null;
                return NoRuleFor(invocation, target);
            case IBinaryOperation { OperatorMethod: { } binaryOperator } binary:
                return LowerOperation(binaryOperator, new[] { binary.LeftOperand, binary.RightOperand }, binary);
            case IUnaryOperation { OperatorMethod: { } unaryOperator } unary:
                return LowerOperation(unaryOperator, new[] { unary.Operand }, unary);
            default:
                return LowerMatrix(operation);
        }
    }

    private int? NoRuleFor(IOperation at, IMethodSymbol target) => Report(Diagnostics.NoKnownDerivative, at.Syntax, target.ToDisplayString());

    private static IReadOnlyList<IOperation> ArgumentsInOrder(IInvocationOperation invocation) =>
        invocation.Arguments.OrderBy(a => a.Parameter!.Ordinal).Select(a => a.Value).ToList();

    /// <summary>
    /// A call of an operation with a <c>[DerivativeOf]</c> pullback taking or returning matrices: a node of the
    /// statement being built, its arguments in parameter order (<paramref name="arguments"/>). Matrices are read from
    /// variables (computed ones hoisted first), numbers are values, integer arrays are passed whole, and anything else
    /// (a geometry, a mask) is passed through as the code that names it.
    /// </summary>
    private int? LowerOperation(IMethodSymbol method, IReadOnlyList<IOperation> arguments, IOperation at)
    {
        Pullbacks.Rule rule = Pullbacks.Find(method)!;
        IMethodSymbol? tangent = Pullbacks.FindTangent(method);
        IMethodSymbol? pullbackTangent = Pullbacks.FindPullbackTangent(rule.Pullback, method.Parameters.Length);
        if (new[] { rule.Pullback, rule.Into, rule.Shape, tangent, pullbackTangent }.Select(m => m is null ? null : Symbols.WhyInaccessible(m, _method.ContainingType)).FirstOrDefault(w => w is not null) is string why)
            return Report(Diagnostics.UnsupportedExpression, at.Syntax, $"Calling '{method.Name}', whose derivative rule the generated code cannot call ({why}),",
                "make the [DerivativeOf] and [TangentOf] methods and the types around them internal or public");
        if (tangent is null && (_derivatives & (DerivativeKinds.Tangent | DerivativeKinds.Hessian)) != 0)
            return Report(Diagnostics.UnsupportedExpression, at.Syntax, $"Calling '{method.Name}', which has a [DerivativeOf] pullback but no [TangentOf] rule, from a method asking for Derivatives.Tangent,",
                $"give '{method.Name}' a tangent rule marked [TangentOf(nameof({method.Name}))] beside its pullback, or ask for Derivatives.Gradient alone");
        if (pullbackTangent is null && (_derivatives & DerivativeKinds.Hessian) != 0)
            return Report(Diagnostics.UnsupportedExpression, at.Syntax, $"Calling '{method.Name}', whose pullback has no [TangentOf] rule, from a method asking for Derivatives.Hessian,",
                $"give '{rule.Pullback.Name}' a tangent rule marked [TangentOf(nameof({rule.Pullback.Name}))], or ask for first derivatives alone");
        var result = Symbols.MatrixType(method.ReturnType);
        if (result is not null && rule.Into is null && method.MethodKind == MethodKind.UserDefinedOperator)
            return Report(Diagnostics.UnsupportedExpression, at.Syntax, $"The operator '{method.Name}', which has no destination form,",
                "name one in its pullback's attribute: [DerivativeOf(typeof(…), \"op_…\", Into = nameof(…))]");
        var lowered = new int[arguments.Count];
        for (int i = 0; i < arguments.Count; i++)
        {
            ITypeSymbol type = method.Parameters[i].Type;
            IOperation argument = arguments[i];
            int? node = Symbols.MatrixType(type) is (_, ValueShape.Matrix) ? LowerMatrix(argument)
                : ValueType(type) is ScalarType number ? LowerNumberArgument(argument, number)
                : type is IArrayTypeSymbol && VariableType(type) is (var elements, true) ? (ArrayVariable(Unconverted(argument)) is (string array, _) ? _nodes.Add(Op.ArrayArgument, elements, null, 0, array, null) : null)
                : LowerOpaque(argument);
            if (node is not int found)
                return null;
            lowered[i] = found;
        }
        var call = new CallTarget(Symbols.MethodName(method), rule.Gradients.ToEquatableArray(), DerivativeKinds.Gradient | (tangent is null ? 0 : DerivativeKinds.Tangent),
            Symbols.Instantiate(rule.Pullback, method), Undifferentiated(method, arguments, rule.Gradients, pullback: true), null,
            rule.Into is null ? null : Symbols.Instantiate(rule.Into, method), rule.IntoArguments.ToEquatableArray(), rule.Shape is null ? null : Symbols.Instantiate(rule.Shape, method),
            tangent is null ? null : Symbols.Instantiate(tangent, method), pullbackTangent is null ? null : Symbols.Instantiate(pullbackTangent, method));
        ScalarType valueType = result is var (element, _) ? element : ValueType(method.ReturnType) ?? ScalarType.Double;
        return _nodes.Add(Op.Call, valueType, lowered, 0, null, call, result is null ? ValueShape.Scalar : ValueShape.Matrix);
    }

    /// <summary>
    /// A number passed to a matrix operation. One computed by a call (<c>Scale(h, Mean(w))</c>) is assigned to a local of
    /// its own first, as a matrix computed inside an expression is: the call's result is what the reverse sweep reads back
    /// (from the tape, inside branches and loops), and the operation's statement passes values alone.
    /// </summary>
    private int? LowerNumberArgument(IOperation argument, ScalarType type)
    {
        if (!argument.DescendantsAndSelf().Any(o => o is IInvocationOperation))
            return LowerValue(argument) is int value ? _nodes.Convert(value, type) : null;
        NodeBuilder outer = _nodes;
        _nodes = new NodeBuilder();
        string temporary = NewVariable(ValueName(Unconverted(argument), "number"), type);
        int count = _statements.Count;
        AssignValue(_source ?? OneLine(argument.Syntax) + ";" + InlinedFrom, temporary, argument, declares: true);
        _nodes = outer;
        bool assigned = _statements.Count > count && _statements[_statements.Count - 1] is AssignStatement { Target: var target } && target == temporary;
        return assigned ? _nodes.Read(temporary, type) : null;
    }

    /// <summary>
    /// A value passed through to an operation unchanged (a convolution's geometry, a dropout mask): the code naming it,
    /// a parameter of this method, a static readonly field, or an expression over those and constants.
    /// </summary>
    private int? LowerOpaque(IOperation operation)
    {
        string? code = PassivePrinter.Print(operation, symbol => symbol switch
        {
            IParameterSymbol inlined when _opaqueArguments.TryGetValue(inlined, out string? argument) => argument,
            IParameterSymbol parameter when SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _method) && !_assignedParameters.Contains(parameter) =>
                Naming.Identifier(parameter.Name),
            _ => null,
        }, InstanceCode);
        if (code is null)
            return Report(Diagnostics.UnsupportedExpression, operation.Syntax, $"The argument '{OneLine(operation.Syntax)}' of type '{operation.Type?.ToDisplayString()}'",
                "pass a parameter of the method, a static readonly field, or a constant");
        return _nodes.Add(Op.Member, ScalarType.Int, null, 0, code, null, ValueShape.Opaque);
    }

    /// <summary>A statement assigning a matrix to <paramref name="target"/>.</summary>
    private void AssignMatrix(string source, string target, IOperation value, bool declares)
    {
        string? outerSource = _source;
        _source = source;
        int? root = LowerMatrixRoot(value);
        _source = outerSource;
        if (root is int node)
            Add(new AssignStatement(source, TakeNodes(node, out int id), target, id, declares));
        else
            _nodes = new NodeBuilder();
    }

    /// <summary>
    /// An inlined method's parameter that takes a matrix, an array of matrices or an opaque value: bound to the caller's
    /// variable (or argument code) when the body never assigns it, else to a new variable assigned the argument.
    /// Returns <c>false</c> when the parameter is of none of these types.
    /// </summary>
    private bool BindMatrixArgument(InlinedCall invocation, InlinedArgument argument, IBlockOperation body, List<(IParameterSymbol, string)> bindings, ref bool ok)
    {
        IParameterSymbol parameter = argument.Parameter;
        IOperation value = Unconverted(argument.Value);
        bool assigned = body.Descendants().Any(o => o is IParameterReferenceOperation reference && IsAssigned(reference)
            && SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter));
        string? passed = value switch
        {
            ILocalReferenceOperation { Local: var local } when _variableNames.TryGetValue(local, out string? name) => name,
            IParameterReferenceOperation { Parameter: var caller } when _variableNames.TryGetValue(caller, out string? name) => name,
            IFieldReferenceOperation or IPropertyReferenceOperation => FieldVariable(value),
            _ => null,
        };
        switch (Symbols.MatrixType(parameter.Type))
        {
            case (var element, ValueShape.Matrix):
                if (!assigned && passed is not null)
                {
                    bindings.Add((parameter, passed));
                    return true;
                }
                string copy = NewVariable(parameter.Name, element, ValueShape.Matrix, VariableKind.Local);
                AssignMatrix($"{parameter.Name} = {OneLine(argument.Value.Syntax)}; — the argument of {OneLine(invocation.Operation.Syntax)}", copy, argument.Value, declares: true);
                bindings.Add((parameter, copy));
                return true;
            case (_, ValueShape.MatrixArray):
                if (!assigned && passed is not null)
                    bindings.Add((parameter, passed));
                else
                {
                    Report(Diagnostics.UnsupportedExpression, argument.Syntax, $"Passing '{argument.Syntax}' to '{invocation.Method.Name}'",
                        "pass an array of matrices that is a parameter of this method, by name");
                    ok = false;
                }
                return true;
        }
        if (ValueType(parameter.Type) is not null || parameter.Type is IArrayTypeSymbol || Symbols.SpanElement(parameter.Type) is not null)
            return false;
        if (LowerOpaque(argument.Value) is int opaque)
            _opaqueArguments[parameter] = _nodes.ToNodes()[opaque].Name!;
        else
            ok = false;
        _nodes = new NodeBuilder();
        return true;
    }

    /// <summary>The floating-point (or matrix) parameters whose derivative an operation leaves out, each with the argument passed to it.</summary>
    private static EquatableArray<UndifferentiatedParameter> Undifferentiated(IMethodSymbol method, IReadOnlyList<IOperation> arguments, IReadOnlyList<bool> differentiable, bool pullback) =>
        method.Parameters
            .Where(p => !differentiable[p.Ordinal] && IsFloatingPoint(p.Type))
            .Select(p => new UndifferentiatedParameter(p.Ordinal, p.Name, method.Name, pullback, SourceSpan.From(arguments[p.Ordinal].Syntax.GetLocation())))
            .ToEquatableArray();
}
