namespace Backprop.Gradients.Tests;

/// <summary>Inputs the gradient tests share: points drawn with a fixed seed, and flat vectors cut into rows.</summary>
internal static class TestArrays
{
    /// <summary><paramref name="rows"/> rows of <paramref name="columns"/> taken from <paramref name="p"/> from <paramref name="offset"/> on, as an array of arrays.</summary>
    public static double[][] Rows(double[] p, int rows, int columns, int offset = 0) =>
        Enumerable.Range(0, rows).Select(i => p.Skip(offset + i * columns).Take(columns).ToArray()).ToArray();

    /// <summary><paramref name="count"/> points of <paramref name="length"/> coordinates, each uniform in [−1, 1), from a fixed seed.</summary>
    public static double[][] Points(int count, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
    }
}
