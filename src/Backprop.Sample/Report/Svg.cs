using System.Globalization;
using System.Security;

namespace Backprop.Sample.Report;

/// <summary>Small helpers for writing SVG by hand: invariant numbers and escaped text.</summary>
internal static class Svg
{
    /// <summary>A coordinate or length with at most two decimals, culture-invariant.</summary>
    public static string Number(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Text safe inside an element or attribute.</summary>
    public static string Escape(string text) => SecurityElement.Escape(text);

    /// <summary>The opening tag of a document of the given size, with a white background.</summary>
    public static string Open(double width, double height) =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Number(width)}\" height=\"{Number(height)}\" viewBox=\"0 0 {Number(width)} {Number(height)}\" " +
        "font-family=\"sans-serif\" font-size=\"12\">\n" +
        $"<rect width=\"{Number(width)}\" height=\"{Number(height)}\" fill=\"#fff\"/>\n";
}
