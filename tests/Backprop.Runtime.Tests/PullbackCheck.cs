namespace Backprop.Runtime.Tests;

/// <summary>
/// Compares a pullback with central finite differences in double. The scalar checked is
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
                double numeric = (above - below) / (2 * Step);
                double analytic = gradients[input].Span[index];
                double scale = Math.Max(1, Math.Max(Math.Abs(numeric), Math.Abs(analytic)));
                if (Math.Abs(numeric - analytic) > Tolerance * scale)
                    Assert.Fail($"input {input}, element {index}: finite difference {numeric:R}, pullback {analytic:R}");
            }
        }
    }

    /// <summary><c>Σ m ⊙ weights</c>: turns a matrix output into the scalar whose gradient is <paramref name="weights"/>.</summary>
    public static double Contract(Matrix<double> m, Matrix<double> weights) =>
        System.Numerics.Tensors.TensorPrimitives.Dot<double>(m.Span, weights.Span);
}
