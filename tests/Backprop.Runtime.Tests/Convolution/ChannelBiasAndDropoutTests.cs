using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests.Convolution;

public class ChannelBiasAndDropoutTests
{
    [Fact]
    public void AddChannelBias_AddsEachChannelsBiasToItsPositions()
    {
        var x = Matrix<double>.FromArray(2, 6, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        var bias = Matrix<double>.FromArray(1, 3, [100, 200, 300]);
        Assert.Equal([101, 102, 203, 204, 305, 306, 107, 108, 209, 210, 311, 312], AddChannelBias(x, bias).Span.ToArray());
    }

    [Fact]
    public void AddChannelBiasPullback_SumsEachChannelOverBatchAndPositions()
    {
        var x = new Matrix<double>(2, 6);
        var bias = new Matrix<double>(1, 3);
        var dy = Matrix<double>.FromArray(2, 6, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        var dBias = new Matrix<double>(1, 3);
        var dx = new Matrix<double>(2, 6);
        AddChannelBiasPullback(x, bias, x, dy, dx, dBias);
        Assert.Equal([1 + 2 + 7 + 8, 3 + 4 + 9 + 10, 5 + 6 + 11 + 12], dBias.Span.ToArray());
        Assert.Equal(dy.Span.ToArray(), dx.Span.ToArray());
    }

    [Fact]
    public void AddChannelBias_ChannelsNotDividingTheColumns_NamesTheShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => AddChannelBias(new Matrix<float>(2, 10), new Matrix<float>(1, 3)));
        Assert.Contains("(2×10)", error.Message);
        Assert.Contains("(1×3)", error.Message);
    }

    [Fact]
    public void Dropout_KeepsAboutOneMinusTheRate_ScaledUp_SameMaskForTheSameSeed()
    {
        var x = Matrix<double>.RandomUniform(100, 100, 1, 2, seed: 1);
        var mask = new DropoutMask(0.25, seed: 42);
        var y = Dropout(x, mask);
        int kept = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (y.Span[i] != 0)
            {
                kept++;
                Assert.Equal(x.Span[i] / 0.75, y.Span[i], tolerance: 1e-12);
            }
        }
        Assert.InRange(kept, 7300, 7700);
        Assert.Equal(y.Span.ToArray(), Dropout(x, mask).Span.ToArray());
        Assert.NotEqual(y.Span.ToArray(), Dropout(x, new DropoutMask(0.25, seed: 43)).Span.ToArray());
    }

    [Fact]
    public void DropoutPullback_PassesGradientsWhereTheMaskKeeps()
    {
        var x = Matrix<double>.RandomUniform(10, 10, 1, 2, seed: 1);
        var dy = TestData.Normal<double>(10, 10, seed: 2);
        var mask = new DropoutMask(0.5, seed: 7);
        var y = Dropout(x, mask);
        var dx = new Matrix<double>(10, 10);
        DropoutPullback(x, mask, y, dy, dx);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(y.Span[i] == 0 ? 0 : dy.Span[i] * 2, dx.Span[i], tolerance: 1e-12);
    }

    [Fact]
    public void Dropout_AtEvaluation_IsTheIdentity()
    {
        var x = TestData.Normal<float>(7, 9, seed: 1);
        Assert.Equal(x.Span.ToArray(), Dropout(x, DropoutMask.Evaluation).Span.ToArray());
    }

    [Fact]
    public void DropoutMask_RateOutsideZeroToOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropoutMask(1, seed: 0));
}
