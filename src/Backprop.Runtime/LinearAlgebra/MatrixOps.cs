using System.Numerics;

namespace Backprop;

/// <summary>
/// The matrix operations that generated code calls, each beside its derivative rule. Written to be read
/// like mathematics with <c>using static Backprop.MatrixOps;</c>: <c>Relu(MatMul(x, w1) + b1)</c>.
/// </summary>
/// <remarks>
/// <para><b>Two forms.</b> Every operation has an allocating form that returns a new matrix (or a scalar),
/// and a form that writes into a caller-provided <c>destination</c> and allocates nothing, for hot loops.
/// The allocating form only creates the result and calls the destination form.</para>
/// <para><b>Pullbacks.</b> Beside each operation <c>Op</c> sits <c>OpPullback</c>, its reverse-mode
/// derivative rule, marked <see cref="DerivativeOfAttribute"/> and written to its convention so that generated
/// code chains them: the operation's arguments, then <c>result</c> (what it returned) and <c>dResult</c> (the
/// gradient of the loss with respect to it), then one gradient per differentiable argument, <c>d</c> + the
/// argument's name. A pullback <em>overwrites</em> a matrix gradient, or skips it when it is
/// <see langword="null"/>; a scalar argument's gradient is an <see langword="out"/> parameter. Pullbacks read
/// their inputs, <c>result</c> and <c>dResult</c> and never modify them. To add a matrix product's gradient into
/// an existing one, call <see cref="MatMul{T}(Matrix{T}, Matrix{T}, Matrix{T}, bool, bool, bool)"/> with
/// <c>accumulate: true</c>. The operators on <see cref="Matrix{T}"/> have their pullbacks here too
/// (<c>AdditionOperatorPullback</c>, …), and named forms that write into a destination
/// (<see cref="Plus{T}(Matrix{T}, Matrix{T}, Matrix{T})"/>, <see cref="Negate{T}(Matrix{T}, Matrix{T})"/>).
/// Results have the shape of the first matrix argument unless a <c>OpShape</c> method says otherwise.</para>
/// <para><b>Tangents.</b> Beside each pullback sit <c>OpTangent</c>, the operation's tangent (Jacobian-vector
/// product), and <c>OpPullbackTangent</c>, the tangent of the pullback, for Hessian-vector products by forward over
/// reverse, both marked <see cref="TangentOfAttribute"/>, whose documentation gives their convention. A
/// <see langword="null"/> tangent is a zero one.</para>
/// <para><b>Aliasing.</b> Elementwise forward operations accept a destination that is the very same matrix as
/// an input (in place), and so do the activations' pullbacks a gradient that is <c>dResult</c>, for hand-written
/// loops. The matrix product, the transpose, the row and column sums and pullbacks with two
/// gradients throw <see cref="ArgumentException"/> when a destination is also an input, because they read
/// inputs after writing the destination. Generated code never passes a gradient that aliases an input.</para>
/// <para><b>Shapes.</b> A shape mismatch throws <see cref="ArgumentException"/> whose message names the
/// operation and both shapes, e.g. <c>MatMul: (100×784)·(100×10) — inner dimensions 784 and 100 differ</c>.</para>
/// </remarks>
public static partial class MatrixOps
{
    private static int s_maxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount);

    /// <summary>
    /// The most threads one matrix product may use (default: 2, or 1 on a single-core machine). Products
    /// smaller than <see cref="ParallelThreshold"/> multiply-adds always run on the calling thread.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => s_maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_maxDegreeOfParallelism = value;
        }
    }

    /// <summary>
    /// The number of multiply-adds (m·n·k) from which a matrix product is split across threads; below it,
    /// waking a second thread costs more than it saves.
    /// </summary>
    public const long ParallelThreshold = 1L << 21;

    private static void RequireShape<T>(Matrix<T> matrix, int rows, int columns, string operation, string role)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (matrix.Rows != rows || matrix.Columns != columns)
            throw new ArgumentException($"{operation}: {role} is ({matrix.Shape}) but must be ({rows}×{columns}).");
    }

    private static void RequireDistinct<T>(Matrix<T> destination, Matrix<T> input, string operation, string destinationName, string inputName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (ReferenceEquals(destination, input))
            throw new ArgumentException($"{operation}: {destinationName} must not be the same matrix as {inputName}.", destinationName);
    }
}
