using System.Text.RegularExpressions;
using System.Xml.Linq;
using Backprop.Testing;

namespace Backprop.Package.Tests;

/// <summary>What goes into the package: the runtime as a reference, the generator as an analyzer and nothing as a dependency that is ours.</summary>
[Collection(PackedPackageCollection.Name)]
public sealed class PackageContentTests(PackedPackage package)
{
    [Fact]
    public void Package_is_named_Backprop()
    {
        Assert.Equal("Backprop", package.Id);
        Assert.Equal($"{package.Id}.{package.Version}.nupkg", Path.GetFileName(package.NupkgPath));
    }

    [Fact]
    public void Runtime_is_a_lib_reference_and_the_generator_a_CSharp_analyzer()
    {
        Assert.Contains("lib/net10.0/Backprop.Runtime.dll", package.Entries);
        Assert.Contains("analyzers/dotnet/cs/Backprop.Generator.dll", package.Entries);
        Assert.DoesNotContain(package.Entries, entry => entry.StartsWith("lib/", StringComparison.Ordinal) && entry.Contains("Generator"));
    }

    [Fact]
    public void Code_fixes_sit_beside_the_generator_which_does_not_reference_Workspaces()
    {
        Assert.Contains("analyzers/dotnet/cs/Backprop.CodeFixes.dll", package.Entries);
        // The compiler loads the generator without the Workspaces assemblies, which only IDEs have.
        Assert.Contains("Microsoft.CodeAnalysis.Workspaces", package.AssemblyReferences("analyzers/dotnet/cs/Backprop.CodeFixes.dll"));
        IReadOnlyList<string> generatorReferences = package.AssemblyReferences("analyzers/dotnet/cs/Backprop.Generator.dll");
        Assert.Contains("Microsoft.CodeAnalysis", generatorReferences);
        Assert.DoesNotContain(generatorReferences, name => name.Contains("Workspaces", StringComparison.Ordinal));
    }

    [Fact]
    public void Version_is_the_runtime_projects_stamped_with_the_time_of_packing()
    {
        string project = File.ReadAllText(RepositoryPaths.Get("src", "Backprop.Runtime", "Backprop.Runtime.csproj"));
        string version = Regex.Match(project, "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.Matches($"^{Regex.Escape(version)}-dev\\.[0-9]{{17}}$", package.Version);
    }

    [Fact]
    public void Only_dependency_is_System_Numerics_Tensors()
    {
        XNamespace ns = package.NuspecNamespace;
        var dependencies = package.Nuspec.Descendants(ns + "dependency").Select(dependency => (string)dependency.Attribute("id")!).ToList();
        Assert.Equal(["System.Numerics.Tensors"], dependencies);
    }

    [Fact]
    public void Readme_and_license_are_declared_and_the_readme_is_packed()
    {
        XNamespace ns = package.NuspecNamespace;
        XElement metadata = package.Nuspec.Root!.Element(ns + "metadata")!;
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.Contains("README.md", package.Entries);
        Assert.Equal("expression", (string?)metadata.Element(ns + "license")?.Attribute("type"));
    }
}
