using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests;

public class ReductionTests
{
    [Theory]
    [MemberData(nameof(TestData.Shapes), MemberType = typeof(TestData))]
    public void Reductions_MatchReference(int rows, int columns)
    {
        var a = TestData.Normal<double>(rows, columns, seed: 1);
        double[] columnSums = [.. Enumerable.Range(0, columns).Select(j => Enumerable.Range(0, rows).Sum(i => a[i, j]))];
        double[] rowSums = [.. Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, columns).Sum(j => a[i, j]))];
        TestData.AssertClose(columnSums, ColumnSums(a), 1e-12, nameof(ColumnSums));
        TestData.AssertClose(rowSums, RowSums(a), 1e-12, nameof(RowSums));
        TestData.AssertClose([rowSums.Sum()], [Sum(a)], 1e-12, nameof(Sum));
        TestData.AssertClose([rowSums.Sum() / (rows * columns)], [Mean(a)], 1e-12, nameof(Mean));
    }

    [Theory]
    [MemberData(nameof(TestData.Shapes), MemberType = typeof(TestData))]
    public void Reductions_Float_MatchReference(int rows, int columns)
    {
        var a = TestData.Normal<float>(rows, columns, seed: 1);
        double[] columnSums = [.. Enumerable.Range(0, columns).Select(j => Enumerable.Range(0, rows).Sum(i => (double)a[i, j]))];
        TestData.AssertClose(columnSums, ColumnSums(a), 1e-5 * Math.Sqrt(rows), nameof(ColumnSums));
        TestData.AssertClose([columnSums.Sum()], [(double)Sum(a)], 1e-5 * Math.Sqrt(rows * columns), nameof(Sum));
    }

    [Fact]
    public void ColumnSums_NoRows_AreZero_AndOverwriteTheDestination()
    {
        var sums = Matrix<float>.FromArray(new float[,] { { 5, 5, 5 } });
        ColumnSums(new Matrix<float>(0, 3), sums);
        Assert.Equal([0f, 0f, 0f], sums.Span.ToArray());
    }

    [Theory]
    [InlineData(5, 8)]
    [InlineData(5, 16)]
    [InlineData(3, 35)]
    public void ColumnSums_EveryVectorAndTailColumn_MatchesReference(int rows, int columns)
    {
        var a = TestData.Normal<float>(rows, columns, seed: 4);
        var sums = new Matrix<float>(1, columns);
        sums.Span.Fill(99);
        ColumnSums(a, sums);
        for (int j = 0; j < columns; j++)
        {
            float expected = 0;
            for (int i = 0; i < rows; i++)
                expected += a[i, j];
            Assert.Equal(expected, sums[0, j], 5);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(33, 17)]
    [InlineData(100, 10)]
    public void Pullbacks_MatchFiniteDifferences(int rows, int columns)
    {
        var a = TestData.Normal<double>(rows, columns, seed: 1);
        var dA = new Matrix<double>(rows, columns);

        var dColumns = TestData.Normal<double>(1, columns, seed: 2);
        ColumnSumsPullback(a, ColumnSums(a), dColumns, dA);
        PullbackCheck.Verify(() => PullbackCheck.Contract(ColumnSums(a), dColumns), [a], [dA]);

        var dRows = TestData.Normal<double>(rows, 1, seed: 3);
        RowSumsPullback(a, RowSums(a), dRows, dA);
        PullbackCheck.Verify(() => PullbackCheck.Contract(RowSums(a), dRows), [a], [dA]);

        SumPullback(a, Sum(a), 0.75, dA);
        PullbackCheck.Verify(() => 0.75 * Sum(a), [a], [dA]);

        MeanPullback(a, Mean(a), 0.75, dA);
        PullbackCheck.Verify(() => 0.75 * Mean(a), [a], [dA]);
    }

    [Fact]
    public void ColumnSums_WrongDestination_NamesBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => ColumnSums(new Matrix<float>(100, 10), new Matrix<float>(10, 1)));
        Assert.Equal("ColumnSums: destination is (10×1) but must be (1×10).", error.Message);
    }
}
