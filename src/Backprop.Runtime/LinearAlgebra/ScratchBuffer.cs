namespace Backprop;

/// <summary>A per-thread scratch array, grown on demand and reused, so destination-writing forms allocate nothing in steady state.</summary>
internal static class ScratchBuffer<T> where T : unmanaged
{
    [ThreadStatic] private static T[]? t_buffer;

    /// <summary>A span of <paramref name="length"/> elements with unspecified contents, valid until the next call on this thread.</summary>
    public static Span<T> Get(int length)
    {
        if (t_buffer is null || t_buffer.Length < length)
            t_buffer = new T[length];
        return t_buffer.AsSpan(0, length);
    }
}
