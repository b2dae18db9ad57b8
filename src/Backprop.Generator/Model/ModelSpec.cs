using System.Linq;

namespace Backprop.Generator.Model;

/// <summary>
/// A model: a type whose <c>[Differentiable]</c> instance methods differentiate with respect to its fields, or a type a
/// model holds in a field (a layer). The generator writes a nested <c>Gradients</c> type into it, one member per
/// parameter field, each of its field's shape.
/// </summary>
/// <param name="ContainingTypes">The partial types to reopen, outermost first, the model itself last.</param>
/// <param name="TypeName">The model as generated code names it: <c>global::Ns.Mlp</c>.</param>
/// <param name="HintName">The generated file's name, <c>{Namespace}.{Type}.Gradients.g.cs</c>.</param>
/// <param name="IsValueType">A struct or record struct, which <c>Gradients.For</c> takes without a null check.</param>
/// <param name="Parameters">Every parameter of the model, its layers' included, in the order of its walk (<c>IModel&lt;T&gt;</c>).</param>
/// <param name="Layers">The layers the walk goes through, each before the layers it holds.</param>
internal sealed record ModelSpec(string? Namespace, EquatableArray<TypeDeclarationSpec> ContainingTypes, string TypeName, string HintName,
    EquatableArray<ModelMember> Members, bool IsValueType, EquatableArray<WalkedParameter> Parameters = default, EquatableArray<WalkedLayer> Layers = default)
{
    /// <summary>The gradient type as generated code names it: <c>global::Ns.Mlp.Gradients</c>.</summary>
    public string GradientsType => TypeName + "." + Naming.GradientsType;

    /// <summary>The model's name in messages: its own, without the types around it.</summary>
    public string Name => ContainingTypes[ContainingTypes.Count - 1].Name;

    /// <summary>
    /// The element type every parameter shares, which the model's <c>IModel&lt;T&gt;</c> is of; <c>null</c> when its
    /// parameters mix float and double (or it has none), and then it implements none.
    /// </summary>
    public ScalarType? Element => Parameters.Select(p => p.Element).Distinct().ToList() is { Count: 1 } one ? one[0] : null;
}

/// <summary>A parameter of a model as its walk reaches it: a field of the model, or of a layer it holds.</summary>
/// <param name="Name">Its path from the model, as declared (<c>Hidden.W</c>): the name the walk gives it.</param>
/// <param name="Code">The same as C# writes it, keywords escaped (<c>Hidden.@class</c>).</param>
/// <param name="ReadOnlyReason">For a scalar that cannot be written in place (<see cref="ScalarAccess.ReadOnly"/>), why, as messages say it.</param>
internal sealed record WalkedParameter(string Name, string Code, ModelMemberKind Kind, ScalarType Element, ScalarAccess Access = ScalarAccess.InPlace, string? ReadOnlyReason = null);

/// <summary>How a model's code can write one of its scalar parameters (matrices and arrays are written through their reference).</summary>
internal enum ScalarAccess
{
    /// <summary>A field reached through fields or references: <c>ref this.Temperature</c>.</summary>
    InPlace,
    /// <summary>A property with a setter: read, changed and set back.</summary>
    ThroughProperty,
    /// <summary>An init-only property, a readonly field, or a field of a struct the walk holds as a copy: read only.</summary>
    ReadOnly,
}

/// <summary>A layer the walk goes through: its path as C# writes it, and whether it is a reference (which may be null).</summary>
internal sealed record WalkedLayer(string Code, bool IsReference);

/// <summary>One parameter field of a model and its member of the model's <c>Gradients</c>.</summary>
/// <param name="Name">The field's name as C# spells it (keywords escaped), which its gradient member takes too.</param>
/// <param name="Type">The gradient member's type as generated code writes it: the field's, or a nested model's <c>Gradients</c>.</param>
/// <param name="Accessibility">
/// <c>public</c>, or <c>internal</c> for a nested model less accessible than the model holding it (a public member
/// could not have its type).
/// </param>
internal sealed record ModelMember(string Name, ModelMemberKind Kind, string Type, string Accessibility = "public");

internal enum ModelMemberKind
{
    /// <summary>A <c>Matrix&lt;T&gt;</c>: its gradient is a matrix of its shape.</summary>
    Matrix,
    /// <summary>A <c>Matrix&lt;T&gt;[]</c>: one matrix per matrix, each of its shape.</summary>
    MatrixArray,
    /// <summary>A <c>double</c> or <c>float</c>.</summary>
    Scalar,
    /// <summary>A <c>double[]</c> or <c>float[]</c>: an array of its length.</summary>
    Array,
    /// <summary>A nested model: its own <c>Gradients</c>.</summary>
    Model,
}
