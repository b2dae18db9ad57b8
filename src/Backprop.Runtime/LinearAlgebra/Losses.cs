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
    /// Tangent of <see cref="SoftmaxCrossEntropy{T}(Matrix{T}, Matrix{T})"/>:
    /// <c>dResult = (1/batch) Σᵢ (Σⱼ tᵢⱼ · softmax(zᵢ)·żᵢ − tᵢ·żᵢ)</c>, with <c>ż</c> = <paramref name="dLogits"/>; the targets
    /// get no tangent.
    /// </summary>
    [TangentOf(nameof(SoftmaxCrossEntropy))]
    public static void SoftmaxCrossEntropyTangent<T>(Matrix<T> logits, Matrix<T> targets, T result, Matrix<T>? dLogits, out T dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(logits, targets, nameof(SoftmaxCrossEntropyTangent));
        dResult = CrossEntropyTangent(logits, targets, [], dLogits, nameof(SoftmaxCrossEntropyTangent));
    }

    /// <summary>
    /// Tangent of <see cref="SoftmaxCrossEntropyPullback{T}(Matrix{T}, Matrix{T}, T, T, Matrix{T})"/>, with
    /// <c>p = softmax(z)</c> per row: <c>d(dLogits) = ḋResult·(p·Σt − t)/batch + dResult·Σt·ṗ/batch</c>, where
    /// <c>ṗ = p ⊙ (ż − ż·p)</c>; the first term is the pullback of <c>ḋResult</c>.
    /// </summary>
    [TangentOf(nameof(SoftmaxCrossEntropyPullback))]
    public static void SoftmaxCrossEntropyPullbackTangent<T>(Matrix<T> logits, Matrix<T> targets, T result, T dResult,
        Matrix<T>? logitsTangent, T resultTangent, T dResultTangent, Matrix<T>? dLogitsTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dLogitsTangent is null)
            return;
        SoftmaxCrossEntropyPullback(logits, targets, result, dResultTangent, dLogitsTangent);
        if (logitsTangent is not null)
            AddSoftmaxTangent(logits, logitsTangent, targets, dResult / T.CreateChecked(logits.Rows), dLogitsTangent, nameof(SoftmaxCrossEntropyPullbackTangent));
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
    /// Tangent of <see cref="SoftmaxCrossEntropy{T}(Matrix{T}, ReadOnlySpan{int})"/>:
    /// <c>dResult = (1/batch) Σᵢ (softmax(zᵢ)·żᵢ − żᵢ,labelᵢ)</c>, with <c>ż</c> = <paramref name="dLogits"/>.
    /// </summary>
    [TangentOf(nameof(SoftmaxCrossEntropy))]
    public static void SoftmaxCrossEntropyTangent<T>(Matrix<T> logits, ReadOnlySpan<int> labels, T result, Matrix<T>? dLogits, out T dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireLabels(logits, labels, nameof(SoftmaxCrossEntropyTangent));
        dResult = CrossEntropyTangent(logits, null, labels, dLogits, nameof(SoftmaxCrossEntropyTangent));
    }

    /// <summary>
    /// Tangent of <see cref="SoftmaxCrossEntropyPullback{T}(Matrix{T}, ReadOnlySpan{int}, T, T, Matrix{T})"/>, with
    /// <c>p = softmax(z)</c> per row: <c>d(dLogits) = ḋResult·(p − onehot)/batch + dResult·ṗ/batch</c>, where
    /// <c>ṗ = p ⊙ (ż − ż·p)</c>.
    /// </summary>
    [TangentOf(nameof(SoftmaxCrossEntropyPullback))]
    public static void SoftmaxCrossEntropyPullbackTangent<T>(Matrix<T> logits, ReadOnlySpan<int> labels, T result, T dResult,
        Matrix<T>? logitsTangent, T resultTangent, T dResultTangent, Matrix<T>? dLogitsTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dLogitsTangent is null)
            return;
        SoftmaxCrossEntropyPullback(logits, labels, result, dResultTangent, dLogitsTangent);
        if (logitsTangent is not null)
            AddSoftmaxTangent(logits, logitsTangent, null, dResult / T.CreateChecked(logits.Rows), dLogitsTangent, nameof(SoftmaxCrossEntropyPullbackTangent));
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
    /// Tangent of <see cref="MeanSquaredError{T}(Matrix{T}, Matrix{T})"/>:
    /// <c>dResult = Σ (predictions − targets) ⊙ (dPredictions − dTargets) / rows</c>.
    /// </summary>
    [TangentOf(nameof(MeanSquaredError))]
    public static void MeanSquaredErrorTangent<T>(Matrix<T> predictions, Matrix<T> targets, T result, Matrix<T>? dPredictions, Matrix<T>? dTargets, out T dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(predictions, targets, nameof(MeanSquaredErrorTangent));
        dResult = T.Zero;
        if (dPredictions is null && dTargets is null)
            return;
        Span<T> difference = ScratchBuffer<T>.Get(predictions.Length);
        TensorPrimitives.Subtract<T>(predictions.Span, targets.Span, difference);
        if (dPredictions is not null)
        {
            RequireSameShape(predictions, dPredictions, nameof(MeanSquaredErrorTangent));
            dResult += TensorPrimitives.Dot<T>(difference, dPredictions.Span);
        }
        if (dTargets is not null)
        {
            RequireSameShape(targets, dTargets, nameof(MeanSquaredErrorTangent));
            dResult -= TensorPrimitives.Dot<T>(difference, dTargets.Span);
        }
        dResult /= T.CreateChecked(predictions.Rows);
    }

    /// <summary>
    /// Tangent of <see cref="MeanSquaredErrorPullback{T}"/>, bilinear in the inputs and <c>dResult</c>:
    /// <c>d(dPredictions) = (ḋResult·(predictions − targets) + dResult·(ṗredictions − ṫargets)) / rows</c>,
    /// <c>d(dTargets) = −d(dPredictions)</c>.
    /// </summary>
    [TangentOf(nameof(MeanSquaredErrorPullback))]
    public static void MeanSquaredErrorPullbackTangent<T>(Matrix<T> predictions, Matrix<T> targets, T result, T dResult,
        Matrix<T>? predictionsTangent, Matrix<T>? targetsTangent, T resultTangent, T dResultTangent, Matrix<T>? dPredictionsTangent, Matrix<T>? dTargetsTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Matrix<T>? first = dPredictionsTangent ?? dTargetsTangent;
        if (first is null)
            return;
        MeanSquaredErrorPullback(predictions, targets, result, dResultTangent, first, null);
        T scale = dResult / T.CreateChecked(predictions.Rows);
        if (predictionsTangent is not null)
        {
            RequireSameShape(predictions, predictionsTangent, nameof(MeanSquaredErrorPullbackTangent));
            ScaledAdd.Apply<T>(predictionsTangent.Span, scale, first.Span, first.Span);
        }
        if (targetsTangent is not null)
        {
            RequireSameShape(targets, targetsTangent, nameof(MeanSquaredErrorPullbackTangent));
            ScaledAdd.Apply<T>(targetsTangent.Span, -scale, first.Span, first.Span);
        }
        if (dTargetsTangent is not null)
        {
            RequireSameShape(targets, dTargetsTangent, nameof(MeanSquaredErrorPullbackTangent));
            TensorPrimitives.Negate<T>(first.Span, dTargetsTangent.Span);
        }
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

    /// <summary>
    /// <c>(1/batch) Σᵢ (wᵢ · softmax(zᵢ)·żᵢ − (the targets' or the label's share of żᵢ))</c>, where <c>wᵢ = Σ tᵢ</c>
    /// with <paramref name="targets"/> and 1 with <paramref name="labels"/>; 0 for a zero (null) direction.
    /// </summary>
    private static T CrossEntropyTangent<T>(Matrix<T> logits, Matrix<T>? targets, ReadOnlySpan<int> labels, Matrix<T>? dLogits, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dLogits is null || logits.Columns == 0)
            return T.Zero;
        RequireSameShape(logits, dLogits, operation);
        int columns = logits.Columns;
        Span<T> scratch = ScratchBuffer<T>.Get(logits.Length + logits.Rows);
        Span<T> exponentials = scratch[..logits.Length];
        ShiftedExponentials(logits, exponentials, scratch[logits.Length..]);
        T total = T.Zero;
        for (int i = 0; i < logits.Rows; i++)
        {
            ReadOnlySpan<T> exponential = exponentials.Slice(i * columns, columns), direction = dLogits.Row(i);
            T expected = ShortRows.Dot(exponential, direction) / ShortRows.Sum(exponential);
            total += targets is null
                ? expected - direction[labels[i]]
                : ShortRows.Sum<T>(targets.Row(i)) * expected - ShortRows.Dot<T>(targets.Row(i), direction);
        }
        return total / T.CreateChecked(logits.Rows);
    }

    /// <summary>
    /// <c>destination += scale · wᵢ · ṗᵢ</c> row by row, where <c>p = softmax(logits)</c>, <c>ṗᵢ = pᵢ ⊙ (żᵢ − żᵢ·pᵢ)</c>
    /// is its tangent along <c>ż</c> = <paramref name="logitsTangent"/>, and <c>wᵢ = Σ tᵢ</c> (1 without <paramref name="targets"/>):
    /// the curvature term of the cross-entropy's pullback.
    /// </summary>
    private static void AddSoftmaxTangent<T>(Matrix<T> logits, Matrix<T> logitsTangent, Matrix<T>? targets, T scale, Matrix<T> destination, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireSameShape(logits, logitsTangent, operation);
        RequireSameShape(logits, destination, operation);
        if (logits.Columns == 0)
            return;
        int columns = logits.Columns;
        Span<T> scratch = ScratchBuffer<T>.Get(logits.Length + logits.Rows);
        Span<T> probabilities = scratch[..logits.Length];
        ShiftedExponentials(logits, probabilities, scratch[logits.Length..]);
        for (int i = 0; i < logits.Rows; i++)
        {
            Span<T> p = probabilities.Slice(i * columns, columns);
            ReadOnlySpan<T> direction = logitsTangent.Row(i);
            ShortRows.Scale(p, T.One / ShortRows.Sum<T>(p));
            TensorPrimitives.AddMultiply<T>(direction, -ShortRows.Dot<T>(direction, p), p, p);
            T weight = targets is null ? T.One : ShortRows.Sum<T>(targets.Row(i));
            ScaledAdd.Apply<T>(p, scale * weight, destination.Row(i), destination.Row(i));
        }
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
