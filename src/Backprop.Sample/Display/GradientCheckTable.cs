using System.Globalization;
using Backprop.Training;
using Spectre.Console;

namespace Backprop.Sample.Display;

/// <summary>The result of a gradient check as a console table, one row per parameter.</summary>
public static class GradientCheckTable
{
    /// <summary>The table, marking each parameter within or outside the tolerances.</summary>
    public static Table Create(GradientCheckResult result, double relativeTolerance, double absoluteTolerance)
    {
        var table = new Table
        {
            Border = TableBorder.Rounded,
            Title = new TableTitle("gradient check: generated gradient vs central differences"),
        };
        foreach (string title in (string[])["parameter", "coordinates", "max abs error", "max rel error", "worst: analytic", "numerical", ""])
            table.AddColumn(new TableColumn($"[bold]{title}[/]").RightAligned());
        foreach (ParameterGradientError p in result.Parameters)
        {
            bool ok = p.IsWithin(relativeTolerance, absoluteTolerance);
            table.AddRow(p.Name, p.CoordinatesChecked.ToString(CultureInfo.InvariantCulture), Format(p.MaxAbsoluteError), Format(p.MaxRelativeError),
                Format(p.WorstAnalytic), Format(p.WorstNumerical), ok ? "[green]ok[/]" : "[red]FAIL[/]");
        }
        table.Caption = new TableTitle(string.Create(CultureInfo.InvariantCulture,
            $"pass: max rel error ≤ {relativeTolerance:G2} or max abs error ≤ {absoluteTolerance:G2} (float32 loss)"));
        return table;
    }

    private static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
