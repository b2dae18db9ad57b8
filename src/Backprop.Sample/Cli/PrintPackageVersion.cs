using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Backprop.Sample.Cli;

/// <summary>
/// <c>--version</c>: the version of the Backprop package, which the runtime's project file sets (its <c>Version</c>
/// property, which the build writes into the assembly's informational version). System.CommandLine would print the
/// sample's own assembly version, 1.0.0 for a project that sets none.
/// </summary>
public sealed class PrintPackageVersion : SynchronousCommandLineAction
{
    /// <summary>The package version, without the build metadata (the commit) that the build appends after a '+'.</summary>
    public static string PackageVersion { get; } =
        typeof(Matrix<>).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(PackageVersion);
        return 0;
    }
}
