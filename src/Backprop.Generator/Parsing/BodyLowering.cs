using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Lowers a method body's operation tree to a <see cref="ForwardProgram"/>: every value becomes a node,
/// equal subexpressions share one node, and each variable maps to the node it currently holds. This is
/// where the generator decides what a body may contain; anything else is reported at its location.
/// </summary>
internal sealed class BodyLowering
{
    private readonly List<Node> _nodes = new();
    private readonly Dictionary<NodeKey, int> _existing = new();
    private readonly Dictionary<ISymbol, int> _variables = new(SymbolEqualityComparer.Default);
    private readonly List<Statement> _statements = new();
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;

    private BodyLowering(List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Lowers <paramref name="body"/>; returns <c>null</c> after adding to <paramref name="diagnostics"/> when it cannot.</summary>
    public static ForwardProgram? Lower(IMethodSymbol method, IOperation body, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var lowering = new BodyLowering(diagnostics, cancellationToken);
        int errorsBefore = diagnostics.Count;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (Symbols.ToScalarType(parameter.Type) is { } type)
                lowering._variables[parameter] = lowering.Add(Op.Parameter, type, name: parameter.Name);
        }
        lowering.LowerBlock(body);
        if (diagnostics.Count > errorsBefore)
            return null;
        if (lowering._statements.Count == 0 || lowering._statements[lowering._statements.Count - 1] is not ReturnStatement)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedStatement, body.Syntax.GetLocation(),
                "A body that does not end in a return statement", "end the method with 'return <value>;'"));
            return null;
        }
        return new ForwardProgram(lowering._nodes.ToEquatableArray(), lowering._statements.ToEquatableArray());
    }

    private void LowerBlock(IOperation block)
    {
        IEnumerable<IOperation> statements = block switch
        {
            IMethodBodyOperation body => new[] { (IOperation?)body.BlockBody ?? body.ExpressionBody! },
            IBlockOperation b => b.Operations,
            _ => new[] { block },
        };
        foreach (IOperation statement in statements)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (_statements.Count > 0 && _statements[_statements.Count - 1] is ReturnStatement)
                return; // unreachable; the compiler already warns about it
            LowerStatement(statement);
        }
    }

    private void LowerStatement(IOperation statement)
    {
        int first = _nodes.Count;
        switch (statement)
        {
            case IBlockOperation when statement.Syntax.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.UnsafeStatementSyntax unsafeBlock:
                UnsupportedStatement(unsafeBlock, "An unsafe block", "write the method without pointers");
                return;
            case IBlockOperation:
                LowerBlock(statement);
                return;
            case IVariableDeclarationGroupOperation group when group.Declarations.Any(d => d.Declarators.Any(v => v.Symbol.IsRef)):
                UnsupportedStatement(statement.Syntax, "A ref local", "copy the value into an ordinary local");
                return;
            case IEmptyOperation:
                return;
            case IVariableDeclarationGroupOperation group:
                var bindings = new List<Binding>();
                foreach (IVariableDeclarationOperation declaration in group.Declarations)
                {
                    foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                    {
                        IVariableInitializerOperation? initializer = declarator.GetVariableInitializer();
                        if (initializer is null)
                            continue;
                        if (LowerValue(initializer.Value) is int value)
                            bindings.Add(Bind(declarator.Symbol, value));
                    }
                }
                AddStatement(new AssignStatement(SourceText(statement), first, _nodes.Count, bindings.ToEquatableArray()));
                return;
            case IExpressionStatementOperation { Operation: var expression }:
                if (LowerAssignment(expression) is Binding binding)
                    AddStatement(new AssignStatement(SourceText(statement), first, _nodes.Count, new EquatableArray<Binding>(new[] { binding })));
                return;
            case IReturnOperation { ReturnedValue: { } returned }:
                if (LowerValue(returned) is int result)
                {
                    string source = statement.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ReturnStatementSyntax
                        ? SourceText(statement)
                        : "return " + SourceText(statement) + ";";
                    AddStatement(new ReturnStatement(source, first, _nodes.Count, result));
                }
                return;
            default:
                UnsupportedStatement(statement.Syntax, DescribeStatement(statement.Syntax.Kind()), StatementAdvice(statement.Syntax.Kind()));
                return;
        }
    }

    private void AddStatement(Statement statement) => _statements.Add(statement);

    /// <summary>Lowers <c>x = e</c>, <c>x op= e</c>, <c>x++</c> and <c>x--</c> on a local or parameter.</summary>
    private Binding? LowerAssignment(IOperation expression)
    {
        switch (expression)
        {
            case ISimpleAssignmentOperation assignment when TargetVariable(assignment.Target) is { } target:
                return LowerValue(assignment.Value) is int value ? Bind(target, value) : null;
            case ICompoundAssignmentOperation compound when TargetVariable(compound.Target) is { } target:
                if (compound.OperatorMethod is not null || ToOp(compound.OperatorKind) is not Op op)
                {
                    Unsupported(Diagnostics.UnsupportedExpression, compound.Syntax, $"The compound assignment '{compound.Syntax}'", "write it as a plain assignment");
                    return null;
                }
                return LowerValue(compound.Value) is int right && Current(target, compound.Target.Syntax) is int left
                    ? Bind(target, Combine(op, left, right, Symbols.ToScalarType(compound.Target.Type)!.Value))
                    : null;
            case IIncrementOrDecrementOperation step when TargetVariable(step.Target) is { } target:
                if (Current(target, step.Target.Syntax) is not int current)
                    return null;
                ScalarType type = _nodes[current].Type;
                int one = Constant(1, type);
                return Bind(target, Add(step.Kind == OperationKind.Increment ? Op.Add : Op.Subtract, type, current, one));
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                return UnsupportedStatement(expression.Syntax,
                    "Assigning to anything but a local variable or a scalar parameter", "assign to a local variable instead");
            default:
                return UnsupportedStatement(expression.Syntax,
                    $"The expression statement '{expression.Syntax}'", "only assignments, declarations and return statements can stand alone");
        }
    }

    /// <summary>Applies a binary operator after the usual numeric promotion, converting the result back to <paramref name="resultType"/>.</summary>
    private int Combine(Op op, int left, int right, ScalarType resultType)
    {
        ScalarType operandType = Promote(_nodes[left].Type, _nodes[right].Type);
        int value = Add(op, operandType, Convert(left, operandType), Convert(right, operandType));
        return Convert(value, resultType);
    }

    private static ScalarType Promote(ScalarType a, ScalarType b) =>
        a == ScalarType.Double || b == ScalarType.Double ? ScalarType.Double
        : a == ScalarType.Float || b == ScalarType.Float ? ScalarType.Float
        : a == ScalarType.Long || b == ScalarType.Long ? ScalarType.Long
        : ScalarType.Int;

    private ISymbol? TargetVariable(IOperation target) => target switch
    {
        ILocalReferenceOperation { Local: var local } when !local.IsRef && Symbols.ToScalarType(local.Type) is not null => local,
        IParameterReferenceOperation { Parameter: var parameter } when _variables.ContainsKey(parameter) => parameter,
        _ => null,
    };

    private Binding Bind(ISymbol variable, int node)
    {
        _variables[variable] = node;
        return new Binding(variable.Name, node);
    }

    private int? Current(ISymbol variable, SyntaxNode syntax)
    {
        if (_variables.TryGetValue(variable, out int node))
            return node;
        return Unsupported(Diagnostics.UnsupportedExpression, syntax, $"Reading '{variable.Name}' before it is assigned", "assign it first");
    }

    /// <summary>Lowers an expression to the node holding its value, or returns <c>null</c> after reporting why it cannot.</summary>
    private int? LowerValue(IOperation operation)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        ScalarType? type = Symbols.ToScalarType(operation.Type);
        if (type is null)
            return Unsupported(Diagnostics.UnsupportedExpression, operation.Syntax,
                $"A value of type '{operation.Type?.ToDisplayString() ?? "unknown"}'", "use double, float, int, long or bool values");

        if (operation.ConstantValue is { HasValue: true, Value: var constant } && ToDouble(constant) is double value)
            return Constant(value, type.Value);

        switch (operation)
        {
            case IConversionOperation conversion when conversion.OperatorMethod is null:
                return LowerValue(conversion.Operand) is int operand ? Convert(operand, type.Value) : null;
            case ILocalReferenceOperation { Local: var local }:
                return Current(local, operation.Syntax);
            case IParameterReferenceOperation { Parameter: var parameter }:
                return Current(parameter, operation.Syntax);
            case IUnaryOperation { OperatorMethod: null, OperatorKind: UnaryOperatorKind.Plus } plus:
                return LowerValue(plus.Operand);
            case IUnaryOperation { OperatorMethod: null, OperatorKind: UnaryOperatorKind.Minus } minus:
                return LowerValue(minus.Operand) is int negated ? Add(Op.Negate, type.Value, negated) : null;
            case IBinaryOperation { OperatorMethod: null } binary when ToOp(binary.OperatorKind) is Op op:
                int? left = LowerValue(binary.LeftOperand);
                int? right = LowerValue(binary.RightOperand);
                return left is int l && right is int r ? Add(op, type.Value, l, r) : null;
            case IInvocationOperation invocation:
                return LowerCall(invocation, type.Value);
            default:
                return Unsupported(Diagnostics.UnsupportedExpression, operation.Syntax, DescribeExpression(operation), "rewrite it with arithmetic, locals and Math calls");
        }
    }

    private int? LowerCall(IInvocationOperation invocation, ScalarType type)
    {
        if (invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke)
            return Unsupported(Diagnostics.UnsupportedExpression, invocation.Syntax, "Calling a delegate or lambda", "call a [Differentiable] method instead");
        if (!MathFunctions.TryGetOperation(invocation.TargetMethod, out Op op))
            return Unsupported(Diagnostics.NoKnownDerivative, invocation.Syntax, invocation.TargetMethod.ToDisplayString());
        var arguments = new int[invocation.Arguments.Length];
        bool ok = true;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (LowerValue(argument.Value) is int value)
                arguments[argument.Parameter!.Ordinal] = value;
            else
                ok = false;
        }
        return ok ? Add(op, type, arguments) : null;
    }

    private static Op? ToOp(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => Op.Add,
        BinaryOperatorKind.Subtract => Op.Subtract,
        BinaryOperatorKind.Multiply => Op.Multiply,
        BinaryOperatorKind.Divide => Op.Divide,
        BinaryOperatorKind.Remainder => Op.Remainder,
        _ => null,
    };

    private int Convert(int node, ScalarType type)
    {
        Node source = _nodes[node];
        if (source.Type == type)
            return node;
        return source.Op == Op.Constant ? Constant(ConvertConstant(source.Value, type), type) : Add(Op.Convert, type, node);
    }

    private static double ConvertConstant(double value, ScalarType type) => type switch
    {
        ScalarType.Float => (float)value,
        ScalarType.Int => (int)value,
        ScalarType.Long => (long)value,
        _ => value,
    };

    private int Constant(double value, ScalarType type) => Add(Op.Constant, type, value: ConvertConstant(value, type));

    private static double? ToDouble(object? constant) => constant switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        bool b => b ? 1 : 0,
        _ => null,
    };

    /// <summary>Adds a node, or returns the existing node that computes the same value.</summary>
    private int Add(Op op, ScalarType type, params int[] arguments) => Add(op, type, arguments, 0, null);

    private int Add(Op op, ScalarType type, int[]? arguments = null, double value = 0, string? name = null)
    {
        var key = new NodeKey(op, type, new EquatableArray<int>(arguments ?? Array.Empty<int>()), value, name);
        if (_existing.TryGetValue(key, out int id))
            return id;
        id = _nodes.Count;
        _nodes.Add(new Node(id, op, type, key.Arguments, value, name));
        _existing[key] = id;
        return id;
    }

    private readonly record struct NodeKey(Op Op, ScalarType Type, EquatableArray<int> Arguments, double Value, string? Name);

    private int? Unsupported(DiagnosticDescriptor descriptor, SyntaxNode syntax, params string[] arguments)
    {
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, syntax.GetLocation(), arguments));
        return null;
    }

    private Binding? UnsupportedStatement(SyntaxNode syntax, string what, string advice)
    {
        Unsupported(Diagnostics.UnsupportedStatement, syntax, what, advice);
        return null;
    }

    /// <summary>The statement on one line, for the comment above its generated code.</summary>
    private static string SourceText(IOperation operation) => Regex.Replace(operation.Syntax.ToString(), @"\s+", " ").Trim();

    private static string DescribeStatement(SyntaxKind kind) => kind switch
    {
        SyntaxKind.IfStatement or SyntaxKind.ForStatement or SyntaxKind.ForEachStatement or SyntaxKind.WhileStatement
            or SyntaxKind.DoStatement or SyntaxKind.SwitchStatement or SyntaxKind.BreakStatement or SyntaxKind.ContinueStatement
            => $"Control flow (a {KindName(kind)})",
        _ => $"A {KindName(kind)}",
    };

    private static string StatementAdvice(SyntaxKind kind) => kind switch
    {
        SyntaxKind.IfStatement => "use Math.Max, Math.Min, Math.Clamp or Math.Abs for piecewise functions",
        SyntaxKind.LocalFunctionStatement => "make it a separate method",
        _ => "write the method as straight-line arithmetic over locals",
    };

    private static string DescribeExpression(IOperation operation) => operation switch
    {
        IAnonymousFunctionOperation => "A lambda expression",
        ITranslatedQueryOperation => "A LINQ query",
        IFieldReferenceOperation field => $"Reading field '{field.Field.Name}'",
        IPropertyReferenceOperation property => $"Reading property '{property.Property.Name}'",
        IBinaryOperation binary => $"The operator '{binary.OperatorKind}' in '{binary.Syntax}'",
        IUnaryOperation unary => $"The operator '{unary.OperatorKind}' in '{unary.Syntax}'",
        IConditionalOperation => "A conditional expression (?:)",
        _ => $"A {KindName(operation.Syntax.Kind())}",
    };

    /// <summary><c>GotoStatement</c> → <c>goto statement</c>.</summary>
    private static string KindName(SyntaxKind kind)
    {
        string name = kind.ToString();
        var words = new StringBuilder();
        foreach (char c in name)
        {
            if (char.IsUpper(c) && words.Length > 0)
                words.Append(' ');
            words.Append(char.ToLowerInvariant(c));
        }
        return words.ToString();
    }
}
