using System.Globalization;
using System.Text;
using Backprop.Sample.Training;

namespace Backprop.Sample.Report;

/// <summary>
/// The training curves as an SVG: on the left the training loss per epoch, on the right the training and
/// test accuracy per epoch, each with labelled axes.
/// </summary>
public static class TrainingCurvesSvg
{
    private const double PanelWidth = 420, PanelHeight = 300, Margin = 50, Gap = 40;

    /// <summary>The curve colours, also used in the legend.</summary>
    public const string LossColour = "#d62728", TrainColour = "#1f77b4", TestColour = "#ff7f0e";

    /// <summary>Renders the history (at least one epoch).</summary>
    /// <exception cref="ArgumentException">The history is empty.</exception>
    public static string Render(IReadOnlyList<EpochRecord> history)
    {
        if (history.Count == 0)
            throw new ArgumentException("There is no epoch to draw.", nameof(history));
        // Each panel has Margin on its left for the value labels; the right edge keeps half of that.
        double width = 2 * (Margin + PanelWidth) + Gap + Margin / 2, height = PanelHeight + 2 * Margin;
        var svg = new StringBuilder(Svg.Open(width, height));

        double maxLoss = history.Max(r => r.TrainLoss);
        var lossPanel = new Panel(Margin, Margin, history.Count, 0, NiceCeiling(maxLoss));
        lossPanel.DrawAxes(svg, "training loss", "0.###");
        lossPanel.DrawCurve(svg, history.Select(r => r.TrainLoss), LossColour, "train loss");

        // The accuracy axis starts at a round percentage below the worst value, so the last epochs' differences show.
        double lowest = Math.Min(history.Min(r => r.TrainAccuracy), history.Min(r => r.TestAccuracy));
        double floor = Math.Min(0.9, Math.Floor(lowest * 20) / 20);
        var accuracyPanel = new Panel(2 * Margin + PanelWidth + Gap, Margin, history.Count, floor, 1);
        accuracyPanel.DrawAxes(svg, "accuracy", "0.##%");
        accuracyPanel.DrawCurve(svg, history.Select(r => r.TrainAccuracy), TrainColour, "train accuracy");
        accuracyPanel.DrawCurve(svg, history.Select(r => r.TestAccuracy), TestColour, "test accuracy");
        accuracyPanel.DrawLegend(svg, [("train", TrainColour), ("test", TestColour)]);

        return svg.Append("</svg>\n").ToString();
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="value"/>.</summary>
    private static double NiceCeiling(double value)
    {
        if (!(value > 0) || !double.IsFinite(value))
            return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in (ReadOnlySpan<double>)[1, 2, 5, 10])
            if (step * power >= value)
                return step * power;
        return 10 * power;
    }

    /// <summary>One plot area: epochs 1…n across, [low, high] up.</summary>
    private sealed record Panel(double Left, double Top, int Epochs, double Low, double High)
    {
        private double X(int epoch) => Left + (Epochs == 1 ? PanelWidth / 2 : (epoch - 1) * PanelWidth / (Epochs - 1));

        private double Y(double value) => Top + PanelHeight * (1 - (Math.Clamp(value, Low, High) - Low) / (High - Low));

        public void DrawAxes(StringBuilder svg, string title, string valueFormat)
        {
            double bottom = Top + PanelHeight;
            svg.Append($"<text x=\"{Svg.Number(Left + PanelWidth / 2)}\" y=\"{Svg.Number(Top - 15)}\" text-anchor=\"middle\" font-size=\"14\">{Svg.Escape(title)}</text>\n");
            svg.Append($"<rect x=\"{Svg.Number(Left)}\" y=\"{Svg.Number(Top)}\" width=\"{Svg.Number(PanelWidth)}\" height=\"{Svg.Number(PanelHeight)}\" fill=\"none\" stroke=\"#888\"/>\n");
            const int valueTicks = 5;
            for (int i = 0; i <= valueTicks; i++)
            {
                double value = Low + (High - Low) * i / valueTicks, y = Y(value);
                svg.Append($"<line x1=\"{Svg.Number(Left)}\" y1=\"{Svg.Number(y)}\" x2=\"{Svg.Number(Left + PanelWidth)}\" y2=\"{Svg.Number(y)}\" stroke=\"#eee\"/>\n");
                svg.Append($"<text x=\"{Svg.Number(Left - 6)}\" y=\"{Svg.Number(y + 4)}\" text-anchor=\"end\">{Svg.Escape(value.ToString(valueFormat, CultureInfo.InvariantCulture))}</text>\n");
            }
            int epochStep = Math.Max(1, (int)Math.Ceiling(Epochs / 10.0));
            for (int epoch = 1; epoch <= Epochs; epoch += epochStep)
                svg.Append($"<text x=\"{Svg.Number(X(epoch))}\" y=\"{Svg.Number(bottom + 16)}\" text-anchor=\"middle\">{epoch}</text>\n");
            svg.Append($"<text x=\"{Svg.Number(Left + PanelWidth / 2)}\" y=\"{Svg.Number(bottom + 34)}\" text-anchor=\"middle\">epoch</text>\n");
        }

        public void DrawCurve(StringBuilder svg, IEnumerable<double> values, string colour, string name)
        {
            var points = values.Select((value, i) => (X: Svg.Number(X(i + 1)), Y: Svg.Number(Y(value)))).ToArray();
            svg.Append($"<polyline class=\"curve\" data-name=\"{Svg.Escape(name)}\" points=\"{string.Join(' ', points.Select(p => $"{p.X},{p.Y}"))}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>\n");
            foreach (var (x, y) in points)
                svg.Append($"<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{colour}\"/>\n");
        }

        public void DrawLegend(StringBuilder svg, IReadOnlyList<(string Label, string Colour)> entries)
        {
            for (int i = 0; i < entries.Count; i++)
            {
                double y = Top + PanelHeight - 20 - 18 * (entries.Count - 1 - i), x = Left + PanelWidth - 90;
                svg.Append($"<line x1=\"{Svg.Number(x)}\" y1=\"{Svg.Number(y)}\" x2=\"{Svg.Number(x + 20)}\" y2=\"{Svg.Number(y)}\" stroke=\"{entries[i].Colour}\" stroke-width=\"2\"/>\n");
                svg.Append($"<text x=\"{Svg.Number(x + 26)}\" y=\"{Svg.Number(y + 4)}\">{Svg.Escape(entries[i].Label)}</text>\n");
            }
        }
    }
}
