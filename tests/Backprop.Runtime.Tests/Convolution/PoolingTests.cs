using System.Numerics;
using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests.Convolution;

/// <summary>Max and average pooling and their pullbacks against the definition and finite differences, with overlapping, tiling and gapped windows.</summary>
[Collection(ThreadCountCollection.Name)]
public class PoolingTests
{
    /// <summary>(batch, channels, height, width, window, stride).</summary>
    public static TheoryData<int, int, int, int, int, int> Geometries => new()
    {
        { 1, 1, 1, 1, 1, 1 },
        { 2, 1, 4, 4, 2, 2 },
        { 3, 3, 7, 5, 2, 2 },
        { 2, 2, 7, 7, 3, 2 },
        { 2, 4, 9, 6, 2, 3 },
        { 5, 16, 24, 24, 2, 2 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void MaxPool2D_MatchesDefinition(int batch, int channels, int height, int width, int window, int stride)
    {
        var g = new Pool2DGeometry(channels, height, width, window, stride);
        var x = TestData.Normal<double>(batch, g.InputSize, seed: 1);
        TestData.AssertClose(ConvolutionReference.MaxPool(x, g), MaxPool2D(x, g), 0);
        TestData.AssertClose(ConvolutionReference.MaxPool(x, g), MaxPool2D(ConvolutionTests.Convert<float>(x), g), 1e-7);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void AvgPool2D_MatchesDefinition(int batch, int channels, int height, int width, int window, int stride)
    {
        var g = new Pool2DGeometry(channels, height, width, window, stride);
        var x = TestData.Normal<double>(batch, g.InputSize, seed: 1);
        TestData.AssertClose(ConvolutionReference.AvgPool(x, g), AvgPool2D(x, g), 1e-14);
        TestData.AssertClose(ConvolutionReference.AvgPool(x, g), AvgPool2D(ConvolutionTests.Convert<float>(x), g), 1e-6);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void MaxPool2DPullback_RoutesToTheArgmax(int batch, int channels, int height, int width, int window, int stride)
    {
        var g = new Pool2DGeometry(channels, height, width, window, stride);
        var x = TestData.Normal<double>(batch, g.InputSize, seed: 1);
        var dy = TestData.Normal<double>(batch, g.OutputSize, seed: 2);
        var dx = Gradient(batch, g);
        MaxPool2DPullback(x, g, MaxPool2D(x, g), dy, dx);
        TestData.AssertClose(ConvolutionReference.MaxPoolGradient(x, g, dy), dx, 0);
        PullbackCheck.Verify(() => PullbackCheck.Contract(MaxPool2D(x, g), dy), [x], [dx]);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void AvgPool2DPullback_MatchesFiniteDifferences(int batch, int channels, int height, int width, int window, int stride)
    {
        var g = new Pool2DGeometry(channels, height, width, window, stride);
        var x = TestData.Normal<double>(batch, g.InputSize, seed: 1);
        var dy = TestData.Normal<double>(batch, g.OutputSize, seed: 2);
        var dx = Gradient(batch, g);
        AvgPool2DPullback(x, g, AvgPool2D(x, g), dy, dx);
        PullbackCheck.Verify(() => PullbackCheck.Contract(AvgPool2D(x, g), dy), [x], [dx]);
    }

    /// <summary>A batch large enough to be split across two threads (the MNIST network's first pooling) gives what the definition does.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MaxPool2D_SplitAcrossThreads_MatchesDefinition(int threads)
    {
        var g = new Pool2DGeometry(16, 24, 24, 2);
        var x = TestData.Normal<double>(100, g.InputSize, seed: 1);
        var dy = TestData.Normal<double>(100, g.OutputSize, seed: 2);
        var dx = Gradient(100, g);
        TestData.WithThreads(threads, () =>
        {
            Matrix<double> y = MaxPool2D(x, g);
            MaxPool2DPullback(x, g, y, dy, dx);
            TestData.AssertClose(ConvolutionReference.MaxPool(x, g), y, 0);
            TestData.AssertClose(ConvolutionReference.MaxPoolGradient(x, g, dy), dx, 0);
        });
    }

    /// <summary>
    /// Float max pooling (vectorised four windows at a time for 2×2 windows, the rest of a row scalar) against the
    /// double loop, exactly, on small integers, so that most windows tie, with NaNs among them: widths that are a
    /// multiple of four windows, that leave a tail, that are odd, and fewer than four windows.
    /// </summary>
    [Theory]
    [InlineData(3, 2, 24, 24)]
    [InlineData(2, 3, 8, 8)]
    [InlineData(2, 2, 6, 10)]
    [InlineData(2, 2, 7, 21)]
    [InlineData(1, 1, 4, 6)]
    public void MaxPool2D_Float_TiesAndNaN_MatchDoubleExactly(int batch, int channels, int height, int width)
    {
        var g = new Pool2DGeometry(channels, height, width, 2);
        var random = new Random(5);
        var x = new Matrix<double>(batch, g.InputSize);
        for (int i = 0; i < x.Length; i++)
            x.Span[i] = random.Next(50) == 0 ? double.NaN : random.Next(-2, 3);
        var dy = TestData.Normal<double>(batch, g.OutputSize, seed: 6);
        var dx = Gradient(batch, g);
        Matrix<double> y = MaxPool2D(x, g);
        MaxPool2DPullback(x, g, y, dy, dx);

        var xf = ConvolutionTests.Convert<float>(x);
        var dxf = new Matrix<float>(batch, g.InputSize);
        dxf.Span.Fill(float.NaN);
        Matrix<float> yf = MaxPool2D(xf, g);
        MaxPool2DPullback(xf, g, yf, ConvolutionTests.Convert<float>(dy), dxf);
        for (int i = 0; i < y.Length; i++)
            Assert.Equal((float)y.Span[i], yf.Span[i]);
        for (int i = 0; i < dx.Length; i++)
            Assert.Equal((float)dx.Span[i], dxf.Span[i]);
    }

    [Fact]
    public void MaxPool2DPullback_Tie_GoesToTheFirstInput()
    {
        var g = new Pool2DGeometry(1, 2, 2, 2);
        var x = Matrix<double>.FromArray(1, 4, [1, 3, 3, 2]);
        var dx = Gradient(1, g);
        MaxPool2DPullback(x, g, MaxPool2D(x, g), Matrix<double>.FromArray(1, 1, [5]), dx);
        Assert.Equal([0, 5, 0, 0], dx.Span.ToArray());
    }

    [Fact]
    public void MaxPool2D_WrongWidth_NamesTheShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => MaxPool2D(new Matrix<float>(3, 10), new Pool2DGeometry(1, 3, 3, 2)));
        Assert.Contains("(3×10)", error.Message);
        Assert.Contains("9 columns", error.Message);
    }

    private static Matrix<double> Gradient(int batch, Pool2DGeometry g)
    {
        var dx = new Matrix<double>(batch, g.InputSize);
        dx.Span.Fill(double.NaN);
        return dx;
    }
}
