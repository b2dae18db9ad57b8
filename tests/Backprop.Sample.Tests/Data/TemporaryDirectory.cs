namespace Backprop.Sample.Tests.Data;

/// <summary>A fresh directory under the system's temporary folder, deleted with its contents on disposal.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("backprop-sample-tests-").FullName;

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Creates the subdirectory <paramref name="name"/> holding an empty file for each of <paramref name="files"/>.</summary>
    public string WithFiles(string name, params IEnumerable<string> files)
    {
        string directory = Directory.CreateDirectory(Combine(name)).FullName;
        foreach (string file in files)
            File.WriteAllBytes(System.IO.Path.Combine(directory, file), []);
        return directory;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
