using System.Numerics;
using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests;

[Collection(ThreadCountCollection.Name)]
public class MatMulTests
{
    /// <summary>(m, k, n): 1×1, odd sizes around the micro-kernel's 8-row × 16/32-column tiles, the depth block of 256, and the MNIST shapes.</summary>
    public static TheoryData<int, int, int> ProductShapes => new()
    {
        { 1, 1, 1 }, { 1, 7, 1 }, { 3, 7, 17 }, { 7, 3, 1 }, { 8, 16, 32 }, { 9, 17, 33 }, { 17, 33, 15 }, { 33, 1, 100 },
        { 100, 784, 100 }, { 100, 100, 10 }, { 784, 100, 100 }, { 100, 100, 784 }, { 13, 300, 47 }, { 5, 600, 3 },
    };

    public static TheoryData<int, int, int, bool, bool> ProductShapesAndFlags
    {
        get
        {
            var data = new TheoryData<int, int, int, bool, bool>();
            foreach (var row in ProductShapes)
            {
                var (m, k, n) = ((int)row[0], (int)row[1], (int)row[2]);
                foreach (bool transposeA in new[] { false, true })
                    foreach (bool transposeB in new[] { false, true })
                        data.Add(m, k, n, transposeA, transposeB);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ProductShapesAndFlags))]
    public void MatMul_Float_MatchesNaiveProduct(int m, int k, int n, bool transposeA, bool transposeB) =>
        CheckProduct<float>(m, k, n, transposeA, transposeB);

    [Theory]
    [MemberData(nameof(ProductShapesAndFlags))]
    public void MatMul_Double_MatchesNaiveProduct(int m, int k, int n, bool transposeA, bool transposeB) =>
        CheckProduct<double>(m, k, n, transposeA, transposeB);

    [Theory]
    [InlineData(9, 17, 33, false, false)]
    [InlineData(100, 784, 100, true, false)]
    [InlineData(100, 100, 784, false, true)]
    public void MatMul_Accumulate_AddsToDestination(int m, int k, int n, bool transposeA, bool transposeB)
    {
        var (a, b) = Factors<double>(m, k, n, transposeA, transposeB);
        var destination = TestData.Normal<double>(m, n, seed: 3);
        double[] expected = NaiveProduct(a, b, transposeA, transposeB, out _);
        for (int i = 0; i < expected.Length; i++)
            expected[i] += destination.Span[i];
        MatMul(a, b, destination, transposeA, transposeB, accumulate: true);
        TestData.AssertClose(expected, destination, 1e-12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MatMul_LargeProduct_SameResultForAnyThreadCount(int threads)
    {
        // 128·160·200 multiply-adds exceeds ParallelThreshold, so the product is split.
        var a = TestData.Normal<double>(128, 160, seed: 1);
        var b = TestData.Normal<double>(160, 200, seed: 2);
        double[] expected = NaiveProduct(a, b, false, false, out _);
        TestData.WithThreads(threads, () => TestData.AssertClose(expected, MatMul(a, b), 1e-12));
    }

    [Fact]
    public void MatMul_ConcurrentCallers_EachGetTheirOwnProduct()
    {
        // Several threads race for the helper threads; each product must still be exact.
        var inputs = Enumerable.Range(0, 4).Select(i => (A: TestData.Normal<double>(128, 160, seed: i), B: TestData.Normal<double>(160, 130 + i, seed: 10 + i))).ToArray();
        double[][] expected = [.. inputs.Select(p => NaiveProduct(p.A, p.B, false, false, out _))];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = inputs.Length }, i =>
        {
            var product = new Matrix<double>(128, 130 + i);
            for (int repeat = 0; repeat < 50; repeat++)
            {
                MatMul(inputs[i].A, inputs[i].B, product);
                TestData.AssertClose(expected[i], product, 1e-12);
            }
        });
    }

    [Fact]
    public void MatMul_ZeroDepth_GivesZeros()
    {
        var product = MatMul(new Matrix<double>(3, 0), new Matrix<double>(0, 4));
        Assert.Equal(new double[12], product.Span.ToArray());
    }

    [Fact]
    public void MatMul_InnerDimensionsDiffer_NamesBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => MatMul(new Matrix<float>(100, 784), new Matrix<float>(100, 10)));
        Assert.Equal("MatMul: (100×784)·(100×10) — inner dimensions 784 and 100 differ", error.Message);
    }

    [Fact]
    public void MatMul_TransposedInnerDimensionsDiffer_MarksTheTransposedFactor()
    {
        var error = Assert.Throws<ArgumentException>(() => MatMul(new Matrix<float>(100, 784), new Matrix<float>(100, 10), transposeA: true, transposeB: true));
        Assert.Equal("MatMul: (100×784)ᵀ·(100×10)ᵀ — inner dimensions 100 and 10 differ", error.Message);
    }

    [Fact]
    public void MatMul_WrongDestinationShape_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => MatMul(new Matrix<float>(2, 3), new Matrix<float>(3, 4), new Matrix<float>(4, 2)));
        Assert.Equal("MatMul: destination is (4×2) but must be (2×4).", error.Message);
    }

    [Fact]
    public void MatMul_DestinationIsAFactor_Throws()
    {
        var a = TestData.Normal<float>(4, 4, seed: 1);
        Assert.Throws<ArgumentException>(() => MatMul(a, TestData.Normal<float>(4, 4, seed: 2), a));
        Assert.Throws<ArgumentException>(() => MatMul(TestData.Normal<float>(4, 4, seed: 2), a, a));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 7, 17)]
    [InlineData(17, 33, 7)]
    [InlineData(33, 100, 3)]
    [InlineData(100, 784, 10)]
    public void MatMulPullback_MatchesFiniteDifferences_ForEveryTransposeFlag(int m, int k, int n)
    {
        foreach (bool transposeA in new[] { false, true })
            foreach (bool transposeB in new[] { false, true })
            {
                var (a, b) = Factors<double>(m, k, n, transposeA, transposeB);
                var dC = TestData.Normal<double>(m, n, seed: 5);
                var dA = new Matrix<double>(a.Rows, a.Columns);
                var dB = new Matrix<double>(b.Rows, b.Columns);
                MatMulPullback(a, b, transposeA, transposeB, MatMul(a, b, transposeA, transposeB), dC, dA, dB);
                PullbackCheck.Verify(() => PullbackCheck.Contract(MatMul(a, b, transposeA, transposeB), dC), [a, b], [dA, dB]);
            }
    }

    [Fact]
    public void MatMulPullback_AffineLayer_HasTheClosedForm()
    {
        // y = x·w: dX = dY·Wᵀ and dW = Xᵀ·dY.
        var x = TestData.Normal<double>(100, 784, seed: 1);
        var w = TestData.Normal<double>(784, 10, seed: 2);
        var dY = TestData.Normal<double>(100, 10, seed: 3);
        var dX = new Matrix<double>(100, 784);
        var dW = new Matrix<double>(784, 10);
        MatMulPullback(x, w, false, false, MatMul(x, w), dY, dX, dW);
        TestData.AssertClose(NaiveProduct(dY, w, false, true, out _), dX, 1e-12);
        TestData.AssertClose(NaiveProduct(x, dY, true, false, out _), dW, 1e-12);
    }

    [Fact]
    public void MatMulPullback_OverwritesGradients_AndMatMulAccumulatesThemForHandWrittenCode()
    {
        var a = TestData.Normal<double>(5, 6, seed: 1);
        var b = TestData.Normal<double>(6, 7, seed: 2);
        var c = MatMul(a, b);
        var dC = TestData.Normal<double>(5, 7, seed: 3);
        var (dA, dB) = (new Matrix<double>(5, 6), new Matrix<double>(6, 7));
        MatMulPullback(a, b, false, false, c, dC, dA, dB);
        var (twiceA, twiceB) = (TestData.Normal<double>(5, 6, seed: 4), TestData.Normal<double>(6, 7, seed: 5));
        MatMulPullback(a, b, false, false, c, dC, twiceA, twiceB);
        Assert.Equal(dA.Span.ToArray(), twiceA.Span.ToArray());
        Assert.Equal(dB.Span.ToArray(), twiceB.Span.ToArray());

        MatMul(dC, b, twiceA, transposeB: true, accumulate: true);
        MatMul(a, dC, twiceB, transposeA: true, accumulate: true);
        TestData.AssertClose(TestData.ToDoubles(Scale(dA, 2.0)), twiceA, 1e-14);
        TestData.AssertClose(TestData.ToDoubles(Scale(dB, 2.0)), twiceB, 1e-14);
    }

    [Theory]
    [MemberData(nameof(TestData.Shapes), MemberType = typeof(TestData))]
    public void Transpose_SwapsIndices(int rows, int columns)
    {
        var a = TestData.Normal<float>(rows, columns, seed: 1);
        var t = Transpose(a);
        Assert.Equal((columns, rows), (t.Rows, t.Columns));
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                Assert.Equal(a[i, j], t[j, i]);
    }

    [Fact]
    public void TransposePullback_IsTheTranspose()
    {
        var x = TestData.Normal<double>(7, 3, seed: 1);
        var dY = TestData.Normal<double>(3, 7, seed: 2);
        var dX = new Matrix<double>(7, 3);
        TransposePullback(x, Transpose(x), dY, dX);
        PullbackCheck.Verify(() => PullbackCheck.Contract(Transpose(x), dY), [x], [dX]);
    }

    /// <summary>
    /// Results at most one vector wide take the narrow kernel (with AVX-512): groups of eight rows and the rows after
    /// them, every width up to a whole vector, op(A) stored either way, and with accumulation each row's old values,
    /// which a store past a row's end would overwrite before they are read.
    /// </summary>
    [Theory]
    [InlineData(1, 1, 1, false)]
    [InlineData(8, 100, 10, false)]
    [InlineData(17, 7, 16, false)]
    [InlineData(100, 100, 10, true)]
    [InlineData(23, 64, 3, true)]
    [InlineData(9, 1, 15, true)]
    public void MatMul_NarrowResult_MatchesNaiveProduct_AndAccumulates(int m, int k, int n, bool transposeA)
    {
        CheckProduct<float>(m, k, n, transposeA, false);
        CheckProduct<double>(m, k, Math.Min(n, 8), transposeA, false);
        CheckAccumulated<float>(m, k, n, transposeA);
        CheckAccumulated<double>(m, k, Math.Min(n, 8), transposeA);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(3000)]
    public void MatMul_NarrowResult_IsTheSameBitForBit_AtAnyThreadCount(int m)
    {
        // 100·300·10 stays below the parallel threshold and 3000·300·10 passes it: each takes one kernel at every
        // thread count (the narrow one, then the packed one split into parts), so the bits agree. A depth of 300 is
        // more than the packed kernel's depth block (256), so the two kernels' sums would differ in their last bits.
        var a = TestData.Normal<float>(m, 300, seed: 1);
        var b = TestData.Normal<float>(300, 10, seed: 2);
        float[] Product(int threads) => TestData.WithThreads(threads, () => MatMul(a, b).Span.ToArray());
        float[] one = Product(1), two = Product(2), three = Product(3);
        Assert.Equal(one, two);
        Assert.Equal(one, three);
    }

    [Fact]
    public void MatMul_NarrowResult_PropagatesNaNOfB_ThroughEveryRow()
    {
        // As the packed kernel does: 0·NaN is NaN, so a NaN in row p of B reaches column j of every row of C.
        var a = TestData.Normal<float>(12, 5, seed: 1);
        var b = TestData.Normal<float>(5, 10, seed: 2);
        b[3, 4] = float.NaN;
        a[2, 3] = 0;
        var c = MatMul(a, b);
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 10; j++)
                Assert.Equal(j == 4, float.IsNaN(c[i, j]));
    }

    private static void CheckAccumulated<T>(int m, int k, int n, bool transposeA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, b) = Factors<T>(m, k, n, transposeA, false);
        double[] product = NaiveProduct(a, b, transposeA, false, out double[] magnitudes);
        var destination = TestData.Normal<T>(m, n, seed: 3);
        double[] before = [.. destination.Span.ToArray().Select(double.CreateChecked)];
        MatMul(a, b, destination, transposeA, false, accumulate: true);
        double epsilon = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
        for (int i = 0; i < product.Length; i++)
        {
            double error = Math.Abs(double.CreateChecked(destination.Span[i]) - (before[i] + product[i]));
            Assert.True(error <= 2 * (k + 1) * epsilon * (magnitudes[i] + Math.Abs(before[i])) + 1e-30, $"element {i}: expected {before[i] + product[i]}, got {destination.Span[i]}");
        }
    }

    private static void CheckProduct<T>(int m, int k, int n, bool transposeA, bool transposeB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, b) = Factors<T>(m, k, n, transposeA, transposeB);
        double[] expected = NaiveProduct(a, b, transposeA, transposeB, out double[] magnitudes);
        var product = MatMul(a, b, transposeA, transposeB);
        Assert.Equal((m, n), (product.Rows, product.Columns));
        // Error bound of a k-term dot product: about k·u·Σ|aᵢbᵢ| for the unit roundoff u of T.
        double epsilon = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(double.CreateChecked(product.Span[i]) - expected[i]);
            Assert.True(error <= 2 * k * epsilon * magnitudes[i] + 1e-30, $"element {i}: expected {expected[i]}, got {product.Span[i]}");
        }
    }

    private static (Matrix<T> A, Matrix<T> B) Factors<T>(int m, int k, int n, bool transposeA, bool transposeB)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (transposeA ? TestData.Normal<T>(k, m, seed: 1) : TestData.Normal<T>(m, k, seed: 1),
         transposeB ? TestData.Normal<T>(n, k, seed: 2) : TestData.Normal<T>(k, n, seed: 2));

    /// <summary>op(a)·op(b) by the definition, in double; <paramref name="magnitudes"/> gets Σ|a||b| per element.</summary>
    internal static double[] NaiveProduct<T>(Matrix<T> a, Matrix<T> b, bool transposeA, bool transposeB, out double[] magnitudes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = transposeA ? a.Columns : a.Rows, k = transposeA ? a.Rows : a.Columns, n = transposeB ? b.Rows : b.Columns;
        var product = new double[m * n];
        magnitudes = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = double.CreateChecked(transposeA ? a[p, i] : a[i, p]) * double.CreateChecked(transposeB ? b[j, p] : b[p, j]);
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                product[i * n + j] = sum;
                magnitudes[i * n + j] = magnitude;
            }
        return product;
    }
}
