using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Backprop.Data;

/// <summary>
/// Saves and loads a set of named <see cref="Matrix{T}"/> (a model's weights) in a small versioned binary format,
/// little-endian throughout:
/// <code>
/// offset 0       4 bytes   magic "BPMF"
///        4       4 bytes   format version (uint32): 1 for float32 values, 2 for float64
///        8       8 bytes   payload length P (int64)
///        16      P bytes   payload: in version 2, the element size in bytes (int32, 8); then the tensor count (int32), then
///                          per tensor: name length in UTF-8 bytes (int32), name, rows (int32), columns (int32),
///                          rows·columns values, row-major
///        16 + P  32 bytes  SHA-256 of bytes [0, 16 + P)
/// </code>
/// A model (<see cref="IModel{T}"/>) is saved and loaded through its walk: one tensor per parameter, named by its path
/// (<c>Hidden.W</c>, <c>Ws[1]</c>), an array as one row, a scalar as 1×1. A file that is not in this format, of another
/// version, truncated, extended or corrupted is refused with an <see cref="InvalidDataException"/> that names the file
/// and the problem.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this build writes for <see cref="float"/> values; <see cref="double"/> ones are version 2, which adds the element size.</summary>
    public const uint FormatVersion = 1;

    /// <summary>The newest version this build reads and writes.</summary>
    public const uint LatestFormatVersion = 2;

    private static ReadOnlySpan<byte> Magic => "BPMF"u8;
    private const int HeaderLength = 16;
    private const int ChecksumLength = SHA256.HashSizeInBytes;

    /// <summary>
    /// Writes the tensors to <paramref name="path"/>, atomically: the bytes go to a temporary file in the
    /// same directory, which then replaces <paramref name="path"/>, so a crash never leaves half a model.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public static void Save(string path, IReadOnlyList<(string Name, Matrix<float> Values)> tensors) => Write(path, tensors);

    /// <summary>
    /// Writes every parameter of <paramref name="model"/> to <paramref name="path"/>, atomically, as <see cref="Save(string, IReadOnlyList{ValueTuple{string, Matrix{float}}})"/>
    /// does: one tensor per parameter, in the order of the model's walk, named by its path.
    /// </summary>
    /// <exception cref="ArgumentException">The element type is neither <see cref="float"/> nor <see cref="double"/>.</exception>
    /// <exception cref="InvalidOperationException">A parameter field is <see langword="null"/>.</exception>
    public static void Save<T>(string path, IModel<T> model)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Write(path, TensorsOf(model));

    /// <summary>
    /// The tensors <see cref="Save{T}(string, IModel{T})"/> writes for <paramref name="model"/>: a copy of each parameter,
    /// in the order of the model's walk, named by its path. A file that holds more than the model (a record of what it was
    /// trained on) is saved by adding tensors to these.
    /// </summary>
    /// <exception cref="InvalidOperationException">A parameter field is <see langword="null"/>.</exception>
    public static IReadOnlyList<(string Name, Matrix<T> Values)> TensorsOf<T>(IModel<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        var visitor = new Copier<T>(new List<(string, Matrix<T>)>());
        model.VisitParameters(ref visitor);
        return visitor.Tensors;
    }

    /// <summary>Reads every tensor of a file of <see cref="float"/> values, in the order they were saved.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid model file of this version, or holds <see cref="double"/> values.</exception>
    public static IReadOnlyList<(string Name, Matrix<float> Values)> Load(string path) => Read<float>(path);

    /// <summary>
    /// Loads the file into existing matrices, which must match the file exactly: the same names, and for
    /// each name the same shape. Nothing is copied unless everything matches.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is invalid, or its tensors do not match <paramref name="destinations"/>.</exception>
    public static void LoadInto(string path, IReadOnlyList<(string Name, Matrix<float> Destination)> destinations)
    {
        RequireUniqueNames(destinations.Select(t => t.Name), nameof(destinations));
        var stored = Matching(path, Read<float>(path), destinations.Select(d => (d.Name, d.Destination.Rows, d.Destination.Columns)));
        foreach (var (name, destination) in destinations)
            stored[name].CopyTo(destination);
    }

    /// <summary>
    /// Loads the file into the parameters of <paramref name="model"/>, which must match it exactly: a tensor of each
    /// parameter's name and shape, and no other. Nothing is copied unless everything matches.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is invalid, holds another element type, or its tensors do not match the model's parameters.</exception>
    /// <exception cref="ArgumentException">A parameter cannot be written in place (a scalar in an init-only property, a readonly field or a struct model).</exception>
    public static void LoadInto<T>(string path, IModel<T> model)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        CopyInto(Read<T>(path), model, path);

    /// <summary>
    /// Copies <paramref name="tensors"/> (read from <paramref name="source"/>, e.g. by <see cref="Load"/>, less what the
    /// caller keeps for itself) into the parameters of <paramref name="model"/>, which must match them as
    /// <see cref="LoadInto{T}(string, IModel{T})"/> requires: a tensor of each parameter's name and shape, and no other.
    /// Nothing is copied unless everything matches.
    /// </summary>
    /// <param name="tensors">The tensors, by name.</param>
    /// <param name="model">The model whose parameters receive them.</param>
    /// <param name="source">Where the tensors come from (a file's path), for the messages.</param>
    /// <exception cref="InvalidDataException">The tensors do not match the model's parameters.</exception>
    /// <exception cref="ArgumentException">A parameter cannot be written in place (a scalar in an init-only property, a readonly field or a struct model).</exception>
    public static void CopyInto<T>(IReadOnlyList<(string Name, Matrix<T> Values)> tensors, IModel<T> model, string source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ParameterLayout[] layout = ModelLayout.Of(model);
        ModelLayout.RequireWritable(layout, "Loading a model file", nameof(model));
        var visitor = new Filler<T>(Matching(source, tensors, layout.Select(p => (p.Name, p.Rows, p.Columns))));
        model.VisitParameters(ref visitor);
    }

    private static void Write<T>(string path, IReadOnlyList<(string Name, Matrix<T> Values)> tensors)
        where T : unmanaged, IFloatingPointIeee754<T>
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

    private static IReadOnlyList<(string Name, Matrix<T> Values)> Read<T>(string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        byte[] contents = File.ReadAllBytes(path);
        return Parse<T>(path, VerifiedPayload(path, contents, out uint version), version);
    }

    /// <summary>The file's tensors by name, once every wanted name and shape is among them and nothing else is.</summary>
    private static Dictionary<string, Matrix<T>> Matching<T>(string path, IReadOnlyList<(string Name, Matrix<T> Values)> tensors, IEnumerable<(string Name, int Rows, int Columns)> wanted)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var stored = tensors.ToDictionary(t => t.Name, t => t.Values, StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var (name, rows, columns) in wanted)
        {
            names.Add(name);
            if (!stored.TryGetValue(name, out var values))
                throw new InvalidDataException($"{path}: the model needs a tensor '{name}' ({rows}×{columns}), which the file does not have; it has {Describe(stored)}.");
            if (values.Rows != rows || values.Columns != columns)
                throw new InvalidDataException($"{path}: tensor '{name}' is {values.Shape} in the file but {rows}×{columns} in the model.");
        }
        var unexpected = stored.Keys.Except(names, StringComparer.Ordinal).ToArray();
        if (unexpected.Length > 0)
            throw new InvalidDataException($"{path}: the file has tensors the model does not: {string.Join(", ", unexpected.Select(n => $"'{n}'"))}.");
        return stored;
    }

    /// <summary>Collects a copy of each parameter, named by its path.</summary>
    private readonly struct Copier<T>(List<(string, Matrix<T>)> tensors) : IParameterVisitor<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public List<(string, Matrix<T>)> Tensors { get; } = tensors;

        public void Visit(in ModelParameter<T> parameter) =>
            Tensors.Add((parameter.FullName, Matrix<T>.FromArray(parameter.Rows, parameter.Columns, parameter.Values)));
    }

    /// <summary>Copies each parameter's tensor into it.</summary>
    private readonly struct Filler<T>(Dictionary<string, Matrix<T>> stored) : IParameterVisitor<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Visit(in ModelParameter<T> parameter) => stored[parameter.FullName].Span.CopyTo(parameter.Values);
    }

    /// <summary>The element size a version-2 payload begins with, for <typeparamref name="T"/>; 0 for <see cref="float"/>, written as version 1.</summary>
    private static int ElementSize<T>() =>
        typeof(T) == typeof(float) ? 0
        : typeof(T) == typeof(double) ? sizeof(double)
        : throw new ArgumentException($"Model files hold float or double values, not {typeof(T).Name}.");

    private static byte[] Serialize<T>(IReadOnlyList<(string Name, Matrix<T> Values)> tensors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int elementSize = ElementSize<T>();
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(elementSize == 0 ? FormatVersion : LatestFormatVersion);
            writer.Write(0L); // the payload length, patched below
            if (elementSize != 0)
                writer.Write(elementSize);
            writer.Write(tensors.Count);
            foreach (var (name, values) in tensors)
            {
                byte[] nameBytes = Encoding.UTF8.GetBytes(name);
                writer.Write(nameBytes.Length);
                writer.Write(nameBytes);
                writer.Write(values.Rows);
                writer.Write(values.Columns);
                foreach (T value in values.Span)
                {
                    if (elementSize == 0)
                        writer.Write(float.CreateTruncating(value));
                    else
                        writer.Write(double.CreateTruncating(value));
                }
            }
        }
        long payloadLength = buffer.Length - HeaderLength;
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetBuffer().AsSpan(8), payloadLength);
        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        return buffer.ToArray();
    }

    private static ReadOnlySpan<byte> VerifiedPayload(string path, byte[] contents, out uint version)
    {
        if (contents.Length < Magic.Length || !contents.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a Backprop model file: it does not start with \"BPMF\".");
        if (contents.Length < HeaderLength)
            throw new InvalidDataException($"{path}: truncated: {contents.Length} bytes, less than the {HeaderLength}-byte header.");
        version = BinaryPrimitives.ReadUInt32LittleEndian(contents.AsSpan(4));
        if (version is < FormatVersion or > LatestFormatVersion)
            throw new InvalidDataException($"{path}: model format version {version}; this build reads versions {FormatVersion} and {LatestFormatVersion} only.");
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

    private static List<(string Name, Matrix<T> Values)> Parse<T>(string path, ReadOnlySpan<byte> payload, uint version)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int elementSize = version == FormatVersion ? sizeof(float) : ReadCount(ref payload, path, "element size");
        if (elementSize is not (sizeof(float) or sizeof(double)))
            throw new InvalidDataException($"{path}: an element size of {elementSize} bytes; model files hold float32 (4) or float64 (8) values.");
        int wanted = ElementSize<T>() is 0 ? sizeof(float) : sizeof(double);
        if (elementSize != wanted)
            throw new InvalidDataException($"{path}: the file holds {Describe(elementSize)} values, and the model {Describe(wanted)}; load it into a model of {(elementSize == sizeof(float) ? "float" : "double")} matrices.");
        int count = ReadCount(ref payload, path, "tensor count");
        var tensors = new List<(string, Matrix<T>)>(Math.Min(count, 1024));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int t = 0; t < count; t++)
        {
            int nameLength = ReadCount(ref payload, path, $"name length of tensor {t}");
            string name = Encoding.UTF8.GetString(Take(ref payload, nameLength, path, $"name of tensor {t}"));
            if (!names.Add(name))
                throw new InvalidDataException($"{path}: tensor '{name}' appears twice.");
            int rows = ReadCount(ref payload, path, $"row count of '{name}'");
            int columns = ReadCount(ref payload, path, $"column count of '{name}'");
            ReadOnlySpan<byte> data = Take(ref payload, (long)rows * columns * elementSize, path, $"values of '{name}' ({rows}×{columns})");
            var values = new Matrix<T>(rows, columns);
            Span<T> span = values.Span;
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = elementSize == sizeof(float)
                    ? T.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(data[(i * sizeof(float))..]))
                    : T.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(data[(i * sizeof(double))..]));
            }
            tensors.Add((name, values));
        }
        if (!payload.IsEmpty)
            throw new InvalidDataException($"{path}: {payload.Length} bytes left over after the last of {count} tensors.");
        return tensors;
    }

    private static string Describe(int elementSize) => elementSize == sizeof(float) ? "float32" : "float64";

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

    private static string Describe<T>(Dictionary<string, Matrix<T>> tensors)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        tensors.Count == 0 ? "none" : string.Join(", ", tensors.Select(t => $"'{t.Key}' ({t.Value.Shape})"));
}
