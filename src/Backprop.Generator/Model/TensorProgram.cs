namespace Backprop.Generator.Model;

/// <summary>
/// A <c>[Differentiable]</c> method over the runtime's matrices: a straight-line program of named values, each
/// computed by one operation whose derivative is a pullback found in the compilation (or one of the few scalar
/// arithmetic rules), plus the workspace that holds every value between the forward and the backward sweep.
/// </summary>
/// <param name="Element">The element type of every matrix: <c>float</c> or <c>double</c>.</param>
/// <param name="ReturnsMatrix">A layer (returns a matrix) rather than a loss (returns a scalar).</param>
/// <param name="Workspace">The generated workspace class, <c>{Method}Workspace</c>.</param>
internal sealed record TensorFunctionSpec(
    string? Namespace,
    EquatableArray<TypeDeclarationSpec> ContainingTypes,
    string Name,
    string Accessibility,
    ScalarType Element,
    bool ReturnsMatrix,
    EquatableArray<TensorParameter> Parameters,
    EquatableArray<TensorValue> Values,
    EquatableArray<TensorStatement> Statements,
    int Result,
    string Workspace,
    DerivativeKinds Derivatives,
    string HintName);

/// <summary>What a value is: a scalar of the element type, a matrix, or anything else (ints, flags, labels), which carries no derivative.</summary>
internal enum TensorKind
{
    Scalar,
    Matrix,
    Passive,
}

/// <param name="TypeName">The type as written in generated signatures (fully qualified).</param>
/// <param name="Value">The value the parameter stands for in the program.</param>
internal sealed record TensorParameter(string Name, string TypeName, TensorKind Kind, bool Differentiable, int Value)
{
    public string GradientName => "d" + Name;
}

/// <summary>
/// One value of the program: a parameter, or the result of one statement. <paramref name="Name"/> is unique in
/// the method (a reassigned local gets a fresh name per assignment). Only <paramref name="Active"/> values,
/// those that depend on a differentiable parameter, get adjoints.
/// </summary>
internal sealed record TensorValue(int Id, string Name, TensorKind Kind, string TypeName, bool Active, bool IsParameter);

/// <summary>An argument: a value of the program, or passive code (a constant, a flag, an expression over passive values).</summary>
internal sealed record TensorOperand(int? Value, string? Code)
{
    public static TensorOperand Of(int value) => new(value, null);

    public static TensorOperand Passive(string code) => new(null, code);
}

/// <summary>The operations of a tensor program; calls bring their own derivatives, the rest are scalar arithmetic with rules in <c>TensorRules</c>.</summary>
internal enum TensorOp
{
    /// <summary>A method with a <c>[DerivativeOf]</c> pullback (a runtime operation, an operator, a user's function).</summary>
    Call,
    /// <summary>Another <c>[Differentiable]</c> matrix method: its own generated workspace runs its forward and backward sweeps.</summary>
    Layer,
    /// <summary>A passive value (an int, a flag) computed by <see cref="TensorStatement.Code"/>, recomputed where needed.</summary>
    Passive,
    Add,
    Subtract,
    Multiply,
    Divide,
    Negate,
}

/// <summary>
/// <c>Result = Op(Arguments)</c>. <paramref name="Source"/> is the forward statement it comes from, quoted above
/// its code in both sweeps; consecutive statements from one source line share it.
/// </summary>
internal sealed record TensorStatement(int Result, TensorOp Op, EquatableArray<TensorOperand> Arguments, CallSpec? Call, string? Code, string Source);

/// <summary>
/// How to compute and differentiate a call. <paramref name="Forward"/> is the allocating method (or, for an
/// operator without a destination form, the operator token); <paramref name="Into"/> the destination form, with
/// <paramref name="IntoArguments"/> giving, per parameter of it, the argument index to pass or -1 for the
/// destination; <paramref name="Shape"/> the result-shape method, or <c>null</c> for the first matrix argument's
/// shape; <paramref name="Pullback"/> the pullback (for a layer, the workspace type; <c>null</c> for a call
/// none of whose arguments carries a derivative), with
/// <paramref name="Gradients"/> telling per argument whether the pullback takes its gradient.
/// </summary>
internal sealed record CallSpec(
    string Forward,
    string? Operator,
    string? Into,
    EquatableArray<int> IntoArguments,
    string? Shape,
    string? Pullback,
    EquatableArray<bool> Gradients);
