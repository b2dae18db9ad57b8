namespace Backprop.Testing;

/// <summary>
/// Finds checked-in files (snapshots, docs) from the test's output folder. [CallerFilePath] cannot be used:
/// CI builds set ContinuousIntegrationBuild, whose path map turns every source path into "/_/...".
/// </summary>
internal static class RepositoryPaths
{
    public static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Backprop.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No Backprop.sln above the test output folder {AppContext.BaseDirectory}.");
    }

    public static string Get(params string[] parts) => Path.Combine([Root, .. parts]);
}
