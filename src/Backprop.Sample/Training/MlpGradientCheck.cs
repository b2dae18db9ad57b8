using Backprop.Sample.Model;
using Backprop.Training;

namespace Backprop.Sample.Training;

/// <summary>
/// Checks <c>Mlp.LossGradient</c> against central differences of <see cref="Mlp.Loss"/> on one batch. The
/// loss is float32, so ε is large enough (1e-2) that rounding in the loss stays small beside its change.
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
        Matrix<float> t = new OneHotTargets(model.Classes).For(labels).Clone();
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
