using System.Globalization;
using Backprop.Sample.Model;

namespace Backprop.Sample.Training;

/// <summary>
/// Whether an epoch left training diverged, beyond the NaN or infinite batch loss that <see cref="Trainer.RunEpoch"/>
/// stops at: weights that overflowed on the epoch's last step, or a loss that stays finite but has exploded, as with
/// <c>--lr 1000</c> on MNIST (a mean loss near 10¹², and 11% accuracy).
/// </summary>
public static class DivergenceCheck
{
    /// <summary>
    /// How many times the loss of guessing every class equally (ln of the class count, 2.3 for ten) an epoch's mean loss
    /// may reach. A mean cross-entropy of 100·ln 10 ≈ 230 gives the right class a probability near e⁻²³⁰: no run that
    /// is learning comes anywhere near it, and a diverging one passes it within an epoch.
    /// </summary>
    public const double ExplodedLossFactor = 100;

    /// <summary>What went wrong in the epoch just trained, or null if nothing did.</summary>
    public static string? Problem(EpochTraining epoch, INetwork model)
    {
        if (!model.IsFinite)
            return "the weights became NaN or infinite";
        double guessing = Math.Log(model.Classes);
        return epoch.MeanLoss > ExplodedLossFactor * guessing
            ? string.Create(CultureInfo.InvariantCulture,
                $"the mean loss was {epoch.MeanLoss:G3}, more than {ExplodedLossFactor} times the {guessing:0.00} of guessing every class equally,")
            : null;
    }
}
