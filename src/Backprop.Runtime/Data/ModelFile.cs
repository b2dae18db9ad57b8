using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Backprop.Data;

/// <summary>
/// Saves and loads a set of named <see cref="Matrix{T}"/> of <see cref="float"/> (a model's weights) in a
/// small versioned binary format, little-endian throughout:
/// <code>
/// offset 0       4 bytes   magic "BPMF"
///        4       4 bytes   format version (uint32), currently 1
///        8       8 bytes   payload length P (int64)
///        16      P bytes   payload: tensor count (int32), then per tensor: name length in UTF-8 bytes (int32),
///                          name, rows (int32), columns (int32), rows·columns float32 values, row-major
///        16 + P  32 bytes  SHA-256 of bytes [0, 16 + P)
/// </code>
/// A file that is not in this format, of another version, truncated, extended or corrupted is refused
/// with an <see cref="InvalidDataException"/> that names the file and the problem.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this build writes and reads.</summary>
    public const uint FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "BPMF"u8;
    private const int HeaderLength = 16;
    private const int ChecksumLength = SHA256.HashSizeInBytes;

    /// <summary>
    /// Writes the tensors to <paramref name="path"/>, atomically: the bytes go to a temporary file in the
    /// same directory, which then replaces <paramref name="path"/>, so a crash never leaves half a model.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public static void Save(string path, IReadOnlyList<(string Name, Matrix<float> Values)> tensors)
    {
        RequireUniqueNames(tensors.Select(t => t.Name), nameof(tensors));
        byte[] contents = Serialize(tensors);
        string fullPath = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(contents);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // no-op after a successful move
        }
    }

    /// <summary>Reads every tensor of the file, in the order they were saved.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid model file of this version.</exception>
    public static IReadOnlyList<(string Name, Matrix<float> Values)> Load(string path)
    {
        byte[] contents = File.ReadAllBytes(path);
        return Parse(path, VerifiedPayload(path, contents));
    }

    /// <summary>
    /// Loads the file into existing matrices, which must match the file exactly: the same names, and for
    /// each name the same shape. Nothing is copied unless everything matches.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is invalid, or its tensors do not match <paramref name="destinations"/>.</exception>
    public static void LoadInto(string path, IReadOnlyList<(string Name, Matrix<float> Destination)> destinations)
    {
        RequireUniqueNames(destinations.Select(t => t.Name), nameof(destinations));
        var stored = Load(path).ToDictionary(t => t.Name, t => t.Values, StringComparer.Ordinal);
        foreach (var (name, destination) in destinations)
        {
            if (!stored.TryGetValue(name, out var values))
                throw new InvalidDataException($"{path}: the model needs a tensor '{name}' ({destination.Shape}), which the file does not have; it has {Describe(stored)}.");
            if (values.Rows != destination.Rows || values.Columns != destination.Columns)
                throw new InvalidDataException($"{path}: tensor '{name}' is {values.Shape} in the file but {destination.Shape} in the model.");
        }
        var unexpected = stored.Keys.Except(destinations.Select(d => d.Name), StringComparer.Ordinal).ToArray();
        if (unexpected.Length > 0)
            throw new InvalidDataException($"{path}: the file has tensors the model does not: {string.Join(", ", unexpected.Select(n => $"'{n}'"))}.");
        foreach (var (name, destination) in destinations)
            stored[name].CopyTo(destination);
    }

    private static byte[] Serialize(IReadOnlyList<(string Name, Matrix<float> Values)> tensors)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(0L); // the payload length, patched below
            writer.Write(tensors.Count);
            foreach (var (name, values) in tensors)
            {
                byte[] nameBytes = Encoding.UTF8.GetBytes(name);
                writer.Write(nameBytes.Length);
                writer.Write(nameBytes);
                writer.Write(values.Rows);
                writer.Write(values.Columns);
                foreach (float value in values.Span)
                    writer.Write(value);
            }
        }
        long payloadLength = buffer.Length - HeaderLength;
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetBuffer().AsSpan(8), payloadLength);
        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        return buffer.ToArray();
    }

    private static ReadOnlySpan<byte> VerifiedPayload(string path, byte[] contents)
    {
        if (contents.Length < Magic.Length || !contents.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a Backprop model file: it does not start with \"BPMF\".");
        if (contents.Length < HeaderLength)
            throw new InvalidDataException($"{path}: truncated: {contents.Length} bytes, less than the {HeaderLength}-byte header.");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(contents.AsSpan(4));
        if (version != FormatVersion)
            throw new InvalidDataException($"{path}: model format version {version}; this build reads version {FormatVersion} only.");
        long payloadLength = BinaryPrimitives.ReadInt64LittleEndian(contents.AsSpan(8));
        if (payloadLength < sizeof(int) || payloadLength > Array.MaxLength)
            throw new InvalidDataException($"{path}: corrupt header: it announces a payload of {payloadLength} bytes.");
        long expectedLength = HeaderLength + payloadLength + ChecksumLength;
        if (contents.Length < expectedLength)
            throw new InvalidDataException($"{path}: truncated or corrupt: the header announces {expectedLength} bytes, found {contents.Length}.");
        if (contents.Length > expectedLength)
            throw new InvalidDataException($"{path}: {contents.Length - expectedLength} unexpected bytes after the {expectedLength} the header announces.");
        int checkedLength = HeaderLength + (int)payloadLength;
        if (!SHA256.HashData(contents.AsSpan(0, checkedLength)).AsSpan().SequenceEqual(contents.AsSpan(checkedLength)))
            throw new InvalidDataException($"{path}: checksum mismatch: the file is corrupt.");
        return contents.AsSpan(HeaderLength, (int)payloadLength);
    }

    private static List<(string Name, Matrix<float> Values)> Parse(string path, ReadOnlySpan<byte> payload)
    {
        int count = ReadCount(ref payload, path, "tensor count");
        var tensors = new List<(string, Matrix<float>)>(Math.Min(count, 1024));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int t = 0; t < count; t++)
        {
            int nameLength = ReadCount(ref payload, path, $"name length of tensor {t}");
            string name = Encoding.UTF8.GetString(Take(ref payload, nameLength, path, $"name of tensor {t}"));
            if (!names.Add(name))
                throw new InvalidDataException($"{path}: tensor '{name}' appears twice.");
            int rows = ReadCount(ref payload, path, $"row count of '{name}'");
            int columns = ReadCount(ref payload, path, $"column count of '{name}'");
            ReadOnlySpan<byte> data = Take(ref payload, (long)rows * columns * sizeof(float), path, $"values of '{name}' ({rows}×{columns})");
            var values = new Matrix<float>(rows, columns);
            Span<float> span = values.Span;
            for (int i = 0; i < span.Length; i++)
                span[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * sizeof(float))..]);
            tensors.Add((name, values));
        }
        if (!payload.IsEmpty)
            throw new InvalidDataException($"{path}: {payload.Length} bytes left over after the last of {count} tensors.");
        return tensors;
    }

    private static int ReadCount(ref ReadOnlySpan<byte> payload, string path, string what)
    {
        int value = BinaryPrimitives.ReadInt32LittleEndian(Take(ref payload, sizeof(int), path, what));
        if (value < 0)
            throw new InvalidDataException($"{path}: the {what} is negative ({value}).");
        return value;
    }

    /// <summary>
    /// Splits <paramref name="length"/> bytes off the front of the payload. The checksum has matched by
    /// now, so running out means the writer itself produced a malformed payload; still refuse cleanly.
    /// </summary>
    private static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> payload, long length, string path, string what)
    {
        if (length > payload.Length)
            throw new InvalidDataException($"{path}: malformed payload: the {what} needs {length} bytes, only {payload.Length} remain.");
        ReadOnlySpan<byte> taken = payload[..(int)length];
        payload = payload[(int)length..];
        return taken;
    }

    private static void RequireUniqueNames(IEnumerable<string> names, string parameterName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException("Every tensor needs a non-empty name.", parameterName);
            if (!seen.Add(name))
                throw new ArgumentException($"The tensor name '{name}' is used twice.", parameterName);
        }
    }

    private static string Describe(Dictionary<string, Matrix<float>> tensors) =>
        tensors.Count == 0 ? "none" : string.Join(", ", tensors.Select(t => $"'{t.Key}' ({t.Value.Shape})"));
}
