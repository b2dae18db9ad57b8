namespace Backprop.Sample.Training;

/// <summary>
/// The one-hot target matrix t of a batch (batch × classes, <c>t[i, label of i] = 1</c>), filled in
/// buffers that are reused: one per batch size, and a run has at most two (full batches and the last one).
/// </summary>
/// <param name="classes">The number of classes, the matrix's width.</param>
/// <param name="batchSize">The size of full batches, whose buffer is allocated up front; 0 to allocate on first use.</param>
public sealed class OneHotTargets(int classes, int batchSize = 0)
{
    private Matrix<float>? _full = batchSize > 0 ? new Matrix<float>(batchSize, classes) : null;
    private Matrix<float>? _last;

    /// <summary>The targets of <paramref name="labels"/>, valid until the next call.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is not below the number of classes.</exception>
    public Matrix<float> For(ReadOnlySpan<int> labels)
    {
        Matrix<float> targets = BufferFor(labels.Length);
        targets.Span.Clear();
        for (int row = 0; row < labels.Length; row++)
        {
            if ((uint)labels[row] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[row], $"Label of row {row} must be in [0, {classes}).");
            targets[row, labels[row]] = 1;
        }
        return targets;
    }

    private Matrix<float> BufferFor(int rows)
    {
        if (_full is null)
            return _full = new Matrix<float>(rows, classes);
        if (_full.Rows == rows)
            return _full;
        if (_last?.Rows != rows)
            _last = new Matrix<float>(rows, classes);
        return _last;
    }
}
