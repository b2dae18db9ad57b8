using System.ComponentModel;
using System.Numerics;

namespace Backprop;

/// <summary>
/// The matrices one call of a generated derivative method computes: every value of the forward sweep and every
/// gradient of the reverse sweep takes the next slot, reshaped in place (<see cref="Matrix{T}.Reuse"/>). Arenas are
/// pooled per thread, as tapes are: a call takes the slots of the arena it rents in the same order as the call before
/// it, so once the arena has seen the largest shapes and the longest loops, a call allocates nothing, and a smaller last
/// batch reuses the big buffers. A matrix a call returns lives in its arena's slot: it stays valid until the next call
/// of a generated derivative method on the same thread.
/// </summary>
/// <remarks>
/// The arena also collects the gradient of a matrix from every use of it. A pullback overwrites the gradient buffers
/// it is given, so the first share of a gradient is written straight into the gradient, and each later one into
/// scratch that is then added in. A local's gradient is <see langword="null"/> until its first share (and again after
/// the statement that assigned the local has passed it on), so a value no path uses costs nothing. These are instance
/// members so that generated code calls them through its arena: the compiler binds the members of
/// <c>MatrixArena&lt;float&gt;</c> once, whereas it infers, substitutes and checks the constraints of a generic
/// static method at every call, which made these calls about a third of the compile of a generated reverse sweep.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MatrixArena<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static MatrixArena<T>? t_free;

    private Matrix<T>?[] _slots = new Matrix<T>?[16];
    private int _next;
    private MatrixArena<T>? _nextFree;

    private MatrixArena()
    {
    }

    /// <summary>Takes an arena from this thread's pool, its first slot next.</summary>
    public static MatrixArena<T> Rent()
    {
        MatrixArena<T>? arena = t_free;
        if (arena is null)
            return new MatrixArena<T>();
        t_free = arena._nextFree;
        arena._nextFree = null;
        return arena;
    }

    /// <summary>Returns <paramref name="arena"/> to this thread's pool, keeping its matrices for the next call.</summary>
    public static void Return(MatrixArena<T> arena)
    {
        arena._next = 0;
        arena._nextFree = t_free;
        t_free = arena;
    }

    /// <summary>The next slot, as a <paramref name="rows"/> × <paramref name="columns"/> matrix whose elements are not cleared.</summary>
    public Matrix<T> Next(int rows, int columns)
    {
        if (_next == _slots.Length)
            Array.Resize(ref _slots, _slots.Length * 2);
        return Matrix<T>.Reuse(ref _slots[_next++], rows, columns);
    }

    /// <summary>The next slot, shaped as a shape method of a <see cref="DerivativeOfAttribute"/> rule says.</summary>
    public Matrix<T> Next((int Rows, int Columns) shape) => Next(shape.Rows, shape.Columns);

    /// <summary>The next slot, shaped like <paramref name="like"/>.</summary>
    public Matrix<T> Like(Matrix<T> like) => Next(like.Rows, like.Columns);

    /// <summary>
    /// Where a pullback writes a share of the gradient of local <paramref name="value"/>: its gradient itself when it has
    /// none yet (a slot shaped like the value), else scratch for <see cref="Collect"/> to add in.
    /// </summary>
    public Matrix<T> Share(ref Matrix<T>? gradient, Matrix<T> value)
    {
        if (gradient is not null)
            return Like(value);
        gradient = Like(value);
        return gradient;
    }

    /// <summary>
    /// Where a pullback writes a share of a parameter's gradient, the caller's <paramref name="gradient"/> buffer: the
    /// buffer itself for the first share (<paramref name="written"/> becomes true), else scratch for <see cref="Collect"/> to add in.
    /// </summary>
    public Matrix<T> Share(ref bool written, Matrix<T> gradient)
    {
        if (written)
            return Like(gradient);
        written = true;
        return gradient;
    }

    /// <summary>Adds a share written by a pullback into <paramref name="gradient"/>, unless the share was the gradient itself.</summary>
    public void Collect(Matrix<T> gradient, Matrix<T> share)
    {
        if (!ReferenceEquals(gradient, share))
            MatrixOps.Add(gradient, share, gradient);
    }

    /// <summary>
    /// <c>to = from</c> passes the gradient of <c>to</c> on to <c>from</c>: <paramref name="share"/> becomes the gradient
    /// of the local when it has none (the buffer changes hands: the caller drops its own reference), else is added in.
    /// </summary>
    public void Pass(ref Matrix<T>? gradient, Matrix<T> share)
    {
        if (gradient is null)
            gradient = share;
        else
            MatrixOps.Add(gradient, share, gradient);
    }

    /// <summary>As <see cref="Pass(ref Matrix{T}?, Matrix{T})"/>, into a parameter's gradient buffer: copied for the first share, else added.</summary>
    public void Pass(ref bool written, Matrix<T> gradient, Matrix<T> share)
    {
        if (written)
            MatrixOps.Add(gradient, share, gradient);
        else
            share.CopyTo(gradient);
        written = true;
    }

    /// <summary>Writes a derivative that may be <see langword="null"/> (zero: nothing moved it) into the caller's <paramref name="destination"/>.</summary>
    public void WriteInto(Matrix<T>? derivative, Matrix<T> destination)
    {
        if (derivative is null)
            destination.Span.Clear();
        else if (!ReferenceEquals(derivative, destination))
            derivative.CopyTo(destination);
    }

    /// <summary>Ends a reverse sweep: a parameter's gradient that no share reached is zero.</summary>
    public void Finish(bool written, Matrix<T> gradient)
    {
        if (!written)
            gradient.Span.Clear();
    }
}
