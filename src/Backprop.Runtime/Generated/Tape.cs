using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop;

/// <summary>
/// The stack that generated gradient code uses to carry values from the forward pass to the reverse
/// pass: values a loop overwrites, branch decisions and iteration counts, and the matrices and arrays a loop rebinds. Tapes are pooled per thread,
/// so a gradient call allocates nothing once its tape has grown to the size it needs.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class Tape
{
    [ThreadStatic]
    private static Tape? t_free;

    private double[] _values = new double[64];
    private long[] _integers = new long[64];
    private object?[] _references = new object?[16];
    private int _valueCount;
    private int _integerCount;
    private int _referenceCount;
    private Tape? _next;

    private Tape()
    {
    }

    /// <summary>Takes an empty tape from this thread's pool.</summary>
    public static Tape Rent()
    {
        Tape? tape = t_free;
        if (tape is null)
            return new Tape();
        t_free = tape._next;
        tape._next = null;
        return tape;
    }

    /// <summary>Empties <paramref name="tape"/> and returns it to this thread's pool.</summary>
    public static void Return(Tape tape)
    {
        tape._valueCount = 0;
        tape._integerCount = 0;
        // Dropped, so that a pooled tape keeps no matrix alive.
        Array.Clear(tape._references, 0, tape._referenceCount);
        tape._referenceCount = 0;
        tape._next = t_free;
        t_free = tape;
    }

    /// <summary>Saves a floating-point value (a float round-trips exactly through double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(double value)
    {
        if (_valueCount == _values.Length)
            Array.Resize(ref _values, _values.Length * 2);
        _values[_valueCount++] = value;
    }

    /// <summary>
    /// Saves a value of a generic method's floating-point type: as a double, which <c>double</c>, <c>float</c> and
    /// <c>Half</c> round-trip exactly (and which the JIT makes a plain store when it specializes the caller).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push<T>(T value) where T : IFloatingPointIeee754<T> => Push(double.CreateTruncating(value));

    /// <summary>Saves an integer, a count or a branch decision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(long value)
    {
        if (_integerCount == _integers.Length)
            Array.Resize(ref _integers, _integers.Length * 2);
        _integers[_integerCount++] = value;
    }

    /// <summary>Saves a branch decision or a bool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(bool value) => Push(value ? 1L : 0L);

    /// <summary>Saves a matrix a loop is about to rebind (the matrix itself, not a copy: generated code never writes into it again).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push<T>(Matrix<T> value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (_referenceCount == _references.Length)
            Array.Resize(ref _references, _references.Length * 2);
        _references[_referenceCount++] = value;
    }

    /// <summary>Restores the last saved matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Matrix<T> PopMatrix<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Unsafe.As<Matrix<T>>(_references[--_referenceCount])!;

    /// <summary>
    /// Saves an array a loop is about to reassign or lose: the reference, not the elements (the reverse sweep restores the
    /// elements it overwrites one by one, and gives the name back the array it referred to).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push<T>(T[] array)
    {
        if (_referenceCount == _references.Length)
            Array.Resize(ref _references, _references.Length * 2);
        _references[_referenceCount++] = array;
    }

    /// <summary>Restores the last saved array reference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T[] PopArray<T>() => Unsafe.As<T[]>(_references[--_referenceCount])!;

    /// <summary>Restores the last saved double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double PopDouble() => _values[--_valueCount];

    /// <summary>Restores the last value saved by <see cref="Push{T}(T)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Pop<T>() where T : IFloatingPointIeee754<T> => T.CreateTruncating(_values[--_valueCount]);

    /// <summary>Restores the last saved float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float PopFloat() => (float)_values[--_valueCount];

    /// <summary>Restores the last saved long.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long PopLong() => _integers[--_integerCount];

    /// <summary>Restores the last saved int.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PopInt() => (int)_integers[--_integerCount];

    /// <summary>Restores the last saved byte (saved by <see cref="Push(long)"/>, as C# widens it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte PopByte() => (byte)_integers[--_integerCount];

    /// <summary>Restores the last saved branch decision or bool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool PopBool() => _integers[--_integerCount] != 0;
}
