using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Backprop.Testing;

namespace Backprop.Package.Tests;

/// <summary>
/// <c>dotnet pack src/Backprop.Runtime</c> into a fresh temporary folder, once for every test that needs it. Packs with
/// --no-build the outputs this test project's build just made (it references the runtime project), so it neither
/// rebuilds nor writes into bin/ while other test projects may be building the same projects.
/// </summary>
public sealed class PackedPackage : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The temporary folder for these tests; it holds <see cref="Feed"/> and whatever the tests write.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("backprop-package-tests-").FullName;

    /// <summary>The folder the package was packed into: a local NuGet source holding only it.</summary>
    public string Feed => Path.Combine(Folder, "feed");

    public string NupkgPath { get; private set; } = "";

    public string Id { get; private set; } = "";

    public string Version { get; private set; } = "";

    /// <summary>The package's file paths, with '/' separators.</summary>
    public IReadOnlyList<string> Entries { get; private set; } = [];

    public XDocument Nuspec { get; private set; } = new();

    public XNamespace NuspecNamespace => Nuspec.Root!.Name.Namespace;

    /// <summary>The names of the assemblies that the package's assembly at <paramref name="entry"/> references.</summary>
    public IReadOnlyList<string> AssemblyReferences(string entry)
    {
        using ZipArchive archive = ZipFile.OpenRead(NupkgPath);
        using var image = new MemoryStream();
        using (Stream stream = archive.GetEntry(entry)!.Open())
            stream.CopyTo(image);
        image.Position = 0;
        using var pe = new System.Reflection.PortableExecutable.PEReader(image);
        System.Reflection.Metadata.MetadataReader metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return metadata.AssemblyReferences.Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name)).ToList();
    }

    public async Task InitializeAsync()
    {
        await PackAgainAsync();
        string[] packages = Directory.GetFiles(Feed, "*.nupkg");
        Assert.True(packages.Length == 1, $"Expected one .nupkg in {Feed}, found: {string.Join(", ", packages)}");
        NupkgPath = packages[0];

        using ZipArchive archive = ZipFile.OpenRead(NupkgPath);
        Entries = archive.Entries.Select(entry => entry.FullName).ToList();
        ZipArchiveEntry nuspec = archive.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !entry.FullName.Contains('/'));
        using (Stream stream = nuspec.Open())
            Nuspec = XDocument.Load(stream);
        XElement metadata = Nuspec.Root!.Element(NuspecNamespace + "metadata")!;
        Id = metadata.Element(NuspecNamespace + "id")!.Value;
        Version = metadata.Element(NuspecNamespace + "version")!.Value;
    }

    /// <summary>Packs the same build outputs into <see cref="Feed"/> once more, as a user re-packing would.</summary>
    public async Task PackAgainAsync()
    {
        string configuration = typeof(PackedPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "Configuration").Value!;
        await DotnetCommand.RunAsync(RepositoryPaths.Root, PackTimeout,
            "pack", RepositoryPaths.Get("src", "Backprop.Runtime", "Backprop.Runtime.csproj"),
            "-c", configuration, "--no-build", "--disable-build-servers", "-o", Feed);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>The tests that share one <see cref="PackedPackage"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackageCollection : ICollectionFixture<PackedPackage>
{
    public const string Name = "Packed package";
}
