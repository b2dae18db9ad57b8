using System.Numerics;

namespace Backprop;

/// <summary>For generated gradient methods: checks that a caller's gradient buffers fit their parameters, and zeroes arrays of them.</summary>
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

    /// <summary>
    /// Throws unless <paramref name="gradients"/> holds one buffer of the shape of each matrix of <paramref name="values"/>;
    /// <paramref name="name"/> is the array of buffers' name, <c>d</c> + the parameter's.
    /// </summary>
    /// <exception cref="ArgumentNullException">An array or one of its matrices is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The lengths or the shapes at an index differ; the message names the buffer, the index and both shapes or lengths.</exception>
    public static void Require<T>(Matrix<T>[] values, Matrix<T>[] gradients, string method, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values is null)
            throw new ArgumentNullException(name.Substring(1));
        if (gradients is null)
            throw new ArgumentNullException(name);
        if (gradients.Length != values.Length)
            throw new ArgumentException(
                $"{method}: the gradient buffers '{name}' are {gradients.Length} matrices but parameter '{name.Substring(1)}' has {values.Length}; pass one buffer per matrix.", name);
        for (int i = 0; i < values.Length; i++)
        {
            Matrix<T> value = values[i], gradient = gradients[i];
            if (value is null || gradient is null)
                throw new ArgumentNullException(value is null ? name.Substring(1) : name, $"{method}: '{(value is null ? name.Substring(1) : name)}[{i}]' is null.");
            if (gradient.Rows != value.Rows || gradient.Columns != value.Columns)
                throw new ArgumentException(
                    $"{method}: the gradient buffer '{name}[{i}]' is {gradient.Shape} but parameter '{name.Substring(1)}[{i}]' is {value.Shape}; pass a buffer of the parameter's shape.", name);
        }
    }

    /// <summary>Zeroes every buffer of <paramref name="gradients"/> (nothing when it is <see langword="null"/>): the gradients that element reads then add into.</summary>
    public static void Clear<T>(Matrix<T>[]? gradients)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradients is null)
            return;
        foreach (Matrix<T> gradient in gradients)
            gradient.Span.Clear();
    }
}
