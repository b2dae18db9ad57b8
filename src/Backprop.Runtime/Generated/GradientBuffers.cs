using System.Numerics;

namespace Backprop;

/// <summary>Checks, for generated gradient methods, that a caller's gradient buffer fits its parameter.</summary>
public static class GradientBuffers
{
    /// <summary>Throws unless <paramref name="gradient"/> has the shape of <paramref name="value"/>; <paramref name="name"/> is the buffer's name, <c>d</c> + the parameter's.</summary>
    /// <exception cref="ArgumentNullException">The buffer is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes differ; the message names the buffer and both shapes.</exception>
    public static void Require<T>(Matrix<T> value, Matrix<T> gradient, string method, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Names are built only on failure: a gradient call allocates nothing.
        if (value is null)
            throw new ArgumentNullException(name.Substring(1));
        if (gradient is null)
            throw new ArgumentNullException(name);
        if (gradient.Rows != value.Rows || gradient.Columns != value.Columns)
            throw new ArgumentException(
                $"{method}: the gradient buffer '{name}' is {gradient.Shape} but parameter '{name.Substring(1)}' is {value.Shape}; pass a buffer of the parameter's shape.", name);
    }
}
