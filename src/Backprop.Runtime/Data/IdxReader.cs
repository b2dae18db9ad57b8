using System.Buffers.Binary;
using System.IO.Compression;

namespace Backprop.Data;

/// <summary>
/// Reads the IDX files MNIST and Fashion-MNIST ship in: a big-endian header (two zero bytes, the element
/// type 0x08 for unsigned bytes, the number of dimensions, then each dimension as a 32-bit integer) followed
/// by the elements in row-major order. A file may be gzip-compressed; that is recognised by its first two
/// bytes (1f 8b), not by its name.
/// </summary>
/// <remarks>
/// Every deviation — another magic number, a zero dimension, too few or too many bytes — throws an
/// <see cref="InvalidDataException"/> naming the file, what was expected and what was found.
/// </remarks>
public static class IdxReader
{
    /// <summary>The magic number of an image file: unsigned bytes, 3 dimensions (count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of a label file: unsigned bytes, 1 dimension (count).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file as an N × (rows·columns) matrix with pixels scaled from 0…255 to [0, 1].</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX image file.</exception>
    public static Matrix<float> ReadImages(string path) => ReadImageBytes(path).ToMatrix();

    /// <summary>Reads an image file's pixels as stored.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX image file.</exception>
    public static IdxImages ReadImageBytes(string path)
    {
        var (dimensions, data) = Read(path, ImagesMagic, "images");
        return new IdxImages(dimensions[0], dimensions[1], dimensions[2], data);
    }

    /// <summary>Reads a label file as integers.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX label file.</exception>
    public static int[] ReadLabels(string path) => Array.ConvertAll(ReadLabelBytes(path), label => (int)label);

    /// <summary>Reads a label file's bytes as stored.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX label file.</exception>
    public static byte[] ReadLabelBytes(string path) => Read(path, LabelsMagic, "labels").Data;

    private static (int[] Dimensions, byte[] Data) Read(string path, int expectedMagic, string kind)
    {
        using Stream stream = OpenPossiblyCompressed(path);
        return ReadContents(stream, path, expectedMagic, kind);
    }

    private static Stream OpenPossiblyCompressed(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        Span<byte> start = stackalloc byte[2];
        int read = file.ReadAtLeast(start, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && start[0] == 0x1f && start[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static (int[] Dimensions, byte[] Data) ReadContents(Stream stream, string path, int expectedMagic, string kind)
    {
        int dimensionCount = expectedMagic & 0xff;
        Span<byte> header = stackalloc byte[4 + 4 * dimensionCount];
        int headerRead = ReadUpTo(stream, header, path);
        if (headerRead >= 4)
        {
            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
                throw new InvalidDataException(
                    $"{path}: expected the IDX magic number 0x{expectedMagic:x8} of {kind} (unsigned bytes, {dimensionCount} dimension{(dimensionCount == 1 ? "" : "s")}), found 0x{magic:x8}.");
        }
        if (headerRead < header.Length)
            throw new InvalidDataException($"{path}: truncated header: expected {header.Length} bytes for {kind}, found {headerRead}.");

        var dimensions = new int[dimensionCount];
        long length = 1;
        for (int d = 0; d < dimensionCount; d++)
        {
            dimensions[d] = BinaryPrimitives.ReadInt32BigEndian(header[(4 + 4 * d)..]);
            if (dimensions[d] <= 0)
                throw new InvalidDataException($"{path}: dimension {d} of the {kind} must be positive, found {dimensions[d]}.");
            length *= dimensions[d];
            if (length > Array.MaxLength)
                throw new InvalidDataException($"{path}: the dimensions {string.Join(" × ", dimensions[..(d + 1)])} describe more bytes than an array can hold.");
        }

        var data = new byte[length];
        int dataRead = ReadUpTo(stream, data, path);
        if (dataRead < data.Length)
            throw new InvalidDataException(
                $"{path}: truncated: the header ({string.Join(" × ", dimensions)}) announces {data.Length} data bytes, found {dataRead}.");
        if (ReadUpTo(stream, stackalloc byte[1], path) > 0)
            throw new InvalidDataException(
                $"{path}: trailing bytes after the {data.Length} data bytes the header ({string.Join(" × ", dimensions)}) announces.");
        return (dimensions, data);
    }

    /// <summary>Fills <paramref name="buffer"/> unless the stream ends first; returns the number of bytes read.</summary>
    private static int ReadUpTo(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            // Only GZipStream throws this here, and its message does not name the file.
            throw new InvalidDataException($"{path}: the gzip stream is damaged: {e.Message}", e);
        }
    }
}

/// <summary>The pixels of an IDX image file, as stored: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> bytes, row-major.</summary>
/// <param name="Count">The number of images.</param>
/// <param name="Rows">The height of an image in pixels.</param>
/// <param name="Columns">The width of an image in pixels.</param>
/// <param name="Pixels">Count·Rows·Columns intensities, 0 (background) to 255.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels)
{
    /// <summary>What a stored intensity is divided by to give a pixel's value in [0, 1].</summary>
    public const float PixelDivisor = 255f;

    /// <summary>The images as a Count × (Rows·Columns) matrix, each pixel divided by <see cref="PixelDivisor"/>.</summary>
    public unsafe Matrix<float> ToMatrix()
    {
        var matrix = new Matrix<float>(Count, Rows * Columns);
        fixed (byte* source = Pixels)
        fixed (float* destination = matrix.Span)
            BytesToFloats.Widen(source, destination, Pixels.Length, PixelDivisor);
        return matrix;
    }
}
