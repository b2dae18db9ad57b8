using System.Globalization;
using Backprop.Sample.Evaluation;
using Spectre.Console;

namespace Backprop.Sample.Display;

/// <summary>The confusion matrix as a console table: a row per true class, a column per predicted class, the diagonal in green.</summary>
public static class ConfusionMatrixTable
{
    /// <summary>The table for <paramref name="matrix"/>, its classes named by <paramref name="classNames"/>.</summary>
    public static Table Create(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle("confusion matrix (rows: true class, columns: predicted)") };
        table.AddColumn(new TableColumn("[bold]true[/]"));
        for (int predicted = 0; predicted < matrix.Classes; predicted++)
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(classNames[predicted])}[/]").RightAligned());
        table.AddColumn(new TableColumn("[bold]recall[/]").RightAligned());
        for (int actual = 0; actual < matrix.Classes; actual++)
        {
            var cells = new List<string> { $"[bold]{Markup.Escape(classNames[actual])}[/]" };
            for (int predicted = 0; predicted < matrix.Classes; predicted++)
            {
                int count = matrix[actual, predicted];
                cells.Add(actual == predicted ? $"[green]{count}[/]" : count == 0 ? "[grey]·[/]" : $"[red]{count}[/]");
            }
            int total = matrix.RowTotal(actual);
            cells.Add(total == 0 ? "–" : ((double)matrix[actual, actual] / total).ToString("0.0%", CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }
        return table;
    }
}
