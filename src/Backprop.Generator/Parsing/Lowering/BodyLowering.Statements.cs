using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>Statements: declarations, assignments, stores, <c>if</c>, loops and <c>return</c>.</summary>
internal sealed partial class BodyLowering
{
    private Block LowerBlock(IEnumerable<IOperation> operations)
    {
        List<Statement> outer = _statements;
        _statements = new List<Statement>();
        LowerStatements(operations);
        var block = new Block(_statements.ToEquatableArray());
        _statements = outer;
        return block;
    }

    /// <summary>The statements <paramref name="lower"/> adds, as a block of their own.</summary>
    private Block LowerBlock(Action lower)
    {
        List<Statement> outer = _statements;
        _statements = new List<Statement>();
        lower();
        var block = new Block(_statements.ToEquatableArray());
        _statements = outer;
        return block;
    }

    private Block LowerBlock(IOperation? operation) =>
        operation is null ? new Block(EquatableArray<Statement>.Empty)
        : LowerBlock(operation is IBlockOperation block ? block.Operations : (IEnumerable<IOperation>)new[] { operation });

    private void LowerStatement(IOperation statement)
    {
        // The loop giving a local array of arrays its rows was lowered with the local's declaration.
        if (_rowAllocations.Contains(statement))
            return;
        switch (statement)
        {
            case IBlockOperation when statement.Syntax.Parent is UnsafeStatementSyntax unsafeBlock:
                UnsupportedStatement(unsafeBlock, "An unsafe block", "write the method without pointers");
                return;
            case IBlockOperation block:
                LowerStatements(block.Operations);
                return;
            case IEmptyOperation or ILocalFunctionOperation:
                return;
            case IVariableDeclarationGroupOperation group:
                LowerDeclarations(group);
                return;
            case IExpressionStatementOperation { Operation: var expression }:
                LowerExpressionStatement(expression, SourceText(statement));
                return;
            case IReturnOperation { ReturnedValue: { } returned }:
                string source = statement.Syntax is ReturnStatementSyntax ? SourceText(statement) : "return " + SourceText(statement);
                // The one return of an inlined struct member gives its result variables their only value.
                bool declares = _resultsFresh && statement.Parent == _body;
                if (_structResult is not null)
                    _structResult.AddRange(LowerStruct(returned)?.Leaves ?? System.Array.Empty<string>());
                else if (_resultElements is not null)
                    AssignTuple(source, _resultElements, returned, declares);
                else if (_returnsArray)
                    ReturnArray(returned);
                else
                    AssignValue(source, _result!, returned, declares);
                if (_returnedFlag is not null && !IsLastTopLevel(statement))
                    AssignConstant(source, _returnedFlag, 1);
                return;
            case IReturnOperation { ReturnedValue: null }:
                // A return from a void local function being inlined.
                if (_returnedFlag is not null && !IsLastTopLevel(statement))
                    AssignConstant(SourceText(statement), _returnedFlag, 1);
                return;
            case IConditionalOperation conditional:
                LowerIf(conditional);
                return;
            case IThrowOperation:
                LowerEffect(statement, SourceText(statement));
                return;
            case ISwitchOperation switchOperation:
                LowerSwitch(switchOperation);
                return;
            case IWhileLoopOperation loop:
                LowerLoop(loop, loop.Condition, loop.Body, Array.Empty<IOperation>(), loop.ConditionIsTop,
                    loop.ConditionIsTop ? $"while ({loop.Condition!.Syntax})" : $"do … while ({loop.Condition!.Syntax})");
                return;
            case IForLoopOperation loop:
                foreach (IOperation before in loop.Before)
                    LowerStatement(before);
                var syntax = (ForStatementSyntax)loop.Syntax;
                LowerLoop(loop, loop.Condition, loop.Body, loop.AtLoopBottom, testsFirst: true,
                    $"for ({(object?)syntax.Declaration ?? string.Join(", ", syntax.Initializers)}; {syntax.Condition}; {string.Join(", ", syntax.Incrementors)})");
                return;
            case IForEachLoopOperation loop:
                LowerForEach(loop);
                return;
            case IBranchOperation { BranchKind: BranchKind.Break } when _loops.Count > 0 && _loops.Peek().BreakFlag is string broke:
                AssignConstant(SourceText(statement), broke, 1);
                return;
            case IBranchOperation { BranchKind: BranchKind.Continue } when _loops.Count > 0 && _loops.Peek().ContinueFlag is string continued:
                AssignConstant(SourceText(statement), continued, 1);
                return;
            default:
                UnsupportedStatement(statement.Syntax, Unsupported.DescribeStatement(statement.Syntax.Kind()), Unsupported.StatementAdvice(statement.Syntax.Kind()));
                return;
        }
    }

    /// <summary>
    /// An array result is one local array, allocated at the top level, that every <c>return</c> returns: the
    /// derivative methods give it a tangent or cotangent of its length. Nothing is assigned; an early return sets the flag.
    /// </summary>
    private void ReturnArray(IOperation returned)
    {
        IOperation value = returned is IConversionOperation conversion ? conversion.Operand : returned;
        string? array = value is ILocalReferenceOperation { Local: var local } && _variableNames.TryGetValue(local, out string? name) && _variablesByName[name].IsArray ? name : null;
        if (array is null)
            Report(Diagnostics.UnsupportedExpression, returned.Syntax, $"Returning '{returned.Syntax}'",
                "return a local array created with new double[length] (or float) at the top level of the method, and fill it");
        else if (_result is not null && _result != array)
            Report(Diagnostics.UnsupportedExpression, returned.Syntax, $"Returning '{returned.Syntax}' where another return returns '{_result}'",
                "return the same local array from every return statement");
        else
            _result = array;
    }

    private bool IsLastTopLevel(IOperation statement) =>
        statement.Parent == _body && _body!.Operations[_body.Operations.Length - 1] == statement;

    private void LowerDeclarations(IVariableDeclarationGroupOperation group)
    {
        // The statement quoted above a declarator's code: the whole declaration when it declares one variable alone.
        string Quoted(IVariableDeclaratorOperation declarator) => group.Declarations.Length == 1 && group.Declarations[0].Declarators.Length == 1
            ? SourceText(group)
            : $"{declarator.Symbol.Type.ToDisplayString()} {OneLine(declarator.Syntax)};";

        foreach (IVariableDeclarationOperation declaration in group.Declarations)
        {
            foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
            {
                if (declarator.Symbol.IsConst)
                    continue; // every use is already a constant
                if (declarator.Symbol.IsRef)
                {
                    UnsupportedStatement(group.Syntax, "A ref local", "copy the value into an ordinary local");
                    return;
                }
                if (Symbols.SpanElement(declarator.Symbol.Type) is not null)
                {
                    LowerSpanLocal(Quoted(declarator), declarator);
                    continue;
                }
                if (IsTupleOfNumbers(declarator.Symbol.Type))
                {
                    List<string> elements = DeclareTupleLocal(declarator.Symbol);
                    if (declarator.GetVariableInitializer() is { } tupleValue)
                        AssignTuple(group.Declarations.Length == 1 && declaration.Declarators.Length == 1 ? SourceText(group) : OneLine(declarator.Syntax) + ";",
                            elements, tupleValue.Value, declares: true);
                    continue;
                }
                if (StructLayout.Of(declarator.Symbol.Type) is { } layout)
                {
                    DeclareStruct(declarator, layout, Quoted(declarator));
                    continue;
                }
                if (declarator.Symbol.Type is IArrayTypeSymbol { Rank: 1, ElementType: var structType } && StructLayout.Of(structType) is { } element)
                {
                    DeclareStructArray(declarator, element, Quoted(declarator));
                    continue;
                }
                if (Symbols.MatrixType(declarator.Symbol.Type) is (_, ValueShape.MatrixArray))
                {
                    Report(Diagnostics.UnsupportedExpression, declarator.Syntax, $"The local array of matrices '{declarator.Symbol.Name}'",
                        "take the array as a parameter, and read its matrices by index");
                    return;
                }
                if (FunctionParser.GridElement(declarator.Symbol.Type) is ScalarType gridElement)
                {
                    LowerGridLocal(Quoted(declarator), declarator, gridElement);
                    continue;
                }
                if (FunctionParser.JaggedElement(declarator.Symbol.Type) is ScalarType rowElement && LowerJaggedLocal(Quoted(declarator), group, declarator, rowElement))
                    continue;
                if (FunctionParser.JaggedElement(declarator.Symbol.Type) is ScalarType otherRows)
                {
                    _refusedLocals.Add(declarator.Symbol);
                    Report(Diagnostics.UnsupportedExpression, declarator.Syntax, $"The local array of arrays '{declarator.Symbol.Name}'",
                        $"create it with its rows of one length, the loop giving them right after it ({otherRows.Keyword()}[][] {declarator.Symbol.Name} = new {otherRows.Keyword()}[n][]; for (int i = 0; i < n; i++) {declarator.Symbol.Name}[i] = new {otherRows.Keyword()}[m];), use a two-dimensional local ({otherRows.Keyword()}[,] {declarator.Symbol.Name} = new {otherRows.Keyword()}[n, m];), or take the array of arrays as a parameter");
                    return;
                }
                if (VariableType(declarator.Symbol.Type) is null && Symbols.MatrixType(declarator.Symbol.Type) is null)
                {
                    // Said once, here: its uses (v.X) say nothing more.
                    _refusedLocals.Add(declarator.Symbol);
                    Report(Diagnostics.UnsupportedExpression, declarator.Syntax,
                        $"A local of type '{declarator.Symbol.Type.ToDisplayString()}'",
                        "use double, float, int, long, bool, a double[]/float[] local or a struct of this compilation that holds numbers (lists and other collections are not supported)");
                    return;
                }
                if (declarator.GetVariableInitializer()?.Value is { } made && Unconverted(made) is IInvocationOperation call
                    && VariableType(declarator.Symbol.Type) is (_, true) && InlinedBodyOf(call) is { } callee
                    && (_statements == _topLevel || !Symbols.HasAttribute(call.TargetMethod.OriginalDefinition, Symbols.DifferentiableAttribute)))
                {
                    // double[] y = Layer(x, w): the callee's body, inlined here, fills its local array, which y then names.
                    if (InlineBody(call, callee) is { Count: 1 } returned)
                        _variableNames[declarator.Symbol] = returned[0];
                    continue;
                }
                if (declarator.GetVariableInitializer()?.Value is { } rowValue && Row(rowValue) is not null)
                {
                    // var row = x[i]: the local names a row of an array of arrays (its index), not an array of its own.
                    LowerRowLocal(Quoted(declarator),
                        declarator.Symbol, rowValue, declarator.Syntax);
                    continue;
                }
                string name = DeclareLocal(declarator.Symbol);
                IVariableInitializerOperation? initializer = declarator.GetVariableInitializer();
                if (initializer is null)
                    continue;
                string source = Quoted(declarator);
                if (_variablesByName[name].IsArray && Unconverted(initializer.Value) is not IArrayCreationOperation && Unconverted(initializer.Value).Syntax is not CollectionExpressionSyntax)
                {
                    LowerRebind(source, declarator.Symbol, initializer.Value, declarator.Syntax, declares: true);
                    continue;
                }
                if (initializer.Value is IArrayCreationOperation { Initializer: { } filled } && _variablesByName[name].IsArray)
                    LowerFilledAllocation(source, name, filled.Syntax, filled.ElementValues);
                else if (Unconverted(initializer.Value).Syntax is CollectionExpressionSyntax collection && _variablesByName[name].IsArray)
                    LowerCollectionExpression(source, name, collection, initializer.Value.SemanticModel!);
                else if (initializer.Value is IArrayCreationOperation creation)
                    LowerAllocation(source, name, creation);
                else if (Unconverted(initializer.Value) is IAssignmentOperation chained)
                {
                    // var a = b = c: b = c first; a is then b's new value.
                    LowerExpressionStatement(chained, source);
                    AssignValue(source, name, chained.Target, declares: true);
                }
                else
                    AssignValue(source, name, initializer.Value, declares: true);
            }
        }
    }

    private void LowerAllocation(string source, string array, IArrayCreationOperation creation)
    {
        if (creation.DimensionSizes.Length != 1)
        {
            Report(Diagnostics.UnsupportedExpression, creation.Syntax, "A multi-dimensional array", "use a one-dimensional array of rows × columns, indexed i * columns + j");
            return;
        }
        if (!MayAllocate(array, creation.Syntax) || LowerValue(creation.DimensionSizes[0]) is not int length)
            return;
        Allocate(source, array, length);
    }

    /// <summary>
    /// A local array is allocated once, at the top level: its adjoint buffer lives to the end of the method. So is a span
    /// on the stack (<paramref name="onStack"/>), which C# would otherwise grow by each iteration of a loop.
    /// </summary>
    private bool MayAllocate(string array, SyntaxNode at, bool onStack = false)
    {
        if (_statements == _topLevel && _allocated.Add(array))
            return true;
        string what = onStack ? "Allocating a span with stackalloc" : "Allocating a local array";
        if (_inlinedBodies.Count > 0)
            Report(Diagnostics.UnsupportedExpression, at, $"{what} in '{_inlinedBodies.Peek()}', which is inlined where it is called, inside a branch or loop of the caller,",
                $"call '{_inlinedBodies.Peek()}' at the top level of the method, or allocate the array in the caller and pass it in");
        else if (onStack)
            Report(Diagnostics.UnsupportedExpression, at, $"{what} inside a branch or loop",
                $"allocate it once, at the top level of the method (Span<{_variablesByName[array].Type.Keyword()}> {_variablesByName[array].Name} = stackalloc {_variablesByName[array].Type.Keyword()}[n];), and reuse it in each iteration");
        else
            Report(Diagnostics.UnsupportedExpression, at, $"{what} inside a branch or loop", "allocate it once, at the top level of the method");
        return false;
    }

    private void Allocate(string source, string array, int length, bool onStack = false)
    {
        if (_allocationGuard is not null)
            length = _nodes.Add(Op.Conditional, ScalarType.Int, NoFlagSet(_allocationGuard), length, _nodes.Constant(0, ScalarType.Int));
        Add(new AllocateStatement(source, TakeNodes().ToNodes(), array, length, onStack));
    }

    /// <summary>
    /// A local array created with its elements (<c>{ 1, 4, 1 }</c>, <c>new[] { … }</c>): allocated at its length, then
    /// each element stored in order; it may be written afterwards like any local array.
    /// </summary>
    private void LowerFilledAllocation(string source, string array, SyntaxNode at, IReadOnlyList<IOperation?> elements, bool onStack = false)
    {
        if (!MayAllocate(array, at, onStack))
            return;
        Allocate(source, array, _nodes.Constant(elements.Count, ScalarType.Int), onStack);
        ScalarType type = _variablesByName[array].Type;
        // After an early return the array is allocated empty, so its elements are stored only when no jump was taken.
        Block stores = LowerBlock(() =>
        {
            for (int i = 0; i < elements.Count; i++)
            {
                if (elements[i] is not { } element)
                    UnsupportedStatement(at, $"The element {i} of '{at}'", "list the elements one by one, or fill the array in a loop");
                else if (LowerValue(element) is int value)
                {
                    int stored = _nodes.Convert(value, type), index = _nodes.Constant(i, ScalarType.Int);
                    Add(new StoreStatement($"{array}[{i}] = {OneLine(element.Syntax)}; — from {source}",
                        _nodes.ToNodes(), array, index, stored, Initializes: true));
                }
                _nodes = new NodeBuilder();
            }
        });
        if (_allocationGuard is null)
            _statements.AddRange(stores.Statements);
        else
        {
            int condition = NoFlagSet(_allocationGuard);
            Add(new IfStatement($"if (!({string.Join(" || ", _allocationGuard)})) — the elements of {array}, unless a jump above was taken",
                TakeNodes().ToNodes(), condition, stores, new Block(EquatableArray<Statement>.Empty)));
        }
    }

    /// <summary>A collection expression (<c>[1, 4, 1]</c>) making a local array: its elements, as for an array initializer.</summary>
    private void LowerCollectionExpression(string source, string array, CollectionExpressionSyntax collection, SemanticModel model, bool onStack = false)
    {
        var elements = new List<IOperation>();
        foreach (CollectionElementSyntax element in collection.Elements)
        {
            // C# gives a parenthesized expression no operation of its own: ask for the expression inside.
            ExpressionSyntax? expression = (element as ExpressionElementSyntax)?.Expression;
            while (expression is ParenthesizedExpressionSyntax parenthesized)
                expression = parenthesized.Expression;
            if (expression is null || model.GetOperation(expression, _cancellationToken) is not { } value)
            {
                UnsupportedStatement(element, $"The collection element '{element}'", "list the elements one by one, or fill the array in a loop");
                return;
            }
            elements.Add(value);
        }
        LowerFilledAllocation(source, array, collection, elements, onStack);
    }

    private void LowerExpressionStatement(IOperation expression, string source)
    {
        if (ChecksOverflowOtherwise(expression) || ChangesModel(expression) || LowerStructStatement(expression, source))
            return;
        switch (expression)
        {
            case ISimpleAssignmentOperation assignment when Unconverted(assignment.Value) is IAssignmentOperation chained:
                // a = b = c: b = c first; a is then b's new value.
                LowerExpressionStatement(chained, source);
                if (IsElementTarget(assignment.Target))
                    LowerStore(source, assignment.Target, chained.Target, null);
                else if (assignment.Target is ILocalReferenceOperation { Local: var array } && VariableType(array.Type) is (_, true))
                    LowerRebind(source, array, chained.Target, assignment.Syntax, declares: false);
                else if (TargetVariable(assignment.Target) is string chainedTarget)
                    AssignValue(source, chainedTarget, chained.Target, declares: false);
                else
                    UnsupportedStatement(assignment.Syntax, "Assigning to anything but a local variable, a local array element or a scalar parameter", "assign to a local variable instead");
                return;
            case ISimpleAssignmentOperation { Target: var element } assignment when IsElementTarget(element):
                LowerStore(source, element, assignment.Value, null);
                return;
            case ICompoundAssignmentOperation { Target: var element } compound when IsElementTarget(element) && ToOp(compound.OperatorKind) is Op op:
                LowerStore(source, element, compound.Value, op);
                return;
            case IAssignmentOperation or IIncrementOrDecrementOperation when SpanWritten(expression) is { } span:
                if (!IsRefused(span))
                    Report(Diagnostics.ParameterArrayWrite, expression.Syntax, span.Syntax.ToString());
                return;
            case ISimpleAssignmentOperation assignment when TargetVariable(assignment.Target) is string target:
                AssignValue(source, target, assignment.Value, declares: false);
                return;
            case ICompoundAssignmentOperation compound when TargetVariable(compound.Target) is string target:
                if (!GenericMath.IsBuiltInOperator(compound.OperatorMethod) || ToOp(compound.OperatorKind) is not Op binary)
                {
                    Report(Diagnostics.UnsupportedExpression, compound.Syntax, $"The compound assignment '{compound.Syntax}'", "write it as a plain assignment");
                    return;
                }
                ScalarType targetType = ValueType(compound.Target.Type)!.Value;
                if (LowerValue(compound.Value) is int right)
                    Add(new AssignStatement(source, TakeNodes(Combine(binary, _nodes.Read(target, targetType), right, targetType), out int value), target, value, false));
                return;
            case IIncrementOrDecrementOperation step when TargetVariable(step.Target) is string target:
                ScalarType type = ValueType(step.Target.Type)!.Value;
                int stepped = Combine(step.Kind == OperationKind.Increment ? Op.Add : Op.Subtract, _nodes.Read(target, type), _nodes.Constant(1, type), type);
                Add(new AssignStatement(source, TakeNodes(stepped, out int result), target, result, false));
                return;
            case IDeconstructionAssignmentOperation deconstruction when DeconstructsArrays(deconstruction):
                LowerArrayDeconstruction(deconstruction, source);
                return;
            case IDeconstructionAssignmentOperation deconstruction:
                LowerDeconstruction(deconstruction, source);
                return;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local: var tuple } } whole when _tupleLocals.TryGetValue(tuple, out List<string>? elements):
                AssignTuple(source, elements, whole.Value);
                return;
            case IInvocationOperation { TargetMethod.MethodKind: MethodKind.LocalFunction } local:
                LowerLocalFunctionStatement(local);
                return;
            case IInvocationOperation model when ModelCallReceiver(model) is not null && InlinedBodyOf(model) is { } body:
                InlineBody(model, body);
                return;
            case IInvocationOperation { TargetMethod.ReturnsVoid: true } or IThrowOperation:
                LowerEffect(expression, source);
                return;
            case ISimpleAssignmentOperation { Target: IParameterReferenceOperation { Parameter: var matrix } } when Symbols.MatrixType(matrix.Type) is not null:
                UnsupportedStatement(expression.Syntax, $"Assigning to the matrix parameter '{matrix.Name}'",
                    $"give the new value a local of its own (var h = {matrix.Name}; then assign h)");
                return;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local: var row } } rowAssignment when _rows.ContainsKey(row):
                LowerRowLocal(source, row, rowAssignment.Value, expression.Syntax);
                return;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local: var array } } rebind when VariableType(array.Type) is (_, true):
                LowerRebind(source, array, rebind.Value, expression.Syntax, declares: false);
                return;
            case ISimpleAssignmentOperation { Target: IParameterReferenceOperation { Parameter: var parameter } } when VariableType(parameter.Type) is (_, true):
                UnsupportedStatement(expression.Syntax, $"Reassigning the parameter array '{parameter.Name}'",
                    $"give it a local of its own (var a = {parameter.Name};) and reassign that");
                return;
            case IAssignmentOperation { Target: var refused } when IsRefused(refused):
                return; // the local's declaration said why
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                UnsupportedStatement(expression.Syntax, "Assigning to anything but a local variable, a local array element or a scalar parameter",
                    "assign to a local variable instead");
                return;
            default:
                UnsupportedStatement(expression.Syntax, $"The expression statement '{expression.Syntax}'", "only assignments, declarations and return statements can stand alone");
                return;
        }
    }

    /// <summary>The span whose element an assignment or increment writes (<c>x[i] = v</c>, <c>x[i]++</c>), if it writes one.</summary>
    private static IOperation? SpanWritten(IOperation write) =>
        ((write as IAssignmentOperation)?.Target ?? (write as IIncrementOrDecrementOperation)?.Target)
            is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } span } && Symbols.SpanElement(span.Type) is not null ? span : null;

    /// <summary>A write to an element (<see cref="IsElementTarget"/>) of a local array or span.</summary>
    private void LowerStore(string source, IOperation element, IOperation value, Op? compound)
    {
        IOperation arrayReference = element is IArrayElementReferenceOperation arrayElement ? arrayElement.ArrayReference : ((IPropertyReferenceOperation)element).Instance!;
        if (RefuseParameterGridWrite(arrayReference, element.Syntax)
            || (JaggedLocalRow(arrayReference) is var (rows, _) ? (rows.Values, VariableKind.Local) : ArrayVariable(arrayReference)) is not (string array, var kind))
            return;
        if (kind == VariableKind.Parameter)
        {
            Report(Diagnostics.ParameterArrayWrite, element.Syntax, array);
            return;
        }
        ScalarType type = Symbols.ToScalarType(element.Type)!.Value;
        if (ElementOf(element).Index is not int index || LowerValue(value) is not int right)
            return;
        int stored = compound is Op op ? Combine(op, _nodes.Add(Op.Element, type, new[] { index }, 0, array, null), right, type) : _nodes.Convert(right, type);
        Add(new StoreStatement(source, _nodes.ToNodes(), array, index, stored));
        _stores.Add((array, element.Syntax));
        _nodes = new NodeBuilder();
    }

    private void LowerIf(IConditionalOperation conditional)
    {
        int? condition = LowerValue(conditional.Condition);
        NodeBuilder nodes = TakeNodes();
        Block then = LowerBlock(conditional.WhenTrue);
        Block otherwise = LowerBlock(conditional.WhenFalse);
        if (condition is int c)
            Add(new IfStatement($"if ({OneLine(conditional.Condition.Syntax)}){InlinedFrom}", nodes.ToNodes(), c, then, otherwise));
    }

    /// <summary>
    /// A loop. Its condition is evaluated where C# evaluates it: when computing it needs statements of its own (a
    /// conditional expression over numbers, an inlined call), it is kept in a <c>condition</c> variable that those
    /// statements and an assignment set at the end of each iteration, and before the loop unless it is a <c>do</c> loop.
    /// </summary>
    private void LowerLoop(IOperation loop, IOperation? conditionOperation, IOperation body, IEnumerable<IOperation> incrementors, bool testsFirst, string source)
    {
        Loop context = JumpFlags(body.Syntax, loop.Syntax, out List<string> leaveFlags);
        string? conditionVariable = null;
        NodeBuilder conditionNodes = new();
        int? ownCondition = null;
        if (testsFirst)
        {
            ownCondition = LowerCondition(conditionOperation, ref conditionVariable, "before it");
            conditionNodes = TakeNodes();
            if (ownCondition is null)
                return;
        }

        _loops.Push(context);
        List<Statement> outer = _statements;
        _statements = new List<Statement>();
        if (context.ContinueFlag is not null)
            AssignConstant("(no continue yet in this iteration)", context.ContinueFlag, 0);
        LowerStatements(body is IBlockOperation block ? block.Operations : new[] { body });
        // The end of an iteration, after a continue too: the steps, and the condition when it has statements of its own.
        Block end = LowerBlock(() =>
        {
            foreach (IOperation step in incrementors)
                LowerStatement(step);
            if (conditionVariable is not null)
                AssignValue($"{conditionVariable} = {OneLine(conditionOperation!.Syntax)}; (the loop's condition)", conditionVariable, conditionOperation, declares: false);
            else if (!testsFirst)
            {
                ownCondition = LowerCondition(conditionOperation, ref conditionVariable, "at the end of the iteration");
                conditionNodes = TakeNodes();
            }
        });
        if (leaveFlags.Count > 0 && end.Statements.Count > 0)
        {
            int guard = NoFlagSet(leaveFlags);
            string what = conditionVariable is null ? "step" : "end of the iteration";
            Add(new IfStatement($"if (!({string.Join(" || ", leaveFlags)})) — {what} unless the loop is being left", TakeNodes().ToNodes(), guard, end, new Block(EquatableArray<Statement>.Empty)));
        }
        else
            _statements.AddRange(end.Statements);
        var loopBody = new Block(_statements.ToEquatableArray());
        _statements = outer;
        _loops.Pop();
        if (ownCondition is not int own)
            return;
        _nodes = conditionNodes;
        int condition = leaveFlags.Count == 0 ? own : _nodes.Add(Op.And, ScalarType.Bool, NoFlagSet(leaveFlags), own);
        Add(new LoopStatement(source + InlinedFrom, TakeNodes().ToNodes(), condition, loopBody, testsFirst));
    }

    /// <summary>
    /// A loop's condition in <see cref="_nodes"/>: its node, or when computing it added statements, an assignment of it
    /// to a new <paramref name="variable"/> after them and a read of that.
    /// </summary>
    private int? LowerCondition(IOperation? condition, ref string? variable, string when)
    {
        if (condition is null)
            return _nodes.Constant(1, ScalarType.Bool);
        int before = _statements.Count;
        if (LowerValue(condition) is not int own)
            return null;
        if (_statements.Count == before)
            return own;
        variable = NewVariable("condition", ScalarType.Bool);
        Add(new AssignStatement($"{variable} = {OneLine(condition.Syntax)}; (the loop's condition, {when})", TakeNodes(own, out int value), variable, value, false));
        return _nodes.Read(variable, ScalarType.Bool);
    }

    /// <summary><c>foreach (var v in array)</c> is a counted loop over the array's indices.</summary>
    private void LowerForEach(IForEachLoopOperation loop)
    {
        IOperation collection = loop.Collection is IConversionOperation conversion ? conversion.Operand : loop.Collection;
        if (IsRefused(collection))
            return;
        // foreach (var v in x[i]), x an array of arrays: a loop over the row, whose index is taken once, as C# reads x[i] once.
        var row = Row(collection);
        bool arrayLike = collection.Type is IArrayTypeSymbol || Symbols.SpanElement(collection.Type) is not null;
        if ((row?.Values ?? (arrayLike ? ArrayVariable(collection)?.Name : null)) is not string array || loop.LoopControlVariable is not IVariableDeclaratorOperation { Symbol: var element })
        {
            UnsupportedStatement(loop.Syntax, $"A foreach loop over '{collection.Syntax}' of type '{collection.Type?.ToDisplayString()}'",
                collection.Type is IArrayTypeSymbol || Symbols.SpanElement(collection.Type) is not null
                    ? "loop over an array or span parameter or local array by name (or index it with a for loop)"
                    : "loop over an array or span parameter or a local array; lists and other collections are not supported");
            return;
        }
        string? rowIndex = row?.IndexVariable;
        if (row is { IndexVariable: null } && LowerRowIndex(row.Value) is int taken)
        {
            rowIndex = NewVariable("row", ScalarType.Int);
            Add(new AssignStatement($"int {rowIndex} = {OneLine(row.Value.Index!.Syntax)}; (the row {OneLine(collection.Syntax)} the loop runs over)", TakeNodes(taken, out int rowNode), rowIndex, rowNode, true));
        }
        else if (row is not null && rowIndex is null)
            return;
        string index = NewVariable("index", ScalarType.Int);
        AssignConstant($"int {index} = 0; (position in {(row is null && JaggedParameter(collection) is null && GridParameter(collection) is null ? array : OneLine(collection.Syntax))})", index, 0);
        // foreach (var row in x), x an array of arrays: row names the row at the index.
        bool rows = JaggedParameter(collection) is not null;
        if (rows)
            _rows[element] = (array, index);
        string source = $"foreach ({element.Type.ToDisplayString()} {element.Name} in {collection.Syntax})";

        Loop context = JumpFlags(loop.Body.Syntax, loop.Syntax, out List<string> leaveFlags);
        int length = rowIndex is null
            ? _nodes.Add(Op.Length, ScalarType.Int, null, 0, array, null)
            : _nodes.Add(Op.PassiveCall, ScalarType.Int, new[] { _nodes.Read(rowIndex, ScalarType.Int) }, 0, null, RowCall(array, "RowLength", 1));
        int condition = _nodes.Add(Op.Less, ScalarType.Bool, _nodes.Read(index, ScalarType.Int), length);
        if (leaveFlags.Count > 0)
            condition = _nodes.Add(Op.And, ScalarType.Bool, NoFlagSet(leaveFlags), condition);
        NodeBuilder nodes = TakeNodes();
        _loops.Push(context);
        _foreachArrays.Add(array);
        List<Statement> outer = _statements;
        _statements = new List<Statement>();
        if (context.ContinueFlag is not null)
            AssignConstant("(no continue yet in this iteration)", context.ContinueFlag, 0);
        if (!rows)
        {
            string name = DeclareLocal(element);
            ValueShape shape = _variablesByName[name].IsMatrix ? ValueShape.Matrix : ValueShape.Scalar;
            int position = rowIndex is null
                ? _nodes.Read(index, ScalarType.Int)
                : _nodes.Add(Op.PassiveCall, ScalarType.Int, new[] { _nodes.Read(rowIndex, ScalarType.Int), _nodes.Read(index, ScalarType.Int) }, 0, null, RowCall(array, "At", 2));
            int read = _nodes.Convert(_nodes.Add(Op.Element, _variablesByName[array].Type, new[] { position }, 0, array, null, shape), _variablesByName[name].Type);
            Add(new AssignStatement($"{element.Type.ToDisplayString()} {element.Name} = {collection.Syntax}[{index}];", TakeNodes().ToNodes(), name, read, true));
        }
        // The index steps even after a break (the loop's condition tests the flag first), so the reverse sweep undoes
        // one step per iteration, as for any counted loop.
        LowerStatements(loop.Body is IBlockOperation block ? block.Operations : new[] { loop.Body });
        int next = _nodes.Add(Op.Add, ScalarType.Int, _nodes.Read(index, ScalarType.Int), _nodes.Constant(1, ScalarType.Int));
        Add(new AssignStatement($"{index}++;", TakeNodes(next, out int value), index, value, false));
        var body = new Block(_statements.ToEquatableArray());
        _statements = outer;
        _loops.Pop();
        _foreachArrays.RemoveAt(_foreachArrays.Count - 1);
        Add(new LoopStatement(source + InlinedFrom, nodes.ToNodes(), condition, body, TestsFirst: true));
    }
}
