using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop;

/// <summary>
/// A local derivative that needs one forward value per element (the input or the output of the operation)
/// and the upstream gradient, e.g. <c>dx = dy·y·(1 − y)</c> for the sigmoid. Rules that
/// <see cref="System.Numerics.Tensors.TensorPrimitives"/> cannot express in one pass over the data implement
/// this and run through <see cref="GradientRule.Apply"/>, which reads each element once and may write in place.
/// </summary>
internal interface IGradientRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Apply(T value, T gradient);
    static abstract Vector<T> Apply(Vector<T> value, Vector<T> gradient);
}

internal static class GradientRule
{
    /// <summary><c>destination[i] = TRule.Apply(values[i], gradients[i])</c>; <paramref name="destination"/> may be either input.</summary>
    public static void Apply<T, TRule>(ReadOnlySpan<T> values, ReadOnlySpan<T> gradients, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IGradientRule<T>
    {
        int length = values.Length;
        ref T value = ref MemoryMarshal.GetReference(values);
        ref T gradient = ref MemoryMarshal.GetReference(gradients);
        ref T target = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                TRule.Apply(Vector.LoadUnsafe(ref value, (nuint)i), Vector.LoadUnsafe(ref gradient, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
        }
        for (; i < length; i++)
            destination[i] = TRule.Apply(values[i], gradients[i]);
    }

    /// <summary><c>destination[i] += TRule.Apply(values[i], gradients[i], tangents[i])</c>.</summary>
    public static void Add<T, TRule>(ReadOnlySpan<T> values, ReadOnlySpan<T> gradients, ReadOnlySpan<T> tangents, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, ICurvatureRule<T>
    {
        int length = values.Length;
        ref T value = ref MemoryMarshal.GetReference(values);
        ref T gradient = ref MemoryMarshal.GetReference(gradients);
        ref T tangent = ref MemoryMarshal.GetReference(tangents);
        ref T target = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                (Vector.LoadUnsafe(ref target, (nuint)i) + TRule.Apply(Vector.LoadUnsafe(ref value, (nuint)i), Vector.LoadUnsafe(ref gradient, (nuint)i), Vector.LoadUnsafe(ref tangent, (nuint)i)))
                    .StoreUnsafe(ref target, (nuint)i);
        }
        for (; i < length; i++)
            destination[i] += TRule.Apply(values[i], gradients[i], tangents[i]);
    }
}

/// <summary>
/// The term of a pullback's tangent that comes from the curvature of an elementwise operation:
/// <c>gradient·tangent·f''</c>, with <c>f''</c> written from one forward value per element (the input or the output),
/// e.g. <c>dy·ẏ·(1 − 2y)</c> for the sigmoid. Runs through <see cref="GradientRule.Add"/>.
/// </summary>
internal interface ICurvatureRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Apply(T value, T gradient, T tangent);
    static abstract Vector<T> Apply(Vector<T> value, Vector<T> gradient, Vector<T> tangent);
}
