using System.Globalization;
using Backprop.Sample.Data;
using Spectre.Console;

namespace Backprop.Sample.Commands;

/// <summary>Finds (fetching MNIST if needed) and reads the data set, telling the console where it came from.</summary>
public static class DataLoading
{
    /// <summary>The loaded data set.</summary>
    /// <exception cref="DataUnavailableException">The files are missing and cannot be fetched.</exception>
    /// <exception cref="InvalidDataException">A file is malformed.</exception>
    public static MnistData Load(IAnsiConsole console, Dataset dataset, string? dataDirectory)
    {
        var locator = MnistLocator.FromEnvironment(dataDirectory);
        MnistFiles files = locator.FindOrFetch(dataset, MnistFetcher.Default(line => console.MarkupLine($"[grey]{Markup.Escape(line)}[/]")));
        MnistData data = MnistData.Load(files);
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[grey]{DatasetClasses.DisplayName(dataset)}: {data.TrainLabels.Length:#,0} training and {data.TestLabels.Length:#,0} test images of {data.TrainImages.Columns} pixels, ") +
            $"from {Markup.Escape(Path.GetDirectoryName(Path.GetFullPath(files.TrainImages))!)}[/]");
        return data;
    }
}
