using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
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
internal sealed partial class BodyLowering
{
    private readonly IMethodSymbol _method;
    private readonly DerivativeKinds _derivatives;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly ImplicitHelpers _helpers;
    /// <summary>The parameters the body assigns to somewhere: a [NoDerivative] one among them may come to vary.</summary>
    private readonly HashSet<IParameterSymbol> _assignedParameters = new(SymbolEqualityComparer.Default);

    /// <summary>Whether the compilation checks integer overflow (<c>CheckForOverflowUnderflow</c>), as the generated code then does.</summary>
    private bool _projectChecksOverflow;
    private readonly NameAllocator _names;
    private readonly Dictionary<ISymbol, string> _variableNames = new(SymbolEqualityComparer.Default);
    private readonly List<VariableSpec> _variables = new();
    private readonly Dictionary<string, VariableSpec> _variablesByName = new();
    private readonly HashSet<string> _allocated = new();
    private readonly Stack<Loop> _loops = new();
    /// <summary>The variable holding the returned value; for an array result, the local array returned, known at the first <c>return</c>.</summary>
    private string? _result;
    private bool _returnsArray;
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

    private BodyLowering(IMethodSymbol method, DerivativeKinds derivatives, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken, ImplicitHelpers helpers,
        ModelFields? model, List<ParameterSpec>? fields)
    {
        _method = method;
        _model = model;
        _fields = fields;
        _helpers = helpers;
        _derivatives = derivatives;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
        var reserved = new List<string>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            reserved.Add(parameter.Name);
            reserved.Add(Naming.Derivative(parameter.Name));
            // A struct parameter's leaves are parameters of their own, and its product and Hessian direction are named after it.
            if (StructLayout.Of(parameter.Type) is { Refusal: null } layout)
                reserved.AddRange(layout.Leaves.Select(l => FunctionParser.StructLeafName(parameter.Name, l.Name)));
            else if (StructLayout.ArrayOf(parameter.Type) is not null)
                reserved.Add(FunctionParser.StructArrayName(parameter.Name));
            else if (FunctionParser.JaggedElement(parameter.Type) is not null)
                reserved.Add(FunctionParser.StructArrayName(parameter.Name));
            else if (FunctionParser.GridElement(parameter.Type) is not null)
                reserved.AddRange(new[] { FunctionParser.StructArrayName(parameter.Name) }.Concat(FunctionParser.GridDimensions.Select(d => FunctionParser.StructLeafName(parameter.Name, d.Name))));
            else
                continue;
            reserved.Add(Naming.Product(parameter.Name));
            reserved.Add(Naming.Tangent(parameter.Name));
        }
        _returnsArray = VariableType(method.ReturnType) is (_, true);
        if (_returnsArray || ReturnsElements(method.ReturnType))
            reserved.Add(Naming.ResultDerivative);
        if (model is not null)
            reserved.AddRange(Naming.ModelParameters(derivatives));
        if ((derivatives & DerivativeKinds.TrainStep) != 0)
            reserved.Add(Naming.Optimizer);
        _names = new NameAllocator(reserved);
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            // An enum parameter keeps its type in the signatures; the body reads it as its number (a Member node).
            if (parameter.Type.TypeKind != TypeKind.Enum && VariableType(parameter.Type) is var (type, isArray))
            {
                _variableNames[parameter] = parameter.Name;
                AddVariable(new VariableSpec(parameter.Name, type, isArray ? ValueShape.Array : ValueShape.Scalar, VariableKind.Parameter));
            }
            else if (Symbols.MatrixType(parameter.Type) is var (element, shape))
            {
                _variableNames[parameter] = parameter.Name;
                AddVariable(new VariableSpec(parameter.Name, element, shape, VariableKind.Parameter));
            }
            else if (StructLayout.Of(parameter.Type) is { Refusal: null } layout)
                BindStructParameter(parameter, layout);
            else if (StructLayout.ArrayOf(parameter.Type) is ({ Refusal: null } structElement, _))
                BindStructArray(parameter, structElement);
            else if (FunctionParser.GridElement(parameter.Type) is ScalarType gridElement)
                BindGrid(parameter, gridElement);
            else if (FunctionParser.JaggedElement(parameter.Type) is ScalarType rowElement)
                BindJagged(parameter, rowElement);
        }
        if (model is not null)
            BindParameterFields();
        if (IsTupleOfNumbers(method.ReturnType))
        {
            // A tuple result is one variable per element; Result names the first.
            _resultElements = ((INamedTypeSymbol)method.ReturnType).TupleElements.Select(e => NewVariable("result_" + e.Name, ValueType(e.Type)!.Value)).ToList();
            _result = _resultElements[0];
        }
        else if (StructLayout.Of(method.ReturnType) is { Refusal: null } resultLayout)
        {
            // A struct result is one variable per leaf, as a tuple's.
            _resultElements = NewStruct("result", resultLayout, VariableKind.Synthetic).Leaves;
            _result = _resultElements[0];
        }
        else if (Symbols.MatrixType(method.ReturnType) is (var element, ValueShape.Matrix))
            _result = NewVariable("result", element, ValueShape.Matrix, VariableKind.Synthetic);
        else if (!_returnsArray)
            _result = NewVariable("result", Symbols.ToScalarType(method.ReturnType) ?? ScalarType.Double);
        _statements = _topLevel;
    }

    /// <summary>Lowers <paramref name="body"/>; returns <c>null</c> after adding to <paramref name="diagnostics"/> when it cannot.</summary>
    /// <param name="helpers">The implicit helpers of the <c>[Differentiable]</c> method being parsed, which this body's calls add to.</param>
    /// <param name="model">For a model's method, the model, whose fields the body reads as variables.</param>
    /// <param name="fields">For a model's method, receives the fields the derivatives bind (<see cref="FunctionSpec.Fields"/>).</param>
    public static ForwardProgram? Lower(IMethodSymbol method, DerivativeKinds derivatives, IOperation body, List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken, ImplicitHelpers helpers, ModelFields? model = null, List<ParameterSpec>? fields = null)
    {
        var lowering = new BodyLowering(method, derivatives, diagnostics, cancellationToken, helpers, model, model is null ? null : fields ?? new List<ParameterSpec>());
        foreach (IParameterReferenceOperation parameter in body.Descendants().OfType<IParameterReferenceOperation>().Where(IsAssigned))
            lowering._assignedParameters.Add(parameter.Parameter);
        int errorsBefore = diagnostics.Count;
        lowering._projectChecksOverflow = body.SemanticModel?.Compilation.Options.CheckOverflow ?? false;
        IOperation block = body is IMethodBodyOperation methodBody ? (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody! : body;
        if (NeedsReturnedFlag(block))
        {
            lowering._returnedFlag = lowering.NewVariable("returned", ScalarType.Bool);
            lowering.AssignConstant("bool returned = false; (set by a return inside control flow)", lowering._returnedFlag, 0);
        }
        lowering._body = (IBlockOperation)block;
        lowering.LowerStatements(lowering._body.Operations);
        // A body whose end is unreachable (a loop that never ends) may have no return at all.
        if (lowering._result is null && diagnostics.Count == errorsBefore)
            lowering.UnsupportedStatement(block.Syntax, "A method returning an array without a return statement", "return a local array created with new double[length]");
        if (diagnostics.Count > errorsBefore)
            return null;
        var program = new ForwardProgram(lowering._variables.ToEquatableArray(), new Block(lowering._statements.ToEquatableArray()).Numbered(), lowering._result!,
            (lowering._resultElements ?? new List<string>()).ToEquatableArray());
        lowering.CheckRebinds(program);
        return diagnostics.Count > errorsBefore ? null : program;
    }

    /// <summary>
    /// Whether an integer operation checks overflow otherwise than the project: <c>checked(n * m)</c> in a project that
    /// does not, integer arithmetic in <c>unchecked(…)</c> in one that does. Reported as BP1002, once per place: the
    /// generated code is compiled with the project's setting, so its derivative methods would wrap where the method
    /// throws, or throw where it wraps. Asked of each operation as it is lowered, so inlined bodies answer to it too.
    /// </summary>
    private bool ChecksOverflowOtherwise(IOperation operation)
    {
        if (!IsIntegerArithmetic(operation))
            return false;
        bool differs = _projectChecksOverflow ? InUnchecked(operation.Syntax) : operation switch
        {
            IBinaryOperation binary => binary.IsChecked,
            IUnaryOperation unary => unary.IsChecked,
            IConversionOperation conversion => conversion.IsChecked,
            IIncrementOrDecrementOperation step => step.IsChecked,
            ICompoundAssignmentOperation compound => compound.IsChecked,
            _ => false,
        };
        if (!differs)
            return false;
        var diagnostic = DiagnosticInfo.Create(Diagnostics.UnsupportedExpression, operation.Syntax.GetLocation(),
            _projectChecksOverflow ? $"Unchecked integer arithmetic ('{OneLine(operation.Syntax)}') in a project that checks overflow" : $"Checked integer arithmetic ('{OneLine(operation.Syntax)}')",
            "leave it to the project's setting (CheckForOverflowUnderflow), with which the generated code is compiled, or test the bound with an if and throw");
        // An operation lowered twice (an index read for each member of a struct) is one place.
        if (!_diagnostics.Contains(diagnostic))
            _diagnostics.Add(diagnostic);
        return true;
    }

    /// <summary>Whether the innermost <c>checked</c> or <c>unchecked</c> around a node is <c>unchecked</c>.</summary>
    private static bool InUnchecked(SyntaxNode node) =>
        node.AncestorsAndSelf().FirstOrDefault(n => n is CheckedExpressionSyntax or CheckedStatementSyntax) is { } context
        && (context.IsKind(SyntaxKind.UncheckedExpression) || context.IsKind(SyntaxKind.UncheckedStatement));

    /// <summary>An operation on integers that may overflow: arithmetic, a conversion, a step, a compound assignment.</summary>
    private static bool IsIntegerArithmetic(IOperation operation) =>
        operation is IBinaryOperation or IUnaryOperation or IConversionOperation or IIncrementOrDecrementOperation or ICompoundAssignmentOperation
        && operation.Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Byte or SpecialType.System_SByte
            or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64;

    private static bool IsAssigned(IOperation reference) => reference.Parent switch
    {
        IAssignmentOperation assignment => assignment.Target == reference,
        IIncrementOrDecrementOperation => true,
        ITupleOperation tuple => tuple.Parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == tuple,
        _ => false,
    };

    private string NewVariable(string wanted, ScalarType type, bool isArray = false, VariableKind kind = VariableKind.Synthetic) =>
        NewVariable(wanted, type, isArray ? ValueShape.Array : ValueShape.Scalar, kind);

    private string NewVariable(string wanted, ScalarType type, ValueShape shape, VariableKind kind)
    {
        string name = _names.Allocate(wanted);
        AddVariable(new VariableSpec(name, type, shape, kind));
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
        string name = Symbols.MatrixType(local.Type) is (var element, ValueShape.Matrix)
            ? NewVariable(local.Name, element, ValueShape.Matrix, VariableKind.Local)
            : VariableType(local.Type) is var (type, isArray) ? NewVariable(local.Name, type, isArray, VariableKind.Local) : throw new System.InvalidOperationException($"No variable for {local.Type}.");
        _variableNames[local] = name;
        return name;
    }

    private static (ScalarType Type, bool IsArray)? VariableType(ITypeSymbol type) =>
        type is IArrayTypeSymbol { Rank: 1, ElementType: var element } && Symbols.ToScalarType(element) is ScalarType elementType
            ? (elementType, true)
            : Symbols.SpanElement(type) is ScalarType spanElement ? (spanElement, true)
            : ValueType(type) is ScalarType scalar ? (scalar, false) : null;

    /// <summary>The forward program's type for a value: its scalar type, or for an enum its underlying int or long (an enum is a passive number here).</summary>
    private static ScalarType? ValueType(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: var underlying }
            ? Symbols.ToScalarType(underlying) is ScalarType number and (ScalarType.Int or ScalarType.Long) ? number : null
            : Symbols.ToScalarType(type);


    private void AssignValue(string source, string target, IOperation value, bool declares)
    {
        if (_variablesByName[target].IsMatrix)
        {
            AssignMatrix(source, target, value, declares);
            return;
        }
        ScalarType type = _variablesByName[target].Type;
        string? outerSource = _source;
        _source = source;
        int? lowered = LowerValue(value);
        _source = outerSource;
        if (lowered is int node)
            Add(new AssignStatement(source, TakeNodes(_nodes.Convert(node, type), out int result), target, result, declares));
        else
            _nodes = new NodeBuilder();
    }

    private void AssignConstant(string source, string target, double value, bool declares = false)
    {
        ScalarType type = _variablesByName[target].Type;
        Add(new AssignStatement(source, TakeNodes(_nodes.Constant(value, type), out int node), target, node, declares));
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
        IFieldReferenceOperation or IPropertyReferenceOperation when StructLeafTarget(target) is string leaf => leaf,
        ILocalReferenceOperation { Local: var local } when !local.IsRef && (ValueType(local.Type) is not null || Symbols.MatrixType(local.Type) is (_, ValueShape.Matrix)) => DeclareLocal(local),
        IFieldReferenceOperation when TupleElementVariable(target) is string element => element,
        IParameterReferenceOperation { Parameter: var parameter } when _variableNames.TryGetValue(parameter, out string? name) && ValueType(parameter.Type) is not null => name,
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
        if (symbol is not null && _variableNames.TryGetValue(symbol, out string? name) && _variablesByName[name] is { Shape: ValueShape.Array or ValueShape.MatrixArray } variable)
            return (name, variable.Kind);
        if (FieldVariable(reference) is string field && _variablesByName[field] is { Shape: ValueShape.Array or ValueShape.MatrixArray } array)
            return (field, array.Kind);
        if (StructLeafTarget(reference) is string member && _variablesByName[member] is { Shape: ValueShape.Array } memberArray)
            return (member, memberArray.Kind);
        if (IsRefused(reference))
            return null;
        if (reference is IInvocationOperation { TargetMethod: var callee } && VariableType(callee.ReturnType) is (_, true))
        {
            ArrayCallHere(reference, callee);
            return null;
        }
        if (JaggedLocal(reference) is not null || JaggedLocalRow(reference) is not null)
            Report(Diagnostics.UnsupportedExpression, reference.Syntax,
                JaggedLocal(reference) is null ? $"Using the row '{reference.Syntax}' of a local array of arrays whole" : $"Using the local array of arrays '{reference.Syntax}' whole",
                "read and write its elements here (rows[i][j], rows[i].Length, rows.Length); its rows keep the length the loop after its declaration gave them, and are not passed, named or replaced");
        else if (StructArray(reference) is not null)
            Report(Diagnostics.UnsupportedExpression, reference.Syntax, $"Using the array of structs '{reference.Syntax}' whole",
                $"read and write its elements here by index ({reference.Syntax}[i], {reference.Syntax}[i].X), and pass elements or their members, not the array");
        else
            Report(Diagnostics.UnsupportedExpression, reference.Syntax, $"The array expression '{reference.Syntax}'", "index a double[] or float[] parameter or local directly");
        return null;
    }

    /// <summary>A call returning an array where its result cannot go: only a local array declared with it can hold it.</summary>
    private int? ArrayCallHere(IOperation call, IMethodSymbol callee) =>
        Report(Diagnostics.UnsupportedExpression, call.Syntax, $"Calling '{callee.Name}', which returns an array, here",
            $"assign its result to a local array ({callee.ReturnType.ToDisplayString()} y = {callee.Name}(…);) and read that: at the top level of this method its body is inlined there, and anywhere (in a loop, say) a [Differentiable] method's vector-Jacobian product is chained");

    private int? Report(DiagnosticDescriptor descriptor, SyntaxNode syntax, params string[] arguments)
    {
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, syntax.GetLocation(), arguments));
        return null;
    }

    private void UnsupportedStatement(SyntaxNode syntax, string what, string advice) =>
        Report(Diagnostics.UnsupportedStatement, syntax, what, advice);

    /// <summary>The statement on one line, for the comment above its generated code.</summary>
    private string SourceText(IOperation operation) =>
        OneLine(operation.Syntax) + (operation.Syntax is StatementSyntax ? "" : ";") + InlinedFrom;

    /// <summary>Where a statement being quoted is from, when it is not the method's own: <c> — in Step</c>.</summary>
    private string InlinedFrom => _inlinedBodies.Count > 0 ? " — in " + _inlinedBodies.Peek() : "";

    /// <summary>Source on one line (each run of whitespace one space), as the comments quote it.</summary>
    private static string OneLine(SyntaxNode syntax) => Regex.Replace(syntax.ToString(), @"\s+", " ").Trim();
}
