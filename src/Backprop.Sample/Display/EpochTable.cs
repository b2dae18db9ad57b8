using System.Globalization;
using Backprop.Sample.Training;
using Spectre.Console;

namespace Backprop.Sample.Display;

/// <summary>
/// The per-epoch table, printed a row at a time as epochs finish: a header, then one row per epoch with
/// the same fixed column widths, so the rows line up under it.
/// </summary>
public static class EpochTable
{
    private static readonly (string Title, int Width)[] Columns =
        [("epoch", 7), ("train loss", 12), ("train acc", 11), ("test acc", 10), ("seconds", 9), ("samples/s", 11)];

    /// <summary>Prints the column titles.</summary>
    public static void WriteHeader(IAnsiConsole console) =>
        console.Write(Row(Columns.Select(c => $"[bold]{c.Title}[/]")));

    /// <summary>Prints the row of one epoch.</summary>
    public static void WriteRow(IAnsiConsole console, EpochRecord record, int epochs) =>
        console.Write(Row(
        [
            $"{record.Epoch}/{epochs}",
            Format(record.TrainLoss, "0.0000"),
            Format(record.TrainAccuracy, "0.00%"),
            $"[green]{Format(record.TestAccuracy, "0.00%")}[/]",
            Format(record.Seconds, "0.00"),
            Format(record.SamplesPerSecond, "#,0"),
        ]));

    private static Grid Row(IEnumerable<string> cells)
    {
        var grid = new Grid();
        foreach (var (_, width) in Columns)
            grid.AddColumn(new GridColumn().Width(width).RightAligned().NoWrap().PadLeft(0).PadRight(1));
        grid.AddRow(cells.Select(cell => new Markup(cell)).ToArray());
        return grid;
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
