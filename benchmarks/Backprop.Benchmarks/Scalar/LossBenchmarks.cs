namespace Backprop.Benchmarks.Scalar;

/// <summary>
/// What the benchmarks of one loss written two ways share: its input of 256 elements and the gradient buffer. Min and
/// Median beside the Mean: on a shared machine other processes inflate the mean; the minimum shows the code.
/// </summary>
public abstract class LossBenchmarks
{
    protected readonly double[] X = Enumerable.Range(0, 256).Select(i => Math.Sin(i) * 2).ToArray();
    protected readonly double[] Dx = new double[256];
}
