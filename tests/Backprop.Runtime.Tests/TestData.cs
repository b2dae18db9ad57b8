using System.Numerics;

namespace Backprop.Runtime.Tests;

/// <summary>Seeded random matrices and tolerant comparisons against references computed in double.</summary>
internal static class TestData
{
    /// <summary>Shapes from the issue: 1×1, odd sizes, tall and wide, and the MNIST layer shapes.</summary>
    public static TheoryData<int, int> Shapes => new()
    {
        { 1, 1 }, { 1, 7 }, { 7, 1 }, { 3, 7 }, { 17, 33 }, { 33, 17 }, { 100, 10 }, { 100, 784 }, { 784, 100 },
    };

    /// <summary>
    /// What <paramref name="run"/> returns with <see cref="MatrixOps.MaxDegreeOfParallelism"/> at <paramref name="threads"/>,
    /// the setting restored after: it is process-wide, so callers are tests of the thread-count collection.
    /// </summary>
    public static TResult WithThreads<TResult>(int threads, Func<TResult> run)
    {
        int previous = MatrixOps.MaxDegreeOfParallelism;
        try
        {
            MatrixOps.MaxDegreeOfParallelism = threads;
            return run();
        }
        finally
        {
            MatrixOps.MaxDegreeOfParallelism = previous;
        }
    }

    /// <summary>Runs <paramref name="run"/> with <see cref="MatrixOps.MaxDegreeOfParallelism"/> at <paramref name="threads"/>, the setting restored after.</summary>
    public static void WithThreads(int threads, Action run) => WithThreads(threads, () =>
    {
        run();
        return true;
    });

    public static Matrix<T> Normal<T>(int rows, int columns, int seed) where T : unmanaged, IFloatingPointIeee754<T> =>
        Matrix<T>.RandomNormal(rows, columns, 1, seed);

    /// <summary>Values in [0.5, 2]: safe for logarithms, square roots and divisors.</summary>
    public static Matrix<T> Positive<T>(int rows, int columns, int seed) where T : unmanaged, IFloatingPointIeee754<T> =>
        Matrix<T>.RandomUniform(rows, columns, 0.5, 2, seed);

    public static double[] ToDoubles<T>(Matrix<T> m) where T : unmanaged, IFloatingPointIeee754<T> =>
        [.. m.Span.ToArray().Select(double.CreateChecked)];

    /// <summary>Requires |actual − expected| ≤ tolerance · (1 + |expected|) element by element, naming the first offender.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= tolerance * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what} element {i}: expected {expected[i]:R}, got {actual[i]:R} (error {error:E2}, tolerance {tolerance:E1})");
        }
    }

    public static void AssertClose<T>(ReadOnlySpan<double> expected, Matrix<T> actual, double tolerance, string what = "")
        where T : unmanaged, IFloatingPointIeee754<T> =>
        AssertClose(expected, ToDoubles(actual), tolerance, what);

    /// <summary>A relative tolerance for a few roundings in <typeparamref name="T"/>.</summary>
    public static double Tolerance<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? 1e-5 : 1e-12;

    /// <summary>Each operation at every shape in <see cref="Shapes"/>, in float and in double.</summary>
    public static TheoryData<string, int, int, bool> OperationsShapesAndTypes(IEnumerable<string> operations)
    {
        var data = new TheoryData<string, int, int, bool>();
        foreach (string operation in operations)
            foreach (var shape in Shapes)
                foreach (bool single in new[] { true, false })
                    data.Add(operation, (int)shape[0], (int)shape[1], single);
        return data;
    }
}
