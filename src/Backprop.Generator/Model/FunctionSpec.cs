using System.Linq;

namespace Backprop.Generator.Model;

/// <summary>A <c>[Differentiable]</c> method, as the later stages need it: no Roslyn symbols, only values.</summary>
/// <param name="Namespace">The containing namespace, or <c>null</c> for the global namespace.</param>
/// <param name="ContainingTypes">The partial types around the method, outermost first.</param>
/// <param name="ReturnType">The returned scalar, or the element type of the returned array when <paramref name="ReturnsArray"/>.</param>
/// <param name="ReturnsArray">Returns a <c>double[]</c> or <c>float[]</c> (a local array of the body, <see cref="ForwardProgram.Result"/>).</param>
/// <param name="ResultStruct">
/// For a method returning a struct or a tuple of numbers, the result as derivative methods give it whole
/// (<c>(double X, double V)</c>, <c>global::Demo.Vec3</c>); <paramref name="ReturnType"/> is then the type of its
/// differentiable leaves, and <see cref="ForwardProgram.ResultElements"/> holds its leaves.
/// </param>
/// <param name="Operator">For a user-defined operator of a struct, its symbol (<c>*</c>), which code calling it writes (its derivatives are named after <paramref name="Name"/>, <c>op_Multiply</c>).</param>
/// <param name="HintName">The generated file's name, <c>{Namespace}.{Type}.{Method}.g.cs</c>.</param>
/// <param name="TypeParameter">
/// For a method generic over <c>T : IFloatingPointIeee754&lt;T&gt;</c>, the name of <c>T</c> as written, under which the printer
/// writes <see cref="ScalarType.Generic"/>; <paramref name="Constraints"/> is its <c>where</c> clause, fully qualified.
/// </param>
/// <param name="Model">
/// For an instance method (a model's), the model's gradient type as generated code names it
/// (<c>global::Ns.Mlp.Gradients</c>): its derivatives are instance methods taking one, and differentiate with respect
/// to <paramref name="Fields"/> as well as the parameters.
/// </param>
/// <param name="Fields">
/// A model method's fields, nested models' included: the parameter fields, then the hyperparameters its body reads.
/// Each is a variable of the body bound to the field, differentiated as a parameter of its kind would be.
/// </param>
/// <param name="ModelParameters">
/// For a model's method with a train step, its model's parameters in the order of the model's walk, which numbers them
/// for the optimizer, and how each scalar among them is written.
/// </param>
/// <param name="ForCallers">
/// Derivatives generated for other derivative methods to call (an implicit helper's, or the variant of a method with
/// <c>[NoDerivative]</c> parameters that differentiates them too): the conveniences a user calls (<c>FHessianVector</c>,
/// <c>FHessian</c>) are left out.
/// </param>
internal sealed record FunctionSpec(
    string? Namespace,
    EquatableArray<TypeDeclarationSpec> ContainingTypes,
    string Name,
    string Accessibility,
    ScalarType ReturnType,
    bool ReturnsArray,
    EquatableArray<ParameterSpec> Parameters,
    ForwardProgram Body,
    DerivativeKinds Derivatives,
    string HintName,
    bool ForCallers = false,
    StructSpec? ResultStruct = null,
    string? Operator = null,
    string? TypeParameter = null,
    string? Constraints = null,
    bool ReturnsMatrix = false,
    string? Model = null,
    EquatableArray<ParameterSpec> Fields = default,
    EquatableArray<WalkedParameter> ModelParameters = default)
{
    /// <summary>An instance method of a model, differentiated with respect to its fields too.</summary>
    public bool IsModelMethod => Model is not null;

    /// <summary>What the derivatives differentiate with respect to, and read: the parameters, then a model's fields.</summary>
    public System.Collections.Generic.IEnumerable<ParameterSpec> Inputs => Parameters.Concat(Fields);

    /// <summary>For a generic method, its type parameter list (<c>&lt;T&gt;</c>), which every derivative method repeats; else empty.</summary>
    public string TypeParameters => TypeParameter is null ? "" : $"<{TypeParameter}>";

    /// <summary>For a generic method, its constraint clause after a space (<c> where T : global::System.Numerics.IFloatingPointIeee754&lt;T&gt;</c>); else empty.</summary>
    public string ConstraintClause => Constraints is null ? "" : " " + Constraints;

    /// <summary>The return type as written: <c>double</c>, <c>float[]</c>, <c>(double X, double V)</c>, <c>global::Backprop.Matrix&lt;float&gt;</c>.</summary>
    public string ReturnKeyword => ResultStruct?.TypeName ?? (ReturnsMatrix ? ValueShapes.MatrixType(ReturnType) : ReturnType.Keyword() + (ReturnsArray ? "[]" : ""));

    /// <summary>A tuple or struct result, whose leaves the body computes one variable each.</summary>
    public bool ReturnsStruct => ResultStruct is not null;

    /// <summary>An array, matrix, tuple or struct result, whose derivatives take a cotangent <c>dresult</c> in place of a gradient method.</summary>
    public bool ReturnsSeveralValues => ReturnsArray || ReturnsStruct || ReturnsMatrix;

    /// <summary>Whether any value of the body is a matrix: its derivatives take their matrices from a per-thread arena.</summary>
    public bool UsesMatrices => ReturnsMatrix || Body.Variables.Any(v => v.Shape is ValueShape.Matrix or ValueShape.MatrixArray);

    /// <summary>The element type of the body's matrices, which its arena holds: a loss in double over float matrices is a float arena's.</summary>
    public ScalarType MatrixElement => Body.Variables.FirstOrDefault(v => v.Shape is ValueShape.Matrix or ValueShape.MatrixArray)?.Type ?? ReturnType;

    public const string DefaultTapeName = "tape";

    /// <summary>The derivative methods' tape local: <c>tape</c>, or <c>tape_1</c>, … when a parameter or local is already named so.</summary>
    public string TapeName => FreeName(DefaultTapeName);

    public const string DefaultArenaName = "arena";

    /// <summary>The derivative methods' matrix arena local (see <see cref="UsesMatrices"/>), named as <see cref="TapeName"/> is.</summary>
    public string ArenaName => FreeName(DefaultArenaName);

    private string FreeName(string wanted)
    {
        var taken = new System.Collections.Generic.HashSet<string>(Body.Variables.Select(v => v.Name)
            .Concat(Parameters.SelectMany(p => new[] { p.Name, p.GradientName })).Concat(IsModelMethod ? new[] { Naming.ModelGradients } : new string[0]));
        string name = wanted;
        for (int suffix = 1; taken.Contains(name); suffix++)
            name = wanted + "_" + suffix;
        return name;
    }
}

/// <summary>Which methods to emit; mirrors <c>Backprop.Derivatives</c>.</summary>
[System.Flags]
internal enum DerivativeKinds
{
    Gradient = 1,
    Tangent = 2,
    Hessian = 4,
    Jacobian = 8,
    TrainStep = 16,
}

/// <summary>One enclosing type declaration, reopened as <c>partial {Keyword} {Name}</c>.</summary>
internal sealed record TypeDeclarationSpec(string Keyword, string Name);

/// <summary>How a parameter takes part in differentiation.</summary>
internal enum ParameterRole
{
    /// <summary>No gradient: an integer, a bool, any other type, or a parameter marked <c>[NoDerivative]</c>.</summary>
    Passive,
    /// <summary>A <c>double</c> or <c>float</c>: gets an <c>out</c> gradient of the same type.</summary>
    Scalar,
    /// <summary>A <c>double[]</c> or <c>float[]</c>: gets a caller-provided gradient buffer of the same length.</summary>
    Array,
    /// <summary>A <c>Matrix&lt;T&gt;</c>: gets a caller-provided gradient buffer of the same shape.</summary>
    Matrix,
    /// <summary>A <c>Matrix&lt;T&gt;[]</c>: gets a caller-provided array of gradient buffers, one per matrix, each of its shape.</summary>
    MatrixArray,
}

/// <param name="TypeName">The type as written in the generated signature (fully qualified).</param>
/// <param name="Type">The scalar (or element) type, when the parameter is one the forward program can read; a matrix's element type.</param>
/// <param name="IsSpan">A <c>Span&lt;T&gt;</c> or <c>ReadOnlySpan&lt;T&gt;</c>, read as an array (<see cref="IsArray"/>); its gradient and product buffers are spans too.</param>
/// <param name="Field">
/// For a model's field, the field as C# reads it from the model (<c>W1</c>, <c>Layer1.W</c>, keywords escaped): the body's
/// variable <see cref="Name"/> is bound to <c>this.{Field}</c>, and its gradient is <c>gradients.{Field}</c>.
/// </param>
/// <param name="Struct">
/// For a leaf of a struct parameter, the struct parameter and which leaf: the forward program reads the leaf as a
/// parameter of its own (<see cref="Name"/> <c>p_X</c>), and the derivative methods take the struct whole (<c>Vec3 p</c>,
/// <c>out Vec3 dp</c>).
/// </param>
internal sealed record ParameterSpec(string Name, string TypeName, ScalarType? Type, bool IsArray, ParameterRole Role, bool IsSpan = false, string? Field = null,
    StructMembership? Struct = null)
{
    /// <summary>
    /// The type of a derivative buffer for this array or span parameter: <c>double[]</c> for an array; for a span,
    /// <c>Span&lt;double&gt;</c> when the method writes it (a gradient, a product) or <c>ReadOnlySpan&lt;double&gt;</c> when it reads it (a direction);
    /// for the numbers of an array of arrays, the view of its rows, <c>RowElements&lt;double&gt;</c>, read and written alike.
    /// </summary>
    public string BufferType(bool written) =>
        Struct?.Array is { IsJagged: true } ? $"global::Backprop.RowElements<{Type!.Value.Keyword()}>"
        : IsSpan ? $"global::System.{(written ? "Span" : "ReadOnlySpan")}<{Type!.Value.Keyword()}>" : Type!.Value.Keyword() + "[]";

    /// <summary>
    /// <c>d</c> + the name, as C# spells it: escaped where that is a keyword (<c>o</c> → <c>@do</c>); for a model's field,
    /// its member of the gradients (<c>gradients.W1</c>).
    /// </summary>
    public string GradientName => Field is null ? Naming.Identifier(Naming.Derivative(Name)) : Naming.ModelGradients + "." + Field;

    /// <summary>The elements of a two-dimensional array or an array of arrays, whose buffers' shapes are checked where the signature views them.</summary>
    public bool ShapeCheckedBySignature => Struct?.Array?.ChecksShape == true;

    /// <summary>Whether its gradient is a matrix, or an array of them, given by the caller.</summary>
    public bool TakesMatrices => Role is ParameterRole.Matrix or ParameterRole.MatrixArray;
}
