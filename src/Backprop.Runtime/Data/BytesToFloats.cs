using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Data;

/// <summary>Stored intensities (bytes) to the floats a network reads, one routine for every reader so they agree bit for bit.</summary>
internal static class BytesToFloats
{
    /// <summary>
    /// Writes <c>source[i] / divisor</c> to <c>destination[i]</c> for i below <paramref name="count"/>: 16 bytes
    /// at a time zero-extended to 32-bit integers, converted (exactly: every byte is a float) and divided, the same
    /// correctly rounded division as the scalar expression, so the floats are identical.
    /// </summary>
    public static unsafe void Widen(byte* source, float* destination, int count, float divisor)
    {
        int i = 0;
        if (Avx512F.IsSupported)
        {
            Vector512<float> divisors = Vector512.Create(divisor);
            for (; i <= count - 16; i += 16)
                Vector512.Store(Vector512.ConvertToSingle(Avx512F.ConvertToVector512Int32(Vector128.Load(source + i))) / divisors, destination + i);
        }
        else if (Avx2.IsSupported)
        {
            Vector256<float> divisors = Vector256.Create(divisor);
            for (; i <= count - 8; i += 8)
                Vector256.Store(Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(source + i)) / divisors, destination + i);
        }
        for (; i < count; i++)
            destination[i] = source[i] / divisor;
    }
}
