using Backprop.Data;

namespace Backprop.Runtime.Tests.Data;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("model-tests-").FullName;
    private readonly Matrix<float> _weights = Matrix<float>.RandomNormal(4, 3, 1, seed: 5);
    private readonly Matrix<float> _bias = Matrix<float>.FromArray(1, 3, [0.5f, float.NegativeInfinity, -0f]);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string SavedModel()
    {
        string path = Path.Combine(_directory, "model.bpm");
        ModelFile.Save(path, [("W1", _weights), ("b1 — bias", _bias)]);
        return path;
    }

    [Fact]
    public void Round_trips_names_shapes_and_exact_values_in_order()
    {
        var loaded = ModelFile.Load(SavedModel());

        Assert.Equal(["W1", "b1 — bias"], loaded.Select(t => t.Name));
        Assert.Equal(_weights.Span.ToArray(), loaded[0].Values.Span.ToArray());
        Assert.Equal((1, 3), (loaded[1].Values.Rows, loaded[1].Values.Columns));
        Assert.Equal(
            _bias.Span.ToArray().Select(BitConverter.SingleToInt32Bits),
            loaded[1].Values.Span.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Saving_replaces_the_file_and_leaves_no_temporary_behind()
    {
        string path = SavedModel();
        _weights.Span.Fill(2f);

        ModelFile.Save(path, [("W1", _weights), ("b1 — bias", _bias)]);

        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(_directory).Select(Path.GetFileName));
        Assert.All(ModelFile.Load(path)[0].Values.Span.ToArray(), v => Assert.Equal(2f, v));
    }

    [Fact]
    public void LoadInto_fills_matching_matrices()
    {
        var w = new Matrix<float>(4, 3);
        var b = new Matrix<float>(1, 3);

        ModelFile.LoadInto(SavedModel(), [("b1 — bias", b), ("W1", w)]);

        Assert.Equal(_weights.Span.ToArray(), w.Span.ToArray());
        Assert.Equal(0.5f, b[0, 0]);
    }

    [Fact]
    public void LoadInto_refuses_a_shape_mismatch_and_copies_nothing()
    {
        string path = SavedModel();
        var w = new Matrix<float>(4, 3);
        var b = new Matrix<float>(3, 1);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto(path, [("W1", w), ("b1 — bias", b)]));

        Assert.Equal($"{path}: tensor 'b1 — bias' is 1×3 in the file but 3×1 in the model.", error.Message);
        Assert.All(w.Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void LoadInto_refuses_missing_and_extra_tensors()
    {
        string path = SavedModel();

        var missing = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto(path, [("W1", new(4, 3)), ("W2", new(3, 2)), ("b1 — bias", new(1, 3))]));
        var extra = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto(path, [("W1", new(4, 3))]));

        Assert.Contains("needs a tensor 'W2' (3×2), which the file does not have", missing.Message);
        Assert.Contains("the file has tensors the model does not: 'b1 — bias'", extra.Message);
    }

    [Fact]
    public void A_corrupted_byte_is_refused()
    {
        string path = SavedModel();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[40] ^= 0x10; // inside W1's values
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));

        Assert.Equal($"{path}: checksum mismatch: the file is corrupt.", error.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(33)]
    [InlineData(100)]
    public void A_truncated_file_is_refused(int missingBytes)
    {
        string path = SavedModel();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^missingBytes]);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));

        Assert.Equal($"{path}: truncated or corrupt: the header announces {bytes.Length} bytes, found {bytes.Length - missingBytes}.", error.Message);
    }

    [Fact]
    public void Bytes_after_the_checksum_are_refused()
    {
        string path = SavedModel();
        File.AppendAllText(path, "x");

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));

        Assert.Contains("1 unexpected bytes after", error.Message);
    }

    [Fact]
    public void Another_format_version_is_refused()
    {
        string path = SavedModel();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[4] = 3;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));

        Assert.Equal($"{path}: model format version 3; this build reads versions 1 and 2 only.", error.Message);
    }

    [Fact]
    public void Another_kind_of_file_is_refused()
    {
        string path = Path.Combine(_directory, "notes.txt");
        File.WriteAllText(path, "hello, world");

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));

        Assert.Contains("not a Backprop model file", error.Message);
    }

    [Fact]
    public void Repeated_names_cannot_be_saved()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelFile.Save(Path.Combine(_directory, "m"), [("W", _weights), ("W", _bias)]));
        Assert.Contains("'W' is used twice", error.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }
}
