using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// The gradient method's body, ready to print: the forward statements with the values the reverse pass
/// needs kept in named locals, then the reverse pass, one block per source statement, last first.
/// </summary>
/// <param name="UnusedGradients">Gradient parameters the result does not depend on; they are set to zero.</param>
internal sealed record GradientProgram(
    EquatableArray<CodeBlock> Forward,
    EquatableArray<CodeBlock> Reverse,
    EquatableArray<string> UnusedGradients,
    Expr Result);

/// <summary>The code for one source statement, under a comment quoting it.</summary>
internal sealed record CodeBlock(string Source, EquatableArray<CodeLine> Lines);

internal abstract record CodeLine;

/// <summary><c>{Type} {Name} = {Value};</c></summary>
internal sealed record DeclareLine(ScalarType Type, string Name, Expr Value) : CodeLine;

/// <summary><c>{Name} = {Value};</c>, or <c>{Name} += {Value};</c> when <see cref="Accumulate"/>.</summary>
internal sealed record AssignLine(string Name, Expr Value, bool Accumulate) : CodeLine;
