namespace Backprop.Tests.Data;

/// <summary>Builds IDX files in memory for tests (also compiled into Backprop.Sample.Tests).</summary>
public static class IdxBytes
{
    /// <summary>A big-endian magic number and dimensions, then <paramref name="data"/>.</summary>
    public static byte[] Of(int magic, int[] dimensions, byte[] data)
    {
        var bytes = new List<byte>();
        foreach (int value in (int[])[magic, .. dimensions])
            bytes.AddRange([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        return [.. bytes, .. data];
    }
}
