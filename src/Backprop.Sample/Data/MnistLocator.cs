namespace Backprop.Sample.Data;

/// <summary>
/// Decides where the data set's IDX files come from. For <see cref="Dataset.Mnist"/>: the <c>--data</c>
/// directory if given (and then only it); otherwise <c>$BACKPROP_DATA</c>, then the cache directory; if
/// neither has all four files, <see cref="MnistFetcher"/> fetches them into the cache. For
/// <see cref="Dataset.Fashion"/>: the <c>--data</c> directory if given, otherwise Debian's
/// <c>/usr/share/datasets/fashion-mnist</c>; nothing is fetched.
/// </summary>
/// <param name="dataDirectory">The <c>--data</c> option, or null.</param>
/// <param name="environment">Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> outside tests.</param>
public sealed class MnistLocator(string? dataDirectory, Func<string, string?> environment)
{
    /// <summary>The environment variable naming a directory with the MNIST files.</summary>
    public const string DataVariable = "BACKPROP_DATA";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs its four <c>.gz</c> files.</summary>
    public const string DebianFashionDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>A locator reading the process's environment.</summary>
    public static MnistLocator FromEnvironment(string? dataDirectory) => new(dataDirectory, Environment.GetEnvironmentVariable);

    /// <summary><c>$XDG_CACHE_HOME/backprop/mnist</c>, or <c>~/.cache/backprop/mnist</c> when that variable is unset.</summary>
    public string CacheDirectory
    {
        get
        {
            string? cacheHome = NonEmpty(environment("XDG_CACHE_HOME"));
            string home = NonEmpty(environment("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(cacheHome ?? Path.Combine(home, ".cache"), "backprop", "mnist");
        }
    }

    /// <summary>The directories searched for <paramref name="dataset"/>, in order.</summary>
    public IReadOnlyList<string> SearchDirectories(Dataset dataset)
    {
        if (dataDirectory is not null)
            return [dataDirectory];
        if (dataset == Dataset.Fashion)
            return [DebianFashionDirectory];
        return NonEmpty(environment(DataVariable)) is { } fromEnvironment ? [fromEnvironment, CacheDirectory] : [CacheDirectory];
    }

    /// <summary>The files in the first search directory that has all four, or null.</summary>
    public MnistFiles? Find(Dataset dataset) =>
        SearchDirectories(dataset).Select(directory => MnistFiles.In(directory, out _)).FirstOrDefault(files => files is not null);

    /// <summary>Finds the files, fetching MNIST into the cache when no search directory has them.</summary>
    /// <exception cref="DataUnavailableException">The files are not there and cannot be fetched; the message says how to provide them.</exception>
    public MnistFiles FindOrFetch(Dataset dataset, MnistFetcher fetcher)
    {
        if (Find(dataset) is { } files)
            return files;
        if (dataDirectory is not null)
        {
            MnistFiles.In(dataDirectory, out var missing);
            throw new DataUnavailableException(
                $"--data {dataDirectory}: missing {string.Join(", ", missing)} (each may also be gzip-compressed with a .gz suffix).");
        }
        if (dataset == Dataset.Fashion)
            throw new DataUnavailableException(
                $"Fashion-MNIST was not found in {DebianFashionDirectory}. Install Debian's dataset-fashion-mnist package " +
                "(apt-get install dataset-fashion-mnist), or pass --data DIR with its four IDX files.");
        return fetcher.Fetch(CacheDirectory);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
