namespace Backprop.Sample.Data;

/// <summary>
/// Decides where the data set's IDX files come from. For <see cref="Dataset.Mnist"/>: the <c>--data</c>
/// directory if given, otherwise <c>$BACKPROP_DATA</c> if set, and then only that directory; with neither, the
/// cache directory, where <see cref="MnistFetcher"/> fetches the files if they are not there yet. For
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

    /// <summary>The directory searched for <paramref name="dataset"/>.</summary>
    public string SearchDirectory(Dataset dataset) =>
        Chosen(dataset)?.Directory ?? (dataset == Dataset.Fashion ? DebianFashionDirectory : CacheDirectory);

    /// <summary>The four files in <see cref="SearchDirectory"/>, or null.</summary>
    public MnistFiles? Find(Dataset dataset) => MnistFiles.In(SearchDirectory(dataset), out _);

    /// <summary>
    /// Finds the files, fetching MNIST into the cache when they are not there. A directory the user chose
    /// (<c>--data</c> or <c>$BACKPROP_DATA</c>) that lacks them is an error, never a reason to look elsewhere.
    /// </summary>
    /// <exception cref="DataUnavailableException">The files are not there and cannot be fetched; the message names the directory and the missing files, and says how to provide them.</exception>
    public MnistFiles FindOrFetch(Dataset dataset, MnistFetcher fetcher)
    {
        if (Find(dataset) is { } files)
            return files;
        if (Chosen(dataset) is var (directory, source))
        {
            if (!Directory.Exists(directory))
                throw new DataUnavailableException($"{source}: no such folder; it should hold the four files {string.Join(", ", MnistFiles.Names)}.");
            MnistFiles.In(directory, out var missing);
            throw new DataUnavailableException(
                $"{source}: missing {string.Join(", ", missing)} (each may also be gzip-compressed with a .gz suffix).");
        }
        if (dataset == Dataset.Fashion)
            throw new DataUnavailableException(
                $"Fashion-MNIST was not found in {DebianFashionDirectory}. Install Debian's dataset-fashion-mnist package " +
                "(apt-get install dataset-fashion-mnist), or pass --data DIR with its four IDX files.");
        return fetcher.Fetch(CacheDirectory);
    }

    /// <summary>The directory the user chose for <paramref name="dataset"/> and how it was given, e.g. <c>--data /d</c>; null to use the default place.</summary>
    private (string Directory, string Source)? Chosen(Dataset dataset)
    {
        if (dataDirectory is not null)
            return (dataDirectory, $"--data {dataDirectory}");
        // $BACKPROP_DATA names an MNIST folder; Fashion-MNIST is found with --data or in Debian's folder.
        if (dataset == Dataset.Mnist && NonEmpty(environment(DataVariable)) is { } fromEnvironment)
            return (fromEnvironment, $"{DataVariable}={fromEnvironment}");
        return null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
