using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Differentiable structs (<see cref="StructLayout"/>): a struct value is one variable per leaf, each number it holds
/// (<c>v_X</c>, <c>v_Y</c>), so the rest of the pipeline sees numbers alone. A struct parameter's leaves are parameters
/// (<see cref="ParameterSpec.Struct"/>), a struct local's are locals, and a struct computed in an expression (made by
/// <c>new</c>, <c>with</c> or <c>default</c>, returned by a call or an operator, chosen by <c>?:</c>) is computed into
/// variables of its own by statements before the statement reading it. Reading or writing a member reads or writes its
/// leaves. A struct's methods, operators, properties and constructors, and any method of this compilation taking or
/// returning a struct, are inlined where they are called (<see cref="InlineBody(InlinedCall, IBlockOperation?, StructValue?, System.Action?)"/>),
/// <c>this</c> standing for the receiver's variables: a struct parameter passed on is bound to the argument's variables
/// when the callee never writes it, else copied, as C# passes structs by value.
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>A struct value held in variables, one per leaf of <see cref="Layout"/>, in its order.</summary>
    private sealed record StructValue(StructLayout Layout, IReadOnlyList<string> Leaves)
    {
        /// <summary>The variables of a member of struct type.</summary>
        public StructValue Of(StructLayout.Member member) => new(member.Nested!, Leaves.Skip(member.First).Take(member.Count).ToList());
    }

    /// <summary>The struct locals and parameters (an inlined callee's among them), by symbol.</summary>
    private readonly Dictionary<ISymbol, StructValue> _structVariables = new(SymbolEqualityComparer.Default);

    /// <summary>While a struct's instance member or constructor is inlined: what <c>this</c> is.</summary>
    private StructValue? _structThis;

    /// <summary>While an object initializer or a <c>with</c> expression sets members: the struct being made.</summary>
    private StructValue? _initializing;

    private const string StructAdvice = "see docs/contract.md#structs for what a struct may do in a [Differentiable] method";

    /// <summary>Each leaf of a struct parameter is a parameter of the forward program (<see cref="FunctionParser.StructLeafName"/>).</summary>
    private void BindStructParameter(IParameterSymbol parameter, StructLayout layout)
    {
        var leaves = new List<string>();
        foreach (StructLayout.Leaf leaf in layout.Leaves)
        {
            string name = FunctionParser.StructLeafName(parameter.Name, leaf.Name);
            AddVariable(new VariableSpec(name, leaf.Type, leaf.IsArray ? ValueShape.Array : ValueShape.Scalar, VariableKind.Parameter));
            leaves.Add(name);
        }
        _structVariables[parameter] = new StructValue(layout, leaves);
    }

    /// <summary>
    /// The arrays of structs, each held as the numbers its structs hold (<see cref="FunctionParser.StructArrayName"/>):
    /// parameters (and spans), read as the span of their numbers, and locals made with <c>new S[n]</c>, local arrays of
    /// their numbers (<see cref="DeclareStructArray"/>).
    /// </summary>
    private readonly Dictionary<ISymbol, (StructLayout Element, string Numbers)> _structArrays = new(SymbolEqualityComparer.Default);

    private void BindStructArray(IParameterSymbol parameter, StructLayout element)
    {
        string name = FunctionParser.StructArrayName(parameter.Name);
        AddVariable(new VariableSpec(name, element.Leaves[0].Type, ValueShape.Array, VariableKind.Parameter));
        _structArrays[parameter] = (element, name);
    }

    /// <summary>The array of structs an operation names (a parameter or a local), with its layout and the variable of its numbers.</summary>
    private (StructLayout Element, string Numbers)? StructArray(IOperation? operation) => Unconverted(operation!) switch
    {
        IParameterReferenceOperation { Parameter: var parameter } when _structArrays.TryGetValue(parameter, out var array) => array,
        ILocalReferenceOperation { Local: var local } when _structArrays.TryGetValue(local, out var array) => array,
        _ => null,
    };

    /// <summary>
    /// An element of an array of structs, or a member of one (<c>x[i]</c>, <c>x[i].Position</c>, <c>x[i].Position.X</c>):
    /// its numbers are the element's leaves <see cref="First"/> to <see cref="First"/> + <see cref="Count"/> − 1.
    /// </summary>
    private sealed record StructElementPlace(IOperation Element, IOperation Index, StructLayout Layout, string Numbers, int First, int Count);

    /// <summary>The element (or member of one) of an array of structs that an operation names, if it names one.</summary>
    private StructElementPlace? StructElement(IOperation operation)
    {
        int first = 0;
        int? count = null;
        IOperation current = operation;
        while (current is IMemberReferenceOperation { Instance: { } instance } && StructLayout.Of(instance.Type) is not null)
        {
            if (StorageMember(current) is not { } member)
                return null;
            count ??= member.Count;
            first += member.First;
            current = instance;
        }
        var (array, index) = current switch
        {
            IArrayElementReferenceOperation { Indices.Length: 1 } element => (element.ArrayReference, element.Indices[0]),
            IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } span, Arguments.Length: 1 } element => (span, element.Arguments[0].Value),
            _ => (null, null),
        };
        return array is not null && StructArray(array) is var (layout, numbers) ? new StructElementPlace(current, index!, layout, numbers, first, count ?? layout.Leaves.Count) : null;
    }

    /// <summary>
    /// A struct read from an array of structs (<c>x[i]</c>, or a member of struct type of one): new variables holding its
    /// numbers, read from the numbers of the array (<c>x_values[3 * i + 1]</c> for a Vec3's Y).
    /// </summary>
    private StructValue? LowerStructElement(IOperation read, StructElementPlace place, StructLayout layout)
    {
        string text = OneLine(place.Element.Syntax);
        System.Func<int?> lowerIndex = StructIndex(place.Index, text);
        StructValue value = NewStruct(LowerFirst(layout.Type.Name), layout, VariableKind.Synthetic);
        for (int k = 0; k < place.Count; k++)
        {
            if (lowerIndex() is not int at)
                return null;
            int leaf = place.First + k;
            int element = StructNumber(place, at, leaf);
            Add(new AssignStatement($"{OneLine(read.Syntax)}.{layout.Leaves[k].Code} (the array's number {place.Numbers}[{place.Layout.Leaves.Count} * i + {leaf}])",
                TakeNodes(element, out int node), value.Leaves[k], node, true));
        }
        return value;
    }

    /// <summary>
    /// Lowers the index of an element of an array of structs, once per member read or written: an index computed by
    /// statements of its own is computed once, into a variable, for every member.
    /// </summary>
    private System.Func<int?> StructIndex(IOperation index, string element)
    {
        if (!NeedsStatements(index))
            return () => LowerValue(index);
        string position = NewVariable("index", ScalarType.Int);
        AssignValue($"{position} = {OneLine(index.Syntax)}; — the index of {element}", position, index, declares: true);
        return () => _nodes.Read(position, ScalarType.Int);
    }

    /// <summary>
    /// Number <paramref name="leaf"/> of struct <paramref name="at"/> of an array of structs. A parameter's
    /// <c>[NoDerivative]</c> member is data: read as a constant (<see cref="Op.MemberElement"/>, which the rules give no
    /// derivative), so its gradient stays 0 and its direction is not followed. A parameter's numbers are never written,
    /// so reading them as constants is exact wherever the read stands.
    /// </summary>
    private int StructNumber(StructElementPlace place, int at, int leaf)
    {
        StructLayout.Leaf number = place.Layout.Leaves[leaf];
        Op read = !number.Differentiable && _variablesByName[place.Numbers].Kind == VariableKind.Parameter ? Op.MemberElement : Op.Element;
        return _nodes.Add(read, number.Type, new[] { StructOffset(at, place.Layout.Leaves.Count, leaf) }, 0, place.Numbers, null);
    }

    /// <summary>Where number <paramref name="leaf"/> of struct <paramref name="at"/> is among an array's numbers: <c>count * at + leaf</c>.</summary>
    private int StructOffset(int at, int count, int leaf)
    {
        int first = _nodes.Add(Op.Multiply, ScalarType.Int, _nodes.Constant(count, ScalarType.Int), _nodes.Convert(at, ScalarType.Int));
        return leaf == 0 ? first : _nodes.Add(Op.Add, ScalarType.Int, first, _nodes.Constant(leaf, ScalarType.Int));
    }

    /// <summary>
    /// A local array of structs (<c>var p = new Vec3[n];</c>): a local array of the numbers its structs hold, n times as
    /// many (<c>p_values</c>), allocated, pooled, taped and differentiated as any local array of numbers is; its
    /// elements are read and written member by member (<c>p[i].Y</c> is <c>p_values[3 * i + 1]</c>).
    /// </summary>
    private void DeclareStructArray(IVariableDeclaratorOperation declarator, StructLayout element, string source)
    {
        ILocalSymbol local = declarator.Symbol;
        string type = element.Type.Name;
        var types = element.Leaves.Select(l => l.Type).Distinct().ToList();
        string? problem = element.Refusal
            ?? (element.ArrayMember is { } array ? $"it holds an array ('{array.Code}'), and a local array of structs holds numbers only" : null)
            ?? (types.Count != 1 || !types[0].IsFloatingPoint() ? "a local array of it is held as the numbers it holds, which must then be all double or all float" : null);
        if (problem is not null)
        {
            _refusedLocals.Add(local);
            _diagnostics.Add(DiagnosticInfo.Create(Diagnostics.StructNotDifferentiable, declarator.Syntax.GetLocation(), type, $"the local array '{local.Name}' of '{_method.Name}'", problem));
            return;
        }
        IOperation? made = declarator.GetVariableInitializer()?.Value;
        if (made is not IArrayCreationOperation { Initializer: null, DimensionSizes.Length: 1 } creation)
        {
            _refusedLocals.Add(local);
            Report(Diagnostics.UnsupportedExpression, (made ?? declarator).Syntax, $"The local array of structs '{local.Name}' made {(made is null ? "later than where it is declared" : "this way")}",
                $"create it where it is declared, with its length ({type}[] {local.Name} = new {type}[n];), then set its elements one by one ({local.Name}[i] = new {type}(…);)");
            return;
        }
        string numbers = NewVariable(FunctionParser.StructArrayName(local.Name), types[0], ValueShape.Array, VariableKind.Local);
        _structArrays[local] = (element, numbers);
        if (!MayAllocate(numbers, creation.Syntax) || LowerValue(creation.DimensionSizes[0]) is not int length)
            return;
        Allocate(source, numbers, _nodes.Add(Op.Multiply, ScalarType.Int, _nodes.Convert(length, ScalarType.Int), _nodes.Constant(element.Leaves.Count, ScalarType.Int)));
    }

    /// <summary>
    /// A write to an element of a local array of structs, or to a member of one (<c>p[i] = v</c>, <c>p[i].X += d</c>,
    /// <c>p[i].Position.Y++</c>): each number written is a store into the array's numbers.
    /// </summary>
    private void LowerStructElementWrite(IOperation write, IOperation target, string source)
    {
        if (StructElement(target) is not var (element, index, layout, numbers, first, count))
        {
            UnsupportedStatement(write.Syntax, $"Writing '{OneLine(target.Syntax)}', which is not a field or auto-property,", "write the struct's fields or auto-properties, or the whole element");
            return;
        }
        string text = OneLine(element.Syntax);
        System.Func<int?> lowerIndex = StructIndex(index, text);
        // Each number stored: its value's node, built in the statement's nodes after the element's offset.
        void Store(int leaf, System.Func<int, int?> value)
        {
            if (lowerIndex() is not int at)
                return;
            int offset = StructOffset(at, layout.Leaves.Count, leaf);
            if (value(offset) is not int stored)
            {
                _nodes = new NodeBuilder();
                return;
            }
            string quoted = count == 1 ? source : $"{source} — {text}.{layout.Leaves[leaf].Code} (the array's number {numbers}[{layout.Leaves.Count} * i + {leaf}])";
            Add(new StoreStatement(quoted, _nodes.ToNodes(), numbers, offset, _nodes.Convert(stored, layout.Leaves[leaf].Type)));
            _stores.Add((numbers, target.Syntax));
            _nodes = new NodeBuilder();
        }
        ScalarType type = layout.Leaves[first].Type;
        int Element(int offset) => _nodes.Add(Op.Element, type, new[] { offset }, 0, numbers, null);
        switch (write)
        {
            case ISimpleAssignmentOperation assignment when StructLayout.Of(target.Type) is not null:
                if (LowerStruct(assignment.Value) is { } value)
                    for (int k = 0; k < count; k++)
                    {
                        string leafVariable = value.Leaves[k];
                        Store(first + k, _ => _nodes.Read(leafVariable, _variablesByName[leafVariable].Type));
                    }
                return;
            case ISimpleAssignmentOperation assignment:
                Store(first, _ => LowerValue(assignment.Value));
                return;
            case ICompoundAssignmentOperation compound when StructLayout.Of(target.Type) is null && GenericMath.IsBuiltInOperator(compound.OperatorMethod) && ToOp(compound.OperatorKind) is Op op:
                Store(first, offset => LowerValue(compound.Value) is int right ? Combine(op, Element(offset), right, type) : null);
                return;
            case IIncrementOrDecrementOperation step when StructLayout.Of(target.Type) is null && GenericMath.IsBuiltInOperator(step.OperatorMethod):
                Store(first, offset => Combine(step.Kind == OperationKind.Increment ? Op.Add : Op.Subtract, Element(offset), _nodes.Constant(1, type), type));
                return;
            default:
                UnsupportedStatement(write.Syntax, $"The write '{OneLine(write.Syntax)}' to an element of a local array of structs",
                    $"assign the element or its members with = (or a compound operator on a number: {text}.X += d), e.g. {text} = {text} + d");
                return;
        }
    }

    private StructValue NewStruct(string wanted, StructLayout layout, VariableKind kind) =>
        new(layout, layout.Leaves.Select(l => NewVariable(wanted + "_" + l.Name, l.Type, ValueShape.Scalar, kind)).ToList());

    /// <summary>
    /// What the variables an inlined method introduces (its result, its return flag) are named after: the method, an
    /// operator without <c>op_</c> (<c>addition</c>), a property, a constructor's type (<c>vec3</c>).
    /// </summary>
    private static string Stem(IMethodSymbol method) => method.MethodKind switch
    {
        MethodKind.UserDefinedOperator or MethodKind.Conversion when method.Name.StartsWith("op_", System.StringComparison.Ordinal) =>
            char.ToLowerInvariant(method.Name[3]) + method.Name.Substring(4),
        MethodKind.PropertyGet when method.AssociatedSymbol is { } property => property.Name,
        MethodKind.Constructor => LowerFirst(method.ContainingType.Name),
        _ => method.Name,
    };

    private static string LowerFirst(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);

    /// <summary>An inlined method as the comments quoting its statements name it: <c>Length</c>, <c>Vec3.operator +</c>, <c>new Vec3</c>.</summary>
    private static string DisplayName(IMethodSymbol method) => method.MethodKind switch
    {
        MethodKind.UserDefinedOperator or MethodKind.Conversion => method.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat.WithParameterOptions(SymbolDisplayParameterOptions.None)
            .WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType)).Replace("()", ""),
        MethodKind.PropertyGet when method.AssociatedSymbol is { } property => method.ContainingType.Name + "." + property.Name,
        MethodKind.Constructor => "new " + method.ContainingType.Name,
        _ => method.Name,
    };

    /// <summary>
    /// The variables holding a struct-valued expression: those of a struct variable (or member of one), or new ones that
    /// statements added here compute the value into; <c>null</c> after a diagnostic.
    /// </summary>
    private StructValue? LowerStruct(IOperation operation)
    {
        if (StructLayout.Of(operation.Type) is not { } layout)
            return Refuse(operation, $"A value of type '{operation.Type?.ToDisplayString()}' where a struct is expected", StructAdvice);
        if (layout.Refusal is { } why)
        {
            if (!IsRefused(operation))
                _diagnostics.Add(DiagnosticInfo.Create(Diagnostics.StructNotDifferentiable, operation.Syntax.GetLocation(), layout.Type.Name, $"differentiated in '{_method.Name}'", why));
            return null;
        }
        if (StructPlace(operation) is { } place)
            return place;
        if (layout.ArrayMember is { } array)
            return HoldsArray(operation, layout, array, "made or copied here");
        // Whatever is computed here is statements of its own, before the one being built, whose nodes stay as they are.
        NodeBuilder outer = _nodes;
        _nodes = new NodeBuilder();
        StructValue? value = ComputeStruct(operation, layout);
        _nodes = outer;
        return value;
    }

    private StructValue? ComputeStruct(IOperation operation, StructLayout layout)
    {
        switch (operation)
        {
            case IConversionOperation { OperatorMethod: null } conversion:
                return LowerStruct(conversion.Operand);
            case IConversionOperation { OperatorMethod: { } conversion } converted:
                return Made(layout, InlineOperator(converted, conversion, converted.Operand));
            case IMemberReferenceOperation or IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } when StructElement(operation) is { } place:
                return LowerStructElement(operation, place, layout);
            case IMemberReferenceOperation { Instance: { } instance } member when StorageMember(member) is { Nested: not null } nested:
                return LowerStruct(instance)?.Of(nested);
            case IMemberReferenceOperation when ModelMember(operation) is var (path, code, _):
                // A model's struct field (a layer of numbers): its members are the model's fields, bound as any field is.
                return new StructValue(layout, layout.Leaves.Select(leaf =>
                {
                    string leafPath = path + "." + string.Join(".", leaf.Path.Select(m => m.Name));
                    ITypeSymbol type = leaf.Path[leaf.Path.Count - 1] is IFieldSymbol field ? field.Type : ((IPropertySymbol)leaf.Path[leaf.Path.Count - 1]).Type;
                    return _fieldVariables.TryGetValue(leafPath, out string? bound) ? bound : BindField(leafPath, code + "." + leaf.Code, type, ParameterRole.Passive);
                }).ToList());
            case IPropertyReferenceOperation property:
                return Made(layout, InlineGetter(property));
            case IInvocationOperation invocation:
                return Made(layout, InlineStructCall(invocation));
            case IBinaryOperation { OperatorMethod: { } binary } combined:
                return Made(layout, InlineOperator(combined, binary, combined.LeftOperand, combined.RightOperand));
            case IUnaryOperation { OperatorMethod: { } unary } applied:
                return Made(layout, InlineOperator(applied, unary, applied.Operand));
            case IDefaultValueOperation:
                StructValue zero = NewStruct(LowerFirst(layout.Type.Name), layout, VariableKind.Synthetic);
                Zero(zero, OneLine(operation.Syntax));
                return zero;
            case IObjectCreationOperation creation:
                return LowerCreation(creation, layout);
            case IWithOperation with when LowerStruct(with.Operand) is { } original:
                StructValue copy = NewStruct(LowerFirst(layout.Type.Name), layout, VariableKind.Synthetic);
                Copy($"{OneLine(with.Syntax)}; (the copy)", original, copy, declares: true);
                return Initialize(copy, with.Initializer, OneLine(with.Syntax)) ? copy : null;
            case IWithOperation:
                return null;
            case IConditionalOperation conditional:
                return LowerStructChoice(conditional, layout);
            case IFieldReferenceOperation { Instance: null, Field: { IsStatic: true, IsReadOnly: true } field }
                when operation.SemanticModel?.Compilation.IsSymbolAccessibleWithin(field, _method.ContainingType) == true:
                // A static readonly struct is read member by member, as a constant.
                string constant = Symbols.TypeName(field.ContainingType) + "." + Naming.Identifier(field.Name);
                StructValue read = NewStruct(field.Name, layout, VariableKind.Synthetic);
                for (int i = 0; i < layout.Leaves.Count; i++)
                    Add(new AssignStatement($"{OneLine(operation.Syntax)}.{layout.Leaves[i].Code} (a constant)", TakeNodes(_nodes.Add(Op.Member, layout.Leaves[i].Type, null, 0, constant + "." + layout.Leaves[i].Code, null), out int value), read.Leaves[i], value, true));
                return read;
            default:
                return IsRefused(operation) ? null : Refuse(operation, $"The struct expression '{OneLine(operation.Syntax)}'",
                    "make structs with new, with or default, read them from parameters and locals, or compute them with their methods and operators");
        }
    }

    /// <summary>BP1012 for a struct holding an array where it would be made or copied (<see cref="StructLayout.ArrayMember"/>).</summary>
    private StructValue? HoldsArray(IOperation operation, StructLayout layout, StructLayout.Leaf array, string where)
    {
        _diagnostics.Add(DiagnosticInfo.Create(Diagnostics.StructNotDifferentiable, operation.Syntax.GetLocation(), layout.Type.Name, $"{where} in '{_method.Name}'",
            $"it holds an array ('{array.Code}'), and a struct holding arrays is taken as a parameter and read (its arrays by index), never made, copied or returned; read its members where it is"));
        return null;
    }

    private StructValue? Made(StructLayout layout, IReadOnlyList<string>? leaves) => leaves is null ? null : new StructValue(layout, leaves);

    private StructValue? Refuse(IOperation operation, string what, string advice)
    {
        Report(Diagnostics.UnsupportedExpression, operation.Syntax, what, advice);
        return null;
    }

    /// <summary>
    /// The variables of a struct variable an operation names, without computing anything: a struct local or parameter,
    /// <c>this</c> in an inlined member, the struct an initializer sets, or a member of struct type of one of these.
    /// </summary>
    private StructValue? StructPlace(IOperation operation) => operation switch
    {
        ILocalReferenceOperation { Local: var local } when _structVariables.TryGetValue(local, out StructValue? value) => value,
        IParameterReferenceOperation { Parameter: var parameter } when _structVariables.TryGetValue(parameter, out StructValue? value) => value,
        IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } when _structThis is not null => _structThis,
        IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver } when _initializing is not null => _initializing,
        IMemberReferenceOperation { Instance: { } instance } member when StorageMember(member) is { Nested: not null } nested && StructPlace(instance) is { } owner => owner.Of(nested),
        _ => null,
    };

    /// <summary>The member of a struct a field or property reference names, when it is one of the struct's fields or auto-properties.</summary>
    private static StructLayout.Member? StorageMember(IOperation operation) => operation switch
    {
        IFieldReferenceOperation { Field: { IsStatic: false } field, Instance: { } instance } => StructLayout.Of(instance.Type)?.MemberFor(field),
        IPropertyReferenceOperation { Property: { IsStatic: false, IsIndexer: false } property, Instance: { } instance } => StructLayout.Of(instance.Type)?.MemberFor(property),
        _ => null,
    };

    /// <summary>
    /// Whether a field or property reference reads a struct's member here: its instance is a struct, and not a model's
    /// (a model's method reads its own fields, and a struct model's, as a model's).
    /// </summary>
    private bool ReadsStructMember(IOperation operation) =>
        operation is IMemberReferenceOperation { Instance: { } instance } && StructLayout.Of(instance.Type) is not null
        && !(instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } && _structThis is null)
        && ModelMember(operation) is null;

    /// <summary>A number a struct gives: its member read, or a user-defined operator or conversion taking structs, inlined.</summary>
    private bool IsStructNumber(IOperation operation) => operation switch
    {
        IPropertyReferenceOperation { Property.Name: "Length", Instance: var array } => StructArray(array) is not null,
        IMemberReferenceOperation => ReadsStructMember(operation),
        IBinaryOperation binary => IsStructOperator(binary.OperatorMethod),
        IUnaryOperation unary => IsStructOperator(unary.OperatorMethod),
        IConversionOperation conversion => IsStructOperator(conversion.OperatorMethod),
        _ => false,
    };

    private int? LowerStructNumber(IOperation operation, ScalarType type) => operation switch
    {
        // An array of n-number structs holds n times as many numbers as structs.
        IPropertyReferenceOperation { Property.Name: "Length", Instance: var array } when StructArray(array) is var (element, numbers) =>
            _nodes.Convert(_nodes.Add(Op.Divide, ScalarType.Int, _nodes.Add(Op.Length, ScalarType.Int, null, 0, numbers, null), _nodes.Constant(element.Leaves.Count, ScalarType.Int)), type),
        IMemberReferenceOperation member => LowerStructRead(member, type),
        IBinaryOperation binary => Inlined(InlineOperator(binary, binary.OperatorMethod!, binary.LeftOperand, binary.RightOperand), type),
        IUnaryOperation unary => Inlined(InlineOperator(unary, unary.OperatorMethod!, unary.Operand), type),
        IConversionOperation conversion => Inlined(InlineOperator(conversion, conversion.OperatorMethod!, conversion.Operand), type),
        _ => null,
    };

    /// <summary>A number read from a struct: a leaf of a field or auto-property, or a computed property's value.</summary>
    private int? LowerStructRead(IMemberReferenceOperation member, ScalarType type)
    {
        if (StorageMember(member) is { Nested: null } && StructElement(member) is { } place && !NeedsStatements(place.Index))
        {
            // A number of an element of an array of structs, read where it is used (x_values[3 * i + 1]).
            if (LowerValue(place.Index) is not int at)
                return null;
            return _nodes.Convert(StructNumber(place, at, place.First), type);
        }
        if (StorageMember(member) is { Nested: null } stored)
        {
            if (LowerStruct(member.Instance!) is not { } owner)
                return null;
            string leaf = owner.Leaves[stored.First];
            return _nodes.Convert(_nodes.Read(leaf, _variablesByName[leaf].Type), type);
        }
        if (member is IPropertyReferenceOperation property)
            return Inlined(InlineGetter(property), type);
        // A member of a struct that cannot be differentiated, said where the struct was declared or made.
        if (IsRefused(member) || StructLayout.Of(member.Instance!.Type) is { Refusal: not null })
            return LowerStruct(member.Instance!) is null ? null : Report(Diagnostics.UnsupportedExpression, member.Syntax, $"Reading '{OneLine(member.Syntax)}'", StructAdvice);
        return Report(Diagnostics.UnsupportedExpression, member.Syntax, $"Reading '{OneLine(member.Syntax)}'", StructAdvice);
    }

    /// <summary>The variable of a struct's number a write targets (<c>v.X</c>, <c>this.X</c>, <c>body.Position.X</c>), if it is one.</summary>
    private string? StructLeafTarget(IOperation target) =>
        target is IMemberReferenceOperation { Instance: { } instance } && StorageMember(target) is { Nested: null } stored && StructPlace(instance) is { } owner
            ? owner.Leaves[stored.First]
            : null;

    /// <summary>Assigns each leaf of <paramref name="target"/> the leaf of a struct value, after computing the value.</summary>
    private void AssignStruct(string source, StructValue target, IOperation value, bool declares)
    {
        if (target.Layout.ArrayMember is { } array)
            HoldsArray(value, target.Layout, array, "assigned");
        else if (LowerStruct(value) is { } from)
            Copy(source, from, target, declares);
    }

    private void Copy(string source, StructValue from, StructValue to, bool declares)
    {
        for (int i = 0; i < to.Leaves.Count; i++)
        {
            if (from.Leaves[i] == to.Leaves[i])
                continue;
            ScalarType type = _variablesByName[to.Leaves[i]].Type;
            Add(new AssignStatement(source, TakeNodes(_nodes.Read(from.Leaves[i], type), out int read), to.Leaves[i], read, declares));
        }
    }

    /// <summary>Gives each leaf of a new struct its first value, zero.</summary>
    private void Zero(StructValue value, string source)
    {
        foreach (string leaf in value.Leaves)
            AssignConstant($"{source} (zero)", leaf, 0, declares: true);
    }

    /// <summary>A struct local, one local per leaf.</summary>
    private void DeclareStruct(IVariableDeclaratorOperation declarator, StructLayout layout, string source)
    {
        if (layout.Refusal is { } why)
        {
            _refusedLocals.Add(declarator.Symbol);
            _diagnostics.Add(DiagnosticInfo.Create(Diagnostics.StructNotDifferentiable, declarator.Syntax.GetLocation(), layout.Type.Name, $"differentiated in '{_method.Name}'", why));
            return;
        }
        if (layout.ArrayMember is { } array)
        {
            _refusedLocals.Add(declarator.Symbol);
            HoldsArray(declarator, layout, array, "a local");
            return;
        }
        if (!_structVariables.TryGetValue(declarator.Symbol, out StructValue? local))
            _structVariables[declarator.Symbol] = local = NewStruct(declarator.Symbol.Name, layout, VariableKind.Local);
        if (declarator.GetVariableInitializer() is { } initializer)
            AssignStruct(source, local, initializer.Value, declares: true);
    }

    /// <summary>
    /// A statement that writes a struct, or calls a struct's method for what it does to its receiver: handled (and
    /// <c>true</c>), or <c>false</c> for any other statement.
    /// </summary>
    private bool LowerStructStatement(IOperation expression, string source)
    {
        IOperation? written = (expression as IAssignmentOperation)?.Target ?? (expression as IIncrementOrDecrementOperation)?.Target;
        if (written is not null && ArrayOfStructsWritten(written) is { } array)
        {
            if (Unconverted(array) is ILocalReferenceOperation)
                LowerStructElementWrite(expression, written, source);
            else
                Report(Diagnostics.ParameterArrayWrite, expression.Syntax, OneLine(array.Syntax));
            return true;
        }
        switch (expression)
        {
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local: var reassigned } target } when StructArray(target) is not null:
                UnsupportedStatement(expression.Syntax, $"Reassigning the local array of structs '{reassigned.Name}'",
                    $"copy the elements one by one ({reassigned.Name}[i] = other[i];), or give each array a name of its own");
                return true;
            case ISimpleAssignmentOperation { Target: var target } assignment when StructLayout.Of(target.Type) is not null:
                if (StructPlace(target) is { } place)
                    AssignStruct(source, place, assignment.Value, declares: false);
                else if (!IsRefused(target))
                    UnsupportedStatement(expression.Syntax, $"Assigning the struct '{OneLine(target.Syntax)}'", "assign a struct local, parameter or a member of one");
                return true;
            case ICompoundAssignmentOperation { Target: var target, OperatorMethod: { } op } compound when StructLayout.Of(target.Type) is not null:
                if (StructPlace(target) is not { } changed)
                {
                    if (!IsRefused(target))
                        UnsupportedStatement(expression.Syntax, $"Assigning the struct '{OneLine(target.Syntax)}'", "assign a struct local, parameter or a member of one");
                    return true;
                }
                if (Made(changed.Layout, InlineOperator(compound, op, target, compound.Value)) is { } result)
                    Copy(source, result, changed, declares: false);
                return true;
            case IInvocationOperation call when IsStructCall(call):
                InlineStructCall(call);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The array of structs (a parameter) a write reaches through an element (<c>x[i] = v</c>, <c>x[i].X += 1</c>), if any.</summary>
    private IOperation? ArrayOfStructsWritten(IOperation target)
    {
        IOperation current = target;
        while (current is IMemberReferenceOperation { Instance: { } instance } && StructLayout.Of(instance.Type) is not null)
            current = instance;
        IOperation? array = current switch
        {
            IArrayElementReferenceOperation element => element.ArrayReference,
            IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } span } => span,
            _ => null,
        };
        return array is not null && StructArray(array) is not null ? array : null;
    }

    /// <summary><c>new S(…) { … }</c>: the constructor inlined into new variables, then the initializer's assignments.</summary>
    private StructValue? LowerCreation(IObjectCreationOperation creation, StructLayout layout)
    {
        string text = OneLine(creation.Syntax);
        IMethodSymbol? constructor = creation.Constructor;
        var arguments = creation.Arguments.Select(a => new InlinedArgument(a.Parameter!, a.Value, a.Syntax)).ToList();
        // A record's primary constructor that sets every member from its parameters makes the struct of its bound arguments.
        if (constructor is not null && creation.Initializer is null && SymbolEqualityComparer.Default.Equals(constructor, layout.PrimaryConstructor())
            && layout.Members.All(m => constructor.Parameters.Any(p => StructLayout.IsPositional(m.Symbol, p))))
        {
            StructValue? positional = null;
            InlineBody(new InlinedCall(creation, constructor, arguments), null, beforeBody: () => positional = new StructValue(layout, layout.Members.SelectMany(m =>
            {
                IParameterSymbol parameter = constructor.Parameters.First(p => StructLayout.IsPositional(m.Symbol, p));
                return m.Nested is null ? new[] { _variableNames[parameter] } : _structVariables[parameter].Leaves;
            }).ToList()));
            return positional;
        }
        // A System.Numerics struct's constructor is its rule, whose result variables are the struct made.
        if (layout.IsNumerics && constructor is { Parameters.Length: > 0 } && creation.Initializer is null)
            return Made(layout, LowerNumerics(creation, constructor, null, arguments.Select(a => a.Value).ToList()));
        StructValue made = NewStruct(LowerFirst(layout.Type.Name), layout, VariableKind.Synthetic);
        if (constructor is null || constructor.IsImplicitlyDeclared && constructor.Parameters.Length == 0)
            Zero(made, text);
        else if (!InlineConstructor(creation, constructor, arguments, made))
            return null;
        return Initialize(made, creation.Initializer, text) ? made : null;
    }

    /// <summary>The assignments of an object initializer or a <c>with</c> expression, to the members of <paramref name="made"/>.</summary>
    private bool Initialize(StructValue made, IObjectOrCollectionInitializerOperation? initializer, string text)
    {
        if (initializer is null)
            return true;
        int errorsBefore = _diagnostics.Count;
        StructValue? outer = _initializing;
        _initializing = made;
        foreach (IOperation assignment in initializer.Initializers)
        {
            if (assignment is ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Instance: IInstanceReferenceOperation } target } set
                && (StructLeafTarget(target) is string || StructPlace(target) is not null))
                LowerExpressionStatement(set, $"{OneLine(set.Syntax)}; — from {text}");
            else
                UnsupportedStatement(assignment.Syntax, $"The initializer '{OneLine(assignment.Syntax)}'", "set the struct's fields and auto-properties one by one (Member = value)");
        }
        _initializing = outer;
        return _diagnostics.Count == errorsBefore;
    }

    /// <summary>A constructor of a struct, inlined with <c>this</c> standing for <paramref name="made"/>.</summary>
    private bool InlineConstructor(IOperation at, IMethodSymbol constructor, IReadOnlyList<InlinedArgument> arguments, StructValue made)
    {
        if (NumericsRules.IsNumerics(constructor.ContainingType))
        {
            if (LowerNumerics(at, constructor, null, arguments.Select(a => a.Value).ToList()) is not { } leaves)
                return false;
            Copy(OneLine(at.Syntax) + ";", new StructValue(made.Layout, leaves), made, declares: true);
            return true;
        }
        if (StructBody(constructor, at) is not var (body, initializer))
        {
            Report(Diagnostics.NoKnownDerivative, at.Syntax, constructor.ToDisplayString());
            return false;
        }
        // A constructor first runs the one it chains to (: this(…)), or else gives each member its first value.
        return InlineBody(new InlinedCall(at, constructor, arguments), body, made, () =>
        {
            if (initializer is IInvocationOperation { TargetMethod: { MethodKind: MethodKind.Constructor } chained } chaining
                && SymbolEqualityComparer.Default.Equals(chained.ContainingType, constructor.ContainingType))
                InlineConstructor(chaining, chained, InlinedCall.Of(chaining).Arguments, made);
            else
                FirstValues(made, constructor, at);
        }) is not null;
    }

    /// <summary>
    /// What a struct's members hold before its constructor's body runs: a record's positional members their parameters,
    /// members with an initializer (<c>= 1.0</c>) its value, every other member zero.
    /// </summary>
    private void FirstValues(StructValue made, IMethodSymbol constructor, IOperation at)
    {
        string text = OneLine(at.Syntax);
        foreach (StructLayout.Member member in made.Layout.Members)
        {
            IParameterSymbol? positional = constructor.Parameters.FirstOrDefault(p => StructLayout.IsPositional(member.Symbol, p));
            string source = $"{member.Symbol.Name} — its first value, in {text}";
            if (positional is not null && member.Nested is not null && _structVariables.TryGetValue(positional, out StructValue? nested))
                Copy(source, nested, made.Of(member), declares: true);
            else if (positional is not null && _variableNames.TryGetValue(positional, out string? argument))
                Add(new AssignStatement(source, TakeNodes(_nodes.Convert(_nodes.Read(argument, _variablesByName[argument].Type), _variablesByName[made.Leaves[member.First]].Type), out int read),
                    made.Leaves[member.First], read, true));
            else if (MemberInitializer(member.Symbol, at) is { } value)
            {
                if (member.Nested is not null)
                    AssignStruct(source, made.Of(member), value, declares: true);
                else
                    AssignValue(source, made.Leaves[member.First], value, declares: true);
            }
            else
                Zero(member.Nested is null ? new StructValue(made.Layout, new[] { made.Leaves[member.First] }) : made.Of(member), source);
        }
    }

    /// <summary>The value a field or auto-property's initializer gives it (<c>public double Mass = 1;</c>), if it has one.</summary>
    private IOperation? MemberInitializer(ISymbol member, IOperation at)
    {
        EqualsValueClauseSyntax? clause = member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) switch
        {
            VariableDeclaratorSyntax field => field.Initializer,
            PropertyDeclarationSyntax property => property.Initializer,
            _ => null,
        };
        if (clause is null || at.SemanticModel is not { } model)
            return null;
        return ModelOf(clause, model).GetOperation(clause, _cancellationToken) switch
        {
            IFieldInitializerOperation field => field.Value,
            IPropertyInitializerOperation property => property.Value,
            _ => null,
        };
    }

    /// <summary><c>c ? a : b</c> of a struct: an <c>if</c> that assigns new variables the struct chosen.</summary>
    private StructValue? LowerStructChoice(IConditionalOperation conditional, StructLayout layout)
    {
        StructValue chosen = NewStruct("choice", layout, VariableKind.Synthetic);
        int? condition = LowerValue(conditional.Condition);
        NodeBuilder conditionNodes = TakeNodes();
        string text = OneLine(conditional.Syntax);
        Block then = LowerBlock(() => AssignStruct($"{OneLine(conditional.WhenTrue!.Syntax)} — from {text}", chosen, conditional.WhenTrue!, declares: false));
        Block otherwise = LowerBlock(() => AssignStruct($"{OneLine(conditional.WhenFalse!.Syntax)} — from {text}", chosen, conditional.WhenFalse!, declares: false));
        if (condition is not int c)
            return null;
        Add(new IfStatement($"if ({OneLine(conditional.Condition.Syntax)}) — from {text}", conditionNodes.ToNodes(), c, then, otherwise));
        return chosen;
    }

    /// <summary>
    /// A call inlined because it involves a struct: a struct's method (its receiver <c>this</c>), or any method of this
    /// compilation taking or returning one.
    /// </summary>
    private bool IsStructCall(IInvocationOperation call) =>
        NumericsRules.IsNumerics(call.TargetMethod.ContainingType)
        || call.TargetMethod.DeclaringSyntaxReferences.Length > 0 && (InvolvesStruct(call.TargetMethod)
            || !call.TargetMethod.IsStatic && call.TargetMethod.MethodKind == MethodKind.Ordinary && StructLayout.Of(call.TargetMethod.ContainingType) is not null
               && (call.Instance is not IInstanceReferenceOperation || _structThis is not null));

    private static bool InvolvesStruct(IMethodSymbol method) =>
        method.Parameters.Any(p => StructLayout.Of(p.Type) is not null) || StructLayout.Of(method.ReturnType) is not null;

    /// <summary>A user-defined operator or conversion of this compilation that takes or gives a struct.</summary>
    private static bool IsStructOperator(IMethodSymbol? method) =>
        method is { MethodKind: MethodKind.UserDefinedOperator or MethodKind.Conversion } && !GenericMath.IsBuiltInOperator(method) && InvolvesStruct(method);

    /// <summary>Whether lowering an operation adds statements for a struct: a struct computed, or a struct's method, operator or computed property inlined.</summary>
    private bool MakesStruct(IOperation operation) => operation switch
    {
        IInvocationOperation call => IsStructCall(call),
        IBinaryOperation { OperatorMethod: var method } => IsStructOperator(method),
        IUnaryOperation { OperatorMethod: var method } => IsStructOperator(method),
        IConversionOperation { OperatorMethod: var method } => IsStructOperator(method),
        IObjectCreationOperation or IWithOperation or IDefaultValueOperation or IConditionalOperation => StructLayout.Of(operation.Type) is not null,
        IPropertyReferenceOperation { Instance: { } instance } property => StructLayout.Of(instance.Type) is not null && StorageMember(property) is null,
        IPropertyReferenceOperation { Instance: null, Property.ContainingType: var type } => NumericsRules.IsNumerics(type),
        _ => false,
    };

    private IReadOnlyList<string>? InlineStructCall(IInvocationOperation invocation)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (NumericsRules.IsNumerics(method.ContainingType))
            return LowerNumerics(invocation, method, method.IsStatic ? null : invocation.Instance, ArgumentsInOrder(invocation));
        if (_helpers.IsBeingLowered(method))
        {
            Report(Diagnostics.Recursion, invocation.Syntax, method.Name);
            return null;
        }
        if (StructBody(method, invocation) is not var (body, _))
        {
            Report(Diagnostics.NoKnownDerivative, invocation.Syntax, method.ToDisplayString());
            return null;
        }
        StructValue? receiver = null;
        if (!method.IsStatic && method.MethodKind != MethodKind.LocalFunction && invocation.Instance is { } instance && (receiver = Receiver(invocation, instance, method)) is null)
            return null;
        return InlineBody(InlinedCall.Of(invocation), body, receiver);
    }

    /// <summary>A user-defined operator or conversion, inlined with its operands as its arguments.</summary>
    private IReadOnlyList<string>? InlineOperator(IOperation at, IMethodSymbol method, params IOperation[] operands)
    {
        if (NumericsRules.IsNumerics(method.ContainingType))
            return LowerNumerics(at, method, null, operands);
        if (StructBody(method, at) is not var (body, _))
        {
            Report(Diagnostics.UnsupportedExpression, at.Syntax, $"The operator '{method.Name}' of '{method.ContainingType.Name}', which has no body in this compilation (the compiler makes it),",
                "compare or combine the members yourself");
            return null;
        }
        return InlineBody(new InlinedCall(at, method, operands.Select((o, i) => new InlinedArgument(method.Parameters[i], o, o.Syntax)).ToList()), body);
    }

    /// <summary>A struct's computed property (or a static property giving a struct), its getter inlined.</summary>
    private IReadOnlyList<string>? InlineGetter(IPropertyReferenceOperation reference)
    {
        IMethodSymbol? getter = reference.Property.GetMethod;
        if (getter is not null && NumericsRules.IsNumerics(getter.ContainingType))
            return LowerNumerics(reference, getter, reference.Instance, reference.Arguments.Select(a => a.Value).ToList());
        if (getter is null || StructBody(getter, reference) is not var (body, _))
        {
            Report(Diagnostics.UnsupportedExpression, reference.Syntax, $"Reading the property '{reference.Property.Name}', which has no getter in this compilation,", StructAdvice);
            return null;
        }
        StructValue? receiver = null;
        if (reference.Instance is { } instance && (receiver = Receiver(reference, instance, getter)) is null)
            return null;
        return InlineBody(new InlinedCall(reference, getter, reference.Arguments.Select(a => new InlinedArgument(a.Parameter!, a.Value, a.Syntax)).ToList()), body, receiver);
    }

    /// <summary>
    /// What <c>this</c> is for a struct's member called on <paramref name="instance"/>: the variable's own variables, which
    /// a member may change as C# lets it; for a value computed on the spot, its variables, copied first when the member
    /// is not <c>readonly</c> (they may be another variable's, and the member would change a copy in C#).
    /// </summary>
    private StructValue? Receiver(IOperation call, IOperation instance, IMethodSymbol member)
    {
        if (StructPlace(instance) is { } place)
        {
            if (!WritesReceiver(member) || RunsInOrder(call))
                return place;
            return Refuse(call, $"Calling '{member.Name}', which may change '{OneLine(instance.Syntax)}', inside a larger expression",
                $"call it in a statement of its own (var r = {OneLine(call.Syntax)};) and use its result, or make '{member.Name}' readonly");
        }
        StructValue? value = LowerStruct(instance);
        if (value is null || !WritesReceiver(member))
            return value;
        StructValue copy = NewStruct(LowerFirst(value.Layout.Type.Name), value.Layout, VariableKind.Synthetic);
        Copy($"{OneLine(instance.Syntax)}; (the copy {member.Name} is called on)", value, copy, declares: true);
        return copy;
    }

    /// <summary>
    /// A struct argument for an inlined callee's parameter: the argument's own variables when the callee never writes the
    /// parameter, else a copy, as C# passes structs by value.
    /// </summary>
    /// <param name="changedLater">A later argument may change a struct variable (it calls a struct's method that may write its receiver).</param>
    private StructValue? BindStructArgument(InlinedCall call, InlinedArgument argument, IBlockOperation? body, bool changedLater)
    {
        if (LowerStruct(argument.Value) is not { } value)
            return null;
        if (!changedLater && (body is null || !Writes(body, argument.Parameter)))
            return value;
        if (value.Layout.ArrayMember is { } array)
            return HoldsArray(argument.Value, value.Layout, array, $"copied for '{call.Method.Name}', which changes it,");
        StructValue copy = NewStruct(argument.Parameter.Name, value.Layout, VariableKind.Local);
        Copy($"{argument.Parameter.Name} = {OneLine(argument.Value.Syntax)}; — the argument of {OneLine(call.Operation.Syntax)}", value, copy, declares: true);
        return copy;
    }

    /// <summary>
    /// Whether lowering an expression may change a struct variable: it calls a struct's method (or computed property)
    /// that is not <c>readonly</c>, which may write its receiver.
    /// </summary>
    private bool MayChangeStructs(IOperation operation) =>
        operation.DescendantsAndSelf().Any(o => o switch
        {
            IInvocationOperation { TargetMethod: var method } => WritesReceiver(method),
            IPropertyReferenceOperation { Property.GetMethod: { } getter } => WritesReceiver(getter),
            _ => false,
        });

    /// <summary>
    /// Whether a struct's instance member may change its receiver: it is not <c>readonly</c>, and its body assigns a member
    /// of <c>this</c> (or <c>this</c>) or calls such a member on it.
    /// </summary>
    private bool WritesReceiver(IMethodSymbol method, HashSet<IMethodSymbol>? visiting = null)
    {
        if (method.IsStatic || method.IsReadOnly || method.MethodKind == MethodKind.LocalFunction || StructLayout.Of(method.ContainingType) is null or { IsNumerics: true })
            return false;
        if (!(visiting ??= new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default)).Add(method.OriginalDefinition))
            return false;
        if (method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not { } declaration || _body?.SemanticModel is not { } known
            || ModelOf(declaration, known).GetOperation(declaration, _cancellationToken) is not { } body)
            return true;
        if (declaration is MethodDeclarationSyntax read)
            _helpers.BodiesRead.Add(read);
        foreach (IOperation operation in body.DescendantsAndSelf())
        {
            if (operation is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } self && WrittenThrough(self))
                return true;
            if (operation is IInvocationOperation { Instance: IInstanceReferenceOperation, TargetMethod: var called } && WritesReceiver(called, visiting))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Whether a call that may change its receiver runs where C# runs it: as a statement or a whole value of its own, or
    /// as an argument or operand of an inlined call that does (whose earlier arguments are copied before it runs).
    /// Anywhere else in an expression, the statements it is lowered to would run before reads C# makes first.
    /// </summary>
    private static bool RunsInOrder(IOperation call)
    {
        IOperation current = call;
        while (true)
        {
            IOperation? parent = current.Parent;
            while (parent is IConversionOperation { OperatorMethod: null })
                parent = parent.Parent;
            if (parent is IArgumentOperation { Parent: { } invoked } && (invoked is IObjectCreationOperation || invoked is IInvocationOperation { TargetMethod: var method } && InvolvesStruct(method)))
                current = invoked;
            else if (parent is IBinaryOperation { OperatorMethod: var binary } && IsStructOperator(binary) || parent is IUnaryOperation { OperatorMethod: var unary } && IsStructOperator(unary))
                current = parent;
            else
                return StandsAlone(current);
        }
    }

    /// <summary>
    /// For a struct's member (or a method taking or returning a struct), a number passed as a local or parameter of
    /// the same type that the callee never assigns: that variable, which the callee reads in place of a copy (nothing
    /// a callee does can change the caller's locals). <c>null</c> for anything else, which is copied.
    /// </summary>
    private string? ScalarAlias(InlinedCall call, InlinedArgument argument, IBlockOperation? body)
    {
        IMethodSymbol method = call.Method;
        if (method.MethodKind == MethodKind.LocalFunction || !InvolvesStruct(method) && StructLayout.Of(method.ContainingType) is null)
            return null;
        ISymbol? passed = argument.Value switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };
        bool assigned = body is not null && body.Descendants().Any(o => o is IParameterReferenceOperation reference && IsAssigned(reference)
            && SymbolEqualityComparer.Default.Equals(reference.Parameter, argument.Parameter));
        return passed is not null && !assigned && SymbolEqualityComparer.Default.Equals(argument.Value.Type, argument.Parameter.Type)
            && _variableNames.TryGetValue(passed, out string? name) ? name : null;
    }

    /// <summary>Whether a body assigns a parameter, a member of it, or calls an instance method on it (which may change it).</summary>
    private static bool Writes(IBlockOperation body, IParameterSymbol parameter) =>
        body.Descendants().Any(o => o is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter) && WrittenThrough(reference));

    private static bool WrittenThrough(IOperation reference)
    {
        IOperation current = reference;
        while (current.Parent is IMemberReferenceOperation member && member.Instance == current)
            current = member;
        return IsAssigned(current) || current.Parent is IInvocationOperation { TargetMethod.IsStatic: false } call && call.Instance == current;
    }

    /// <summary>
    /// The body of a struct's member, or of a method taking or returning a struct, with a constructor's initializer
    /// (<c>: this(…)</c>); <c>null</c> when it has none in this compilation. A record's primary constructor has no body.
    /// </summary>
    private (IBlockOperation? Body, IOperation? Initializer)? StructBody(IMethodSymbol method, IOperation at)
    {
        SyntaxNode? declaration = (method.PartialImplementationPart ?? method).DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken);
        if (declaration is null || at.SemanticModel is not { } caller)
            return null;
        if (declaration is RecordDeclarationSyntax)
            return (null, null);
        if (declaration is MethodDeclarationSyntax read)
            _helpers.BodiesRead.Add(read);
        SemanticModel model = ModelOf(declaration, caller);
        return model.GetOperation(declaration, _cancellationToken) switch
        {
            IMethodBodyOperation body => (body.BlockBody ?? body.ExpressionBody, null),
            IConstructorBodyOperation constructor => (constructor.BlockBody ?? constructor.ExpressionBody, (constructor.Initializer as IExpressionStatementOperation)?.Operation ?? constructor.Initializer),
            ILocalFunctionOperation local => (local.Body, null),
            IBlockOperation arrow => (arrow, null),
            _ => null,
        };
    }
}
