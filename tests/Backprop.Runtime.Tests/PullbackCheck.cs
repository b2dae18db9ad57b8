namespace Backprop.Runtime.Tests;

/// <summary>
/// Compares a pullback, or a tangent rule, with central finite differences in double. The scalar checked is
/// <c>loss()</c>, typically <c>Σ op(inputs) ⊙ dY</c> for a fixed random <c>dY</c>, whose gradient is exactly what
/// the pullback returns for upstream gradient <c>dY</c>.
/// </summary>
internal static class PullbackCheck
{
    private const double Step = 1e-5;
    private const double Tolerance = 1e-6;

    /// <summary>At most this many coordinates per input are probed (chosen at random), to keep large shapes fast.</summary>
    private const int MaxProbes = 24;

    public static void Verify(Func<double> loss, Matrix<double>[] inputs, Matrix<double>[] gradients, int seed = 7)
    {
        var random = new Random(seed);
        for (int input = 0; input < inputs.Length; input++)
        {
            Span<double> values = inputs[input].Span;
            int probes = Math.Min(values.Length, MaxProbes);
            for (int probe = 0; probe < probes; probe++)
            {
                int index = values.Length <= MaxProbes ? probe : random.Next(values.Length);
                double original = values[index];
                values[index] = original + Step;
                double above = loss();
                values[index] = original - Step;
                double below = loss();
                values[index] = original;
                Compare((above - below) / (2 * Step), gradients[input].Span[index], $"input {input}, element {index}", "pullback");
            }
        }
    }

    /// <summary>
    /// Compares a directional derivative with central finite differences: <paramref name="along"/>(h) is the function
    /// (all its outputs, flattened) at the inputs moved by h along the directions, and <paramref name="analytic"/> what the
    /// rule gives for those directions.
    /// </summary>
    public static void VerifyDirectional(Func<double, double[]> along, double[] analytic, string what)
    {
        double[] above = along(Step), below = along(-Step);
        Assert.Equal(analytic.Length, above.Length);
        for (int i = 0; i < analytic.Length; i++)
            Compare((above[i] - below[i]) / (2 * Step), analytic[i], $"{what}, element {i}", "rule");
    }

    private static void Compare(double numeric, double analytic, string where, string rule)
    {
        double scale = Math.Max(1, Math.Max(Math.Abs(numeric), Math.Abs(analytic)));
        if (!(Math.Abs(numeric - analytic) <= Tolerance * scale))
            Assert.Fail($"{where}: finite difference {numeric:R}, {rule} {analytic:R}");
    }

    /// <summary><c>Σ m ⊙ weights</c>: turns a matrix output into the scalar whose gradient is <paramref name="weights"/>.</summary>
    public static double Contract(Matrix<double> m, Matrix<double> weights) =>
        System.Numerics.Tensors.TensorPrimitives.Dot<double>(m.Span, weights.Span);
}
