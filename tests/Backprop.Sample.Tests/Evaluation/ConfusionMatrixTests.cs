using Backprop.Sample.Evaluation;

namespace Backprop.Sample.Tests.Evaluation;

public sealed class ConfusionMatrixTests
{
    [Fact]
    public void Counts_each_true_and_predicted_pair()
    {
        var matrix = new ConfusionMatrix([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 2, 2], classes: 3);

        Assert.Equal(1, matrix[0, 0]);
        Assert.Equal(1, matrix[0, 1]);
        Assert.Equal(2, matrix[1, 1]);
        Assert.Equal(1, matrix[1, 2]);
        Assert.Equal(1, matrix[2, 2]);
        Assert.Equal(0, matrix[2, 0]);
        Assert.Equal(6, matrix.Total);
        Assert.Equal(4, matrix.Correct);
        Assert.Equal(4 / 6.0, matrix.Accuracy);
        Assert.Equal(3, matrix.RowTotal(1));
    }

    [Fact]
    public void A_class_out_of_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix([0, 3], [0, 1], classes: 3));
        Assert.Throws<ArgumentException>(() => new ConfusionMatrix([0, 1], [0], classes: 3));
    }
}
