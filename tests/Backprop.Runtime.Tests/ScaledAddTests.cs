using System.Numerics.Tensors;

namespace Backprop.Runtime.Tests;

public class ScaledAddTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(1003)]
    public void MatchesMultiplyAddBitForBit_InPlaceAndApart(int length)
    {
        float[] x = [.. Enumerable.Range(0, length).Select(i => MathF.Sin(i) * 3)];
        float[] addend = [.. Enumerable.Range(0, length).Select(i => MathF.Cos(i * 0.7f))];
        var expected = new float[length];
        TensorPrimitives.MultiplyAdd(x, -0.1f, addend, expected);

        var apart = new float[length];
        ScaledAdd.Apply<float>(x, -0.1f, addend, apart);
        Assert.Equal(expected, apart);

        float[] inPlace = [.. addend];
        ScaledAdd.Apply<float>(x, -0.1f, inPlace, inPlace);
        Assert.Equal(expected, inPlace);
    }

    [Fact]
    public void Double_InPlaceOnX()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        ScaledAdd.Apply<double>(x, 2, [1, 1, 1, 1, 1, 1, 1, 1, 1], x);
        Assert.Equal([3.0, 5, 7, 9, 11, 13, 15, 17, 19], x);
    }

    [Fact]
    public void DifferentLengths_Throw() =>
        Assert.Throws<ArgumentException>(() => ScaledAdd.Apply<float>(new float[3], 1f, new float[4], new float[3]));
}
