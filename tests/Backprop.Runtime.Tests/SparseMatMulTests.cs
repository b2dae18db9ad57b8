using System.Numerics;
using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests;

/// <summary>
/// The sparse route of <see cref="MatMul{T}(Matrix{T}, Matrix{T}, Matrix{T}, bool, bool, bool)"/>, which skips the exact
/// zeros of op(A): against the naive product at many densities, shapes and flags, on each route.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class SparseMatMulTests
{
    /// <summary>(m, k, n): 1×1, odd sizes around the vector widths (8/16 floats, 4/8 doubles), the groups of 8 columns and the chunk of 8 vectors, the MNIST shapes, and deep products. Rows ending 1 to 4 floats (1 to 2 doubles) past whole vectors take the 128-bit tail.</summary>
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 7, 1 }, { 3, 7, 17 }, { 7, 3, 5 }, { 9, 17, 33 }, { 17, 33, 15 }, { 33, 1, 100 }, { 5, 40, 129 },
        { 2, 9, 260 }, { 100, 784, 100 }, { 784, 100, 100 }, { 13, 300, 47 }, { 100, 100, 10 }, { 19, 23, 8 }, { 21, 5, 16 },
        { 4, 50, 98 }, { 3, 30, 36 }, { 6, 11, 66 }, { 5, 9, 131 },
        // Deeper than one gathered depth block (1,984 for float Aᵀ, 16,384 otherwise), and B too big to copy aligned.
        { 9, 2100, 20 }, { 2, 16500, 17 }, { 3, 1500, 100 },
    };

    public static TheoryData<int, int, int, bool, double> ShapesFlagsAndDensities
    {
        get
        {
            var data = new TheoryData<int, int, int, bool, double>();
            foreach (var row in Shapes)
                foreach (bool transposeA in new[] { false, true })
                    foreach (double density in new[] { 0, 0.01, 0.19, 0.5, 1 })
                        data.Add((int)row[0], (int)row[1], (int)row[2], transposeA, density);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ShapesFlagsAndDensities))]
    public void MatMul_SparseFloat_MatchesNaiveProductOnEveryRoute(int m, int k, int n, bool transposeA, double density) =>
        CheckEveryRoute<float>(m, k, n, transposeA, density);

    [Theory]
    [MemberData(nameof(ShapesFlagsAndDensities))]
    public void MatMul_SparseDouble_MatchesNaiveProductOnEveryRoute(int m, int k, int n, bool transposeA, double density) =>
        CheckEveryRoute<double>(m, k, n, transposeA, density);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MatMul_LargeSparseProduct_SameResultForAnyThreadCount(int threads)
    {
        // 400·0.19·600·300 multiply-adds on the sparse route exceed ParallelThreshold, so the rows of C are split.
        TestData.WithThreads(threads, () =>
        {
            foreach (bool transposeA in new[] { false, true })
            {
                var a = Sparse<double>(transposeA ? 600 : 400, transposeA ? 400 : 600, 0.19, seed: 1);
                var b = TestData.Normal<double>(600, 300, seed: 2);
                double[] expected = MatMulTests.NaiveProduct(a, b, transposeA, false, out _);
                TestData.AssertClose(expected, MatMul(a, b, transposeA), 1e-12, $"transposeA {transposeA}");
            }
        });
    }

    /// <summary>
    /// The automatic route is observable through the documented difference between the routes: a NaN in a row of B
    /// that meets only zeros of A spreads through the dense product (0·NaN = NaN) and is skipped by the sparse one.
    /// </summary>
    [Theory]
    [InlineData(false, 0.19, true)]
    [InlineData(true, 0.19, true)]
    [InlineData(false, 0.25, true)]
    [InlineData(true, 0.45, false)]
    [InlineData(false, 0.60, false)]
    [InlineData(true, 1.0, false)]
    public void MatMul_AutomaticRoute_GoesSparseOnlyBelowTheDensityLimit(bool transposeA, double density, bool sparse)
    {
        var a = Sparse<float>(transposeA ? 784 : 100, transposeA ? 100 : 784, density, seed: 1);
        // Depth index 3 of op(A) is zero in every row: column 3 of A, or row 3 of stored Aᵀ.
        for (int i = 0; i < 100; i++)
        {
            if (transposeA)
                a[3, i] = 0;
            else
                a[i, 3] = 0;
        }
        var b = TestData.Normal<float>(784, 100, seed: 2);
        b[3, 7] = float.NaN;
        var product = MatMul(a, b, transposeA);
        Assert.Equal(sparse, float.IsFinite(product[0, 7]));
        Assert.Equal(sparse, SparseGemm<float>.DensityLimit >= density);
    }

    [Fact]
    public void MatMul_NarrowerThanAVector_StaysDenseOnTheAutomaticRoute()
    {
        // n = 3 is less than one vector: the automatic route keeps the dense kernel even with A all zeros.
        var a = new Matrix<double>(5, 6);
        var b = TestData.Normal<double>(6, 3, seed: 1);
        b[2, 1] = double.NaN;
        Assert.True(double.IsNaN(MatMul(a, b)[0, 1]));
    }

    [Fact]
    public void MatMul_NaNInSparseA_Propagates()
    {
        var a = new Matrix<float>(100, 784);
        a[4, 9] = float.NaN;
        var product = MatMul(a, TestData.Normal<float>(784, 100, seed: 1));
        for (int j = 0; j < 100; j++)
        {
            Assert.True(float.IsNaN(product[4, j]));
            Assert.Equal(0f, product[5, j]);
        }
    }

    [Fact]
    public void MatMul_SparseRoute_AllocatesNothing()
    {
        // On a new thread (fresh gather buffers), each MNIST product of a sparse X after one small sparse warm-up.
        var x = Sparse<float>(100, 784, 0.19, seed: 1);
        var w = TestData.Normal<float>(784, 100, seed: 2);
        var h = new Matrix<float>(100, 100);
        var dH = TestData.Normal<float>(100, 100, seed: 3);
        var dW = new Matrix<float>(784, 100);
        var smallA = Sparse<float>(3, 5, 0.19, seed: 4);
        var smallB = TestData.Normal<float>(5, 40, seed: 5);
        var small = new Matrix<float>(3, 40);
        long allocated = -1;
        void MnistProducts()
        {
            MatMul(x, w, h);
            MatMul(x, dH, dW, transposeA: true);
            MatMul(x, dH, dW, transposeA: true, accumulate: true);
        }
        var thread = new Thread(() =>
        {
            MatMul(smallA, smallB, small);
            long before = GC.GetAllocatedBytesForCurrentThread();
            MnistProducts();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        TestData.WithThreads(1, () =>
        {
            // Once on this thread first, so that compiling and initialising the routes (what their first run in the
            // process allocates) is not what the new thread measures: only its own buffers are.
            MnistProducts();
            thread.Start();
            thread.Join();
        });
        Assert.Equal(0, allocated);
    }

    private static void CheckEveryRoute<T>(int m, int k, int n, bool transposeA, double density)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = transposeA ? Sparse<T>(k, m, density, seed: 1) : Sparse<T>(m, k, density, seed: 1);
        var b = TestData.Normal<T>(k, n, seed: 2);
        var initial = TestData.Normal<T>(m, n, seed: 3);
        double[] expected = MatMulTests.NaiveProduct(a, b, transposeA, false, out double[] magnitudes);
        double epsilon = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
        SparseRoute previous = SparseGemm.Route;
        try
        {
            foreach (var route in new[] { SparseRoute.Sparse, SparseRoute.Automatic, SparseRoute.Dense })
                foreach (bool accumulate in new[] { false, true })
                {
                    SparseGemm.Route = route;
                    var product = new Matrix<T>(m, n);
                    initial.Span.CopyTo(product.Span);
                    MatMul(a, b, product, transposeA, accumulate: accumulate);
                    for (int i = 0; i < expected.Length; i++)
                    {
                        double start = accumulate ? double.CreateChecked(initial.Span[i]) : 0;
                        double error = Math.Abs(double.CreateChecked(product.Span[i]) - (start + expected[i]));
                        double bound = 2 * (k + 1) * epsilon * (magnitudes[i] + Math.Abs(start)) + 1e-30;
                        Assert.True(error <= bound, $"{route}, accumulate {accumulate}, element {i}: expected {start + expected[i]}, got {product.Span[i]}");
                    }
                }
        }
        finally
        {
            SparseGemm.Route = previous;
        }
    }

    /// <summary>An exactly <paramref name="density"/> fraction (rounded) of nonzero standard-normal entries at random positions.</summary>
    internal static Matrix<T> Sparse<T>(int rows, int columns, double density, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var matrix = TestData.Normal<T>(rows, columns, seed);
        var random = new Random(seed + 1000);
        int total = rows * columns, zeros = total - (int)Math.Round(density * total);
        int[] positions = [.. Enumerable.Range(0, total)];
        random.Shuffle(positions);
        for (int i = 0; i < zeros; i++)
            matrix.Span[positions[i]] = T.Zero;
        return matrix;
    }
}
