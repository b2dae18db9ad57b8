using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Calls lowered where they are made, so the callee is differentiated as part of the caller:
/// <list type="bullet">
/// <item>a local function whose body is one expression (<c>double Sq(double v) =&gt; v * v;</c>, or a block holding one
/// <c>return</c>): each call is lowered as that expression, its parameters standing for the call's arguments, reading
/// the variables it captures as they are at the call; a static method returning a tuple literal likewise, element by element;</item>
/// <item>a local function with statements, and a static method of this compilation returning a tuple with statements,
/// or returning an array into a local the caller declares: each parameter becomes a variable assigned its argument (an
/// array or span parameter names the caller's array), the body's statements follow, its returns assigning result
/// variables (for an array, naming the local array returned), and the call reads those.</item>
/// </list>
/// Recursion is BP1004. Another method's body read here is recorded as read, for <see cref="LoweringCache"/>.
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>While a local function's expression is lowered: its parameters, as the nodes of the arguments passed.</summary>
    private readonly Dictionary<IParameterSymbol, int> _inlinedArguments = new(SymbolEqualityComparer.Default);
    private readonly List<IMethodSymbol> _inlining = new();
    /// <summary>While a body returning a tuple is lowered: the variables its returns assign, one per element.</summary>
    private IReadOnlyList<string>? _resultElements;
    /// <summary>The methods whose bodies are being inlined, innermost on top: the comments quoting their statements say where they are from.</summary>
    private readonly Stack<string> _inlinedBodies = new();
    /// <summary>The block being lowered as a body: the method's, or an inlined callee's.</summary>
    private IBlockOperation? _body;
    /// <summary>
    /// While an inlined struct member (or a method taking or returning a struct) whose one return ends its body is
    /// lowered: that return assigns its result variables their only value, a declaration, so a loop around the call
    /// recomputes them, or fuses, rather than saving them.
    /// </summary>
    private bool _resultsFresh;
    /// <summary>
    /// While such a member returning a struct is lowered: its result, the variables of the struct its return gives (no
    /// copy of them: nothing runs in the callee after it, and whoever uses the result copies it before it could change).
    /// </summary>
    private List<string>? _structResult;

    private int? LowerLocalFunctionCall(IInvocationOperation invocation, ScalarType type)
    {
        IMethodSymbol local = invocation.TargetMethod;
        if (IsBeingInlined(local))
            return Report(Diagnostics.Recursion, invocation.Syntax, local.Name);
        // An expression needing statements of its own (a conditional over numbers) is inlined as the body it is.
        if (InlinedExpressionOf(invocation) is { } expression && !NeedsStatements(expression))
            return LowerInlined(local, invocation.Arguments, expression, type);
        if (InlinedBodyOf(invocation) is not { } body)
            return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, $"Calling the local function '{local.Name}'", "make it a static method of the type (it is then differentiated as an implicit helper)");
        return InlineBody(invocation, body) is { Count: 1 } results && !IsTupleOfNumbers(local.ReturnType)
            ? _nodes.Convert(_nodes.Read(results[0], _variablesByName[results[0]].Type), type) : null;
    }

    /// <summary>A call of a local function as a statement of its own, made for what it assigns or does: its body, inlined.</summary>
    private void LowerLocalFunctionStatement(IInvocationOperation invocation)
    {
        if (InlinedBodyOf(invocation) is { } body)
            InlineBody(invocation, body);
        else
            UnsupportedStatement(invocation.Syntax, $"Calling the local function '{invocation.TargetMethod.Name}'", "make it a static method of the type (it is then differentiated as an implicit helper)");
    }

    private bool IsBeingInlined(IMethodSymbol method) => _inlining.Any(m => SymbolEqualityComparer.Default.Equals(m, method.OriginalDefinition));

    /// <summary>
    /// <paramref name="body"/>, an expression of <paramref name="method"/>, lowered where the call is, each parameter
    /// standing for the node of its argument.
    /// </summary>
    private int? LowerInlined(IMethodSymbol method, IReadOnlyList<IArgumentOperation> invocationArguments, IOperation body, ScalarType type)
    {
        var arguments = new List<(IParameterSymbol Parameter, int Node)>();
        foreach (IArgumentOperation argument in invocationArguments)
        {
            if (argument.Parameter is not { RefKind: RefKind.None } parameter || ValueType(parameter.Type) is not ScalarType parameterType)
                return Report(Diagnostics.UnsupportedExpression, argument.Syntax, $"Passing '{argument.Syntax}' to '{method.Name}'",
                    "pass numbers, or make it a static method of the type (an implicit helper)");
            if (LowerValue(argument.Value) is not int value)
                return null;
            arguments.Add((parameter, _nodes.Convert(value, parameterType)));
        }
        foreach (var (parameter, node) in arguments)
            _inlinedArguments[parameter] = node;
        _inlining.Add(method.OriginalDefinition);
        int? lowered = LowerValue(body);
        _inlining.RemoveAt(_inlining.Count - 1);
        foreach (var (parameter, _) in arguments)
            _inlinedArguments.Remove(parameter);
        return lowered is int r ? _nodes.Convert(r, type) : null;
    }

    /// <summary>
    /// A call lowered with its callee's body: an invocation, or (for structs) a user-defined operator, a property's
    /// getter, a constructor; each argument with the parameter it is passed to.
    /// </summary>
    private sealed record InlinedCall(IOperation Operation, IMethodSymbol Method, IReadOnlyList<InlinedArgument> Arguments)
    {
        public static InlinedCall Of(IInvocationOperation invocation) =>
            new(invocation, invocation.TargetMethod, invocation.Arguments.Where(a => a.Parameter is not null).Select(a => new InlinedArgument(a.Parameter!, a.Value, a.Syntax)).ToList());
    }

    private sealed record InlinedArgument(IParameterSymbol Parameter, IOperation Value, SyntaxNode Syntax);

    private IReadOnlyList<string>? InlineBody(IInvocationOperation invocation, IBlockOperation body) => InlineBody(InlinedCall.Of(invocation), body);

    /// <summary>
    /// A call of a method whose body has statements, lowered in place before the statement being built: the
    /// variables holding its result (one, the array returned, one per tuple element or struct leaf, or none for void), or
    /// <c>null</c> after a diagnostic.
    /// </summary>
    /// <param name="receiver">For a struct's instance member or constructor, what <c>this</c> is: the struct's variables.</param>
    /// <param name="beforeBody">For a constructor, what runs once its parameters are bound and before its body: the members' first values.</param>
    /// <param name="body">The callee's statements; <c>null</c> for a record's primary constructor, which has none.</param>
    private IReadOnlyList<string>? InlineBody(InlinedCall call, IBlockOperation? body, StructValue? receiver = null, System.Action? beforeBody = null)
    {
        IMethodSymbol method = call.Method;
        if (IsBeingInlined(method))
        {
            Report(Diagnostics.Recursion, call.Operation.Syntax, method.Name);
            return null;
        }
        if (body is not null && Hidden(call.Operation, method, body))
            return null;
        if (body is not null && !StandsAlone(call.Operation) && CapturedWrite(method, body) is { } write)
        {
            Report(Diagnostics.UnsupportedExpression, write.Syntax, $"Assigning '{write.Syntax}', which the local function '{method.Name}' captures,",
                "return the new value from the local function and assign it where it is called");
            return null;
        }

        NodeBuilder outer = _nodes;
        _nodes = new NodeBuilder();
        var bound = new List<ISymbol>();
        // In a method of a model the model holds, this is that model (once the arguments, read where the call is, are bound).
        var instance = _instance;
        var modelReceiver = call.Operation is IInvocationOperation invocation ? ModelCallReceiver(invocation) : null;
        StructValue? structThis = _structThis;
        // An array result is the local array the body returns, known at its first return; so is a struct result returned once, at the end.
        bool arrayResult = VariableType(method.ReturnType) is (_, true);
        bool fresh = (receiver is not null || InvolvesStruct(method)) && body is { Operations: { Length: > 0 } operations }
            && operations[operations.Length - 1] is IReturnOperation && body.Descendants().OfType<IReturnOperation>().Count() == 1;
        bool structReturned = fresh && StructLayout.Of(method.ReturnType) is { Refusal: null };
        List<string>? results = !BindArguments(call, body, bound) ? null : arrayResult || structReturned ? new List<string>() : ResultVariables(method);
        if (results is not null)
        {
            var (result, elements, returned, block, returnsArray, loops, wasFresh, structResult) = (_result, _resultElements, _returnedFlag, _body, _returnsArray, _loops.ToArray(), _resultsFresh, _structResult);
            _resultsFresh = fresh;
            _structResult = structReturned ? results : null;
            _loops.Clear();
            _returnsArray = arrayResult;
            _body = body;
            _result = results.Count == 1 && !ReturnsElements(method.ReturnType) ? results[0] : null;
            _resultElements = _result is null && !arrayResult ? results : null;
            _returnedFlag = null;
            _inlining.Add(method.OriginalDefinition);
            _inlinedBodies.Push(DisplayName(method));
            _instance = modelReceiver ?? _instance;
            _structThis = receiver ?? (method.IsStatic ? null : _structThis);
            int errorsBefore = _diagnostics.Count;
            beforeBody?.Invoke();
            if (body is not null && NeedsReturnedFlag(body))
            {
                _returnedFlag = NewVariable(Stem(method) + "_returned", ScalarType.Bool);
                AssignConstant($"bool {_returnedFlag} = false; (set by a return inside {DisplayName(method)})", _returnedFlag, 0);
            }
            if (body is not null)
                LowerStatements(body.Operations);
            if (arrayResult && _result is not null)
                results.Add(_result);
            if (method.MethodKind != MethodKind.LocalFunction)
                SayOnceForTheHelper(method, errorsBefore);
            _inlinedBodies.Pop();
            _inlining.RemoveAt(_inlining.Count - 1);
            (_result, _resultElements, _returnedFlag, _body, _returnsArray, _resultsFresh, _structResult) = (result, elements, returned, block, returnsArray, wasFresh, structResult);
            if (structReturned && results.Count != StructLayout.Of(method.ReturnType)!.Leaves.Count)
                results = null; // its return was refused, and said so
            foreach (Loop loop in loops.Reverse())
                _loops.Push(loop);
        }
        _instance = instance;
        _structThis = structThis;
        foreach (IParameterSymbol parameter in method.Parameters)
            _opaqueArguments.Remove(parameter);
        // A second call of the method declares its own locals.
        foreach (ISymbol symbol in bound.Concat(_variableNames.Keys.Concat(_tupleLocals.Keys).Concat(_structVariables.Keys).Concat(_rows.Keys).Where(s => s is ILocalSymbol && IsDeclaredIn(s, method))).ToList())
        {
            _variableNames.Remove(symbol);
            _tupleLocals.Remove(symbol);
            _structVariables.Remove(symbol);
            _rows.Remove(symbol);
        }
        _nodes = outer;
        return results;
    }

    /// <summary>Whether a method's returns give several variables, not one: a tuple of numbers, or a struct, one variable per leaf.</summary>
    private static bool ReturnsElements(ITypeSymbol type) => IsTupleOfNumbers(type) || StructLayout.Of(type) is not null;

    /// <summary>
    /// What an inlined helper's body (one returning a tuple or an array) could not hold is said once, as BP1010 naming
    /// the helper and the chain of calls, as for any helper: it is not the caller's own code, and each of its calls
    /// would otherwise repeat it. A local function's body is the caller's own code, and keeps its diagnostics.
    /// </summary>
    private void SayOnceForTheHelper(IMethodSymbol helper, int errorsBefore)
    {
        if (_diagnostics.Count == errorsBefore)
            return;
        DiagnosticInfo cause = _diagnostics[errorsBefore];
        _diagnostics.RemoveRange(errorsBefore, _diagnostics.Count - errorsBefore);
        if (_helpers.Failure(helper, cause) is { } failure && !_diagnostics.Contains(failure))
            _diagnostics.Add(failure);
    }

    /// <summary>Whether a local or parameter belongs to <paramref name="method"/> or a local function inside it.</summary>
    private static bool IsDeclaredIn(ISymbol local, IMethodSymbol method)
    {
        for (ISymbol? owner = local.ContainingSymbol; owner is IMethodSymbol; owner = owner.ContainingSymbol)
        {
            if (SymbolEqualityComparer.Default.Equals(owner.OriginalDefinition, method.OriginalDefinition))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Each parameter of an inlined call: a new variable assigned its argument, or for an array the caller's array. The
    /// parameters are bound once every argument is lowered, since an argument may inline another call of the same method.
    /// </summary>
    private bool BindArguments(InlinedCall call, IBlockOperation? body, List<ISymbol> bound)
    {
        var bindings = new List<(IParameterSymbol Parameter, string Name)>();
        var structs = new List<(IParameterSymbol Parameter, StructValue Value)>();
        var rows = new List<(IParameterSymbol Parameter, (string Values, string Index) Row)>();
        bool ok = true;
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            InlinedArgument argument = call.Arguments[i];
            IParameterSymbol? parameter = argument.Parameter;
            if (parameter.RefKind is RefKind.None or RefKind.In && StructLayout.Of(parameter.Type) is not null)
            {
                bool changedLater = call.Arguments.Skip(i + 1).Any(a => MayChangeStructs(a.Value));
                if (BindStructArgument(call, argument, body, changedLater) is not { } value)
                    return false;
                structs.Add((parameter, value));
                continue;
            }
            if (parameter is { RefKind: RefKind.None } && body is not null && BindMatrixArgument(call, argument, body, bindings, ref ok))
                continue;
            if (BindRowArgument(parameter, argument.Value, call.Operation, rows))
                continue;
            if (parameter is { RefKind: RefKind.None } && VariableType(parameter.Type) is (_, true)
                && Unconverted(argument.Value) is var array && (array is ILocalReferenceOperation or IParameterReferenceOperation || FieldVariable(array) is not null)
                && ArrayVariable(array) is (string arrayName, _))
            {
                bindings.Add((parameter, arrayName));
                continue;
            }
            if (parameter is not { RefKind: RefKind.None } || VariableType(parameter.Type) is not (_, false))
            {
                Report(Diagnostics.UnsupportedExpression, argument.Syntax, $"Passing '{argument.Syntax}' to '{call.Method.Name}'",
                    "pass numbers, or an array or span parameter or local by name");
                return false;
            }
            if (ScalarAlias(call, argument, body) is string alias)
            {
                bindings.Add((parameter, alias));
                continue;
            }
            string name = NewVariable(parameter.Name, ValueType(parameter.Type)!.Value, kind: VariableKind.Local);
            AssignValue($"{parameter.Name} = {OneLine(argument.Value.Syntax)}; — the argument of {OneLine(call.Operation.Syntax)}", name, argument.Value, declares: true);
            bindings.Add((parameter, name));
        }
        foreach (var (parameter, name) in bindings)
        {
            _variableNames[parameter] = name;
            bound.Add(parameter);
        }
        foreach (var (parameter, value) in structs)
        {
            _structVariables[parameter] = value;
            bound.Add(parameter);
        }
        foreach (var (parameter, row) in rows)
        {
            _rows[parameter] = row;
            bound.Add(parameter);
        }
        return ok;
    }

    /// <summary>The variables an inlined method's returns assign: one for a number, one per element for a tuple of numbers, none for void.</summary>
    private List<string>? ResultVariables(IMethodSymbol method)
    {
        if (method.ReturnsVoid)
            return new List<string>();
        if (IsTupleOfNumbers(method.ReturnType))
            return ((INamedTypeSymbol)method.ReturnType).TupleElements
                .Select(e => NewVariable($"{method.Name}_{e.Name}", ValueType(e.Type)!.Value)).ToList();
        if (ValueType(method.ReturnType) is ScalarType type)
            return new List<string> { NewVariable(Stem(method) + "_result", type) };
        if (Symbols.MatrixType(method.ReturnType) is (var element, ValueShape.Matrix))
            return new List<string> { NewVariable(method.Name + "_result", element, ValueShape.Matrix, VariableKind.Synthetic) };
        if (StructLayout.Of(method.ReturnType) is { Refusal: null } layout)
            return NewStruct(Stem(method), layout, VariableKind.Synthetic).Leaves.ToList();
        Report(Diagnostics.UnsupportedExpression, method.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken), $"Returning '{method.ReturnType.ToDisplayString()}' from '{method.Name}'",
            "return a number or a tuple of numbers");
        return null;
    }

    /// <summary>
    /// Whether the body of a method of another type, inlined into this method's generated code, uses a member that code
    /// cannot reach (a private field or method of that type); reported if so.
    /// </summary>
    private bool Hidden(IOperation call, IMethodSymbol method, IOperation body)
    {
        if (SymbolEqualityComparer.Default.Equals(method.ContainingType, _method.ContainingType) || call.SemanticModel is not { } model)
            return false;
        // A struct's own members (its fields, methods, operators, properties, constructors) are lowered to variables and inlined bodies: generated code never names them.
        if (Symbols.FirstUnreachableMember(body, model.Compilation, _method.ContainingType, member => StructLayout.Of(member.ContainingType) is not null) is not var (operation, member))
            return false;
        Report(Diagnostics.UnsupportedExpression, operation.Syntax,
            $"Using '{member.Name}', which is {member.DeclaredAccessibility.ToString().ToLowerInvariant()} to '{member.ContainingType?.Name}', in '{method.Name}', whose body is inlined into '{_method.Name}',",
            $"make '{member.Name}' internal");
        return true;
    }

    /// <summary>
    /// A call whose value is all its statement computes (<c>F(x);</c>, <c>y = F(x);</c>, <c>var y = F(x);</c>,
    /// <c>return F(x);</c>): nothing else in that statement reads a variable before the call could change it.
    /// </summary>
    private static bool StandsAlone(IOperation call)
    {
        IOperation? parent = call.Parent;
        while (parent is IConversionOperation)
            parent = parent.Parent;
        return parent is IExpressionStatementOperation or IVariableInitializerOperation or IReturnOperation
            || parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation or IParameterReferenceOperation, Parent: IExpressionStatementOperation };
    }

    /// <summary>An assignment in a local function's body to a variable it captures, which the inlined call could not order with the caller's other reads.</summary>
    private static IOperation? CapturedWrite(IMethodSymbol method, IBlockOperation body) =>
        body.Descendants().Where(IsAssigned).FirstOrDefault(target => target switch
        {
            ILocalReferenceOperation { Local: var local } => !IsDeclaredIn(local, method),
            IParameterReferenceOperation { Parameter: var parameter } => !IsDeclaredIn(parameter, method),
            _ => false,
        });

    /// <summary>The one expression of a local function that returns a value, which a call of it is lowered as.</summary>
    private IOperation? InlinedExpressionOf(IInvocationOperation call) =>
        call.TargetMethod is { MethodKind: MethodKind.LocalFunction, ReturnsVoid: false }
        && call.TargetMethod.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is LocalFunctionStatementSyntax declaration
        && ResultExpression(declaration) is ExpressionSyntax result
            ? call.SemanticModel?.GetOperation(result, _cancellationToken)
            : null;

    /// <summary>
    /// The body a call inlines with its statements, if it calls a local function, or a static method of this compilation
    /// returning a tuple of numbers (one whose tuple literal needs no statements is inlined element by element instead).
    /// </summary>
    private IBlockOperation? InlinedBodyOf(IInvocationOperation call)
    {
        if (call.SemanticModel is not { } model)
            return null;
        SyntaxNode? declaration = call.TargetMethod.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken);
        if (declaration is LocalFunctionStatementSyntax)
            return (model.GetOperation(declaration, _cancellationToken) as ILocalFunctionOperation)?.Body;
        if (declaration is not MethodDeclarationSyntax method)
            return null;
        // A model's method (or a method of a model it holds) is inlined whatever it returns; a static method when it returns what only inlining can give back.
        bool modelMethod = ModelCallReceiver(call) is not null;
        if (!modelMethod && IsStructCall(call))
            return StructBody(call.TargetMethod, call)?.Body;
        // A row of an array of arrays has no array of its own to pass: a (non-generic) method given one is inlined, reading it in place.
        if (!modelMethod && (!call.TargetMethod.IsStatic
            || !IsTupleOfNumbers(call.TargetMethod.ReturnType) && VariableType(call.TargetMethod.ReturnType) is not (_, true) && !Symbols.TakesOrReturnsMatrices(call.TargetMethod)
                && !(PassesRow(call) && !call.TargetMethod.IsGenericMethod)))
            return null;
        // This method's lowering now depends on that body's text (LoweringCache).
        _helpers.BodiesRead.Add(method);
        return ModelOf(declaration, model).GetOperation(declaration, _cancellationToken) is IMethodBodyOperation body ? body.BlockBody ?? body.ExpressionBody : null;
    }

    /// <summary>The semantic model of the tree <paramref name="declaration"/> is in: the caller's <paramref name="model"/>, or its compilation's for another file.</summary>
    private static SemanticModel ModelOf(SyntaxNode declaration, SemanticModel model) =>
        declaration.SyntaxTree == model.SyntaxTree ? model : model.Compilation.GetSemanticModel(declaration.SyntaxTree);

    /// <summary>The one expression a local function returns: its expression body, or the value of the one <c>return</c> of its block.</summary>
    private static ExpressionSyntax? ResultExpression(SyntaxNode declaration) => declaration switch
    {
        LocalFunctionStatementSyntax local => ResultExpression(local.ExpressionBody, local.Body),
        MethodDeclarationSyntax method => ResultExpression(method.ExpressionBody, method.Body),
        _ => null,
    };

    private static ExpressionSyntax? ResultExpression(ArrowExpressionClauseSyntax? arrow, BlockSyntax? block) =>
        arrow?.Expression ?? (block is { Statements.Count: 1 } && block.Statements[0] is ReturnStatementSyntax { Expression: { } returned } ? returned : null);
}
