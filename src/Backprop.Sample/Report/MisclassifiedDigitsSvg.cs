using System.Globalization;
using System.Text;

namespace Backprop.Sample.Report;

/// <summary>
/// A picture of misclassified test images as an SVG: a grid of the images, dark on white, each drawn as
/// one rectangle per run of equal pixels, captioned with the predicted and the true class.
/// </summary>
public static class MisclassifiedDigitsSvg
{
    private const int Scale = 3, Columns = 10, CaptionHeight = 34, Padding = 12;
    private const string PredictedPrefix = "predicted ";

    /// <summary>The most images shown.</summary>
    public const int DefaultLimit = 60;

    /// <summary>Renders the first <paramref name="limit"/> images whose prediction differs from their label, in data-set order.</summary>
    /// <param name="images">Square images, one per row, pixels in [0, 1].</param>
    /// <param name="labels">The true classes.</param>
    /// <param name="predictions">The predicted classes.</param>
    /// <param name="classNames">A display name per class.</param>
    /// <param name="limit">The most images shown.</param>
    /// <exception cref="ArgumentException">The images are not square, or the counts of images, labels and predictions differ.</exception>
    public static string Render(Matrix<float> images, ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions, IReadOnlyList<string> classNames, int limit = DefaultLimit)
    {
        int side = (int)Math.Round(Math.Sqrt(images.Columns));
        if (side * side != images.Columns)
            throw new ArgumentException($"Images of {images.Columns} pixels are not square.", nameof(images));
        if (labels.Length != images.Rows || predictions.Length != images.Rows)
            throw new ArgumentException($"{images.Rows} images, {labels.Length} labels and {predictions.Length} predictions; the counts must agree.");

        var wrong = new List<int>();
        int totalWrong = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == predictions[i])
                continue;
            totalWrong++;
            if (wrong.Count < limit)
                wrong.Add(i);
        }

        // A caption character is about 7 px wide at the 12 px font size.
        int captionWidth = 7 * (PredictedPrefix.Length + classNames.Max(n => n.Length));
        int cellWidth = Math.Max(side * Scale, captionWidth) + Padding;
        int cellHeight = side * Scale + CaptionHeight + Padding;
        int rows = (wrong.Count + Columns - 1) / Columns;
        double width = Columns * cellWidth + Padding, height = 40 + rows * cellHeight;
        var svg = new StringBuilder(Svg.Open(width, height));
        svg.Append($"<text x=\"{Padding}\" y=\"24\" font-size=\"14\">{Svg.Escape(Title(wrong.Count, totalWrong, labels.Length))}</text>\n");
        for (int k = 0; k < wrong.Count; k++)
        {
            int example = wrong[k];
            double x = Padding + (k % Columns) * cellWidth, y = 40 + (k / Columns) * cellHeight;
            double imageX = x + (cellWidth - Padding - side * Scale) / 2.0;
            svg.Append($"<g class=\"digit\" data-index=\"{example}\" transform=\"translate({Svg.Number(imageX)},{Svg.Number(y)}) scale({Scale})\" shape-rendering=\"crispEdges\">\n");
            svg.Append($"<rect width=\"{side}\" height=\"{side}\" fill=\"#fff\" stroke=\"#ccc\" stroke-width=\"{Svg.Number(1.0 / Scale)}\"/>\n");
            AppendPixels(svg, images.Row(example), side);
            svg.Append("</g>\n");
            double captionX = x + (cellWidth - Padding) / 2.0, captionY = y + side * Scale + 14;
            svg.Append($"<text x=\"{Svg.Number(captionX)}\" y=\"{Svg.Number(captionY)}\" text-anchor=\"middle\" fill=\"#c00\">{PredictedPrefix}{Svg.Escape(classNames[predictions[example]])}</text>\n");
            svg.Append($"<text x=\"{Svg.Number(captionX)}\" y=\"{Svg.Number(captionY + 14)}\" text-anchor=\"middle\" fill=\"#555\">true {Svg.Escape(classNames[labels[example]])}</text>\n");
        }
        return svg.Append("</svg>\n").ToString();
    }

    private static string Title(int shown, int wrong, int total) => wrong == 0
        ? string.Create(CultureInfo.InvariantCulture, $"No misclassified images among {total:#,0}.")
        : string.Create(CultureInfo.InvariantCulture, $"{shown} of {wrong:#,0} misclassified test images (of {total:#,0}): predicted and true class");

    /// <summary>One black rectangle per horizontal run of equal, non-zero grey levels (rounded to 1/100), its opacity the level.</summary>
    private static void AppendPixels(StringBuilder svg, ReadOnlySpan<float> pixels, int side)
    {
        for (int row = 0; row < side; row++)
        {
            int column = 0;
            while (column < side)
            {
                int level = Level(pixels[row * side + column]);
                int end = column + 1;
                while (end < side && Level(pixels[row * side + end]) == level)
                    end++;
                if (level > 0)
                    svg.Append($"<rect x=\"{column}\" y=\"{row}\" width=\"{end - column}\" height=\"1\" fill-opacity=\"{Svg.Number(level / 100.0)}\"/>\n");
                column = end;
            }
        }
    }

    private static int Level(float pixel) => (int)Math.Round(Math.Clamp(pixel, 0f, 1f) * 100);
}
