using System.Numerics;
using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests.Convolution;

/// <summary>
/// Conv2D and its pullback against the definition, in float and double, at strides, paddings, odd sizes, one
/// channel and many, and a batch large enough to be split across threads; the pullback also against central
/// finite differences in double.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class ConvolutionTests
{
    /// <summary>(batch, channels, height, width, filters, kernel, stride, padding).</summary>
    public static TheoryData<int, int, int, int, int, int, int, int> Geometries => new()
    {
        { 1, 1, 1, 1, 1, 1, 1, 0 },
        { 2, 1, 5, 7, 3, 3, 1, 0 },
        { 3, 3, 6, 5, 2, 3, 2, 1 },
        { 2, 2, 7, 7, 4, 2, 3, 1 },
        { 2, 5, 9, 4, 17, 3, 1, 2 },
        { 1, 2, 5, 5, 3, 5, 1, 4 },
        { 3, 16, 12, 12, 32, 5, 1, 0 },
        { 2, 3, 6, 16, 4, 3, 1, 0 },
        { 2, 2, 9, 13, 5, 4, 1, 0 },
        { 2, 3, 11, 13, 8, 3, 1, 0 },
        { 1, 2, 10, 20, 24, 2, 1, 0 },
        { 101, 1, 28, 28, 16, 5, 1, 0 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv2D_Float_MatchesDefinition(int batch, int channels, int height, int width, int filters, int kernel, int stride, int padding) =>
        CheckValue<float>(batch, new Conv2DGeometry(channels, height, width, filters, kernel, stride, padding), 1e-4);

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv2D_Double_MatchesDefinition(int batch, int channels, int height, int width, int filters, int kernel, int stride, int padding) =>
        CheckValue<double>(batch, new Conv2DGeometry(channels, height, width, filters, kernel, stride, padding), 1e-12);

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv2DPullback_MatchesDefinitionAndFiniteDifferences(int batch, int channels, int height, int width, int filters, int kernel, int stride, int padding)
    {
        var g = new Conv2DGeometry(channels, height, width, filters, kernel, stride, padding);
        var x = TestData.Normal<double>(batch, g.InputSize, seed: 1);
        var w = TestData.Normal<double>(g.PatchSize, g.OutputChannels, seed: 2);
        var dy = TestData.Normal<double>(batch, g.OutputSize, seed: 3);
        var dx = new Matrix<double>(batch, g.InputSize);
        var dw = new Matrix<double>(g.PatchSize, g.OutputChannels);
        dx.Span.Fill(double.NaN);
        dw.Span.Fill(double.NaN);

        Conv2DPullback(x, w, g, Conv2D(x, w, g), dy, dx, dw);

        var (expectedDx, expectedDw) = ConvolutionReference.Conv2DGradients(x, w, g, dy);
        TestData.AssertClose(expectedDx, dx, 1e-12, "dX");
        TestData.AssertClose(expectedDw, dw, 1e-12, "dW");
        PullbackCheck.Verify(() => PullbackCheck.Contract(Conv2D(x, w, g), dy), [x, w], [dx, dw]);
    }

    /// <summary>
    /// The pullback of an output gradient with one entry in five nonzero, as behind a max pooling, by every route of
    /// the products: sparse (skipping dY's zeros), automatic (sparse where the rows are a vector wide), and dense;
    /// in float and double, and with only one of the two gradients asked for.
    /// </summary>
    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv2DPullback_SparseGradient_EveryRoute_MatchesDefinition(int batch, int channels, int height, int width, int filters, int kernel, int stride, int padding)
    {
        var g = new Conv2DGeometry(channels, height, width, filters, kernel, stride, padding);
        var x = TestData.Normal<double>(batch, g.InputSize, seed: 1);
        var w = TestData.Normal<double>(g.PatchSize, g.OutputChannels, seed: 2);
        var dy = SparseMatMulTests.Sparse<double>(batch, g.OutputSize, 0.2, seed: 3);
        var (expectedDx, expectedDw) = ConvolutionReference.Conv2DGradients(x, w, g, dy);
        SparseRoute previous = SparseGemm.Route;
        try
        {
            foreach (var route in new[] { SparseRoute.Sparse, SparseRoute.Automatic, SparseRoute.Dense })
            {
                SparseGemm.Route = route;
                var dx = new Matrix<double>(batch, g.InputSize);
                var dw = new Matrix<double>(g.PatchSize, g.OutputChannels);
                dx.Span.Fill(double.NaN);
                dw.Span.Fill(double.NaN);
                Conv2DPullback(x, w, g, Conv2D(x, w, g), dy, dx, dw);
                TestData.AssertClose(expectedDx, dx, 1e-12, $"dX, {route}");
                TestData.AssertClose(expectedDw, dw, 1e-12, $"dW, {route}");

                var xf = Convert<float>(x);
                var wf = Convert<float>(w);
                var dwOnly = new Matrix<float>(g.PatchSize, g.OutputChannels);
                var dxOnly = new Matrix<float>(batch, g.InputSize);
                dwOnly.Span.Fill(float.NaN);
                dxOnly.Span.Fill(float.NaN);
                Conv2DPullback(xf, wf, g, Conv2D(xf, wf, g), Convert<float>(dy), null, dwOnly);
                Conv2DPullback(xf, wf, g, Conv2D(xf, wf, g), Convert<float>(dy), dxOnly, null);
                TestData.AssertClose(expectedDx, dxOnly, 1e-4 * Math.Sqrt(g.PatchSize), $"float dX, {route}");
                TestData.AssertClose(expectedDw, dwOnly, 1e-4 * Math.Sqrt(batch * g.OutputPositions), $"float dW, {route}");
            }
        }
        finally
        {
            SparseGemm.Route = previous;
        }
    }

    [Fact]
    public void Conv2DPullback_OneThreadAndTwo_Agree()
    {
        CheckThreadsAgree(TestData.Normal<float>(100, new Conv2DGeometry(16, 12, 12, 32, 5).OutputSize, seed: 3));
        CheckThreadsAgree(SparseMatMulTests.Sparse<float>(100, new Conv2DGeometry(16, 12, 12, 32, 5).OutputSize, 0.25, seed: 3));
    }

    private static void CheckThreadsAgree(Matrix<float> dy)
    {
        var g = new Conv2DGeometry(16, 12, 12, 32, 5);
        var x = TestData.Normal<float>(100, g.InputSize, seed: 1);
        var w = TestData.Normal<float>(g.PatchSize, g.OutputChannels, seed: 2);
        var (dx1, dw1) = PullbackAt(1);
        var (dx2, dw2) = PullbackAt(2);
        TestData.AssertClose(TestData.ToDoubles(dx1), dx2, 1e-5, "dX");
        TestData.AssertClose(TestData.ToDoubles(dw1), dw2, 1e-4, "dW");

        (Matrix<float>, Matrix<float>) PullbackAt(int threads) => TestData.WithThreads(threads, () =>
        {
            var dx = new Matrix<float>(100, g.InputSize);
            var dw = new Matrix<float>(g.PatchSize, g.OutputChannels);
            Conv2DPullback(x, w, g, Conv2D(x, w, g), dy, dx, dw);
            return (dx, dw);
        });
    }

    [Fact]
    public void Conv2D_WrongShapes_NameThem()
    {
        var g = new Conv2DGeometry(2, 5, 5, 3, 3);
        var error = Assert.Throws<ArgumentException>(() => Conv2D(new Matrix<double>(4, 49), new Matrix<double>(18, 3), g));
        Assert.Contains("(4×49)", error.Message);
        Assert.Contains("50 columns", error.Message);
        error = Assert.Throws<ArgumentException>(() => Conv2D(new Matrix<double>(4, 50), new Matrix<double>(3, 18), g));
        Assert.Contains("(3×18)", error.Message);
        Assert.Contains("(18×3)", error.Message);
        error = Assert.Throws<ArgumentException>(() => Conv2D(new Matrix<double>(4, 50), new Matrix<double>(18, 3), default));
        Assert.Contains("default", error.Message);
    }

    [Fact]
    public void Conv2DGeometry_KernelLargerThanPaddedImage_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2DGeometry(1, 4, 6, 2, 7, padding: 1));
        Assert.Contains("4×6", error.Message);
    }

    private static void CheckValue<T>(int batch, Conv2DGeometry g, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = TestData.Normal<double>(batch, g.InputSize, seed: 1);
        var w = TestData.Normal<double>(g.PatchSize, g.OutputChannels, seed: 2);
        Matrix<T> y = Conv2D(Convert<T>(x), Convert<T>(w), g);
        Assert.Equal((batch, g.OutputSize), (y.Rows, y.Columns));
        TestData.AssertClose(ConvolutionReference.Conv2D(x, w, g), y, tolerance * Math.Sqrt(g.PatchSize));
    }

    internal static Matrix<T> Convert<T>(Matrix<double> m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new Matrix<T>(m.Rows, m.Columns);
        for (int i = 0; i < m.Length; i++)
            result.Span[i] = T.CreateChecked(m.Span[i]);
        return result;
    }
}
