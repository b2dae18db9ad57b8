using Backprop.Training;

namespace Backprop.Runtime.Tests.Training;

public class GradientCheckTests
{
    // Logistic regression on a fixed data set, written directly on spans:
    // J(w, b) = Σₖ log(1 + exp(−yₖ (w·xₖ + b))), with yₖ ∈ {−1, +1}.
    private static readonly double[,] Inputs = { { 0.5, -1.2, 2.0 }, { -0.3, 0.8, 0.1 }, { 1.5, 0.2, -0.7 }, { -2.0, -0.4, 0.9 } };
    private static readonly double[] Targets = [1, -1, 1, -1];

    private static double LogisticLoss(ReadOnlySpan<double> w, double b)
    {
        double loss = 0;
        for (int k = 0; k < Targets.Length; k++)
            loss += Math.Log(1 + Math.Exp(-Targets[k] * Margin(w, b, k)));
        return loss;
    }

    private static double Margin(ReadOnlySpan<double> w, double b, int k)
    {
        double z = b;
        for (int j = 0; j < w.Length; j++)
            z += w[j] * Inputs[k, j];
        return z;
    }

    // ∂J/∂z = −y σ(−y z); ∂z/∂wⱼ = xⱼ, ∂z/∂b = 1.
    private static void LogisticGradient(ReadOnlySpan<double> w, double b, Span<double> dw, out double db)
    {
        dw.Clear();
        db = 0;
        for (int k = 0; k < Targets.Length; k++)
        {
            double dz = -Targets[k] / (1 + Math.Exp(Targets[k] * Margin(w, b, k)));
            for (int j = 0; j < w.Length; j++)
                dw[j] += dz * Inputs[k, j];
            db += dz;
        }
    }

    private static (Matrix<double> W, Matrix<double> B, Matrix<double> DW, Matrix<double> DB) LogisticModel()
    {
        var w = Matrix<double>.FromArray(1, 3, [0.3, -0.7, 0.2]);
        var b = Matrix<double>.FromArray(1, 1, [0.1]);
        var dw = Matrix<double>.Zeros(1, 3);
        var db = Matrix<double>.Zeros(1, 1);
        LogisticGradient(w.Span, b.Span[0], dw.Span, out db.Span[0]);
        return (w, b, dw, db);
    }

    [Fact]
    public void Accepts_a_correct_gradient()
    {
        var (w, b, dw, db) = LogisticModel();

        var result = GradientCheck.Run(() => LogisticLoss(w.Span, b.Span[0]), [("w", w, dw), ("b", b, db)]);

        Assert.True(result.IsWithin(relativeTolerance: 1e-7, absoluteTolerance: 0), result.ToString());
        Assert.Equal(["w", "b"], result.Parameters.Select(p => p.Name));
        Assert.Equal([3, 1], result.Parameters.Select(p => p.CoordinatesChecked));
    }

    [Fact]
    public void Detects_a_wrong_gradient_and_names_the_coordinate()
    {
        var (w, b, dw, db) = LogisticModel();
        dw.Span[1] *= 1.01; // a 1% error in one coordinate

        var result = GradientCheck.Run(() => LogisticLoss(w.Span, b.Span[0]), [("w", w, dw), ("b", b, db)]);

        Assert.False(result.IsWithin(1e-4, 1e-6));
        var wError = result.Parameters[0];
        Assert.Equal(1, wError.WorstIndex);
        Assert.InRange(wError.MaxRelativeError, 0.009, 0.011);
        Assert.True(result.Parameters[1].IsWithin(1e-7, 0));
        Assert.Contains("w: 3 coordinates", result.ToString());
    }

    [Fact]
    public void Restores_every_parameter_exactly()
    {
        var (w, b, dw, db) = LogisticModel();
        double[] before = w.Span.ToArray();

        GradientCheck.Run(() => LogisticLoss(w.Span, b.Span[0]), [("w", w, dw), ("b", b, db)], epsilon: 0.1);

        Assert.Equal(before, w.Span.ToArray());
        Assert.Equal(0.1, b.Span[0]);
    }

    [Fact]
    public void Checks_arrays_and_samples_distinct_coordinates_reproducibly()
    {
        // J = Σ cᵢ xᵢ², ∂J/∂xᵢ = 2 cᵢ xᵢ.
        double[] x = Enumerable.Range(0, 50).Select(i => Math.Sin(i)).ToArray();
        double[] gradient = x.Select((v, i) => 2 * (i + 1) * v).ToArray();
        double Loss() => x.Select((v, i) => (i + 1) * v * v).Sum();
        gradient[13] = 0; // wrong, but only found if sampled

        var all = GradientCheck.Run(Loss, [("x", x, gradient)]);
        var sampled = GradientCheck.Run(Loss, [("x", x, gradient)], samplesPerParameter: 10, seed: 4);
        var sampledAgain = GradientCheck.Run(Loss, [("x", x, gradient)], samplesPerParameter: 10, seed: 4);

        Assert.Equal(13, all.Parameters[0].WorstIndex);
        Assert.Equal(1, all.MaxRelativeError, 9);
        Assert.Equal(10, sampled.Parameters[0].CoordinatesChecked);
        Assert.Equal(sampled.Parameters[0], sampledAgain.Parameters[0]);
    }

    [Fact]
    public void Relative_error_of_two_zero_derivatives_is_zero()
    {
        double[] x = [1.0];
        var result = GradientCheck.Run(() => 5.0, [("x", x, new double[] { 0 })]);
        Assert.Equal(0, result.MaxRelativeError);
        Assert.Equal(0, result.MaxAbsoluteError);
    }

    [Fact]
    public void A_NaN_gradient_fails()
    {
        double[] x = [1.0, 2.0];
        var result = GradientCheck.Run(() => x[0] * x[0] + x[1], [("x", x, new double[] { double.NaN, 1 })]);
        Assert.True(double.IsNaN(result.MaxRelativeError));
        Assert.False(result.IsWithin(1, 1));
    }

    [Fact]
    public void Rejects_a_gradient_of_another_shape()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            GradientCheck.Run(() => 0, [("W", Matrix<double>.Zeros(2, 2), Matrix<double>.Zeros(1, 4))]));
        Assert.Contains("'W'", error.Message);
    }
}
