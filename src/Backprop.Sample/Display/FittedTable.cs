using Spectre.Console;
using Spectre.Console.Rendering;

namespace Backprop.Sample.Display;

/// <summary>
/// Writes a table if it fits the console's width, and otherwise the same facts as plain lines: Spectre squeezes a table
/// that is too wide by wrapping its cells, which splits a count such as 970 into "97" and "0" and cuts headers short.
/// </summary>
public static class FittedTable
{
    /// <summary>Writes <paramref name="table"/>, or <paramref name="lines"/> (plain text, not markup) when the table is wider than the console.</summary>
    public static void Write(IAnsiConsole console, Table table, IEnumerable<string> lines)
    {
        Measurement size = ((IRenderable)table).Measure(RenderOptions.Create(console), StandardStreams.UnwrappedWidth);
        if (size.Max <= console.Profile.Width)
        {
            console.Write(table);
            return;
        }
        foreach (string line in lines)
            console.WriteLine(line);
    }
}
