namespace Backprop.Sample.Tests.Commands;

/// <summary>The bytes of every file under a folder, to show that a run changed none of them.</summary>
public sealed record FileSnapshot(IReadOnlyDictionary<string, byte[]> Files)
{
    public static FileSnapshot Of(string directory) => new(Directory.Exists(directory)
        ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(path => path, File.ReadAllBytes)
        : new Dictionary<string, byte[]>());

    /// <summary>Asserts that every file of this snapshot is still there with the same bytes.</summary>
    public void AssertUnchanged()
    {
        foreach (var (path, bytes) in Files)
        {
            Assert.True(File.Exists(path), $"{path} was deleted.");
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(path)), $"{path} was changed.");
        }
    }
}
