namespace Backprop.Runtime.Tests;

/// <summary>The scratch FHessian and FJacobian take for an array of arrays: its count of numbers, rows of its lengths from the pool.</summary>
public class RowElementsTests
{
    [Fact]
    public void CountIsTheNumbersRowAfterRowANullRowHoldingNone()
    {
        Assert.Equal(6, RowElements.Count(new[] { new double[2], new double[1], new double[3] }));
        Assert.Equal(2, RowElements.Count(new[] { new float[2], null! }));
        Assert.Equal(0, RowElements.Count(Array.Empty<double[]>()));
    }

    [Fact]
    public void RentedRowsHaveTheLengthsOfTheRowsGivenAndComeBackZeroed()
    {
        double[][] like = { new double[2], new double[3], null! };
        double[][] rows = RowElements.Rent(like);
        Assert.Equal(new[] { 2, 3, 0 }, rows.Select(r => r.Length));
        rows[1][2] = 5;
        RowElements.Return(rows);
        double[][] again = RowElements.Rent(like);
        Assert.Equal(new[] { 2, 3, 0 }, again.Select(r => r.Length));
        Assert.All(again, row => Assert.All(row, v => Assert.Equal(0, v)));
        RowElements.Return(again);
    }
}
