using System.Globalization;
using Backprop.Sample.Training;
using Spectre.Console;

namespace Backprop.Sample.Display;

/// <summary>
/// The per-epoch table, printed a row at a time as epochs finish: a header, then one row per epoch with
/// the same fixed column widths, so the rows line up under it. A console narrower than the table gets a plain
/// line per epoch instead, with no header.
/// </summary>
public static class EpochTable
{
    private static readonly (string Title, int Width)[] Columns =
        [("epoch", 7), ("train loss", 12), ("train acc", 11), ("test acc", 10), ("seconds", 9), ("samples/s", 11)];

    /// <summary>The table's width: every column and the space after it.</summary>
    public static int Width { get; } = Columns.Sum(c => c.Width + 1);

    /// <summary>Prints the column titles, if the table fits.</summary>
    public static void WriteHeader(IAnsiConsole console)
    {
        if (Fits(console))
            console.Write(Row(Columns.Select(c => $"[bold]{c.Title}[/]")));
    }

    /// <summary>Prints the row of one epoch, or its plain line if the table does not fit.</summary>
    public static void WriteRow(IAnsiConsole console, EpochRecord record, int epochs)
    {
        string epoch = $"{record.Epoch}/{epochs}", loss = Format(record.TrainLoss, record.TrainLoss < 1e5 ? "0.0000" : "0.00E+0"), trainAccuracy = Format(record.TrainAccuracy, "0.00%"),
            testAccuracy = Format(record.TestAccuracy, "0.00%"), seconds = Format(record.Seconds, "0.00"), speed = Format(record.SamplesPerSecond, "#,0");
        if (Fits(console))
            console.Write(Row([epoch, loss, trainAccuracy, $"[green]{testAccuracy}[/]", seconds, speed]));
        else
            console.WriteLine($"epoch {epoch}: train loss {loss}, train acc {trainAccuracy}, test acc {testAccuracy}, {seconds} s, {speed} samples/s");
    }

    private static bool Fits(IAnsiConsole console) => console.Profile.Width >= Width;

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
