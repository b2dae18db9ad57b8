using System.Xml.Linq;
using Backprop.Sample.Report;

namespace Backprop.Sample.Tests.Report;

public sealed class MisclassifiedDigitsSvgTests
{
    private static readonly XNamespace SvgNs = "http://www.w3.org/2000/svg";
    private static readonly string[] Names = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    [Fact]
    public void Shows_each_misclassified_image_with_its_predicted_and_true_class()
    {
        var images = new Matrix<float>(4, 9);
        images[1, 4] = 1f; // the centre pixel of the second 3×3 image
        XDocument svg = XDocument.Parse(MisclassifiedDigitsSvg.Render(images, [1, 2, 3, 4], [1, 7, 3, 0], Names));

        var digits = svg.Descendants(SvgNs + "g").Where(g => (string?)g.Attribute("class") == "digit").ToArray();
        Assert.Equal(["1", "3"], digits.Select(d => (string)d.Attribute("data-index")!));
        string[] texts = svg.Descendants(SvgNs + "text").Select(t => t.Value).ToArray();
        Assert.Contains("predicted 7", texts);
        Assert.Contains("true 2", texts);
        Assert.Contains("predicted 0", texts);
        Assert.Contains("true 4", texts);
        // The lit pixel of image 1 is drawn; image 3 is blank, so it has only its frame.
        Assert.Contains(digits[0].Elements(SvgNs + "rect"), r => (string?)r.Attribute("x") == "1" && (string?)r.Attribute("y") == "1");
        Assert.Single(digits[1].Elements(SvgNs + "rect"));
    }

    [Fact]
    public void Shows_at_most_the_limit_and_says_how_many_there_are()
    {
        var images = new Matrix<float>(5, 4);
        string svg = MisclassifiedDigitsSvg.Render(images, [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], Names, limit: 2);

        Assert.Equal(2, XDocument.Parse(svg).Descendants(SvgNs + "g").Count());
        Assert.Contains("2 of 5 misclassified", svg);
    }

    [Fact]
    public void Non_square_images_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MisclassifiedDigitsSvg.Render(new Matrix<float>(1, 5), [0], [1], Names));
    }
}
