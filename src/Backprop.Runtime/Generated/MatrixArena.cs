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
}
