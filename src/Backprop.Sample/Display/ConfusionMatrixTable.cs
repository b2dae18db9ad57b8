using System.Globalization;
using Backprop.Sample.Evaluation;
using Spectre.Console;

namespace Backprop.Sample.Display;

/// <summary>
/// The confusion matrix as a console table: a row per true class, a column per predicted class, the diagonal in green;
/// in a console too narrow for it, a line per true class with its recall and the classes it was mistaken for.
/// </summary>
public static class ConfusionMatrixTable
{
    private const string Title = "confusion matrix (rows: true class, columns: predicted)";

    /// <summary>Writes <paramref name="matrix"/>, its classes named by <paramref name="classNames"/>.</summary>
    public static void Write(IAnsiConsole console, ConfusionMatrix matrix, IReadOnlyList<string> classNames) =>
        FittedTable.Write(console, Table(matrix, classNames), Lines(matrix, classNames));

    private static Table Table(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle(Title) };
        table.AddColumn(new TableColumn("[bold]true[/]").NoWrap());
        for (int predicted = 0; predicted < matrix.Classes; predicted++)
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(classNames[predicted])}[/]").RightAligned().NoWrap());
        table.AddColumn(new TableColumn("[bold]recall[/]").RightAligned().NoWrap());
        for (int actual = 0; actual < matrix.Classes; actual++)
        {
            var cells = new List<string> { $"[bold]{Markup.Escape(classNames[actual])}[/]" };
            for (int predicted = 0; predicted < matrix.Classes; predicted++)
            {
                int count = matrix[actual, predicted];
                cells.Add(actual == predicted ? $"[green]{count}[/]" : count == 0 ? "[grey]·[/]" : $"[red]{count}[/]");
            }
            cells.Add(Recall(matrix, actual));
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    /// <summary>E.g. <c>T-shirt: 852 of 1000 right (85.2%), mistaken for Shirt 80, Pullover 20</c>.</summary>
    private static IEnumerable<string> Lines(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        yield return "confusion matrix (each true class: right, and what it was mistaken for)";
        for (int actual = 0; actual < matrix.Classes; actual++)
        {
            string mistakes = string.Join(", ", Enumerable.Range(0, matrix.Classes)
                .Where(predicted => predicted != actual && matrix[actual, predicted] > 0)
                .OrderByDescending(predicted => matrix[actual, predicted])
                .Select(predicted => $"{classNames[predicted]} {matrix[actual, predicted]}"));
            yield return $"{classNames[actual]}: {matrix[actual, actual]} of {matrix.RowTotal(actual)} right ({Recall(matrix, actual)})" +
                (mistakes.Length > 0 ? $", mistaken for {mistakes}" : "");
        }
    }

    private static string Recall(ConfusionMatrix matrix, int actual)
    {
        int total = matrix.RowTotal(actual);
        return total == 0 ? "–" : ((double)matrix[actual, actual] / total).ToString("0.0%", CultureInfo.InvariantCulture);
    }
}
