using Backprop.Sample.Model;

namespace Backprop.Sample.Evaluation;

/// <summary>Predictions on one labelled data set, and their accuracy.</summary>
/// <param name="Labels">The true classes.</param>
/// <param name="Predictions">The predicted classes, one per label.</param>
public sealed record Evaluated(int[] Labels, int[] Predictions)
{
    /// <summary>The fraction of predictions equal to their label.</summary>
    public double Accuracy => Accuracies.Of(Labels, Predictions);
}

/// <summary>Accuracy of predictions.</summary>
public static class Accuracies
{
    /// <summary>The fraction of positions where <paramref name="predictions"/> equals <paramref name="labels"/> (0 for none).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double Of(ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions)
    {
        if (labels.Length != predictions.Length)
            throw new ArgumentException($"{labels.Length} labels but {predictions.Length} predictions.", nameof(predictions));
        if (labels.Length == 0)
            return 0;
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] == predictions[i])
                correct++;
        return (double)correct / labels.Length;
    }
}

/// <summary>Evaluates a model on a labelled data set, reusing one prediction buffer per set.</summary>
/// <param name="model">The model; read at every call, so the evaluator follows a model being trained.</param>
/// <param name="images">The images, one per row.</param>
/// <param name="labels">Their classes.</param>
public sealed class Evaluator(INetwork model, Matrix<float> images, int[] labels)
{
    private readonly IPredictor _predictor = model.CreatePredictor();
    private readonly int[] _predictions = new int[labels.Length];

    /// <summary>Predicts every image; the returned predictions are overwritten by the next call.</summary>
    public Evaluated Evaluate()
    {
        _predictor.Predict(images, _predictions);
        return new Evaluated(labels, _predictions);
    }
}
