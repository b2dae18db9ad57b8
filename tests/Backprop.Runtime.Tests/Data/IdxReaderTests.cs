using System.IO.Compression;
using Backprop.Data;
using Backprop.Tests.Data;

namespace Backprop.Runtime.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("idx-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            gzip.Write(bytes);
        return output.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // Two 2×3 images: 0, 51, …, 255 and the reverse.
    private static readonly byte[] TwoImages = [0, 51, 102, 153, 204, 255, 255, 204, 153, 102, 51, 0];
    private static byte[] ImageFile => IdxBytes.Of(0x803, [2, 2, 3], TwoImages);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_images_raw_or_gzip_whatever_the_name(bool compressed)
    {
        string path = Write("images-without-gz-extension", compressed ? Gzip(ImageFile) : ImageFile);

        var raw = IdxReader.ReadImageBytes(path);
        var matrix = IdxReader.ReadImages(path);

        Assert.Equal((2, 2, 3), (raw.Count, raw.Rows, raw.Columns));
        Assert.Equal(TwoImages, raw.Pixels);
        Assert.Equal((2, 6), (matrix.Rows, matrix.Columns));
        Assert.Equal([0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f], matrix.Row(0).ToArray(), (a, b) => Math.Abs(a - b) < 1e-7f);
        Assert.Equal(1f, matrix[1, 0]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_labels(bool compressed)
    {
        byte[] file = IdxBytes.Of(0x801, [4], [7, 0, 9, 3]);
        string path = Write("labels.gz", compressed ? Gzip(file) : file);

        Assert.Equal([7, 0, 9, 3], IdxReader.ReadLabels(path));
        Assert.Equal(new byte[] { 7, 0, 9, 3 }, IdxReader.ReadLabelBytes(path));
    }

    [Fact]
    public void A_label_file_is_not_an_image_file()
    {
        string path = Write("labels", IdxBytes.Of(0x801, [4], [7, 0, 9, 3]));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith(path, error.Message);
        Assert.Contains("expected the IDX magic number 0x00000803", error.Message);
        Assert.Contains("found 0x00000801", error.Message);
    }

    [Fact]
    public void Another_element_type_is_refused()
    {
        string path = Write("floats", IdxBytes.Of(0x0d01, [1], [0, 0, 0, 0])); // type 0x0d is float32

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("found 0x00000d01", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_data_is_refused_with_both_lengths(bool compressed)
    {
        byte[] file = ImageFile[..^5];
        string path = Write("short", compressed ? Gzip(file) : file);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith(path, error.Message);
        Assert.Contains("announces 12 data bytes, found 7", error.Message);
    }

    [Fact]
    public void Truncated_header_is_refused()
    {
        string path = Write("header-only", ImageFile[..10]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains("truncated header: expected 16 bytes for images, found 10", error.Message);
    }

    [Fact]
    public void A_cut_off_gzip_stream_is_refused_naming_the_file()
    {
        byte[] compressed = Gzip(IdxBytes.Of(0x801, [1000], Enumerable.Range(0, 1000).Select(i => (byte)(i * 7 % 10)).ToArray()));
        string path = Write("cut.gz", compressed[..(compressed.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.StartsWith(path, error.Message);
    }

    [Fact]
    public void Trailing_bytes_are_refused()
    {
        string path = Write("long", [.. ImageFile, 42]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith(path, error.Message);
        Assert.Contains("trailing bytes after the 12 data bytes", error.Message);
    }

    [Fact]
    public void A_zero_dimension_is_refused()
    {
        string path = Write("empty", IdxBytes.Of(0x803, [0, 28, 28], []));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains("dimension 0 of the images must be positive, found 0", error.Message);
    }
}
