using System.Globalization;
using Backprop.Training;
using Spectre.Console;

namespace Backprop.Sample.Display;

/// <summary>The result of a gradient check as a console table, one row per parameter (a line per parameter in a console too narrow for it).</summary>
public static class GradientCheckTable
{
    private const string Title = "gradient check: generated gradient vs central differences";

    /// <summary>Writes the result, marking each parameter within or outside the tolerances.</summary>
    public static void Write(IAnsiConsole console, GradientCheckResult result, double relativeTolerance, double absoluteTolerance)
    {
        string caption = string.Create(CultureInfo.InvariantCulture,
            $"pass: max rel error ≤ {relativeTolerance:G2} or max abs error ≤ {absoluteTolerance:G2} (float32 loss)");
        var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle(Title), Caption = new TableTitle(caption) };
        foreach (string title in (string[])["parameter", "coordinates", "max abs error", "max rel error", "worst: analytic", "numerical", ""])
            table.AddColumn(new TableColumn($"[bold]{title}[/]").RightAligned().NoWrap());
        var lines = new List<string> { Title };
        foreach (ParameterGradientError p in result.Parameters)
        {
            bool ok = p.IsWithin(relativeTolerance, absoluteTolerance);
            string coordinates = p.CoordinatesChecked.ToString(CultureInfo.InvariantCulture);
            table.AddRow(Markup.Escape(p.Name), coordinates, Format(p.MaxAbsoluteError), Format(p.MaxRelativeError),
                Format(p.WorstAnalytic), Format(p.WorstNumerical), ok ? "[green]ok[/]" : "[red]FAIL[/]");
            lines.Add($"{p.Name}: {coordinates} coordinates, max abs error {Format(p.MaxAbsoluteError)}, max rel error {Format(p.MaxRelativeError)}, " +
                $"worst: analytic {Format(p.WorstAnalytic)}, numerical {Format(p.WorstNumerical)}: {(ok ? "ok" : "FAIL")}");
        }
        lines.Add(caption);
        FittedTable.Write(console, table, lines);
    }

    private static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
