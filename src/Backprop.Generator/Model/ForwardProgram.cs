using System.Collections.Generic;

namespace Backprop.Generator.Model;

/// <summary>
/// A method body as structured statements over named variables. Each statement owns a small
/// expression graph (<see cref="Node"/>s in topological order, equal subexpressions shared) whose
/// leaves read variables. <c>break</c>, <c>continue</c> and <c>return</c> have already been turned into
/// flag variables and guarding <see cref="IfStatement"/>s, so control flow is only sequence, branch and loop.
/// </summary>
/// <param name="Variables">Every variable the body uses, with a unique name: parameters, locals, flags and the result.</param>
/// <param name="Result">The variable holding the returned value; for a tuple result, its first element.</param>
/// <param name="ResultElements">For a tuple result, the variable holding each element, in order; otherwise empty.</param>
internal sealed record ForwardProgram(EquatableArray<VariableSpec> Variables, Block Body, string Result, EquatableArray<string> ResultElements = default)
{
    /// <summary>The variables whose values the method returns: the result, or each element of a tuple result.</summary>
    public IEnumerable<string> Outputs => ResultElements.Count > 0 ? ResultElements : new[] { Result };
}

/// <summary>A variable of the forward program, under the unique name it has in the generated code.</summary>
/// <param name="Type">Its number type, or the element type of an array or matrix.</param>
internal sealed record VariableSpec(string Name, ScalarType Type, ValueShape Shape, VariableKind Kind)
{
    /// <summary>A <c>T[]</c> of <see cref="Type"/>.</summary>
    public bool IsArray => Shape == ValueShape.Array;

    public bool IsMatrix => Shape == ValueShape.Matrix;

    /// <summary>The type as generated code declares it.</summary>
    public string TypeName => Shape.TypeName(Type);
}

internal enum VariableKind
{
    Parameter,
    Local,
    /// <summary>A variable the generator introduced: a control-flow flag, a hoisted conditional, the result.</summary>
    Synthetic,
}

/// <summary>One value of a statement's expression graph; <see cref="Id"/> indexes the statement's node list.</summary>
/// <param name="Type">Its number type, or a matrix's element type.</param>
/// <param name="Value">The constant, for <see cref="Op.Constant"/>.</param>
/// <param name="Name">The variable, for <see cref="Op.Read"/>, <see cref="Op.Element"/> and <see cref="Op.Length"/>.</param>
/// <param name="Call">The method, for <see cref="Op.Call"/> and <see cref="Op.PassiveCall"/>.</param>
/// <param name="Shape">
/// A matrix (a matrix variable read, an element of an array of matrices, or a call returning one), an opaque value
/// passed through (<see cref="Op.Member"/>), or a number. A statement computes at most one matrix, at its root: a
/// matrix computed inside an expression is the value of a statement of its own.
/// </param>
internal sealed record Node(int Id, Op Op, ScalarType Type, EquatableArray<int> Arguments, double Value = 0, string? Name = null, CallTarget? Call = null,
    ValueShape Shape = ValueShape.Scalar);

/// <summary>A method called from a differentiable body.</summary>
/// <param name="Method">The method as printed in a call: <c>global::Ns.Type.G</c>.</param>
/// <param name="Differentiable">Per parameter: whether the callee's derivative methods have a gradient or tangent for it.</param>
/// <param name="Derivatives">The derivative methods the callee has.</param>
/// <param name="Pullback">
/// For a scalar function with no derivative methods of its own, its <c>[DerivativeOf]</c> pullback as printed in a call:
/// the reverse sweep calls it with the result's adjoint, the forward sweep with 1 for the partials.
/// </param>
/// <param name="Undifferentiated">
/// The floating-point parameters the callee's derivatives leave out, with where this call passes them: passing one a
/// value that varies with the caller's differentiable parameters would lose that derivative (BP1009).
/// </param>
/// <param name="DerivativesAt">
/// The derivative methods' name without their suffix, when they are not beside the method: an implicit helper of a
/// type that is not partial has them in a generated class.
/// </param>
/// <param name="Into">
/// For an operation returning a matrix, its destination form (<c>F(…, destination)</c>), with <paramref name="IntoArguments"/>
/// giving per parameter of it the argument to pass, or -1 for the destination; <c>null</c> when the operation only allocates.
/// </param>
/// <param name="Shape">The method giving a matrix result's shape from the arguments; <c>null</c> for the first matrix argument's.</param>
/// <param name="Tangent">
/// For an operation on matrices, its <c>[TangentOf]</c> rule: the forward sweep calls it with the arguments, the result
/// and the arguments' tangents, and it gives the result's tangent.
/// </param>
/// <param name="PullbackTangent">The <c>[TangentOf]</c> rule of its pullback, for second derivatives (forward over reverse).</param>
internal sealed record CallTarget(string Method, EquatableArray<bool> Differentiable, DerivativeKinds Derivatives, string? Pullback = null,
    EquatableArray<UndifferentiatedParameter> Undifferentiated = default, string? DerivativesAt = null,
    string? Into = null, EquatableArray<int> IntoArguments = default, string? Shape = null, string? Tangent = null, string? PullbackTangent = null)
{
    /// <summary>The name to which the derivative methods add their suffix: <c>global::Ns.Type.G</c> for <c>GGradient</c>, <c>GTangent</c>, ….</summary>
    public string DerivativeMethod => DerivativesAt ?? Method;
}

/// <summary>A floating-point parameter a callee does not differentiate, and the argument a call passes it.</summary>
/// <param name="Ordinal">The parameter's position, which is its argument's in the call node.</param>
/// <param name="Callee">The callee as its source names it.</param>
/// <param name="Pullback">The callee's derivative is a <c>[DerivativeOf]</c> pullback (else a generated method).</param>
/// <param name="Argument">
/// Where the call passes the argument. Left out of equality: BP1009 is reported from the parse step, which has the
/// current position, so a method that only moved in its file compares equal and regenerates nothing.
/// </param>
internal sealed record UndifferentiatedParameter(int Ordinal, string Name, string Callee, bool Pullback, SourceSpan? Argument)
{
    public bool Equals(UndifferentiatedParameter? other) =>
        other is not null && Ordinal == other.Ordinal && Name == other.Name && Callee == other.Callee && Pullback == other.Pullback;

    public override int GetHashCode() => ((Ordinal * 31 + Name.GetHashCode()) * 31 + Callee.GetHashCode()) * 2 + (Pullback ? 1 : 0);
}

internal sealed record Block(EquatableArray<Statement> Statements)
{
    /// <summary>This block with every statement, nested ones included, numbered 0, 1, … in source order (a statement before the blocks it holds).</summary>
    public Block Numbered()
    {
        int next = 0;
        return Number(this, ref next);
    }

    private static Block Number(Block block, ref int next)
    {
        var numbered = new Statement[block.Statements.Count];
        for (int i = 0; i < numbered.Length; i++)
        {
            Statement statement = block.Statements[i] with { Id = next++ };
            if (statement is IfStatement branch)
            {
                Block then = Number(branch.Then, ref next);
                statement = branch with { Then = then, Else = Number(branch.Else, ref next) };
            }
            else if (statement is LoopStatement loop)
                statement = loop with { Body = Number(loop.Body, ref next) };
            numbered[i] = statement;
        }
        return new Block(new EquatableArray<Statement>(numbered));
    }
}

/// <summary>A statement, with its source text for the comments above its code.</summary>
internal abstract record Statement(string Source, EquatableArray<Node> Nodes)
{
    /// <summary>
    /// The statement's number in its method, unique, in source order (<see cref="Block.Numbered"/>): later stages keep
    /// what they decide about a statement under it, since equal statements in different places are different statements.
    /// </summary>
    public int Id { get; init; }
}

/// <summary><c>Target = Nodes[Value]</c>; a declaration with an initializer when <see cref="Declares"/>.</summary>
internal sealed record AssignStatement(string Source, EquatableArray<Node> Nodes, string Target, int Value, bool Declares)
    : Statement(Source, Nodes);

/// <summary>
/// <c>Array[Nodes[Index]] = Nodes[Value]</c> on a local array; <paramref name="Initializes"/> when it stores an element of
/// the array's initializer, right after its allocation, so that nothing was there before it.
/// </summary>
internal sealed record StoreStatement(string Source, EquatableArray<Node> Nodes, string Array, int Index, int Value, bool Initializes = false)
    : Statement(Source, Nodes);

/// <summary>
/// <c>Array = new T[Nodes[Length]]</c>, or, <paramref name="OnStack"/>, <c>Span&lt;T&gt; Array = stackalloc T[Nodes[Length]]</c>: a
/// span local the source allocates on the stack, which every derivative method allocates there too.
/// </summary>
internal sealed record AllocateStatement(string Source, EquatableArray<Node> Nodes, string Array, int Length, bool OnStack = false)
    : Statement(Source, Nodes);

/// <summary>
/// <c>(A, B) = (B, A)</c> on two local arrays: the names trade the arrays they refer to (references, not elements). It
/// undoes itself, so the reverse sweep swaps back, and the arrays' derivative buffers are swapped with them. (A local
/// array reassigned, <c>a = b</c> or <c>s = Step(s, p)</c>, is an <see cref="AssignStatement"/> whose target is an array.)
/// </summary>
internal sealed record SwapStatement(string Source, string A, string B)
    : Statement(Source, EquatableArray<Node>.Empty);

/// <summary><c>if (Nodes[Condition]) Then else Else</c>.</summary>
internal sealed record IfStatement(string Source, EquatableArray<Node> Nodes, int Condition, Block Then, Block Else)
    : Statement(Source, Nodes);

/// <summary>
/// Code run for its effect alone, in order, in the forward pass of every derivative method: a <c>throw</c>, a guard
/// (<c>ArgumentOutOfRangeException.ThrowIfNegative(x)</c>, <c>Debug.Assert</c>), a call to a void method such as a log.
/// It writes no variable and no derivative flows through it. The generator does not model what it does, so it is kept
/// as the C# it prints to (<see cref="Code"/>, without the semicolon), with the variables that code reads.
/// </summary>
internal sealed record EffectStatement(string Source, string Code, EquatableArray<string> Reads)
    : Statement(Source, EquatableArray<Node>.Empty);

/// <summary>
/// <c>while (Nodes[Condition]) Body</c>, or <c>do Body while (Nodes[Condition])</c> when not
/// <see cref="TestsFirst"/>. A <c>for</c> loop arrives as its initializers, then this with the
/// incrementors at the end of <see cref="Body"/>.
/// </summary>
internal sealed record LoopStatement(string Source, EquatableArray<Node> Nodes, int Condition, Block Body, bool TestsFirst)
    : Statement(Source, Nodes);
