using System.ComponentModel;
using System.Numerics;

namespace Backprop;

/// <summary>
/// How generated reverse sweeps collect the gradient of a matrix from every use of it. A pullback overwrites the
/// gradient buffers it is given, so the first share of a gradient is written straight into the gradient, and each
/// later one into scratch that is then added in. A local's gradient is <see langword="null"/> until its first share
/// (and again after the statement that assigned the local has passed it on), so a value no path uses costs nothing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MatrixAdjoints
{
    /// <summary>
    /// Where a pullback writes a share of the gradient of local <paramref name="value"/>: its gradient itself when it has
    /// none yet (a slot of <paramref name="arena"/>, shaped like the value), else scratch for <see cref="Collect"/> to add in.
    /// </summary>
    public static Matrix<T> Share<T>(MatrixArena<T> arena, ref Matrix<T>? gradient, Matrix<T> value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradient is not null)
            return arena.Like(value);
        gradient = arena.Like(value);
        return gradient;
    }

    /// <summary>
    /// Where a pullback writes a share of a parameter's gradient, the caller's <paramref name="gradient"/> buffer: the
    /// buffer itself for the first share (<paramref name="written"/> becomes true), else scratch for <see cref="Collect"/> to add in.
    /// </summary>
    public static Matrix<T> Share<T>(MatrixArena<T> arena, ref bool written, Matrix<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (written)
            return arena.Like(gradient);
        written = true;
        return gradient;
    }

    /// <summary>Adds a share written by a pullback into <paramref name="gradient"/>, unless the share was the gradient itself.</summary>
    public static void Collect<T>(Matrix<T> gradient, Matrix<T> share)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!ReferenceEquals(gradient, share))
            MatrixOps.Add(gradient, share, gradient);
    }

    /// <summary>
    /// <c>to = from</c> passes the gradient of <c>to</c> on to <c>from</c>: <paramref name="share"/> becomes the gradient
    /// of the local when it has none (the buffer changes hands: the caller drops its own reference), else is added in.
    /// </summary>
    public static void Pass<T>(ref Matrix<T>? gradient, Matrix<T> share)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradient is null)
            gradient = share;
        else
            MatrixOps.Add(gradient, share, gradient);
    }

    /// <summary>As <see cref="Pass{T}(ref Matrix{T}?, Matrix{T})"/>, into a parameter's gradient buffer: copied for the first share, else added.</summary>
    public static void Pass<T>(ref bool written, Matrix<T> gradient, Matrix<T> share)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (written)
            MatrixOps.Add(gradient, share, gradient);
        else
            share.CopyTo(gradient);
        written = true;
    }

    /// <summary>Writes a derivative that may be <see langword="null"/> (zero: nothing moved it) into the caller's <paramref name="destination"/>.</summary>
    public static void WriteInto<T>(Matrix<T>? derivative, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (derivative is null)
            destination.Span.Clear();
        else if (!ReferenceEquals(derivative, destination))
            derivative.CopyTo(destination);
    }

    /// <summary>Ends a reverse sweep: a parameter's gradient that no share reached is zero.</summary>
    public static void Finish<T>(bool written, Matrix<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!written)
            gradient.Span.Clear();
    }
}
