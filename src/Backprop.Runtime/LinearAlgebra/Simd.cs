using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>
    /// Appends the nonzero lanes of <paramref name="value"/>: their lane numbers, plus <paramref name="firstIndex"/>,
    /// to <paramref name="indices"/> and their values to <paramref name="values"/>, in order; returns how many. May
    /// write up to <see cref="Count"/> entries to both. With AVX-512 this is a compress instruction and has no
    /// branch, so its cost does not depend on where the zeros are.
    /// </summary>
    static abstract int CompressNonzero(TVector value, int firstIndex, int* indices, T* values);

    /// <summary>Lanes <c>source[0], source[stride], source[2·stride], …</c>: a gather where the hardware has one.</summary>
    static abstract TVector LoadStrided(T* source, int stride);

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
    public static int CompressNonzero(Vector512<T> value, int firstIndex, int* indices, T* values)
    {
        Vector512<T> keep = ~Vector512.Equals(value, Vector512<T>.Zero);
        if (Avx512F.IsSupported && typeof(T) == typeof(float))
        {
            Avx512F.Compress(Vector512<float>.Zero, keep.AsSingle(), value.AsSingle()).Store((float*)values);
            Avx512F.Compress(Vector512<int>.Zero, keep.AsInt32(), Vector512<int>.Indices + Vector512.Create(firstIndex)).Store(indices);
            return BitOperations.PopCount(keep.ExtractMostSignificantBits());
        }
        if (Avx512F.IsSupported && typeof(T) == typeof(double))
        {
            Avx512F.Compress(Vector512<double>.Zero, keep.AsDouble(), value.AsDouble()).Store((double*)values);
            var positions = Avx512F.Compress(Vector512<long>.Zero, keep.AsInt64(), Vector512<long>.Indices + Vector512.Create((long)firstIndex));
            Avx512F.ConvertToVector256Int32(positions).Store(indices);
            return BitOperations.PopCount(keep.ExtractMostSignificantBits());
        }
        return SimdLanes.CompressNonzero(value, keep.ExtractMostSignificantBits(), firstIndex, indices, values);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadStrided(T* source, int stride)
    {
        if (Avx2.IsSupported && typeof(T) == typeof(float))
        {
            var offsets = Vector256<int>.Indices * stride;
            return Vector512.Create(Avx2.GatherVector256((float*)source, offsets, 4), Avx2.GatherVector256((float*)source + 8 * (nint)stride, offsets, 4)).As<float, T>();
        }
        if (Avx2.IsSupported && typeof(T) == typeof(double))
        {
            var offsets = Vector128<int>.Indices * stride;
            return Vector512.Create(Avx2.GatherVector256((double*)source, offsets, 8), Avx2.GatherVector256((double*)source + 4 * (nint)stride, offsets, 8)).As<double, T>();
        }
        return SimdLanes.LoadStrided512(source, stride);
    }

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
    public static int CompressNonzero(Vector256<T> value, int firstIndex, int* indices, T* values)
    {
        Vector256<T> keep = ~Vector256.Equals(value, Vector256<T>.Zero);
        if (Avx512F.VL.IsSupported && typeof(T) == typeof(float))
        {
            Avx512F.VL.Compress(Vector256<float>.Zero, keep.AsSingle(), value.AsSingle()).Store((float*)values);
            Avx512F.VL.Compress(Vector256<int>.Zero, keep.AsInt32(), Vector256<int>.Indices + Vector256.Create(firstIndex)).Store(indices);
            return BitOperations.PopCount(keep.ExtractMostSignificantBits());
        }
        if (Avx512F.VL.IsSupported && typeof(T) == typeof(double))
        {
            Avx512F.VL.Compress(Vector256<double>.Zero, keep.AsDouble(), value.AsDouble()).Store((double*)values);
            var positions = Avx512F.VL.Compress(Vector256<long>.Zero, keep.AsInt64(), Vector256<long>.Indices + Vector256.Create((long)firstIndex));
            Avx512F.VL.ConvertToVector128Int32(positions).Store(indices);
            return BitOperations.PopCount(keep.ExtractMostSignificantBits());
        }
        return SimdLanes.CompressNonzero(value, keep.ExtractMostSignificantBits(), firstIndex, indices, values);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LoadStrided(T* source, int stride)
    {
        if (Avx2.IsSupported && typeof(T) == typeof(float))
            return Avx2.GatherVector256((float*)source, Vector256<int>.Indices * stride, 4).As<float, T>();
        if (Avx2.IsSupported && typeof(T) == typeof(double))
            return Avx2.GatherVector256((double*)source, Vector128<int>.Indices * stride, 8).As<double, T>();
        return SimdLanes.LoadStrided256(source, stride);
    }

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CompressNonzero(T value, int firstIndex, int* indices, T* values)
    {
        *indices = firstIndex;
        *values = value;
        return value != T.Zero ? 1 : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T LoadStrided(T* source, int stride) => *source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MultiplyAdd(T a, T b, T addend) => a * b + addend;
}

/// <summary>Lane-by-lane fallbacks of <see cref="ISimd{TVector, T}.CompressNonzero"/> and <see cref="ISimd{TVector, T}.LoadStrided"/>.</summary>
internal static unsafe class SimdLanes
{
    public static int CompressNonzero<T>(Vector512<T> value, ulong mask, int firstIndex, int* indices, T* values) where T : unmanaged
    {
        T* lanes = stackalloc T[Vector512<T>.Count];
        value.Store(lanes);
        return CompressLanes(lanes, mask, firstIndex, indices, values);
    }

    public static int CompressNonzero<T>(Vector256<T> value, ulong mask, int firstIndex, int* indices, T* values) where T : unmanaged
    {
        T* lanes = stackalloc T[Vector256<T>.Count];
        value.Store(lanes);
        return CompressLanes(lanes, mask, firstIndex, indices, values);
    }

    public static Vector512<T> LoadStrided512<T>(T* source, int stride) where T : unmanaged
    {
        T* lanes = stackalloc T[Vector512<T>.Count];
        for (int lane = 0; lane < Vector512<T>.Count; lane++)
            lanes[lane] = source[lane * (nint)stride];
        return Vector512.Load(lanes);
    }

    public static Vector256<T> LoadStrided256<T>(T* source, int stride) where T : unmanaged
    {
        T* lanes = stackalloc T[Vector256<T>.Count];
        for (int lane = 0; lane < Vector256<T>.Count; lane++)
            lanes[lane] = source[lane * (nint)stride];
        return Vector256.Load(lanes);
    }

    /// <summary>Appends the lanes at the set bits of <paramref name="mask"/>, in order.</summary>
    private static int CompressLanes<T>(T* lanes, ulong mask, int firstIndex, int* indices, T* values) where T : unmanaged
    {
        int count = 0;
        while (mask != 0)
        {
            int lane = BitOperations.TrailingZeroCount(mask);
            indices[count] = firstIndex + lane;
            values[count] = lanes[lane];
            count++;
            mask &= mask - 1;
        }
        return count;
    }
}
