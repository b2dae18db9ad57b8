using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop;

/// <summary>
/// The handful of vector operations the matrix-product micro-kernel needs, abstracted over the register
/// width so that one kernel serves AVX-512, AVX2 and plain scalar code. Implementations are structs: the
/// JIT compiles the kernel once per implementation and inlines every call, so the abstraction costs nothing.
/// </summary>
internal unsafe interface ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged
{
    static abstract int Count { get; }
    static abstract TVector Zero { get; }
    static abstract TVector Load(T* source);
    static abstract void Store(T* destination, TVector value);
    static abstract TVector Broadcast(T value);
    static abstract TVector Add(TVector left, TVector right);

    /// <summary>Bit i set when lane i is not zero (NaN counts as nonzero; −0 as zero).</summary>
    static abstract ulong NonzeroMask(TVector value);

    /// <summary><c>a * b + addend</c>, fused where the hardware can.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);
}

internal readonly unsafe struct Simd512<T> : ISimd<Vector512<T>, T> where T : unmanaged
{
    public static int Count => Vector512<T>.Count;
    public static Vector512<T> Zero => Vector512<T>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(T* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* destination, Vector512<T> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Broadcast(T value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> left, Vector512<T> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong NonzeroMask(Vector512<T> value) => (~Vector512.Equals(value, Vector512<T>.Zero)).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> addend)
    {
        // The typeof tests are JIT-time constants; FusedMultiplyAdd exists only for float and double.
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), addend.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), addend.AsDouble()).As<double, T>();
        return a * b + addend;
    }
}

internal readonly unsafe struct Simd256<T> : ISimd<Vector256<T>, T> where T : unmanaged
{
    public static int Count => Vector256<T>.Count;
    public static Vector256<T> Zero => Vector256<T>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(T* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* destination, Vector256<T> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Broadcast(T value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Add(Vector256<T> left, Vector256<T> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong NonzeroMask(Vector256<T> value) => (~Vector256.Equals(value, Vector256<T>.Zero)).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), addend.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), addend.AsDouble()).As<double, T>();
        return a * b + addend;
    }
}

/// <summary>A "vector" of one element: the fallback when no SIMD width supports <typeparamref name="T"/>.</summary>
internal readonly unsafe struct Scalar<T> : ISimd<T, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => 1;
    public static T Zero => T.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Load(T* source) => *source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* destination, T value) => *destination = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Broadcast(T value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Add(T left, T right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong NonzeroMask(T value) => value != T.Zero ? 1UL : 0UL;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MultiplyAdd(T a, T b, T addend) => a * b + addend;
}
