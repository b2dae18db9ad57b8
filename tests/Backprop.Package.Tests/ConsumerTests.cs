using System.Globalization;

namespace Backprop.Package.Tests;

/// <summary>
/// A console project that knows Backprop only through the packed package builds and prints the gradient the
/// package's generator wrote for it.
/// </summary>
[Collection(PackedPackageCollection.Name)]
public sealed class ConsumerTests(PackedPackage package)
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromSeconds(90);

    private const string Program = """
        using System.Globalization;
        using Backprop;

        double value = Functions.FGradient(1.5, -2.25, out double dx, out double dy);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{value:R} {dx:R} {dy:R}"));

        static partial class Functions
        {
            [Differentiable]
            public static double F(double x, double y) => x * x * y;
        }
        """;

    /// <summary>
    /// The problem a fixed version had: NuGet extracts a version once, so a re-pack under the same number left
    /// consumers on the cached, older generator. Here the consumer's cache holds the first pack with its generator
    /// broken (a stand-in for an outdated one); the next pack, with a version of its own, is what the consumer's build
    /// then compiles with, so the gradient comes out right.
    /// </summary>
    [Fact]
    public async Task A_new_pack_reaches_a_consumer_whose_cache_holds_an_older_one()
    {
        string consumer = Directory.CreateDirectory(Path.Combine(package.Folder, "repacking-consumer")).FullName;
        await WriteConsumerAsync(consumer, package.Version);
        await DotnetCommand.RunAsync(consumer, BuildTimeout, "restore", "--disable-build-servers");
        string cachedGenerator = Path.Combine(consumer, "packages", package.Id.ToLowerInvariant(), package.Version.ToLowerInvariant(),
            "analyzers", "dotnet", "cs", "Backprop.Generator.dll");
        Assert.True(File.Exists(cachedGenerator), $"The first restore did not cache the generator at {cachedGenerator}.");
        await File.WriteAllBytesAsync(cachedGenerator, []);

        string[] before = Directory.GetFiles(package.Feed, "*.nupkg");
        await package.PackAgainAsync();
        string repacked = Assert.Single(Directory.GetFiles(package.Feed, "*.nupkg").Except(before));
        string version = Path.GetFileNameWithoutExtension(repacked)[(package.Id.Length + 1)..];
        Assert.NotEqual(package.Version, version);

        await WriteConsumerAsync(consumer, version);
        Assert.Equal(Expected, await BuildAndRunAsync(consumer));
    }

    [Fact]
    public async Task Consumer_of_the_package_alone_gets_the_gradient()
    {
        string consumer = Directory.CreateDirectory(Path.Combine(package.Folder, "consumer")).FullName;
        await WriteConsumerAsync(consumer, package.Version);

        double[] printed = await BuildAndRunAsync(consumer);
        string restored = Path.Combine(consumer, "packages", package.Id.ToLowerInvariant(), package.Version.ToLowerInvariant());
        Assert.True(Directory.Exists(restored), $"The consumer's restore did not extract the fresh package into {restored}.");
        Assert.Equal(Expected, printed);
    }

    /// <summary>
    /// F = x²y, ∂F/∂x = 2xy, ∂F/∂y = x². At (1.5, −2.25) every product is a short binary fraction, exact in double
    /// whatever order the generated code multiplies in, so equality is exact.
    /// </summary>
    private static readonly double[] Expected = [1.5 * 1.5 * -2.25, 2 * 1.5 * -2.25, 1.5 * 1.5];

    /// <summary>Builds the consumer and runs it; the numbers it prints.</summary>
    private static async Task<double[]> BuildAndRunAsync(string consumer)
    {
        string output = Path.Combine(consumer, "out");
        await DotnetCommand.RunAsync(consumer, BuildTimeout, "build", "-c", "Release", "--disable-build-servers", "-o", output);
        string printed = await DotnetCommand.RunAsync(consumer, ToolTimeout, Path.Combine(output, "Consumer.dll"));
        return printed.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(number => double.Parse(number, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>
    /// Writes the consumer project. Its nuget.config lists two sources: the folder the package was packed into, and the
    /// machine's global packages folder for System.Numerics.Tensors (so restore needs no network). Source mapping lets
    /// Backprop come only from the fresh pack, and restore extracts into a packages folder of its own, so a Backprop of
    /// the same version cached by an earlier run cannot stand in for it. Empty Directory.Build.* files stop MSBuild
    /// importing whatever lies above the temporary folder.
    /// </summary>
    private async Task WriteConsumerAsync(string consumer, string version)
    {
        string globalPackages = await GlobalPackagesFolderAsync(package.Folder);
        await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(consumer, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="packed" value="{package.Feed}" />
                <add key="global-packages" value="{globalPackages}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="packed">
                  <package pattern="{package.Id}" />
                </packageSource>
                <packageSource key="global-packages">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{package.Id}" Version="[{version}]" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), Program);
        foreach (string name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            await File.WriteAllTextAsync(Path.Combine(consumer, name), "<Project />\n");
    }

    /// <summary>Where this machine's NuGet keeps its packages, as NuGet itself reports it (NUGET_PACKAGES and nuget.config included).</summary>
    private static async Task<string> GlobalPackagesFolderAsync(string workingDirectory)
    {
        const string prefix = "global-packages:";
        string listed = await DotnetCommand.RunAsync(workingDirectory, ToolTimeout, "nuget", "locals", "global-packages", "--list");
        string? line = listed.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"'dotnet nuget locals global-packages --list' printed no '{prefix}' line:\n{listed}");
        return line[prefix.Length..].Trim();
    }
}
