using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Lowers the body of a <c>[Differentiable]</c> method over matrices to a structured <see cref="TensorFunctionSpec"/>
/// program: each call, operator and scalar operation becomes one named value, a reassigned local a fresh value
/// (merged after a branch, carried around a loop). Calls get their derivatives from <c>[DerivativeOf]</c> pullbacks
/// or, for other <c>[Differentiable]</c> matrix methods, from those methods' generated workspaces.
/// </summary>
internal sealed class TensorLowering
{
    private const string Supported = "a [Differentiable] method over matrices is made of local declarations, assignments, if/else and for loops, ending in one return";

    private readonly IMethodSymbol _method;
    private readonly ITypeSymbol _element;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly NameAllocator _names;
    private readonly List<TensorValue> _values = new();
    private List<TensorStep> _block = new();
    private readonly Dictionary<ISymbol, int> _locals = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, int> _passiveLocals = new(SymbolEqualityComparer.Default);
    /// <summary>The element reads of this block and the blocks around it, by array and index code.</summary>
    private Dictionary<(int Array, string Index), int> _elements = new();
    private readonly Dictionary<IParameterSymbol, int> _parameters = new(SymbolEqualityComparer.Default);
    private string _source = "";
    /// <summary>
    /// Arguments passed to parameters a callee does not differentiate, and to callees with no derivative at all (with
    /// no parameter); whether each varies is known only once loops have settled the activity, so they are checked then.
    /// </summary>
    private readonly List<(int Value, UndifferentiatedParameter? Parameter, DiagnosticInfo? NoDerivative)> _undifferentiated = new();

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
        Pullbacks.IsMatrix(method.ReturnType) || method.Parameters.Any(p => Pullbacks.IsMatrix(p.Type) || IsMatrixArray(p.Type));

    /// <summary>A one-dimensional array of matrices, such as the weights of a stack of layers.</summary>
    public static bool IsMatrixArray(ITypeSymbol type) => type is IArrayTypeSymbol { Rank: 1 } array && Pullbacks.IsMatrix(array.ElementType);

    /// <summary>The element type of the method's matrices, or <c>null</c> after a diagnostic when they disagree or are not float or double.</summary>
    public static ITypeSymbol? ElementType(IMethodSymbol method, Location at, List<DiagnosticInfo> diagnostics)
    {
        var elements = method.Parameters.Select(p => p.Type is IArrayTypeSymbol array && IsMatrixArray(array) ? array.ElementType : p.Type)
            .Append(method.ReturnType).Where(Pullbacks.IsMatrix)
            .Select(t => ((INamedTypeSymbol)t).TypeArguments[0]).Distinct<ITypeSymbol>(SymbolEqualityComparer.Default).ToList();
        if (elements.Count == 1 && elements[0].SpecialType is SpecialType.System_Single or SpecialType.System_Double)
            return elements[0];
        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedParameter, at, method.Parameters.First(p => Pullbacks.IsMatrix(p.Type) || IsMatrixArray(p.Type)).Name, method.Name,
            "every matrix of a [Differentiable] method must be Matrix<float>, or every one Matrix<double>"));
        return null;
    }

    public static (EquatableArray<TensorParameter>, EquatableArray<TensorValue>, EquatableArray<TensorStep>, int)? Lower(
        IMethodSymbol method, ITypeSymbol element, IOperation body, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var lowering = new TensorLowering(method, element, diagnostics);
        var parameters = method.Parameters.Select(lowering.AddParameter).ToEquatableArray();
        int errorsBefore = diagnostics.Count;
        IOperation block = body is IMethodBodyOperation methodBody ? (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody! : body;
        int? result = lowering.LowerBody((IBlockOperation)block, cancellationToken);
        if (diagnostics.Count > errorsBefore || result is null)
            return null;
        EquatableArray<TensorStep> steps = lowering._block.ToEquatableArray();
        EquatableArray<TensorValue> values = TensorActivity.Settle(lowering._values, steps);
        foreach (var (value, parameter, noDerivative) in lowering._undifferentiated)
        {
            if (values[value].Active)
                diagnostics.Add(noDerivative ?? LostDerivatives.Diagnose(method.Name, parameter!.Name, parameter.Callee, parameter.Pullback, parameter.Argument));
        }
        return diagnostics.Count > errorsBefore ? null : (parameters, values, steps, result.Value);
    }

    private TensorParameter AddParameter(IParameterSymbol parameter)
    {
        TensorKind kind = KindOf(parameter.Type);
        bool differentiable = kind != TensorKind.Passive && !Symbols.HasAttribute(parameter, Symbols.NoDerivativeAttribute);
        int value = AddValue(parameter.Name, kind, parameter.Type, differentiable, isParameter: true);
        _parameters[parameter] = value;
        return new TensorParameter(parameter.Name, TypeName(parameter.Type), kind, differentiable, value);
    }

    /// <summary>The method's body: statements ending in the one <c>return</c>, whose value is the result.</summary>
    private int? LowerBody(IBlockOperation block, CancellationToken cancellationToken)
    {
        var operations = block.Operations;
        if (operations.Length == 0 || operations[operations.Length - 1] is not IReturnOperation { ReturnedValue: { } returned })
        {
            Report(Diagnostics.UnsupportedStatement, block, "A body that does not end in a return", Supported);
            return null;
        }
        LowerStatements(operations.Take(operations.Length - 1), cancellationToken);
        _source = SourceText(operations[operations.Length - 1]);
        return Returned(returned);
    }

    private void LowerStatements(IEnumerable<IOperation> statements, CancellationToken cancellationToken)
    {
        foreach (IOperation statement in statements)
        {
            cancellationToken.ThrowIfCancellationRequested();
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
                case IBlockOperation nested:
                    LowerStatements(nested.Operations, cancellationToken);
                    break;
                case IConditionalOperation conditional:
                    If(conditional, cancellationToken);
                    break;
                case IForLoopOperation loop:
                    For(loop, cancellationToken);
                    break;
                case IReturnOperation:
                    ReportFlow(statement, "A return before the end of the method", "compute the result in a local and return it once, at the end");
                    break;
                case IBranchOperation:
                    ReportFlow(statement, $"'{SourceText(statement)}'", "give the for loop a condition that ends it instead");
                    break;
                case ILoopOperation:
                    ReportFlow(statement, $"A {LoopKeyword(statement)} loop", "write it as a for loop over an int counter (for (int i = 0; i < n; i++))");
                    break;
                default:
                    Report(Diagnostics.UnsupportedStatement, statement, Describe(statement), Supported);
                    break;
            }
        }
    }

    private static string LoopKeyword(IOperation loop) => loop switch
    {
        IWhileLoopOperation { ConditionIsTop: false } => "do",
        IWhileLoopOperation => "while",
        IForEachLoopOperation => "foreach",
        _ => "for",
    };

    /// <summary>
    /// <c>if</c>/<c>else</c> (and, through <see cref="Conditional"/>, <c>?:</c>): each branch is lowered into its own
    /// block from the same locals; a local either branch reassigns gets a merged value after it.
    /// </summary>
    private void If(IConditionalOperation conditional, CancellationToken cancellationToken)
    {
        string source = "if (" + SourceText(conditional.Condition) + ")";
        if (Condition(conditional.Condition) is not { } condition)
            return;
        Branch(condition, source,
            () => LowerArm(conditional.WhenTrue, cancellationToken),
            () => conditional.WhenFalse is { } whenFalse ? LowerArm(whenFalse, cancellationToken) : null);
    }

    /// <summary>Lowers a branch or loop body; returns no value (for <see cref="Branch"/>).</summary>
    private int? LowerArm(IOperation arm, CancellationToken cancellationToken)
    {
        LowerStatements(arm is IBlockOperation block ? block.Operations : new[] { arm }.AsEnumerable(), cancellationToken);
        return null;
    }

    /// <summary>
    /// Lowers both branches into their own blocks and adds the branch, with a merged value per local either one
    /// reassigned and, when both branches produce a value (the two sides of <c>?:</c>), one for it: that one is returned.
    /// </summary>
    private int? Branch(TensorOperand condition, string source, System.Func<int?> whenTrue, System.Func<int?> whenFalse, string? name = null)
    {
        var before = new Dictionary<ISymbol, int>(_locals, SymbolEqualityComparer.Default);
        var then = Arm(whenTrue);
        ResetLocals(before);
        var otherwise = Arm(whenFalse);
        ResetLocals(before);
        var merges = new List<BranchMerge>();
        foreach (KeyValuePair<ISymbol, int> local in before.OrderBy(l => l.Value))
        {
            int thenValue = then.Locals[local.Key], elseValue = otherwise.Locals[local.Key];
            if (thenValue != local.Value || elseValue != local.Value)
                _locals[local.Key] = Merge(local.Key.Name, thenValue, elseValue);
        }
        int? result = then.Value is int t && otherwise.Value is int e ? Merge(name ?? "conditional", t, e) : null;
        _source = source;
        _block.Add(new TensorBranch(condition, then.Steps, otherwise.Steps, merges.ToEquatableArray(), source));
        return result;

        int Merge(string local, int thenValue, int elseValue)
        {
            TensorValue like = _values[thenValue];
            int merged = AddValue(_names.Allocate(local), like.Kind, like.TypeName, like.Active || _values[elseValue].Active, isParameter: false);
            merges.Add(new BranchMerge(merged, thenValue, elseValue));
            return merged;
        }
    }

    /// <summary>Lowers a nested block (a branch, a loop body): its values, element reads included, stay inside it.</summary>
    private (EquatableArray<TensorStep> Steps, Dictionary<ISymbol, int> Locals, int? Value) Arm(System.Func<int?> lower)
    {
        List<TensorStep> outer = _block;
        var elements = new Dictionary<(int, string), int>(_elements);
        _block = new List<TensorStep>();
        string source = _source;
        int? value = lower();
        _source = source;
        var steps = _block.ToEquatableArray();
        _block = outer;
        _elements = elements;
        return (steps, new Dictionary<ISymbol, int>(_locals, SymbolEqualityComparer.Default), value);
    }

    private void ResetLocals(Dictionary<ISymbol, int> locals)
    {
        _locals.Clear();
        foreach (KeyValuePair<ISymbol, int> local in locals)
            _locals[local.Key] = local.Value;
    }

    /// <summary><c>c ? a : b</c> with a matrix or scalar result: a branch whose merged value is the result.</summary>
    private TensorOperand? Conditional(IConditionalOperation conditional, string? name)
    {
        if (Condition(conditional.Condition) is not { } condition)
            return null;
        bool failed = false;
        int? merged = Branch(condition, _source, () => Side(conditional.WhenTrue), () => Side(conditional.WhenFalse!), name);
        return failed || merged is null ? null : TensorOperand.Of(merged.Value);

        int? Side(IOperation operand)
        {
            TensorOperand? value = Expression(operand, name);
            failed |= value is null;
            return value is null ? null : value.Value ?? Let(name ?? "conditional", KindOf(conditional.Type!), conditional.Type!, TensorOp.Passive, PassiveArguments(value), null, value.Code);
        }
    }

    /// <summary>
    /// A <c>for</c> loop: passive loop variables, a passive condition and steps; every local the body assigns
    /// is carried (one value before and after the loop, one at the start of each iteration).
    /// </summary>
    private void For(IForLoopOperation loop, CancellationToken cancellationToken)
    {
        string source = ForHeader(loop);
        var variables = new List<LoopVariable>();
        var declared = new List<(ILocalSymbol Symbol, int Value)>();
        foreach (IOperation before in loop.Before)
        {
            if (before is not IVariableDeclarationGroupOperation group)
            {
                ReportFlow(before, $"'{SourceText(before)}' in a for loop's header", "declare the loop's counters there (for (int i = 0; …))");
                return;
            }
            foreach (IVariableDeclaratorOperation declarator in group.Declarations.SelectMany(d => d.Declarators))
            {
                IVariableInitializerOperation? initializer = declarator.Initializer ?? declarator.GetVariableInitializer();
                if (KindOf(declarator.Symbol.Type) != TensorKind.Passive || initializer is null || PassiveOperand(initializer.Value) is not { } initial)
                {
                    ReportFlow(declarator, $"The loop variable '{declarator.Symbol.Name}'", "loop over an int counter initialized from values without derivatives");
                    return;
                }
                int value = AddValue(_names.Allocate(declarator.Symbol.Name), TensorKind.Passive, declarator.Symbol.Type, active: false, isParameter: false);
                variables.Add(new LoopVariable(value, initial));
                declared.Add((declarator.Symbol, value));
            }
        }
        foreach (var (symbol, value) in declared)
            _passiveLocals[symbol] = value;

        TensorOperand? condition = loop.Condition is null ? null : Condition(loop.Condition);
        if (loop.Condition is null)
            ReportFlow(loop, "A for loop without a condition", "give it a condition that ends it");
        var steps = new List<string>();
        foreach (IOperation step in loop.AtLoopBottom)
        {
            if (Step(step, declared) is string code)
                steps.Add(code);
            else
                ReportFlow(step, $"The loop step '{SourceText(step)}'", "step the loop's counters with ++, --, += or -= by values without derivatives");
        }
        if (condition is null || steps.Count != loop.AtLoopBottom.Length)
            return;

        // Locals declared before the loop and assigned in it are carried from one iteration to the next.
        var carried = new List<(ILocalSymbol Local, int Outer, int Inner, int Initial)>();
        foreach (ILocalSymbol local in AssignedLocals(loop.Body).Where(_locals.ContainsKey).Distinct<ILocalSymbol>(SymbolEqualityComparer.Default))
        {
            int initial = _locals[local];
            TensorKind kind = KindOf(local.Type);
            // Provisionally active; TensorActivity settles it once the body is known.
            int outer = AddValue(_names.Allocate(local.Name), kind, local.Type, active: true, isParameter: false);
            int inner = AddValue(_names.Allocate(local.Name), kind, local.Type, active: true, isParameter: false);
            carried.Add((local, outer, inner, initial));
            _locals[local] = inner;
        }

        var (body, _, _) = Arm(() => LowerArm(loop.Body, cancellationToken));
        var carriedSpecs = carried.Select(c => new LoopCarried(c.Local.Name, c.Outer, c.Inner, c.Initial, _locals[c.Local])).ToEquatableArray();
        foreach (var c in carried)
            _locals[c.Local] = c.Outer;
        _source = source;
        _block.Add(new TensorLoop(variables.ToEquatableArray(), condition, steps.ToEquatableArray(), body, carriedSpecs, source));
    }

    private static IEnumerable<ILocalSymbol> AssignedLocals(IOperation body) => body.Descendants().Select(operation => operation switch
    {
        IAssignmentOperation { Target: ILocalReferenceOperation local } => local.Local,
        _ => null,
    }).Where(local => local is not null)!;

    /// <summary>A loop step over the loop's own variables: <c>i++</c>, <c>--i</c>, <c>i += 2</c>, <c>i -= n</c>.</summary>
    private string? Step(IOperation step, List<(ILocalSymbol Symbol, int Value)> variables)
    {
        IOperation operation = step is IExpressionStatementOperation statement ? statement.Operation : step;
        string? Name(IOperation target) => target is ILocalReferenceOperation local && variables.Any(v => SymbolEqualityComparer.Default.Equals(v.Symbol, local.Local))
            ? Naming.Identifier(_values[_passiveLocals[local.Local]].Name) : null;
        switch (operation)
        {
            case IIncrementOrDecrementOperation increment when Name(increment.Target) is string name:
                return name + (increment.Kind == OperationKind.Increment ? "++" : "--");
            case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } compound
                when Name(compound.Target) is string name && PassiveOperand(compound.Value) is { } by:
                return $"{name} {(compound.OperatorKind == BinaryOperatorKind.Add ? "+=" : "-=")} {by.Code}";
            default:
                return null;
        }
    }

    private static string ForHeader(IForLoopOperation loop) =>
        loop.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ForStatementSyntax syntax
            ? $"for ({syntax.Declaration}; {syntax.Condition}; {string.Join(", ", syntax.Incrementors)})"
            : SourceText(loop);

    /// <summary>A branch's or loop's condition: code over values without derivatives (flags, counters, shapes, or a comparison of scalars).</summary>
    private TensorOperand? Condition(IOperation condition)
    {
        if (PassiveOperand(condition) is { } operand)
            return operand;
        ReportFlow(condition, $"The condition '{SourceText(condition)}'",
            "branch and loop on flags, counters, shapes and comparisons of locals and parameters; compute anything else before the branch");
        return null;
    }

    private TensorOperand? PassiveOperand(IOperation operation)
    {
        var uses = new List<int>();
        string? code = PassiveCode(operation, uses);
        return code is null ? null : TensorOperand.Passive(code, uses.Distinct().ToEquatableArray());
    }

    private void ReportFlow(IOperation at, string what, string fix) => Report(Diagnostics.UnsupportedMatrixControlFlow, at, what, fix);

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
            if (PassiveOperand(value) is { } passive)
                _passiveLocals[local] = Let(local.Name, TensorKind.Passive, local.Type, TensorOp.Passive, PassiveArguments(passive), null, passive.Code);
            else
                Report(Diagnostics.UnsupportedExpression, value, Describe(value), "compute values without derivatives from parameters, other such locals, constants and shapes");
            return;
        }
        if (Expression(value, local.Name) is { } operand)
            _locals[local] = operand.Value ?? Let(local.Name, KindOf(local.Type), local.Type, TensorOp.Passive, PassiveArguments(operand), null, operand.Code);
    }

    /// <summary>A passive statement's arguments: the values its code reads.</summary>
    private static EquatableArray<TensorOperand> PassiveArguments(TensorOperand passive) => passive.Uses.Select(TensorOperand.Of).ToEquatableArray();

    /// <summary>
    /// Lowers an expression; <paramref name="name"/> names the value it computes (the local it initializes), else
    /// the value is named after its operation. <c>null</c> after a diagnostic.
    /// </summary>
    private TensorOperand? Expression(IOperation operation, string? name)
    {
        // Deep expressions: near the end of the stack this throws, and the pipeline reports BP9001 (never a stack overflow).
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if ((KindOf(operation.Type!) == TensorKind.Passive || operation.ConstantValue.HasValue) && PassiveOperand(operation) is { } passive)
            return passive;
        switch (operation)
        {
            case IConditionalOperation { WhenFalse: not null } conditional:
                return Conditional(conditional, name);
            case IArrayElementReferenceOperation { ArrayReference: IParameterReferenceOperation array, Indices.Length: 1 } element
                when KindOf(array.Type!) == TensorKind.MatrixArray && PassiveOperand(element.Indices[0]) is { } index:
                int arrayValue = _parameters[array.Parameter];
                // W[i] read twice in a block is one value: its gradient collects both shares before adding into dW[i].
                if (_elements.TryGetValue((arrayValue, index.Code!), out int read))
                    return TensorOperand.Of(read);
                string elementName = name ?? array.Parameter.Name + (element.Indices[0] is ILocalReferenceOperation counter ? counter.Local.Name : "Element");
                return TensorOperand.Of(_elements[(arrayValue, index.Code!)] = Let(elementName, TensorKind.Matrix, element.Type!, TensorOp.Element,
                    new EquatableArray<TensorOperand>(new[] { TensorOperand.Of(arrayValue), index }), null, null, _values[arrayValue].Active));
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
            // A layer's gradient for an array parameter would need an array of shares to add from; loop in this method instead.
            int arrayArgument = arguments.FindIndex(a => a.Value is int v && _values[v].Kind == TensorKind.MatrixArray && _values[v].Active);
            if (arrayArgument >= 0)
            {
                Report(Diagnostics.UnsupportedExpression, argumentOperations[arrayArgument], $"Passing the array of matrices '{SourceText(argumentOperations[arrayArgument])}' to the layer '{method.Name}'",
                    "pass the layer one matrix at a time (W[i]) from a loop in this method, or mark the array [NoDerivative]");
                return null;
            }
            var gradients = method.Parameters.Select(p => KindOf(p.Type) != TensorKind.Passive && !Symbols.HasAttribute(p, Symbols.NoDerivativeAttribute)).ToEquatableArray();
            string workspace = TypeName(method.ContainingType) + "." + Naming.Workspace(method.Name);
            return Emit(TensorOp.Layer, new CallSpec(forward, null, null, EquatableArray<int>.Empty, null, workspace, gradients));
        }

        Pullbacks.Rule? rule = Pullbacks.Find(method);
        bool active = arguments.Any(a => a.Value is int v && _values[v].Active);
        if (rule is null && active)
        {
            Report(Diagnostics.NoKnownDerivative, at, method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat));
            return null;
        }
        if (rule is not null && new[] { rule.Pullback, rule.Into, rule.Shape }.Select(m => m is null ? null : Symbols.WhyInaccessible(m, _method.ContainingType)).FirstOrDefault(w => w is not null) is string why)
        {
            Report(Diagnostics.UnsupportedExpression, at, $"Calling '{method.Name}', whose derivative rule the generated code cannot call ({why}),",
                "make the [DerivativeOf] methods and the types around them internal or public");
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
            for (int i = 0; i < arguments.Count; i++)
            {
                if (spec.Gradients[i] || arguments[i].Value is not int v || KindOf(method.Parameters[i].Type) == TensorKind.Passive)
                    continue;
                _undifferentiated.Add(op == TensorOp.Call && spec.Pullback is null
                    ? (v, null, DiagnosticInfo.Create(Diagnostics.NoKnownDerivative, at.Syntax.GetLocation(), method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)))
                    : (v, new UndifferentiatedParameter(i, method.Parameters[i].Name, method.Name, op == TensorOp.Call, SourceSpan.From(argumentOperations[i].Syntax.GetLocation())), null));
            }
            bool anyActive = arguments.Select((a, i) => a.Value is int v && _values[v].Active && spec.Gradients[i]).Any(x => x);
            return TensorOperand.Of(Let(name ?? Fresh(method), kind, method.ReturnType, op, arguments.ToEquatableArray(), spec, null, anyActive));
        }
    }

    private int Let(string name, TensorKind kind, ITypeSymbol type, TensorOp op, EquatableArray<TensorOperand> arguments, CallSpec? call, string? code, bool active = false)
    {
        int id = AddValue(_names.Allocate(name), kind, type, active && kind != TensorKind.Passive, isParameter: false);
        _block.Add(new TensorStatement(id, op, arguments, call, code, _source));
        return id;
    }

    private int AddValue(string name, TensorKind kind, ITypeSymbol type, bool active, bool isParameter) => AddValue(name, kind, TypeName(type), active, isParameter);

    private int AddValue(string name, TensorKind kind, string typeName, bool active, bool isParameter)
    {
        _values.Add(new TensorValue(_values.Count, name, kind, typeName, active, isParameter));
        return _values.Count - 1;
    }

    /// <summary>
    /// C# for an expression that carries no derivative (constants, members, calls, comparisons over parameters and
    /// locals: a flag, a counter, a shape, a comparison of scalars), or <c>null</c>; the values it reads go to <paramref name="uses"/>.
    /// </summary>
    private string? PassiveCode(IOperation operation, List<int> uses) => PassivePrinter.Print(operation, symbol =>
    {
        int? id = symbol switch
        {
            IParameterSymbol parameter when _parameters.TryGetValue(parameter, out int p) => p,
            ILocalSymbol local when _passiveLocals.TryGetValue(local, out int l) => l,
            ILocalSymbol local when _locals.TryGetValue(local, out int l) => l,
            _ => null,
        };
        if (id is null)
            return null;
        uses.Add(id.Value);
        return Naming.Identifier(_values[id.Value].Name);
    });

    private TensorKind KindOf(ITypeSymbol type) =>
        IsMatrixArray(type) ? TensorKind.MatrixArray
        : Pullbacks.IsMatrix(type) ? TensorKind.Matrix
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
