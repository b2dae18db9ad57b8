using System.Numerics;

namespace Backprop;

/// <summary>
/// One parameter of a model, as its walk (<see cref="IModel{T}.VisitParameters"/>) hands it over: its name, its shape,
/// its values in place, and its gradient when the walk was given gradients.
/// </summary>
public readonly ref struct ModelParameter<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Describes a parameter; the generated walk creates these through <c>ModelWalk</c>.</summary>
    public ModelParameter(string name, int index, ModelParameterKind kind, int rows, int columns, Span<T> values, Span<T> gradient, bool hasGradient,
        string? readOnlyReason = null)
    {
        Name = name;
        Index = index;
        Kind = kind;
        Rows = rows;
        Columns = columns;
        Values = values;
        Gradient = gradient;
        HasGradient = hasGradient;
        ReadOnlyReason = readOnlyReason;
    }

    /// <summary>The field's path from the model, as declared: <c>W2</c>, <c>Hidden.W</c>; for a matrix of a stack, the stack's.</summary>
    public string Name { get; }

    /// <summary>The matrix's index in its stack (a <c>Matrix&lt;T&gt;[]</c> field), or −1.</summary>
    public int Index { get; }

    /// <summary><see cref="Name"/>, with the index of a stack's matrix: <c>Ws[1]</c>. Allocates for a stack's matrix.</summary>
    public string FullName => Index < 0 ? Name : $"{Name}[{Index}]";

    /// <summary>What the field holds.</summary>
    public ModelParameterKind Kind { get; }

    /// <summary>Rows: a matrix's, 1 for an array or a scalar.</summary>
    public int Rows { get; }

    /// <summary>Columns: a matrix's, an array's length, 1 for a scalar.</summary>
    public int Columns { get; }

    /// <summary>The shape as text, <c>784×100</c>, as messages name it.</summary>
    public string Shape => $"{Rows}×{Columns}";

    /// <summary>The parameter's values, row-major, in place: writing them changes the model (unless <see cref="ReadOnlyReason"/> says otherwise).</summary>
    public Span<T> Values { get; }

    /// <summary>The gradient's values, of the same length, in place; empty when the walk had no gradients.</summary>
    public Span<T> Gradient { get; }

    /// <summary>Whether the walk was given gradients, so that <see cref="Gradient"/> is the parameter's.</summary>
    public bool HasGradient { get; }

    /// <summary>
    /// <see langword="null"/> when <see cref="Values"/> is the parameter itself; otherwise why it is a copy that writes do
    /// not reach (a scalar in an init-only property, a readonly field, or a struct model held as a copy).
    /// </summary>
    public string? ReadOnlyReason { get; }
}

/// <summary>What a model's parameter field holds.</summary>
public enum ModelParameterKind
{
    /// <summary>A <c>Matrix&lt;T&gt;</c>.</summary>
    Matrix,
    /// <summary>One matrix of a <c>Matrix&lt;T&gt;[]</c> (a stack), with its <see cref="ModelParameter{T}.Index"/>.</summary>
    StackMatrix,
    /// <summary>A <c>T[]</c>: one row.</summary>
    Array,
    /// <summary>A <c>T</c>: one value.</summary>
    Scalar,
}
