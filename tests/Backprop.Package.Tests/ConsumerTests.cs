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

    [Fact]
    public async Task Consumer_of_the_package_alone_gets_the_gradient()
    {
        string consumer = Directory.CreateDirectory(Path.Combine(package.Folder, "consumer")).FullName;
        string output = Path.Combine(consumer, "out");
        await WriteConsumerAsync(consumer);

        await DotnetCommand.RunAsync(consumer, BuildTimeout, "build", "-c", "Release", "--disable-build-servers", "-o", output);
        string restored = Path.Combine(consumer, "packages", package.Id.ToLowerInvariant(), package.Version.ToLowerInvariant());
        Assert.True(Directory.Exists(restored), $"The consumer's restore did not extract the fresh package into {restored}.");
        string printed = await DotnetCommand.RunAsync(consumer, ToolTimeout, Path.Combine(output, "Consumer.dll"));

        double[] numbers = printed.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(number => double.Parse(number, CultureInfo.InvariantCulture)).ToArray();
        // F = x²y, ∂F/∂x = 2xy, ∂F/∂y = x². At (1.5, −2.25) every product is a short binary fraction, exact in double
        // whatever order the generated code multiplies in, so equality is exact.
        const double x = 1.5, y = -2.25;
        Assert.Equal([x * x * y, 2 * x * y, x * x], numbers);
    }

    /// <summary>
    /// Writes the consumer project. Its nuget.config lists two sources: the folder the package was packed into, and the
    /// machine's global packages folder for System.Numerics.Tensors (so restore needs no network). Source mapping lets
    /// Backprop come only from the fresh pack, and restore extracts into a packages folder of its own, so a Backprop of
    /// the same version cached by an earlier run cannot stand in for it. Empty Directory.Build.* files stop MSBuild
    /// importing whatever lies above the temporary folder.
    /// </summary>
    private async Task WriteConsumerAsync(string consumer)
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
                <PackageReference Include="{package.Id}" Version="[{package.Version}]" />
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
