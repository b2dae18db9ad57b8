using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>
    /// Cross-entropy of the row-wise softmax of <paramref name="logits"/> (batch × classes) against one-hot (or
    /// any probability-row) <paramref name="targets"/>, averaged over the batch:
    /// <c>L = (1/batch) Σᵢ Σⱼ tᵢⱼ·(logsumexp(zᵢ) − zᵢⱼ)</c>. Fused and computed through log-sum-exp, so it is
    /// finite for any finite logits. Allocates nothing in steady state. Differentiable in the logits only.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static T SoftmaxCrossEntropy<T>(Matrix<T> logits, [NoDerivative] Matrix<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(logits, targets, nameof(SoftmaxCrossEntropy));
        int columns = logits.Columns;
        Span<T> scratch = ScratchBuffer<T>.Get(logits.Length + logits.Rows);
        Span<T> exponentials = scratch[..logits.Length], maxima = scratch[logits.Length..];
        ShiftedExponentials(logits, exponentials, maxima);
        T total = T.Zero;
        for (int i = 0; i < logits.Rows; i++)
        {
            ReadOnlySpan<T> row = logits.Row(i), target = targets.Row(i), exponential = exponentials.Slice(i * columns, columns);
            total += (maxima[i] + T.Log(ShortRows.Sum(exponential))) * ShortRows.Sum(target) - ShortRows.Dot(target, row);
        }
        return total / T.CreateChecked(logits.Rows);
    }

    /// <summary>
    /// Cross-entropy of the row-wise softmax of <paramref name="logits"/> against integer class
    /// <paramref name="labels"/> (one per row), averaged over the batch: <c>L = (1/batch) Σᵢ (logsumexp(zᵢ) − zᵢ,labelᵢ)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The number of labels is not the number of rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, logits.Columns)</c>.</exception>
    public static T SoftmaxCrossEntropy<T>(Matrix<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireLabels(logits, labels, nameof(SoftmaxCrossEntropy));
        Span<T> scratch = ScratchBuffer<T>.Get(logits.Columns);
        T total = T.Zero;
        for (int i = 0; i < logits.Rows; i++)
        {
            ReadOnlySpan<T> row = logits.Row(i);
            total += LogSumExp(row, scratch) - row[labels[i]];
        }
        return total / T.CreateChecked(logits.Rows);
    }

    /// <summary>
    /// Pullback of <see cref="SoftmaxCrossEntropy{T}(Matrix{T}, Matrix{T})"/>:
    /// <c>dLogits = dResult·(softmax(logits) − targets) / batch</c> (for one-hot targets), the classic
    /// <c>(y − t)/batch</c>. <paramref name="dResult"/> is 1 when the loss is the final output. The targets get
    /// no gradient. <paramref name="dLogits"/> may be <paramref name="logits"/> but not <paramref name="targets"/>.
    /// </summary>
    [DerivativeOf(nameof(SoftmaxCrossEntropy))]
    public static void SoftmaxCrossEntropyPullback<T>(Matrix<T> logits, Matrix<T> targets, T result, T dResult, Matrix<T>? dLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dLogits is null)
            return;
        RequireSameShape(logits, targets, nameof(SoftmaxCrossEntropyPullback));
        RequireDistinct(dLogits, targets, nameof(SoftmaxCrossEntropyPullback), nameof(dLogits), nameof(targets));
        RequireSameShape(logits, dLogits, nameof(SoftmaxCrossEntropyPullback));
        T scale = dResult / T.CreateChecked(logits.Rows);
        ShiftedExponentials(logits, dLogits.Span, ScratchBuffer<T>.Get(logits.Rows));
        // For targets that are not one-hot, Σⱼ tᵢⱼ scales the softmax term: ∂L/∂zᵢⱼ = (softmaxᵢⱼ·Σₖ tᵢₖ − tᵢⱼ)/batch.
        // After the exponentials, per row: e·(scale·Σt / Σe) − scale·t.
        for (int i = 0; i < logits.Rows; i++)
        {
            Span<T> gradient = dLogits.Row(i);
            ReadOnlySpan<T> target = targets.Row(i);
            ShortRows.Scale(gradient, scale * ShortRows.Sum(target) / ShortRows.Sum<T>(gradient));
            ScaledAdd.Apply(target, -scale, gradient, gradient);
        }
    }

    /// <summary>
    /// Pullback of <see cref="SoftmaxCrossEntropy{T}(Matrix{T}, ReadOnlySpan{int})"/>:
    /// <c>dLogits = dResult·(softmax(logits) − onehot(labels)) / batch</c>. <paramref name="dLogits"/> may be <paramref name="logits"/>.
    /// </summary>
    [DerivativeOf(nameof(SoftmaxCrossEntropy))]
    public static void SoftmaxCrossEntropyPullback<T>(Matrix<T> logits, ReadOnlySpan<int> labels, T result, T dResult, Matrix<T>? dLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dLogits is null)
            return;
        RequireLabels(logits, labels, nameof(SoftmaxCrossEntropyPullback));
        Softmax(logits, dLogits);
        for (int i = 0; i < logits.Rows; i++)
            dLogits[i, labels[i]] -= T.One;
        TensorPrimitives.Multiply(dLogits.Span, dResult / T.CreateChecked(logits.Rows), dLogits.Span);
    }

    /// <summary>
    /// Mean squared error with the ½ of the textbook derivation and the mean over the batch (rows):
    /// <c>L = (1 / (2·rows)) Σᵢⱼ (predictionsᵢⱼ − targetsᵢⱼ)²</c>, so that for one row <c>∂L/∂y = y − t</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static T MeanSquaredError<T>(Matrix<T> predictions, Matrix<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(predictions, targets, nameof(MeanSquaredError));
        T distance = TensorPrimitives.Distance<T>(predictions.Span, targets.Span);
        return distance * distance / T.CreateChecked(2 * predictions.Rows);
    }

    /// <summary>
    /// Pullback of <see cref="MeanSquaredError{T}(Matrix{T}, Matrix{T})"/>:
    /// <c>dPredictions = dResult·(predictions − targets) / rows</c>, <c>dTargets = −dPredictions</c>. The gradients
    /// must be distinct from every input and from each other.
    /// </summary>
    [DerivativeOf(nameof(MeanSquaredError))]
    public static void MeanSquaredErrorPullback<T>(Matrix<T> predictions, Matrix<T> targets, T result, T dResult, Matrix<T>? dPredictions, Matrix<T>? dTargets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(predictions, targets, nameof(MeanSquaredErrorPullback));
        RequireDistinctGradients(dPredictions, dTargets, nameof(MeanSquaredErrorPullback), predictions, targets);
        T scale = dResult / T.CreateChecked(predictions.Rows);
        Matrix<T>? first = dPredictions ?? dTargets;
        if (first is null)
            return;
        Subtract(predictions, targets, first);
        TensorPrimitives.Multiply(first.Span, scale, first.Span);
        if (dTargets is not null)
            TensorPrimitives.Negate<T>(first.Span, dTargets.Span);
    }

    /// <summary>
    /// <c>destination = e^(x − rowmax)</c> row by row, with each row's maximum in <paramref name="maxima"/>, so no
    /// exponential overflows; <paramref name="destination"/> (of x's length) may be x's own storage. The shift is
    /// written row by row and the exponentials are taken over the whole matrix in one vectorised call: rows as
    /// short as 10 classes would otherwise spend most of their time in per-call overhead and vector tails.
    /// </summary>
    private static void ShiftedExponentials<T>(Matrix<T> x, Span<T> destination, Span<T> maxima)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int columns = x.Columns;
        if (columns == 0)
            return;
        for (int i = 0; i < x.Rows; i++)
        {
            ReadOnlySpan<T> row = x.Row(i);
            maxima[i] = ShortRows.Max(row);
            ShortRows.Subtract(row, maxima[i], destination.Slice(i * columns, columns));
        }
        TensorPrimitives.Exp<T>(destination, destination);
    }

    /// <summary><c>log Σ e^x</c> as <c>max + log Σ e^(x − max)</c>; <paramref name="scratch"/> holds the shifted exponentials.</summary>
    private static T LogSumExp<T>(ReadOnlySpan<T> values, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(values);
        TensorPrimitives.Subtract(values, max, scratch);
        TensorPrimitives.Exp<T>(scratch, scratch);
        return max + T.Log(TensorPrimitives.Sum<T>(scratch));
    }

    private static void RequireLabels<T>(Matrix<T> logits, ReadOnlySpan<int> labels, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (labels.Length != logits.Rows)
            throw new ArgumentException($"{operation}: logits ({logits.Shape}) need {logits.Rows} labels, got {labels.Length}.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)logits.Columns)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"{operation}: label {i} is {labels[i]}, outside [0, {logits.Columns}) for logits ({logits.Shape}).");
    }
}
