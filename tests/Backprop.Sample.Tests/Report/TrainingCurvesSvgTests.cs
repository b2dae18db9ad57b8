using System.Globalization;
using System.Xml.Linq;
using Backprop.Sample.Report;
using Backprop.Sample.Training;

namespace Backprop.Sample.Tests.Report;

public sealed class TrainingCurvesSvgTests
{
    private static readonly XNamespace SvgNs = "http://www.w3.org/2000/svg";

    private static readonly EpochRecord[] History =
    [
        new(1, 0.30, 0.950, 0.948, 1.0, 60000),
        new(2, 0.12, 0.975, 0.970, 1.0, 60000),
        new(3, 0.08, 0.985, 0.979, 1.0, 60000),
    ];

    [Fact]
    public void Is_well_formed_svg_with_a_curve_per_series_and_a_point_per_epoch()
    {
        XDocument svg = XDocument.Parse(TrainingCurvesSvg.Render(History));

        Assert.Equal(SvgNs + "svg", svg.Root!.Name);
        var curves = svg.Descendants(SvgNs + "polyline").ToDictionary(c => (string)c.Attribute("data-name")!, c => ((string)c.Attribute("points")!).Split(' '));
        Assert.Equal(["test accuracy", "train accuracy", "train loss"], curves.Keys.Order());
        Assert.All(curves.Values, points => Assert.Equal(History.Length, points.Length));
    }

    [Fact]
    public void A_falling_loss_is_drawn_falling_and_a_rising_accuracy_rising()
    {
        XDocument svg = XDocument.Parse(TrainingCurvesSvg.Render(History));

        double[] Ys(string name) => ((string)svg.Descendants(SvgNs + "polyline").Single(c => (string)c.Attribute("data-name")! == name).Attribute("points")!)
            .Split(' ').Select(p => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        // SVG's y axis points down.
        Assert.True(Ys("train loss").Zip(Ys("train loss").Skip(1)).All(p => p.Second > p.First));
        Assert.True(Ys("test accuracy").Zip(Ys("test accuracy").Skip(1)).All(p => p.Second < p.First));
    }

    [Fact]
    public void Numbers_are_culture_invariant()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            string svg = TrainingCurvesSvg.Render(History);
            XDocument.Parse(svg);
            Assert.DoesNotContain(",5 ", svg);
            Assert.Matches("points=\"[0-9.]+,[0-9.]+ ", svg);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void A_single_epoch_still_draws()
    {
        XDocument svg = XDocument.Parse(TrainingCurvesSvg.Render(History[..1]));

        Assert.Equal(3, svg.Descendants(SvgNs + "polyline").Count());
    }
}
