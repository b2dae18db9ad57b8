namespace Backprop.Sample.Evaluation;

/// <summary>Counts of (true class, predicted class) pairs over a data set.</summary>
public sealed class ConfusionMatrix
{
    private readonly int[,] _counts;

    /// <summary>Counts the pairs <c>(labels[i], predictions[i])</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label or prediction is not in [0, <paramref name="classes"/>).</exception>
    public ConfusionMatrix(ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions, int classes)
    {
        if (labels.Length != predictions.Length)
            throw new ArgumentException($"{labels.Length} labels but {predictions.Length} predictions.", nameof(predictions));
        _counts = new int[classes, classes];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes || (uint)predictions[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Example {i}: label {labels[i]}, prediction {predictions[i]}; both must be in [0, {classes}).");
            _counts[labels[i], predictions[i]]++;
        }
        Total = labels.Length;
    }

    /// <summary>The number of classes.</summary>
    public int Classes => _counts.GetLength(0);

    /// <summary>The number of examples counted.</summary>
    public int Total { get; }

    /// <summary>How many examples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public int this[int actual, int predicted] => _counts[actual, predicted];

    /// <summary>The number of correct predictions, the diagonal's sum.</summary>
    public int Correct => Enumerable.Range(0, Classes).Sum(c => _counts[c, c]);

    /// <summary>The fraction of correct predictions (0 for an empty set).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    /// <summary>The number of examples of class <paramref name="actual"/>.</summary>
    public int RowTotal(int actual) => Enumerable.Range(0, Classes).Sum(p => _counts[actual, p]);
}
