using Backprop.Sample.Model;
using Backprop.Training;

namespace Backprop.Sample.Training;

/// <summary>
/// Checks <c>Mlp.LossGradient</c> against central differences of <see cref="Mlp.Loss"/> on one batch. The
/// loss is float32, so ε is large enough (1e-2) that rounding in the loss stays small beside its change.
/// A central difference across the ReLU's kink measures neither side's slope, so the check runs on a copy
/// of the model whose hidden biases are moved until no example's pre-activation lies near 0.
/// </summary>
public static class MlpGradientCheck
{
    /// <summary>The relative error under which a parameter passes.</summary>
    public const double RelativeTolerance = 1e-2;

    /// <summary>The absolute error under which a parameter passes even with a larger relative error (tiny derivatives).</summary>
    public const double AbsoluteTolerance = 1e-4;

    /// <summary>The perturbation.</summary>
    public const double Epsilon = 1e-2;

    /// <summary>Compares <paramref name="samplesPerParameter"/> coordinates of each parameter, chosen by <paramref name="seed"/>.</summary>
    public static GradientCheckResult Run(MlpParameters model, Matrix<float> x, ReadOnlySpan<int> labels, int samplesPerParameter = 30, int seed = 0)
    {
        model = AwayFromKinks(model, x);
        Matrix<float> t = new OneHotTargets(model.Classes).For(labels);
        MlpParameters gradients = model.ZerosLike();
        Mlp.LossGradient(model.W1, model.B1, model.W2, model.B2, x, t, gradients.W1, gradients.B1, gradients.W2, gradients.B2);

        // The check perturbs double copies; each loss evaluation rounds them into a float model.
        var checkedParameters = model.Tensors.Zip(gradients.Tensors, (p, g) => (p.Name, ToDouble(p.Values), ToDouble(g.Values))).ToArray();
        MlpParameters probe = model.ZerosLike();
        double Loss()
        {
            for (int i = 0; i < checkedParameters.Length; i++)
                ToFloat(checkedParameters[i].Item2, probe.Tensors[i].Values);
            return Mlp.Loss(probe.W1, probe.B1, probe.W2, probe.B2, x, t);
        }
        return GradientCheck.Run(Loss, checkedParameters, samplesPerParameter, Epsilon, seed);
    }

    /// <summary>
    /// A copy of <paramref name="model"/> in which each hidden unit's bias is shifted so that the kink falls in
    /// the middle of the widest gap between the unit's pre-activations <c>x·W1 + b1</c> over the batch: the
    /// unit stays active for some examples and inactive for others, and no perturbation of ε crosses the kink
    /// unless that gap is narrower than 2ε (pixels are at most 1).
    /// </summary>
    public static MlpParameters AwayFromKinks(MlpParameters model, Matrix<float> x)
    {
        MlpParameters copy = model.ZerosLike();
        foreach (var (source, destination) in model.Tensors.Zip(copy.Tensors))
            source.Values.CopyTo(destination.Values);
        Matrix<float> preActivations = MatrixOps.MatMul(x, model.W1) + model.B1;
        var column = new float[x.Rows];
        for (int unit = 0; unit < model.Hidden; unit++)
        {
            for (int row = 0; row < x.Rows; row++)
                column[row] = preActivations[row, unit];
            Array.Sort(column);
            // One example has no gap: make the unit active for it.
            float kink = column.Length == 1 ? column[0] - 1 : column[0];
            float widest = -1;
            for (int i = 1; i < column.Length; i++)
            {
                if (column[i] - column[i - 1] > widest)
                {
                    widest = column[i] - column[i - 1];
                    kink = (column[i] + column[i - 1]) / 2;
                }
            }
            copy.B1[0, unit] -= kink;
        }
        return copy;
    }

    private static Matrix<double> ToDouble(Matrix<float> m)
    {
        var result = new Matrix<double>(m.Rows, m.Columns);
        for (int i = 0; i < m.Length; i++)
            result.Span[i] = m.Span[i];
        return result;
    }

    private static void ToFloat(Matrix<double> source, Matrix<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
            destination.Span[i] = (float)source.Span[i];
    }
}
