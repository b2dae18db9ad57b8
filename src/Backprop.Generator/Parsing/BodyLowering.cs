using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Lowers a method body's operation tree to a <see cref="ForwardProgram"/>. This is where the
/// generator decides what a body may contain; anything else is reported at its location. Jumps are
/// removed on the way: <c>return</c>, <c>break</c> and <c>continue</c> set flag variables, and the
/// statements after one run under an <c>if</c> on those flags, so later stages see only sequence,
/// branch and loop. Differentiable conditional expressions become <c>if</c> statements, so an untaken
/// branch is never evaluated (nor differentiated).
/// </summary>
internal sealed class BodyLowering
{
    private readonly IMethodSymbol _method;
    private readonly DerivativeKinds _derivatives;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly NameAllocator _names;
    private readonly Dictionary<ISymbol, string> _variableNames = new(SymbolEqualityComparer.Default);
    private readonly List<VariableSpec> _variables = new();
    private readonly Dictionary<string, VariableSpec> _variablesByName = new();
    private readonly HashSet<string> _allocated = new();
    private readonly Stack<Loop> _loops = new();
    /// <summary>The variable holding the returned value; for an array result, the local array returned, known at the first <c>return</c>.</summary>
    private string? _result;
    private readonly bool _returnsArray;
    private string? _returnedFlag;
    private readonly List<Statement> _topLevel = new();
    /// <summary>While lowering an allocation after an early return: the flags under which it allocates nothing.</summary>
    private List<string>? _allocationGuard;
    private List<Statement> _statements;
    private NodeBuilder _nodes = new();

    private sealed class Loop
    {
        public string? BreakFlag;
        public string? ContinueFlag;
    }

    private BodyLowering(IMethodSymbol method, DerivativeKinds derivatives, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _method = method;
        _derivatives = derivatives;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
        var reserved = new List<string>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            reserved.Add(parameter.Name);
            reserved.Add(Naming.Derivative(parameter.Name));
        }
        _returnsArray = VariableType(method.ReturnType) is (_, true);
        if (_returnsArray)
            reserved.Add(Naming.ResultDerivative);
        _names = new NameAllocator(reserved);
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (VariableType(parameter.Type) is var (type, isArray))
            {
                _variableNames[parameter] = parameter.Name;
                AddVariable(new VariableSpec(parameter.Name, type, isArray, VariableKind.Parameter));
            }
        }
        if (!_returnsArray)
            _result = NewVariable("result", Symbols.ToScalarType(method.ReturnType) ?? ScalarType.Double);
        _statements = _topLevel;
    }

    /// <summary>Lowers <paramref name="body"/>; returns <c>null</c> after adding to <paramref name="diagnostics"/> when it cannot.</summary>
    public static ForwardProgram? Lower(IMethodSymbol method, DerivativeKinds derivatives, IOperation body, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var lowering = new BodyLowering(method, derivatives, diagnostics, cancellationToken);
        int errorsBefore = diagnostics.Count;
        IOperation block = body is IMethodBodyOperation methodBody ? (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody! : body;
        if (NeedsReturnedFlag(block))
        {
            lowering._returnedFlag = lowering.NewVariable("returned", ScalarType.Bool);
            lowering.AssignConstant("bool returned = false; (set by a return inside control flow)", lowering._returnedFlag, 0);
        }
        lowering.LowerStatements(((IBlockOperation)block).Operations);
        // A body whose end is unreachable (a loop that never ends) may have no return at all.
        if (lowering._result is null && diagnostics.Count == errorsBefore)
            lowering.UnsupportedStatement(block.Syntax, "A method returning an array without a return statement", "return a local array created with new double[length]");
        if (diagnostics.Count > errorsBefore)
            return null;
        return new ForwardProgram(lowering._variables.ToEquatableArray(), new Block(lowering._statements.ToEquatableArray()), lowering._result!);
    }

    /// <summary>A flag is needed unless the only return is the body's last statement.</summary>
    private static bool NeedsReturnedFlag(IOperation block)
    {
        var returns = block.Syntax.DescendantNodesAndSelf(n => n is not (LambdaExpressionSyntax or LocalFunctionStatementSyntax))
            .Where(n => n is ReturnStatementSyntax || (n is ArrowExpressionClauseSyntax)).ToList();
        if (returns.Count != 1)
            return returns.Count > 1;
        return block is IBlockOperation { Operations: var operations } && operations.Length > 0
            && operations[operations.Length - 1] is not IReturnOperation;
    }

    private string NewVariable(string wanted, ScalarType type, bool isArray = false, VariableKind kind = VariableKind.Synthetic)
    {
        string name = _names.Allocate(wanted);
        AddVariable(new VariableSpec(name, type, isArray, kind));
        return name;
    }

    private void AddVariable(VariableSpec variable)
    {
        _variables.Add(variable);
        _variablesByName[variable.Name] = variable;
    }

    private string DeclareLocal(ILocalSymbol local)
    {
        if (_variableNames.TryGetValue(local, out string? existing))
            return existing;
        var (type, isArray) = VariableType(local.Type)!.Value;
        string name = NewVariable(local.Name, type, isArray, VariableKind.Local);
        _variableNames[local] = name;
        return name;
    }

    private static (ScalarType Type, bool IsArray)? VariableType(ITypeSymbol type) =>
        type is IArrayTypeSymbol { Rank: 1, ElementType: var element } && Symbols.ToScalarType(element) is ScalarType elementType && elementType.IsFloatingPoint()
            ? (elementType, true)
            : Symbols.ToScalarType(type) is ScalarType scalar ? (scalar, false) : null;

    // ---- statements ----

    private Block LowerBlock(IEnumerable<IOperation> operations)
    {
        List<Statement> outer = _statements;
        _statements = new List<Statement>();
        LowerStatements(operations);
        var block = new Block(_statements.ToEquatableArray());
        _statements = outer;
        return block;
    }

    private Block LowerBlock(IOperation? operation) =>
        operation is null ? new Block(EquatableArray<Statement>.Empty)
        : LowerBlock(operation is IBlockOperation block ? block.Operations : (IEnumerable<IOperation>)new[] { operation });

    /// <summary>Lowers a statement list; after one that may jump, the rest runs under an <c>if</c> on the jump flags.</summary>
    private void LowerStatements(IEnumerable<IOperation> operations)
    {
        List<IOperation> list = operations.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            LowerStatement(list[i]);
            if (list[i] is IReturnOperation or IBranchOperation)
                return; // what follows is unreachable; the compiler already warns about it
            List<string> flags = FlagsSetBy(list[i].Syntax);
            if (flags.Count > 0 && i < list.Count - 1)
            {
                LowerUnlessJumped(flags, list.Skip(i + 1).ToList());
                return;
            }
        }
    }

    /// <summary>
    /// The rest of a block after a statement that may jump runs under an <c>if</c> on the jump flags. A local array's
    /// allocation stays at the top level (its adjoint buffer lives to the end of the method), so at the top level the
    /// rest is cut at each allocation, which runs whatever the flags, allocating nothing (length 0) after a return.
    /// </summary>
    private void LowerUnlessJumped(List<string> flags, List<IOperation> rest)
    {
        int allocation = _statements == _topLevel ? rest.FindIndex(IsArrayDeclaration) : -1;
        List<IOperation> guarded = allocation < 0 ? rest : rest.Take(allocation).ToList();
        if (guarded.Count > 0)
        {
            int condition = NoFlagSet(flags);
            NodeBuilder nodes = TakeNodes();
            Block block = LowerBlock(guarded);
            Add(new IfStatement($"if (!({string.Join(" || ", flags)})) — the rest of the block, unless a jump above was taken", nodes.ToNodes(), condition, block,
                new Block(EquatableArray<Statement>.Empty)));
        }
        if (allocation < 0)
            return;
        _allocationGuard = flags;
        LowerStatement(rest[allocation]);
        _allocationGuard = null;
        if (allocation < rest.Count - 1)
            LowerUnlessJumped(flags, rest.Skip(allocation + 1).ToList());
    }

    private static bool IsArrayDeclaration(IOperation statement) =>
        statement is IVariableDeclarationGroupOperation { Declarations.Length: 1 } group && group.Declarations[0].Declarators.Length == 1
        && group.Declarations[0].Declarators[0].GetVariableInitializer()?.Value is IArrayCreationOperation;

    private List<string> FlagsSetBy(SyntaxNode syntax)
    {
        var flags = new List<string>();
        bool returns = false, breaks = false, continues = false;
        foreach (SyntaxNode node in syntax.DescendantNodesAndSelf(n => n is not (LambdaExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            returns |= node is ReturnStatementSyntax;
            if (node is BreakStatementSyntax or ContinueStatementSyntax && OwnLoop(node) == OwnLoop(syntax.Parent ?? syntax, inclusive: true))
            {
                breaks |= node is BreakStatementSyntax;
                continues |= node is ContinueStatementSyntax;
            }
        }
        if (returns && _returnedFlag is not null)
            flags.Add(_returnedFlag);
        if (_loops.Count > 0)
        {
            if (breaks && _loops.Peek().BreakFlag is string broke)
                flags.Add(broke);
            if (continues && _loops.Peek().ContinueFlag is string continued)
                flags.Add(continued);
        }
        return flags;
    }

    /// <summary>The innermost loop around <paramref name="node"/> (a jump's target).</summary>
    private static SyntaxNode? OwnLoop(SyntaxNode node, bool inclusive = false)
    {
        for (SyntaxNode? current = inclusive ? node : node.Parent; current is not null; current = current.Parent)
        {
            if (current is ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or CommonForEachStatementSyntax)
                return current;
        }
        return null;
    }

    private static bool HasJump<T>(SyntaxNode loopBody, SyntaxNode loop) where T : SyntaxNode =>
        loopBody.DescendantNodesAndSelf(n => n is not (LambdaExpressionSyntax or LocalFunctionStatementSyntax)).OfType<T>().Any(j => OwnLoop(j) == loop);

    private void LowerStatement(IOperation statement)
    {
        switch (statement)
        {
            case IBlockOperation when statement.Syntax.Parent is UnsafeStatementSyntax unsafeBlock:
                UnsupportedStatement(unsafeBlock, "An unsafe block", "write the method without pointers");
                return;
            case IBlockOperation block:
                LowerStatements(block.Operations);
                return;
            case IEmptyOperation:
                return;
            case IVariableDeclarationGroupOperation group:
                LowerDeclarations(group);
                return;
            case IExpressionStatementOperation { Operation: var expression }:
                LowerExpressionStatement(expression, SourceText(statement));
                return;
            case IReturnOperation { ReturnedValue: { } returned }:
                string source = statement.Syntax is ReturnStatementSyntax ? SourceText(statement) : "return " + SourceText(statement);
                if (_returnsArray)
                    ReturnArray(returned);
                else
                    AssignValue(source, _result!, returned, declares: false);
                if (_returnedFlag is not null && !IsLastTopLevel(statement))
                    AssignConstant(source, _returnedFlag, 1);
                return;
            case IConditionalOperation conditional:
                LowerIf(conditional);
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
                UnsupportedStatement(statement.Syntax, DescribeStatement(statement.Syntax.Kind()), StatementAdvice(statement.Syntax.Kind()));
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
        statement.Parent is IBlockOperation { Parent: IMethodBodyOperation } block && block.Operations[block.Operations.Length - 1] == statement;

    private void LowerDeclarations(IVariableDeclarationGroupOperation group)
    {
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
                if (VariableType(declarator.Symbol.Type) is null)
                {
                    Report(Diagnostics.UnsupportedExpression, declarator.Syntax,
                        $"A local of type '{declarator.Symbol.Type.ToDisplayString()}'", "use double, float, int, long, bool or a double[]/float[] local");
                    return;
                }
                string name = DeclareLocal(declarator.Symbol);
                IVariableInitializerOperation? initializer = declarator.GetVariableInitializer();
                if (initializer is null)
                    continue;
                string source = group.Declarations.Length == 1 && declaration.Declarators.Length == 1
                    ? SourceText(group)
                    : $"{declarator.Symbol.Type.ToDisplayString()} {Regex.Replace(declarator.Syntax.ToString(), @"\s+", " ")};";
                if (initializer.Value is IArrayCreationOperation creation)
                    LowerAllocation(source, name, creation);
                else
                    AssignValue(source, name, initializer.Value, declares: true);
            }
        }
    }

    private void LowerAllocation(string source, string array, IArrayCreationOperation creation)
    {
        if (creation.Initializer is not null || creation.DimensionSizes.Length != 1)
        {
            Report(Diagnostics.UnsupportedExpression, creation.Syntax, "An array initializer or a multi-dimensional array", "create it with new T[length] and fill it in a loop");
            return;
        }
        if (_statements != _topLevel || !_allocated.Add(array))
        {
            Report(Diagnostics.UnsupportedExpression, creation.Syntax, "Allocating a local array inside a branch or loop", "allocate it once, at the top level of the method");
            return;
        }
        if (LowerValue(creation.DimensionSizes[0]) is not int length)
            return;
        if (_allocationGuard is not null)
            length = _nodes.Add(Op.Conditional, ScalarType.Int, NoFlagSet(_allocationGuard), length, _nodes.Constant(0, ScalarType.Int));
        Add(new AllocateStatement(source, TakeNodes().ToNodes(), array, length));
    }

    private void LowerExpressionStatement(IOperation expression, string source)
    {
        switch (expression)
        {
            case ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation element } assignment:
                LowerStore(source, element, assignment.Value, null);
                return;
            case ICompoundAssignmentOperation { Target: IArrayElementReferenceOperation element } compound when ToOp(compound.OperatorKind) is Op op:
                LowerStore(source, element, compound.Value, op);
                return;
            case ISimpleAssignmentOperation assignment when TargetVariable(assignment.Target) is string target:
                AssignValue(source, target, assignment.Value, declares: false);
                return;
            case ICompoundAssignmentOperation compound when TargetVariable(compound.Target) is string target:
                if (compound.OperatorMethod is not null || ToOp(compound.OperatorKind) is not Op binary)
                {
                    Report(Diagnostics.UnsupportedExpression, compound.Syntax, $"The compound assignment '{compound.Syntax}'", "write it as a plain assignment");
                    return;
                }
                ScalarType targetType = Symbols.ToScalarType(compound.Target.Type)!.Value;
                if (LowerValue(compound.Value) is int right)
                    Add(new AssignStatement(source, TakeNodes(Combine(binary, _nodes.Read(target, targetType), right, targetType), out int value), target, value, false));
                return;
            case IIncrementOrDecrementOperation step when TargetVariable(step.Target) is string target:
                ScalarType type = Symbols.ToScalarType(step.Target.Type)!.Value;
                int stepped = _nodes.Add(step.Kind == OperationKind.Increment ? Op.Add : Op.Subtract, type, _nodes.Read(target, type), _nodes.Constant(1, type));
                Add(new AssignStatement(source, TakeNodes(stepped, out int result), target, result, false));
                return;
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                UnsupportedStatement(expression.Syntax, "Assigning to anything but a local variable, a local array element or a scalar parameter",
                    "assign to a local variable instead");
                return;
            default:
                UnsupportedStatement(expression.Syntax, $"The expression statement '{expression.Syntax}'", "only assignments, declarations and return statements can stand alone");
                return;
        }
    }

    private void LowerStore(string source, IArrayElementReferenceOperation element, IOperation value, Op? compound)
    {
        if (ArrayVariable(element.ArrayReference) is not (string array, var kind))
            return;
        if (kind == VariableKind.Parameter)
        {
            Report(Diagnostics.ParameterArrayWrite, element.Syntax, array);
            return;
        }
        ScalarType type = Symbols.ToScalarType(element.Type)!.Value;
        if (LowerIndex(element) is not int index || LowerValue(value) is not int right)
            return;
        int stored = compound is Op op ? Combine(op, _nodes.Add(Op.Element, type, new[] { index }, 0, array, null), right, type) : _nodes.Convert(right, type);
        Add(new StoreStatement(source, _nodes.ToNodes(), array, index, stored));
        _nodes = new NodeBuilder();
    }

    private void LowerIf(IConditionalOperation conditional)
    {
        int? condition = LowerValue(conditional.Condition);
        NodeBuilder nodes = TakeNodes();
        Block then = LowerBlock(conditional.WhenTrue);
        Block otherwise = LowerBlock(conditional.WhenFalse);
        if (condition is int c)
            Add(new IfStatement($"if ({Regex.Replace(conditional.Condition.Syntax.ToString(), @"\s+", " ")})", nodes.ToNodes(), c, then, otherwise));
    }

    private void LowerLoop(IOperation loop, IOperation? conditionOperation, IOperation body, IEnumerable<IOperation> incrementors, bool testsFirst, string source)
    {
        Loop context = JumpFlags(body.Syntax, loop.Syntax, out List<string> leaveFlags);
        int? own = conditionOperation is null ? _nodes.Constant(1, ScalarType.Bool) : LowerValue(conditionOperation);
        if (own is not int ownCondition)
            return;
        int condition = leaveFlags.Count == 0 ? ownCondition : _nodes.Add(Op.And, ScalarType.Bool, NoFlagSet(leaveFlags), ownCondition);
        NodeBuilder nodes = TakeNodes();

        _loops.Push(context);
        List<Statement> outer = _statements;
        _statements = new List<Statement>();
        if (context.ContinueFlag is not null)
            AssignConstant("(no continue yet in this iteration)", context.ContinueFlag, 0);
        LowerStatements(body is IBlockOperation block ? block.Operations : new[] { body });
        List<IOperation> steps = incrementors.ToList();
        if (steps.Count > 0)
        {
            if (leaveFlags.Count > 0)
            {
                int guard = NoFlagSet(leaveFlags);
                NodeBuilder guardNodes = TakeNodes();
                Block stepBlock = LowerBlock(steps);
                Add(new IfStatement($"if (!({string.Join(" || ", leaveFlags)})) — step unless the loop is being left", guardNodes.ToNodes(), guard, stepBlock, new Block(EquatableArray<Statement>.Empty)));
            }
            else
            {
                foreach (IOperation step in steps)
                    LowerStatement(step);
            }
        }
        var loopBody = new Block(_statements.ToEquatableArray());
        _statements = outer;
        _loops.Pop();
        Add(new LoopStatement(source, nodes.ToNodes(), condition, loopBody, testsFirst));
    }

    /// <summary>
    /// The flags a loop's jumps set: <c>broke</c> (cleared here, before the loop) and <c>continued</c> (cleared at the
    /// top of each iteration by the caller), and in <paramref name="leaveFlags"/> those that end the loop (a break, a
    /// return inside), tested before the loop's own condition.
    /// </summary>
    private Loop JumpFlags(SyntaxNode body, SyntaxNode loop, out List<string> leaveFlags)
    {
        var context = new Loop();
        if (HasJump<BreakStatementSyntax>(body, loop))
        {
            context.BreakFlag = NewVariable("broke", ScalarType.Bool);
            AssignConstant("(no break yet)", context.BreakFlag, 0);
        }
        if (HasJump<ContinueStatementSyntax>(body, loop))
            context.ContinueFlag = NewVariable("continued", ScalarType.Bool);
        leaveFlags = new List<string>();
        if (_returnedFlag is not null && body.DescendantNodesAndSelf().OfType<ReturnStatementSyntax>().Any())
            leaveFlags.Add(_returnedFlag);
        if (context.BreakFlag is not null)
            leaveFlags.Add(context.BreakFlag);
        return context;
    }

    /// <summary><c>foreach (var v in array)</c> is a counted loop over the array's indices.</summary>
    private void LowerForEach(IForEachLoopOperation loop)
    {
        IOperation collection = loop.Collection is IConversionOperation conversion ? conversion.Operand : loop.Collection;
        if (collection.Type is not IArrayTypeSymbol || ArrayVariable(collection) is not (string array, _) || loop.LoopControlVariable is not IVariableDeclaratorOperation { Symbol: var element })
        {
            UnsupportedStatement(loop.Syntax, "A foreach loop over something other than a double[] or float[] variable", "index the values with a for loop");
            return;
        }
        string index = NewVariable("index", ScalarType.Int);
        AssignConstant($"int {index} = 0; (position in {array})", index, 0);
        string name = DeclareLocal(element);
        ScalarType type = _variablesByName[name].Type;
        string source = $"foreach ({element.Type.ToDisplayString()} {element.Name} in {collection.Syntax})";

        Loop context = JumpFlags(loop.Body.Syntax, loop.Syntax, out List<string> leaveFlags);
        int condition = _nodes.Add(Op.Less, ScalarType.Bool, _nodes.Read(index, ScalarType.Int), _nodes.Add(Op.Length, ScalarType.Int, null, 0, array, null));
        if (leaveFlags.Count > 0)
            condition = _nodes.Add(Op.And, ScalarType.Bool, NoFlagSet(leaveFlags), condition);
        NodeBuilder nodes = TakeNodes();
        _loops.Push(context);
        List<Statement> outer = _statements;
        _statements = new List<Statement>();
        if (context.ContinueFlag is not null)
            AssignConstant("(no continue yet in this iteration)", context.ContinueFlag, 0);
        int read = _nodes.Add(Op.Element, type, new[] { _nodes.Read(index, ScalarType.Int) }, 0, array, null);
        Add(new AssignStatement($"{element.Type.ToDisplayString()} {element.Name} = {collection.Syntax}[{index}];", TakeNodes().ToNodes(), name, read, true));
        // The index steps even after a break (the loop's condition tests the flag first), so the reverse sweep undoes
        // one step per iteration, as for any counted loop.
        LowerStatements(loop.Body is IBlockOperation block ? block.Operations : new[] { loop.Body });
        int next = _nodes.Add(Op.Add, ScalarType.Int, _nodes.Read(index, ScalarType.Int), _nodes.Constant(1, ScalarType.Int));
        Add(new AssignStatement($"{index}++;", TakeNodes(next, out int value), index, value, false));
        var body = new Block(_statements.ToEquatableArray());
        _statements = outer;
        _loops.Pop();
        Add(new LoopStatement(source, nodes.ToNodes(), condition, body, TestsFirst: true));
    }

    private void AssignValue(string source, string target, IOperation value, bool declares)
    {
        ScalarType type = _variablesByName[target].Type;
        if (LowerValue(value) is int node)
            Add(new AssignStatement(source, TakeNodes(_nodes.Convert(node, type), out int result), target, result, declares));
        else
            _nodes = new NodeBuilder();
    }

    private void AssignConstant(string source, string target, double value)
    {
        ScalarType type = _variablesByName[target].Type;
        Add(new AssignStatement(source, TakeNodes(_nodes.Constant(value, type), out int node), target, node, false));
    }

    /// <summary>A condition that holds when none of <paramref name="flags"/> is set: <c>!(f1 || f2)</c>.</summary>
    private int NoFlagSet(List<string> flags)
    {
        int any = _nodes.Read(flags[0], ScalarType.Bool);
        for (int i = 1; i < flags.Count; i++)
            any = _nodes.Add(Op.Or, ScalarType.Bool, any, _nodes.Read(flags[i], ScalarType.Bool));
        return _nodes.Add(Op.Not, ScalarType.Bool, any);
    }

    private void Add(Statement statement) => _statements.Add(statement);

    private NodeBuilder TakeNodes()
    {
        NodeBuilder nodes = _nodes;
        _nodes = new NodeBuilder();
        return nodes;
    }

    private EquatableArray<Node> TakeNodes(int root, out int rootId)
    {
        rootId = root;
        return TakeNodes().ToNodes();
    }

    private string? TargetVariable(IOperation target) => target switch
    {
        ILocalReferenceOperation { Local: var local } when !local.IsRef && Symbols.ToScalarType(local.Type) is not null => DeclareLocal(local),
        IParameterReferenceOperation { Parameter: var parameter } when _variableNames.TryGetValue(parameter, out string? name) && Symbols.ToScalarType(parameter.Type) is not null => name,
        _ => null,
    };

    private (string Name, VariableKind Kind)? ArrayVariable(IOperation reference)
    {
        ISymbol? symbol = reference switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };
        if (symbol is not null && _variableNames.TryGetValue(symbol, out string? name) && _variablesByName[name] is { IsArray: true } variable)
            return (name, variable.Kind);
        Report(Diagnostics.UnsupportedExpression, reference.Syntax, $"The array expression '{reference.Syntax}'", "index a double[] or float[] parameter or local directly");
        return null;
    }

    // ---- expressions ----

    /// <summary>Applies a binary operator after the usual numeric promotion, converting the result back to <paramref name="resultType"/>.</summary>
    private int Combine(Op op, int left, int right, ScalarType resultType)
    {
        ScalarType operandType = Promote(_nodes.TypeOf(left), _nodes.TypeOf(right));
        int value = _nodes.Add(op, operandType, _nodes.Convert(left, operandType), _nodes.Convert(right, operandType));
        return _nodes.Convert(value, resultType);
    }

    private static ScalarType Promote(ScalarType a, ScalarType b) =>
        a == ScalarType.Double || b == ScalarType.Double ? ScalarType.Double
        : a == ScalarType.Float || b == ScalarType.Float ? ScalarType.Float
        : a == ScalarType.Long || b == ScalarType.Long ? ScalarType.Long
        : ScalarType.Int;

    /// <summary>Lowers an expression to the node holding its value, or returns <c>null</c> after reporting why it cannot.</summary>
    private int? LowerValue(IOperation operation)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        ScalarType? type = Symbols.ToScalarType(operation.Type);
        if (type is null && operation is IInvocationOperation { TargetMethod: var callee } && VariableType(callee.ReturnType) is (_, true) && Symbols.HasAttribute(callee, Symbols.DifferentiableAttribute))
            return Report(Diagnostics.UnsupportedExpression, operation.Syntax, $"Calling '{callee.Name}', which returns an array,",
                "compute its elements in this method (a loop filling a local array), or call it outside and pass the result in");
        if (type is null)
            return Report(Diagnostics.UnsupportedExpression, operation.Syntax,
                $"A value of type '{operation.Type?.ToDisplayString() ?? "unknown"}'", "use double, float, int, long or bool values");

        if (operation.ConstantValue is { HasValue: true, Value: var constant } && ToDouble(constant) is double value)
            return _nodes.Constant(value, type.Value);

        switch (operation)
        {
            case IConversionOperation conversion when conversion.OperatorMethod is null:
                return LowerValue(conversion.Operand) is int operand ? _nodes.Convert(operand, type.Value) : null;
            case ILocalReferenceOperation { Local: var local }:
                return _variableNames.TryGetValue(local, out string? localName) ? _nodes.Read(localName, type.Value) : Report(Diagnostics.UnsupportedExpression, operation.Syntax, $"Reading '{local.Name}'", "declare it inside the method");
            case IParameterReferenceOperation { Parameter: var parameter } when _variableNames.TryGetValue(parameter, out string? parameterName):
                return _nodes.Read(parameterName, type.Value);
            case IArrayElementReferenceOperation element:
                return ArrayVariable(element.ArrayReference) is (string array, _) && LowerIndex(element) is int index
                    ? _nodes.Add(Op.Element, type.Value, new[] { index }, 0, array, null)
                    : null;
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { Type: IArrayTypeSymbol } instance }:
                return ArrayVariable(instance) is (string lengthOf, _) ? _nodes.Add(Op.Length, ScalarType.Int, null, 0, lengthOf, null) : null;
            case IUnaryOperation { OperatorMethod: null, OperatorKind: UnaryOperatorKind.Plus } plus:
                return LowerValue(plus.Operand);
            case IUnaryOperation { OperatorMethod: null, OperatorKind: UnaryOperatorKind.Minus } minus:
                return LowerValue(minus.Operand) is int negated ? _nodes.Add(Op.Negate, type.Value, negated) : null;
            case IUnaryOperation { OperatorMethod: null, OperatorKind: UnaryOperatorKind.Not } not:
                return LowerValue(not.Operand) is int inverted ? _nodes.Add(Op.Not, ScalarType.Bool, inverted) : null;
            case IBinaryOperation { OperatorMethod: null } binary when ToOp(binary.OperatorKind) is Op op:
                int? left = LowerValue(binary.LeftOperand);
                int? right = LowerValue(binary.RightOperand);
                if (left is not int l || right is not int r)
                    return null;
                if (op is Op.And or Op.Or)
                    return _nodes.Add(op, ScalarType.Bool, l, r);
                if (IsComparison(op))
                {
                    ScalarType operands = Promote(_nodes.TypeOf(l), _nodes.TypeOf(r));
                    return _nodes.Add(op, ScalarType.Bool, _nodes.Convert(l, operands), _nodes.Convert(r, operands));
                }
                return _nodes.Add(op, type.Value, l, r);
            case IConditionalOperation conditional:
                return LowerConditional(conditional, type.Value);
            case IInvocationOperation invocation:
                return LowerCall(invocation, type.Value);
            default:
                return Report(Diagnostics.UnsupportedExpression, operation.Syntax, DescribeExpression(operation), "rewrite it with arithmetic, locals and Math calls");
        }
    }

    private int? LowerIndex(IArrayElementReferenceOperation element)
    {
        if (element.Indices.Length != 1)
            return Report(Diagnostics.UnsupportedExpression, element.Syntax, "A multi-dimensional index", "use a one-dimensional array");
        return LowerValue(element.Indices[0]) is int index ? _nodes.Convert(index, ScalarType.Int) : null;
    }

    /// <summary>A differentiable <c>c ? a : b</c> becomes an <c>if</c> assigning a new variable, so only the taken branch runs and is differentiated.</summary>
    private int? LowerConditional(IConditionalOperation conditional, ScalarType type)
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
        string temporary = NewVariable("choice", type);
        int? condition = LowerValue(conditional.Condition);
        NodeBuilder conditionNodes = TakeNodes();
        string text = Regex.Replace(conditional.Syntax.ToString(), @"\s+", " ");
        Block then = LowerBranchValue(conditional.WhenTrue!, temporary, text);
        Block otherwise = LowerBranchValue(conditional.WhenFalse!, temporary, text);
        _nodes = outer;
        if (condition is not int c2)
            return null;
        Add(new IfStatement($"if ({conditional.Condition.Syntax}) — from {text}", conditionNodes.ToNodes(), c2, then, otherwise));
        return _nodes.Read(temporary, type);
    }

    private Block LowerBranchValue(IOperation value, string temporary, string source)
    {
        List<Statement> outer = _statements;
        _statements = new List<Statement>();
        AssignValue($"{temporary} = {Regex.Replace(value.Syntax.ToString(), @"\s+", " ")}; — from {source}", temporary, value, declares: false);
        var block = new Block(_statements.ToEquatableArray());
        _statements = outer;
        return block;
    }

    private int? LowerCall(IInvocationOperation invocation, ScalarType type)
    {
        IMethodSymbol target = invocation.TargetMethod;
        if (target.MethodKind == MethodKind.DelegateInvoke)
            return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, "Calling a delegate or lambda", "call a [Differentiable] method instead");
        if (SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _method.OriginalDefinition))
            return Report(Diagnostics.Recursion, invocation.Syntax, _method.Name);

        Op op;
        CallTarget? call = null;
        if (MathFunctions.TryGetOperation(target, out Op math))
            op = math;
        else if (Symbols.HasAttribute(target, Symbols.DifferentiableAttribute) && target.IsStatic && !target.IsGenericMethod)
        {
            DerivativeKinds missing = CalleeDerivatives(_derivatives) & ~Symbols.DerivativesOf(target);
            if (missing != 0)
                return Report(Diagnostics.CalleeLacksDerivative, invocation.Syntax, target.Name, _method.Name, missing.ToString().Replace(", ", " | Derivatives."));
            op = Op.Call;
            bool[] differentiable = target.Parameters.Select(p => IsFloatingPoint(p.Type) && !Symbols.HasAttribute(p, Symbols.NoDerivativeAttribute)).ToArray();
            call = Target(target, differentiable) with { Undifferentiated = Undifferentiated(invocation, differentiable, pullback: false) };
        }
        else if (type.IsFloatingPoint() && ScalarPullback(target) is { } rule)
        {
            if ((_derivatives & DerivativeKinds.Hessian) != 0)
                return Report(Diagnostics.PullbackLacksSecondDerivative, invocation.Syntax, target.Name, _method.Name);
            if (Symbols.WhyInaccessible(rule.Pullback, _method.ContainingType) is string why)
                return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, $"Calling '{target.Name}', whose pullback the generated code cannot call ({why}),",
                    "make the pullback and the types around it internal or public");
            op = Op.Call;
            call = new CallTarget(target.ToDisplayString(QualifiedName), rule.Gradients.ToEquatableArray(), DerivativeKinds.Gradient | DerivativeKinds.Tangent,
                rule.Pullback.ToDisplayString(QualifiedName), Undifferentiated(invocation, rule.Gradients, pullback: true));
        }
        else if (!type.IsFloatingPoint() && target.IsStatic)
        {
            op = Op.PassiveCall;
            call = Target(target, target.Parameters.Select(_ => false));
        }
        else if (target.IsStatic && Pullbacks.Find(target) is not null)
            return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, $"Calling '{target.Name}' through its [DerivativeOf] pullback",
                "a method over scalars uses the pullbacks of static, non-generic methods taking double, float, int, long or bool values and returning double or float; mark it [Differentiable] instead");
        else
            return Report(Diagnostics.NoKnownDerivative, invocation.Syntax, target.ToDisplayString());

        var arguments = new int[invocation.Arguments.Length];
        bool ok = true;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter!.RefKind != RefKind.None)
            {
                Report(Diagnostics.UnsupportedExpression, argument.Syntax, "Passing a ref, out or in argument", "pass the value");
                ok = false;
            }
            else if (argument.Parameter.Type is IArrayTypeSymbol)
            {
                IOperation passed = argument.Value is IConversionOperation conversion ? conversion.Operand : argument.Value;
                if (ArrayVariable(passed) is (string array, _))
                    arguments[argument.Parameter.Ordinal] = _nodes.Add(Op.ArrayArgument, _variablesByName[array].Type, null, 0, array, null);
                else
                    ok = false;
            }
            else if (LowerValue(argument.Value) is int value)
                arguments[argument.Parameter.Ordinal] = Symbols.ToScalarType(argument.Parameter.Type) is ScalarType p ? _nodes.Convert(value, p) : value;
            else
                ok = false;
        }
        return ok ? _nodes.Add(op, type, arguments, 0, null, call) : null;
    }

    /// <summary>
    /// The <c>[DerivativeOf]</c> rule of a static, non-generic scalar function: double or float result, parameters the
    /// forward program can pass by value (double, float, int, long, bool); <c>null</c> for anything else.
    /// </summary>
    private static Pullbacks.Rule? ScalarPullback(IMethodSymbol target) =>
        target.IsStatic && !target.IsGenericMethod && target.ContainingType.TypeParameters.Length == 0
        && Symbols.ToScalarType(target.ReturnType) is ScalarType result && result.IsFloatingPoint()
        && target.Parameters.All(p => p.RefKind == RefKind.None && Symbols.ToScalarType(p.Type) is not null)
            ? Pullbacks.Find(target)
            : null;

    private static bool IsFloatingPoint(ITypeSymbol type) => VariableType(type) is var (t, _) && t.IsFloatingPoint();

    /// <summary>The floating-point parameters whose derivative the callee leaves out, each with the argument this call passes it.</summary>
    private static EquatableArray<UndifferentiatedParameter> Undifferentiated(IInvocationOperation invocation, IReadOnlyList<bool> differentiable, bool pullback) =>
        invocation.Arguments
            .Where(a => a.Parameter is { } p && !differentiable[p.Ordinal] && IsFloatingPoint(p.Type))
            .Select(a => new UndifferentiatedParameter(a.Parameter!.Ordinal, a.Parameter.Name, invocation.TargetMethod.Name, pullback, SourceSpan.From(a.Syntax.GetLocation())))
            .ToEquatableArray();

    /// <summary>What a callee must have for the caller's derivatives: a Jacobian runs the callee's tangents and gradients.</summary>
    private static DerivativeKinds CalleeDerivatives(DerivativeKinds caller) =>
        (caller & DerivativeKinds.Jacobian) == 0 ? caller : (caller & ~DerivativeKinds.Jacobian) | DerivativeKinds.Gradient | DerivativeKinds.Tangent;

    private static CallTarget Target(IMethodSymbol method, IEnumerable<bool> differentiable) =>
        new(method.ToDisplayString(QualifiedName), differentiable.ToEquatableArray(), Symbols.DerivativesOf(method));

    /// <summary><c>global::Ns.Type.Method</c>, keywords escaped (<c>@double</c>), so that suffixes make names too (<c>@doubleGradient</c>).</summary>
    private static readonly SymbolDisplayFormat QualifiedName = SymbolDisplayFormat.FullyQualifiedFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType);

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
        _ => null,
    };

    private static bool IsComparison(Op op) => op is Op.Less or Op.LessOrEqual or Op.Greater or Op.GreaterOrEqual or Op.Equal or Op.NotEqual;

    private static double? ToDouble(object? constant) => constant switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        bool b => b ? 1 : 0,
        _ => null,
    };

    private int? Report(DiagnosticDescriptor descriptor, SyntaxNode syntax, params string[] arguments)
    {
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, syntax.GetLocation(), arguments));
        return null;
    }

    private void UnsupportedStatement(SyntaxNode syntax, string what, string advice) =>
        Report(Diagnostics.UnsupportedStatement, syntax, what, advice);

    /// <summary>The statement on one line, for the comment above its generated code.</summary>
    private static string SourceText(IOperation operation) =>
        Regex.Replace(operation.Syntax.ToString(), @"\s+", " ").Trim() + (operation.Syntax is StatementSyntax ? "" : ";");

    private static string DescribeStatement(SyntaxKind kind) => $"A {KindName(kind)}";

    private static string StatementAdvice(SyntaxKind kind) => kind switch
    {
        SyntaxKind.GotoStatement or SyntaxKind.LabeledStatement => "use loops with break and continue",
        SyntaxKind.TryStatement or SyntaxKind.ThrowStatement => "check inputs before calling the method; a gradient cannot flow through an exception",
        SyntaxKind.LocalFunctionStatement => "make it a separate [Differentiable] method",
        SyntaxKind.SwitchStatement => "use if/else",
        _ => "use assignments, if/else, loops and return",
    };

    private static string DescribeExpression(IOperation operation) => operation switch
    {
        IAnonymousFunctionOperation => "A lambda expression",
        ITranslatedQueryOperation => "A LINQ query",
        IFieldReferenceOperation field => $"Reading field '{field.Field.Name}'",
        IPropertyReferenceOperation property => $"Reading property '{property.Property.Name}'",
        IBinaryOperation binary => $"The operator '{binary.OperatorKind}' in '{binary.Syntax}'",
        IUnaryOperation unary => $"The operator '{unary.OperatorKind}' in '{unary.Syntax}'",
        _ => $"A {KindName(operation.Syntax.Kind())}",
    };

    /// <summary><c>GotoStatement</c> → <c>goto statement</c>.</summary>
    private static string KindName(SyntaxKind kind)
    {
        var words = new StringBuilder();
        foreach (char c in kind.ToString())
        {
            if (char.IsUpper(c) && words.Length > 0)
                words.Append(' ');
            words.Append(char.ToLowerInvariant(c));
        }
        return words.ToString();
    }
}
