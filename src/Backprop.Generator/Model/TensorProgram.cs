namespace Backprop.Generator.Model;

/// <summary>
/// A <c>[Differentiable]</c> method over the runtime's matrices: a structured program (statements, branches, loops)
/// of named values, each computed by one operation whose derivative is a pullback found in the compilation (or one
/// of the few scalar arithmetic rules), plus the workspace that holds every value between the forward and the
/// backward sweep.
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
    EquatableArray<TensorStep> Body,
    int Result,
    string Workspace,
    DerivativeKinds Derivatives,
    string HintName);

/// <summary>What a value is: a scalar of the element type, a matrix, an array of matrices (a parameter), or anything else (ints, flags, labels), which carries no derivative.</summary>
internal enum TensorKind
{
    Scalar,
    Matrix,
    MatrixArray,
    Passive,
}

/// <param name="TypeName">The type as written in generated signatures (fully qualified).</param>
/// <param name="Value">The value the parameter stands for in the program.</param>
internal sealed record TensorParameter(string Name, string TypeName, TensorKind Kind, bool Differentiable, int Value)
{
    /// <summary><c>d</c> + the name, as C# spells it: escaped where that is a keyword (<c>o</c> → <c>@do</c>).</summary>
    public string GradientName => Naming.Identifier(Naming.Derivative(Name));
}

/// <summary>
/// One value of the program: a parameter, or the result of one statement. <paramref name="Name"/> is unique in
/// the method (a reassigned local gets a fresh name per assignment). Only <paramref name="Active"/> values,
/// those that depend on a differentiable parameter, get adjoints.
/// </summary>
internal sealed record TensorValue(int Id, string Name, TensorKind Kind, string TypeName, bool Active, bool IsParameter);

/// <summary>
/// An argument: a value of the program, or passive code (a constant, a flag, an expression over passive values and
/// shapes) with the values it reads in <paramref name="Uses"/>, so the backward sweep can make them available.
/// </summary>
internal sealed record TensorOperand(int? Value, string? Code, EquatableArray<int> Uses)
{
    public static TensorOperand Of(int value) => new(value, null, EquatableArray<int>.Empty);

    public static TensorOperand Passive(string code, EquatableArray<int> uses) => new(null, code, uses);

    /// <summary>The values this operand reads.</summary>
    public System.Collections.Generic.IEnumerable<int> Reads => Value is int value ? new[] { value } : Uses;
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
    /// <summary><c>Arguments[0][Arguments[1]]</c>: an element of an array of matrices; its gradient adds into the array's gradient at that index.</summary>
    Element,
    Add,
    Subtract,
    Multiply,
    Divide,
    Negate,
}

/// <summary>One step of a tensor program; <paramref name="Source"/> is the forward statement it comes from, quoted above its code in both sweeps.</summary>
internal abstract record TensorStep(string Source);

/// <summary>
/// <c>Result = Op(Arguments)</c>; consecutive statements from one source line share their <see cref="TensorStep.Source"/>.
/// A passive statement lists the values its <paramref name="Code"/> reads as arguments.
/// </summary>
internal sealed record TensorStatement(int Result, TensorOp Op, EquatableArray<TensorOperand> Arguments, CallSpec? Call, string? Code, string Source)
    : TensorStep(Source);

/// <summary>
/// <c>if (Condition) Then else Else</c> on a condition that carries no derivative; the backward sweep evaluates it
/// again (it reads only kept or recomputed values) and differentiates the branch that ran. A local assigned in a
/// branch and read after it becomes a <see cref="BranchMerge"/>.
/// </summary>
internal sealed record TensorBranch(TensorOperand Condition, EquatableArray<TensorStep> Then, EquatableArray<TensorStep> Else,
    EquatableArray<BranchMerge> Merges, string Source) : TensorStep(Source);

/// <summary><paramref name="Result"/> (declared before the branch) is <paramref name="Then"/> after the then branch, <paramref name="Else"/> after the else branch.</summary>
internal sealed record BranchMerge(int Result, int Then, int Else);

/// <summary>
/// <c>for (Variables; Condition; Steps) Body</c> over passive loop variables (kept per iteration, the variables'
/// values at the start of each); every value computed in the body gets a workspace slot per iteration, so the
/// backward sweep runs the iterations in reverse reading each one's own values. A local assigned in the body is
/// <see cref="LoopCarried"/>.
/// </summary>
internal sealed record TensorLoop(EquatableArray<LoopVariable> Variables, TensorOperand Condition, EquatableArray<string> Steps,
    EquatableArray<TensorStep> Body, EquatableArray<LoopCarried> Carried, string Source) : TensorStep(Source);

/// <param name="Value">The variable's value in the body (a passive value of the body).</param>
internal sealed record LoopVariable(int Value, TensorOperand Initial);

/// <summary>
/// A local (named <paramref name="Local"/> in the source) assigned in a loop body: <paramref name="Outer"/> holds it before the loop (initialized from
/// <paramref name="Initial"/>) and after it; <paramref name="Inner"/> is its value at the start of an iteration,
/// <paramref name="Next"/> at the end.
/// </summary>
internal sealed record LoopCarried(string Local, int Outer, int Inner, int Initial, int Next);

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
