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
internal sealed record ModelSpec(string? Namespace, EquatableArray<TypeDeclarationSpec> ContainingTypes, string TypeName, string HintName,
    EquatableArray<ModelMember> Members, bool IsValueType)
{
    /// <summary>The gradient type as generated code names it: <c>global::Ns.Mlp.Gradients</c>.</summary>
    public string GradientsType => TypeName + "." + Naming.GradientsType;
}

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
