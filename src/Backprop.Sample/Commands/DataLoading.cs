using System.Globalization;
using Backprop.Sample.Data;
using Backprop.Sample.Display;
using Spectre.Console;

namespace Backprop.Sample.Commands;

/// <summary>Finds (fetching MNIST if needed) and reads the data set, telling the console where it came from.</summary>
public static class DataLoading
{
    /// <summary>The loaded data set, or null after writing to standard error why it could not be loaded.</summary>
    public static MnistData? TryLoad(StandardStreams streams, Dataset dataset, string? dataDirectory)
    {
        IAnsiConsole console = streams.Output;
        try
        {
            var locator = MnistLocator.FromEnvironment(dataDirectory);
            MnistFiles files = locator.FindOrFetch(dataset, MnistFetcher.Default(line => console.MarkupLine($"[grey]{Markup.Escape(line)}[/]")));
            MnistData data = MnistData.Load(files);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[grey]{DatasetClasses.DisplayName(dataset)}: {data.TrainLabels.Length:#,0} training and {data.TestLabels.Length:#,0} test images of {data.TrainImages.Columns} pixels, ") +
                $"from {Markup.Escape(Path.GetDirectoryName(Path.GetFullPath(files.TrainImages))!)}[/]");
            return data;
        }
        catch (Exception e) when (e is DataUnavailableException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            streams.Fail(e.Message);
            return null;
        }
    }
}
