using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

/// <summary>
/// Exact-length scratch arrays for generated gradient code: a call to another differentiable method
/// that takes an array needs a gradient buffer of exactly that array's length. Pooled per thread and
/// per length, so steady-state calls allocate nothing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Scratch
{
    /// <summary>A zeroed array of exactly <paramref name="length"/> elements (of any type: a generic method's <c>T</c> is not known to be unmanaged).</summary>
    public static T[] Rent<T>(int length)
    {
        Stack<T[]> free = Pool<T>.For(length);
        if (free.Count == 0)
            return new T[length];
        T[] array = free.Pop();
        Array.Clear(array);
        return array;
    }

    /// <summary>Gives back an array from <see cref="Rent{T}"/>.</summary>
    public static void Return<T>(T[] array) => Pool<T>.For(array.Length).Push(array);

    /// <summary><paramref name="destination"/> += <paramref name="scale"/> · <paramref name="source"/>, elementwise.</summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static void AddScaled<T>(Span<T> destination, ReadOnlySpan<T> source, T scale) where T : IFloatingPointIeee754<T>
    {
        if (destination.Length != source.Length)
            throw new ArgumentException($"AddScaled: destination has {destination.Length} elements, source has {source.Length}.");
        ScaledAdd.Apply(source, scale, destination, destination);
    }

    /// <summary><paramref name="values"/> *= <paramref name="scale"/>, elementwise (skipped when the scale is 1).</summary>
    public static void Scale<T>(Span<T> values, T scale) where T : IFloatingPointIeee754<T>
    {
        if (scale != T.One)
            TensorPrimitives.Multiply(values, scale, values);
    }

    private static class Pool<T>
    {
        [ThreadStatic]
        private static Dictionary<int, Stack<T[]>>? t_byLength;

        public static Stack<T[]> For(int length)
        {
            t_byLength ??= new Dictionary<int, Stack<T[]>>();
            if (!t_byLength.TryGetValue(length, out Stack<T[]>? stack))
                t_byLength[length] = stack = new Stack<T[]>();
            return stack;
        }
    }
}
