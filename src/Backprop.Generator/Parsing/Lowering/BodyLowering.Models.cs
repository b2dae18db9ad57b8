using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// A model's fields, in one of its instance methods: a field read (<c>W1</c>, <c>this.W1</c>, <c>Layer1.W</c>) is a read
/// of a variable bound to the field, a parameter variable of the field's kind, so the rest of the pipeline treats it as
/// it treats a parameter (a differentiable one for a parameter field, a passive one for a hyperparameter). An instance
/// method of a model the model holds (<c>Layer1.Forward(x)</c>) is inlined where it is called, its fields read through
/// the path to it. A model's method reads its model and never changes it (BP1011).
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>The model whose fields the body reads: an instance method's type, or <c>null</c>.</summary>
    private ModelFields? _model;

    /// <summary>
    /// What <c>this</c> is while lowering: the model (empty path), or while an instance method of a model it holds is
    /// inlined, that model's path from it (<c>Layer1</c>), with its code as C# writes it.
    /// </summary>
    private (string Path, string Code) _instance = ("", "");

    /// <summary>Per field path, the variable bound to the field.</summary>
    private readonly Dictionary<string, string> _fieldVariables = new(System.StringComparer.Ordinal);

    /// <summary>The fields the derivatives bind, as parameters: every parameter field, then each hyperparameter as first read.</summary>
    private List<ParameterSpec>? _fields;

    /// <summary>Binds every parameter field to a variable, whether or not the body reads it: the derivatives write each one's gradient.</summary>
    private void BindParameterFields()
    {
        foreach (ModelField field in _model!.Parameters)
            BindField(field.Path, field.Code, field.Type, field.Role);
    }

    private string BindField(string path, string code, ITypeSymbol type, ParameterRole role)
    {
        var (element, shape) = Symbols.MatrixType(type) is var (matrixElement, matrixShape) ? (matrixElement, matrixShape)
            : VariableType(type) is var (number, isArray) ? (number, isArray ? ValueShape.Array : ValueShape.Scalar)
            : throw new System.InvalidOperationException($"No variable for the field {path} of type {type}.");
        string name = NewVariable(path.Replace('.', '_'), element, shape, VariableKind.Parameter);
        _fieldVariables[path] = name;
        _fields!.Add(new ParameterSpec(name, Symbols.TypeName(type), element, shape == ValueShape.Array, role, Field: code));
        return name;
    }

    /// <summary>
    /// The model's member an operation reads, a field or an auto-property of a type of this compilation, declared by the
    /// type it is read from (an inherited one is not the model's), reached from <c>this</c> through such members: its
    /// path, its code and its type; <c>null</c> for anything else.
    /// </summary>
    private (string Path, string Code, ITypeSymbol Type)? ModelMember(IOperation operation)
    {
        if (_model is null)
            return null;
        switch (operation)
        {
            case IFieldReferenceOperation { Field: { IsStatic: false, IsConst: false } field, Instance: { } instance }
                when DeclaredBy(field, instance) && Receiver(instance) is var (path, code):
                return (Join(path, field.Name), Join(code, Naming.Identifier(field.Name)), field.Type);
            case IPropertyReferenceOperation { Property: { IsStatic: false, IsIndexer: false } property, Instance: { } instance }
                when DeclaredBy(property, instance) && ModelParser.IsAutoProperty(property) && Receiver(instance) is var (path, code):
                return (Join(path, property.Name), Join(code, Naming.Identifier(property.Name)), property.Type);
            default:
                return null;
        }
    }

    private static bool DeclaredBy(ISymbol member, IOperation instance) =>
        member.ContainingType.DeclaringSyntaxReferences.Length > 0 && SymbolEqualityComparer.Default.Equals(member.ContainingType, instance.Type);

    /// <summary>The path and code of what an instance expression is: <c>this</c> (the model, or an inlined model's), or a model it holds.</summary>
    private (string Path, string Code)? Receiver(IOperation instance) =>
        // In a struct's member inlined here, this is the struct, not the model.
        instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } ? (_structThis is null ? _instance : null)
        : ModelMember(instance) is var (path, code, _) ? (path, code) : null;

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>C# naming what the receiver <c>this</c> is here, for code printed as is: <c>this</c>, or <c>this.Layer1</c> in an inlined layer.</summary>
    private string? InstanceCode(IOperation operation) =>
        _model is not null && _structThis is null && operation is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }
            ? (_instance.Code.Length == 0 ? "this" : "this." + _instance.Code) : null;

    /// <summary>
    /// The variable bound to the model's field an operation reads: a parameter field's, or a hyperparameter's of a kind
    /// the body holds (a number, an array of numbers, a matrix or an array of matrices), bound at its first read; else <c>null</c>.
    /// </summary>
    private string? FieldVariable(IOperation operation)
    {
        if (ModelMember(operation) is not var (path, code, type))
            return null;
        if (_fieldVariables.TryGetValue(path, out string? name))
            return name;
        if (type.TypeKind == TypeKind.Enum || Symbols.MatrixType(type) is null && VariableType(type) is null)
            return null;
        return BindField(path, code, type, ParameterRole.Passive);
    }

    /// <summary>A number read from the model: its field's variable, or an enum field's value (<c>(int)this.Mode</c>).</summary>
    private int? LowerModelRead(IOperation operation, ScalarType type)
    {
        if (FieldVariable(operation) is string variable)
            return _nodes.Read(variable, type);
        if (operation.Type?.TypeKind == TypeKind.Enum && ModelMember(operation) is var (_, code, _))
            return _nodes.Add(Op.Member, type, null, 0, $"({type.Keyword()}){Join("this", code)}", null);
        return null;
    }

    /// <summary>Whether an argument reads a parameter field (so its value varies with what the model's method differentiates).</summary>
    private bool ReadsParameterField(IOperation argument) =>
        _model is not null && argument.DescendantsAndSelf().Any(o => ModelMember(o) is var (path, _, _) && _model.Parameters.Any(p => p.Path == path));

    /// <summary>
    /// The instance method of a model called here, on the model or on a model it holds, with the path to its receiver:
    /// inlined where it is called, as a layer is; <c>null</c> for any other call.
    /// </summary>
    private (string Path, string Code)? ModelCallReceiver(IInvocationOperation call) =>
        _model is not null && call.TargetMethod is { IsStatic: false, MethodKind: MethodKind.Ordinary } && call.Instance is { } instance
        && call.TargetMethod.ContainingType.DeclaringSyntaxReferences.Length > 0
            ? Receiver(instance)
            : null;

    /// <summary>
    /// Whether an operation reaches the model: <c>this</c>, a member of it, an element of such a member; a write to it
    /// (or a call on it) would change the model.
    /// </summary>
    private bool ReachesModel(IOperation operation) => _model is not null && operation switch
    {
        IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } => _structThis is null,
        IConversionOperation conversion => ReachesModel(conversion.Operand),
        IMemberReferenceOperation { Instance: { } instance } => ReachesModel(instance),
        IArrayElementReferenceOperation element => ReachesModel(element.ArrayReference),
        _ => false,
    };

    /// <summary>
    /// BP1011 when a statement changes the model: assigns (or increments) one of its members or an element of one, calls a
    /// method on it, or passes one of its arrays or objects to a call that could change it. Returns whether it did.
    /// </summary>
    private bool ChangesModel(IOperation expression)
    {
        if (_model is null)
            return false;
        IEnumerable<IOperation> targets = expression switch
        {
            IAssignmentOperation { Target: ITupleOperation tuple } => tuple.Elements,
            IAssignmentOperation assignment => new[] { assignment.Target },
            IIncrementOrDecrementOperation step => new[] { step.Target },
            _ => System.Array.Empty<IOperation>(),
        };
        if (targets.FirstOrDefault(ReachesModel) is { } target)
            return ModelWrite(expression, $"assigns '{OneLine(target.Syntax)}', which is part of its model", "compute the new value in a local");
        if (expression is not IInvocationOperation call)
            return false;
        if (call.Instance is { } receiver && ReachesModel(receiver))
            return ModelWrite(expression, $"calls '{call.TargetMethod.Name}' on '{(receiver.IsImplicit ? "this" : OneLine(receiver.Syntax))}', which is part of its model, for its effect, which could change it",
                "call it outside the [Differentiable] method, or compute what it computes in this method");
        if (call.Arguments.FirstOrDefault(a => a.Value.Type?.IsReferenceType == true && ReachesModel(a.Value)) is { } argument)
            return ModelWrite(expression, $"passes '{OneLine(argument.Value.Syntax)}', which is part of its model, to '{call.TargetMethod.Name}', which could change it",
                "pass a copy, or the values it needs");
        return false;
    }

    private bool ModelWrite(IOperation at, string what, string advice)
    {
        Report(Diagnostics.ModelFieldWritten, at.Syntax, _inlinedBodies.Count > 0 ? _inlinedBodies.Peek() : _method.Name, what, advice);
        return true;
    }
}
