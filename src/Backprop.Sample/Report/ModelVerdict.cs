using System.Globalization;
using Backprop.Sample.Data;
using Backprop.Sample.Evaluation;
using Backprop.Sample.Model;

namespace Backprop.Sample.Report;

/// <summary>What becomes of a run's model given the <c>model.bin</c> already in the report folder.</summary>
public enum ModelFate
{
    /// <summary>There was no model: this run's is saved under the name.</summary>
    Saved,

    /// <summary>This run's model replaces the old one because it is better on the test set.</summary>
    ReplacedWorse,

    /// <summary>This run's model replaces the old one because <c>--force</c> says so.</summary>
    ReplacedForced,

    /// <summary>The old model holds the very same weights: nothing to save.</summary>
    AlreadyThere,

    /// <summary>The old model stays (it is as good or better, unreadable, or not comparable); this run's report is saved under a number.</summary>
    KeptOld,
}

/// <summary>
/// Decides whether a run's model may replace the report folder's <c>model.bin</c>: only if there is none, if
/// <c>--force</c> asks for it, or if the new model is strictly more accurate on the test set (the data no epoch trained
/// on) than the old one evaluated on the same images now. A model that cannot be read or was trained on other data is
/// never replaced without <c>--force</c>: it cannot be compared, and it may be the user's only copy.
/// </summary>
/// <param name="Fate">What happens to the run's model.</param>
/// <param name="Reason">One sentence saying why, naming the files and the accuracies.</param>
public sealed record ModelVerdict(ModelFate Fate, string Reason)
{
    /// <summary>Whether this run's model goes to the unnumbered <c>model.bin</c>.</summary>
    public bool TakesTheName => Fate is ModelFate.Saved or ModelFate.ReplacedWorse or ModelFate.ReplacedForced;

    /// <summary>Judges <paramref name="model"/> (test accuracy <paramref name="accuracy"/>, trained on <paramref name="dataset"/>) against the model at <paramref name="existingPath"/>.</summary>
    public static ModelVerdict Judge(string existingPath, INetwork model, double accuracy, MnistData data, Dataset dataset, bool force)
    {
        if (!File.Exists(existingPath))
            return new(ModelFate.Saved, $"saved as {existingPath}");
        if (force)
            return new(ModelFate.ReplacedForced, $"{existingPath} replaced, as --force asks");
        SavedModel existing;
        try
        {
            existing = SavedModel.Load(existingPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new(ModelFate.KeptOld, $"{existingPath} kept: it cannot be read ({e.Message}), so it cannot be compared; --force replaces it");
        }
        if ((existing.Dataset is { } trainedOn && trainedOn != dataset) || existing.Parameters.GetType() != model.GetType()
            || existing.Parameters.Inputs != model.Inputs || existing.Parameters.Classes != model.Classes)
            return new(ModelFate.KeptOld, $"{existingPath} kept: it is {existing.Description}, not comparable with this run's; --force replaces it");
        if (existing.Parameters.SameWeights(model))
            return new(ModelFate.AlreadyThere, $"{existingPath} already holds this very model (the same weights)");
        double existingAccuracy = new Evaluator(existing.Parameters, data.TestImages, data.TestLabels).Evaluate().Accuracy;
        string scores = string.Create(CultureInfo.InvariantCulture,
            $"on the test set this run's model scores {accuracy * 100:0.00}%, the one in {existingPath} {existingAccuracy * 100:0.00}%");
        return accuracy > existingAccuracy
            ? new(ModelFate.ReplacedWorse, $"{existingPath} replaced: {scores}")
            : new(ModelFate.KeptOld, $"{existingPath} kept: {scores}; --force replaces it");
    }
}
