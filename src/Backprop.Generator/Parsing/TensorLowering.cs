using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Lowers the body of a <c>[Differentiable]</c> method over matrices to a straight-line
/// <see cref="TensorFunctionSpec"/> program: each call, operator and scalar operation becomes one named value,
/// a reassigned local a fresh value. Calls get their derivatives from <c>[DerivativeOf]</c> pullbacks or, for
/// other <c>[Differentiable]</c> matrix methods, from those methods' generated workspaces.
/// </summary>
internal sealed class TensorLowering
{
    private const string NotStraightLine = "a [Differentiable] method over matrices is a sequence of local declarations and assignments ending in one return";

    private readonly IMethodSymbol _method;
    private readonly ITypeSymbol _element;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly NameAllocator _names;
    private readonly List<TensorValue> _values = new();
    private readonly List<TensorStatement> _statements = new();
    private readonly Dictionary<ISymbol, int> _locals = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, string> _passiveLocals = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IParameterSymbol, int> _parameters = new(SymbolEqualityComparer.Default);
    private string _source = "";

    private TensorLowering(IMethodSymbol method, ITypeSymbol element, List<DiagnosticInfo> diagnostics)
    {
        _method = method;
        _element = element;
        _diagnostics = diagnostics;
        _names = new NameAllocator(method.Parameters.SelectMany(p => new[] { p.Name, "d" + p.Name })
            .Concat(new[] { "result", "dResult", "Current", "Forward", "Backward" }));
    }

    /// <summary>True for a method that takes or returns a <c>Matrix&lt;T&gt;</c>: it goes through this lowering, not the scalar one.</summary>
    public static bool IsTensorFunction(IMethodSymbol method) =>
        Pullbacks.IsMatrix(method.ReturnType) || method.Parameters.Any(p => Pullbacks.IsMatrix(p.Type));

    /// <summary>The element type of the method's matrices, or <c>null</c> after a diagnostic when they disagree or are not float or double.</summary>
    public static ITypeSymbol? ElementType(IMethodSymbol method, Location at, List<DiagnosticInfo> diagnostics)
    {
        var elements = method.Parameters.Select(p => p.Type).Append(method.ReturnType).Where(Pullbacks.IsMatrix)
            .Select(t => ((INamedTypeSymbol)t).TypeArguments[0]).Distinct<ITypeSymbol>(SymbolEqualityComparer.Default).ToList();
        if (elements.Count == 1 && elements[0].SpecialType is SpecialType.System_Single or SpecialType.System_Double)
            return elements[0];
        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedParameter, at, method.Parameters.First(p => Pullbacks.IsMatrix(p.Type)).Name, method.Name,
            "every matrix of a [Differentiable] method must be Matrix<float>, or every one Matrix<double>"));
        return null;
    }

    public static (EquatableArray<TensorParameter>, EquatableArray<TensorValue>, EquatableArray<TensorStatement>, int)? Lower(
        IMethodSymbol method, ITypeSymbol element, IOperation body, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var lowering = new TensorLowering(method, element, diagnostics);
        var parameters = method.Parameters.Select(lowering.AddParameter).ToEquatableArray();
        int errorsBefore = diagnostics.Count;
        IOperation block = body is IMethodBodyOperation methodBody ? (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody! : body;
        int? result = lowering.LowerBlock((IBlockOperation)block, cancellationToken);
        if (diagnostics.Count > errorsBefore || result is null)
            return null;
        return (parameters, lowering._values.ToEquatableArray(), lowering._statements.ToEquatableArray(), result.Value);
    }

    private TensorParameter AddParameter(IParameterSymbol parameter)
    {
        TensorKind kind = KindOf(parameter.Type);
        bool differentiable = kind != TensorKind.Passive && !Symbols.HasAttribute(parameter, Symbols.NoDerivativeAttribute);
        int value = AddValue(parameter.Name, kind, parameter.Type, differentiable, isParameter: true);
        _parameters[parameter] = value;
        return new TensorParameter(parameter.Name, TypeName(parameter.Type), kind, differentiable, value);
    }

    private int? LowerBlock(IBlockOperation block, CancellationToken cancellationToken)
    {
        for (int i = 0; i < block.Operations.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IOperation statement = block.Operations[i];
            _source = SourceText(statement);
            switch (statement)
            {
                case IVariableDeclarationGroupOperation group:
                    foreach (IVariableDeclaratorOperation declarator in group.Declarations.SelectMany(d => d.Declarators))
                    {
                        IVariableInitializerOperation? initializer = declarator.Initializer ?? declarator.GetVariableInitializer();
                        if (initializer is null)
                            Report(Diagnostics.UnsupportedStatement, declarator, "A local without an initializer", "initialize it where it is declared");
                        else
                            Bind(declarator.Symbol, initializer.Value);
                    }
                    break;
                case IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment }:
                    Bind(local.Local, assignment.Value);
                    break;
                case IExpressionStatementOperation { Operation: ICompoundAssignmentOperation { Target: ILocalReferenceOperation local } compound }:
                    if (_passiveLocals.ContainsKey(local.Local))
                        Report(Diagnostics.UnsupportedStatement, compound, "Reassigning a local that holds no derivative", "declare a new local instead");
                    else if (Binary(compound.OperatorKind, compound.OperatorMethod, compound.Target, compound.Value, compound, local.Local.Name) is TensorOperand { Value: int value })
                        _locals[local.Local] = value;
                    break;
                case IReturnOperation { ReturnedValue: { } returned } when i == block.Operations.Length - 1:
                    return Returned(returned);
                default:
                    Report(Diagnostics.UnsupportedStatement, statement, Describe(statement), NotStraightLine);
                    break;
            }
        }
        if (block.Operations.Length == 0 || block.Operations[block.Operations.Length - 1] is not IReturnOperation)
            Report(Diagnostics.UnsupportedStatement, block, "A body that does not end in a return", NotStraightLine);
        return null;
    }

    private int? Returned(IOperation returned)
    {
        TensorOperand? operand = Expression(returned, null);
        if (operand is null)
            return null;
        if (operand.Value is not int value || _values[value].IsParameter || !_values[value].Active)
        {
            Report(Diagnostics.UnsupportedExpression, returned, "Returning a value that does not depend on a differentiable parameter",
                "return a value computed from the differentiable parameters");
            return null;
        }
        return value;
    }

    private void Bind(ILocalSymbol local, IOperation value)
    {
        if (_passiveLocals.ContainsKey(local))
        {
            Report(Diagnostics.UnsupportedStatement, value.Parent ?? value, "Reassigning a local that holds no derivative", "declare a new local instead");
            return;
        }
        if (KindOf(local.Type) == TensorKind.Passive)
        {
            if (PassiveCode(value) is string code)
            {
                string name = _names.Allocate(local.Name);
                _passiveLocals[local] = name;
                int id = AddValue(name, TensorKind.Passive, local.Type, active: false, isParameter: false);
                _statements.Add(new TensorStatement(id, TensorOp.Passive, EquatableArray<TensorOperand>.Empty, null, code, _source));
            }
            return;
        }
        if (Expression(value, local.Name) is { } operand)
        {
            if (operand.Value is int id)
                _locals[local] = id;
            else
                _locals[local] = Let(local.Name, KindOf(local.Type), local.Type, TensorOp.Passive, EquatableArray<TensorOperand>.Empty, null, operand.Code);
        }
    }

    /// <summary>
    /// Lowers an expression; <paramref name="name"/> names the value it computes (the local it initializes), else
    /// the value is named after its operation. <c>null</c> after a diagnostic.
    /// </summary>
    private TensorOperand? Expression(IOperation operation, string? name)
    {
        if ((KindOf(operation.Type!) == TensorKind.Passive || operation.ConstantValue.HasValue) && PassiveCode(operation) is string code)
            return TensorOperand.Passive(code);
        switch (operation)
        {
            case IParenthesizedOperation parenthesized:
                return Expression(parenthesized.Operand, name);
            case IConversionOperation conversion when conversion.Conversion.IsIdentity || conversion.Conversion.IsImplicit && conversion.Conversion.IsReference:
                return Expression(conversion.Operand, name);
            case IParameterReferenceOperation parameter:
                return TensorOperand.Of(_parameters[parameter.Parameter]);
            case ILocalReferenceOperation local when _locals.TryGetValue(local.Local, out int value):
                return TensorOperand.Of(value);
            case IInvocationOperation invocation when invocation.Instance is null:
                return Call(invocation.TargetMethod, invocation.Arguments.OrderBy(a => a.Parameter!.Ordinal).Select(a => a.Value).ToList(), operation, name);
            case IBinaryOperation binary:
                return Binary(binary.OperatorKind, binary.OperatorMethod, binary.LeftOperand, binary.RightOperand, binary, name);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Plus } unary:
                return Expression(unary.Operand, name);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } unary when unary.OperatorMethod is not null:
                return Call(unary.OperatorMethod, new List<IOperation> { unary.Operand }, operation, name);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } unary when IsElement(unary.Type):
                return Arithmetic(TensorOp.Negate, new[] { unary.Operand }, name);
        }
        Report(Diagnostics.UnsupportedExpression, operation, Describe(operation),
            "use calls and operators of the runtime's matrices, methods with a [DerivativeOf] pullback, other [Differentiable] matrix methods, and + - * / on scalars");
        return null;
    }

    private TensorOperand? Binary(BinaryOperatorKind kind, IMethodSymbol? operatorMethod, IOperation left, IOperation right, IOperation at, string? name)
    {
        if (operatorMethod is not null)
            return Call(operatorMethod, new List<IOperation> { left, right }, at, name);
        TensorOp? op = kind switch
        {
            BinaryOperatorKind.Add => TensorOp.Add,
            BinaryOperatorKind.Subtract => TensorOp.Subtract,
            BinaryOperatorKind.Multiply => TensorOp.Multiply,
            BinaryOperatorKind.Divide => TensorOp.Divide,
            _ => null,
        };
        if (op is null || !IsElement(at.Type))
        {
            Report(Diagnostics.UnsupportedExpression, at, Describe(at), "only + - * / of scalars carry derivatives");
            return null;
        }
        return Arithmetic(op.Value, new[] { left, right }, name);
    }

    private TensorOperand? Arithmetic(TensorOp op, IOperation[] operands, string? name)
    {
        var arguments = new List<TensorOperand>();
        foreach (IOperation operand in operands)
        {
            if (Expression(operand, null) is not { } lowered)
                return null;
            arguments.Add(lowered);
        }
        bool active = arguments.Any(a => a.Value is int v && _values[v].Active);
        return TensorOperand.Of(Let(name ?? Fresh(op), TensorKind.Scalar, _element, op, arguments.ToEquatableArray(), null, null, active));
    }

    private TensorOperand? Call(IMethodSymbol method, List<IOperation> argumentOperations, IOperation at, string? name)
    {
        var arguments = new List<TensorOperand>();
        foreach (IOperation argument in argumentOperations)
        {
            if (Expression(argument, null) is not { } lowered)
                return null;
            arguments.Add(lowered);
        }
        TensorKind kind = KindOf(method.ReturnType);
        if (kind == TensorKind.Passive)
        {
            Report(Diagnostics.UnsupportedExpression, at, $"A call to '{method.Name}' returning '{method.ReturnType.ToDisplayString()}' from values with derivatives",
                "compute it from parameters marked [NoDerivative]");
            return null;
        }

        bool isLayer = SymbolEqualityComparer.Default.Equals(method.OriginalDefinition, _method.OriginalDefinition) is false
            && Symbols.DerivativesOf(method.OriginalDefinition) != 0 && IsTensorFunction(method);
        if (SymbolEqualityComparer.Default.Equals(method.OriginalDefinition, _method.OriginalDefinition))
        {
            Report(Diagnostics.Recursion, at, _method.Name);
            return null;
        }
        string forward = MethodName(method);
        if (isLayer)
        {
            var gradients = method.Parameters.Select(p => KindOf(p.Type) != TensorKind.Passive && !Symbols.HasAttribute(p, Symbols.NoDerivativeAttribute)).ToEquatableArray();
            string workspace = TypeName(method.ContainingType) + "." + method.Name + "Workspace";
            return Emit(TensorOp.Layer, new CallSpec(forward, null, null, EquatableArray<int>.Empty, null, workspace, gradients));
        }

        Pullbacks.Rule? rule = Pullbacks.Find(method);
        bool active = arguments.Any(a => a.Value is int v && _values[v].Active);
        if (rule is null && active)
        {
            Report(Diagnostics.NoKnownDerivative, at, method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat));
            return null;
        }
        string? operatorToken = method.MethodKind == MethodKind.UserDefinedOperator ? OperatorToken(method.Name) : null;
        CallSpec call = rule is null
            ? new CallSpec(forward, operatorToken, null, EquatableArray<int>.Empty, null, null, method.Parameters.Select(_ => false).ToEquatableArray())
            : new CallSpec(forward, operatorToken, rule.Into is null ? null : Instantiate(rule.Into, method), rule.IntoArguments.ToEquatableArray(),
                rule.Shape is null ? null : Instantiate(rule.Shape, method), Instantiate(rule.Pullback, method), rule.Gradients.ToEquatableArray());
        return Emit(TensorOp.Call, call);

        TensorOperand Emit(TensorOp op, CallSpec spec)
        {
            bool anyActive = arguments.Select((a, i) => a.Value is int v && _values[v].Active && spec.Gradients[i]).Any(x => x);
            return TensorOperand.Of(Let(name ?? Fresh(method), kind, method.ReturnType, op, arguments.ToEquatableArray(), spec, null, anyActive));
        }
    }

    private int Let(string name, TensorKind kind, ITypeSymbol type, TensorOp op, EquatableArray<TensorOperand> arguments, CallSpec? call, string? code, bool active = false)
    {
        int id = AddValue(_names.Allocate(name), kind, type, active && kind != TensorKind.Passive, isParameter: false);
        _statements.Add(new TensorStatement(id, op, arguments, call, code, _source));
        return id;
    }

    private int AddValue(string name, TensorKind kind, ITypeSymbol type, bool active, bool isParameter)
    {
        _values.Add(new TensorValue(_values.Count, name, kind, TypeName(type), active, isParameter));
        return _values.Count - 1;
    }

    /// <summary>C# for an expression over passive values only (parameters, passive locals, constants, members, calls), or <c>null</c>.</summary>
    private string? PassiveCode(IOperation operation) => PassivePrinter.Print(operation, symbol =>
        symbol switch
        {
            IParameterSymbol parameter when _parameters.TryGetValue(parameter, out int id) && !_values[id].Active => parameter.Name,
            ILocalSymbol local when _passiveLocals.TryGetValue(local, out string? name) => name,
            _ => null,
        });

    private TensorKind KindOf(ITypeSymbol type) =>
        Pullbacks.IsMatrix(type) ? TensorKind.Matrix
        : SymbolEqualityComparer.Default.Equals(type, _element) ? TensorKind.Scalar
        : TensorKind.Passive;

    private bool IsElement(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, _element);

    /// <summary>Names an intermediate after what computes it: <c>matMul</c>, <c>relu</c>, <c>sum</c>…</summary>
    private static string Fresh(IMethodSymbol method) => method.MethodKind == MethodKind.UserDefinedOperator
        ? method.Name switch { "op_Addition" => "sum", "op_Subtraction" => "difference", "op_Multiply" => "product", "op_Division" => "quotient", _ => "negation" }
        : char.ToLowerInvariant(method.Name[0]) + method.Name.Substring(1);

    private static string Fresh(TensorOp op) => op switch
    {
        TensorOp.Add => "sum",
        TensorOp.Subtract => "difference",
        TensorOp.Multiply => "product",
        TensorOp.Divide => "quotient",
        _ => "negation",
    };

    private static string? OperatorToken(string metadataName) => metadataName switch
    {
        "op_Addition" => "+",
        "op_Subtraction" => "-",
        "op_Multiply" => "*",
        "op_Division" => "/",
        "op_UnaryNegation" => "-",
        _ => null,
    };

    public static string TypeName(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static string MethodName(IMethodSymbol method) => TypeName(method.ContainingType) + "." + method.Name + TypeArguments(method.TypeArguments);

    /// <summary><paramref name="generic"/> (a pullback, destination form or shape method) with the type arguments of the call it serves.</summary>
    private static string Instantiate(IMethodSymbol generic, IMethodSymbol call) =>
        TypeName(generic.ContainingType) + "." + generic.Name
        + (generic.TypeParameters.Length == 0 ? "" : TypeArguments(call.TypeArguments.Concat(call.ContainingType.TypeArguments).Take(generic.TypeParameters.Length)));

    private static string TypeArguments(IEnumerable<ITypeSymbol> arguments)
    {
        var list = arguments.ToList();
        return list.Count == 0 ? "" : "<" + string.Join(", ", list.Select(TypeName)) + ">";
    }

    private static string SourceText(IOperation statement) =>
        string.Join(" ", statement.Syntax.ToString().Split(new[] { '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));

    private static string Describe(IOperation operation) => $"'{SourceText(operation)}'";

    private void Report(DiagnosticDescriptor descriptor, IOperation at, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, at.Syntax.GetLocation(), arguments));
}
