using System.Diagnostics;
using Backprop.Sample.Model;
using Backprop.Training;

namespace Backprop.Sample.Training;

/// <summary>Reports progress within an epoch: batches done, of how many, the mean loss so far, and the throughput.</summary>
public delegate void BatchProgress(int batchesDone, int batchCount, double meanLoss, double samplesPerSecond);

/// <summary>What one epoch of training measured.</summary>
/// <param name="MeanLoss">The mean of the batches' losses, each taken before its update.</param>
/// <param name="Samples">The number of examples trained on.</param>
/// <param name="Seconds">The wall-clock time of the epoch.</param>
public readonly record struct EpochTraining(double MeanLoss, int Samples, double Seconds)
{
    /// <summary>Examples per second.</summary>
    public double SamplesPerSecond => Samples / Seconds;
}

/// <summary>
/// Trains a network (<see cref="INetwork"/>) by mini-batch gradient descent: for each batch, the one-hot targets and
/// the network's generated train step, which runs the loss's forward and reverse sweeps and applies the optimizer's
/// update to each parameter as soon as its gradient is complete. A step allocates nothing.
/// </summary>
public sealed class Trainer
{
    /// <summary>How many batches pass between two progress reports.</summary>
    public const int ProgressInterval = 25;

    private readonly INetwork _model;
    private readonly Optimizer<float> _optimizer;
    private readonly MiniBatches _batches;
    private readonly OneHotTargets _targets;

    /// <summary>A trainer of <paramref name="model"/> by <paramref name="optimizer"/>, which must have been built over the model (and its gradients).</summary>
    public Trainer(INetwork model, Optimizer<float> optimizer, MiniBatches batches)
    {
        _model = model;
        _optimizer = optimizer;
        _batches = batches;
        _targets = new OneHotTargets(model.Classes, Math.Min(batches.BatchSize, batches.ExampleCount));
    }

    /// <summary>Creates a trainer with the named optimizer over <paramref name="model"/>, its learning rate following <paramref name="schedule"/>.</summary>
    public static Trainer Create(INetwork model, string optimizer, LearningRateSchedule schedule, MiniBatches batches) =>
        new(model, Optimizers.Create(optimizer, model, model.CreateGradients(), schedule), batches);

    /// <summary>The optimizer, for its step count and current learning rate.</summary>
    public Optimizer<float> Optimizer => _optimizer;

    /// <summary>The number of batches in an epoch.</summary>
    public int BatchesPerEpoch => _batches.BatchesPerEpoch;

    /// <summary>One gradient step on a batch; returns the batch's loss before the update.</summary>
    public float Step(Matrix<float> inputs, ReadOnlySpan<int> labels)
    {
        Matrix<float> t = _targets.For(labels);
        return _model.TrainStep(inputs, t, _optimizer);
    }

    /// <summary>One pass over the shuffled training set.</summary>
    /// <param name="progress">Called every <see cref="ProgressInterval"/> batches and after the last, or null.</param>
    /// <exception cref="TrainingDivergedException">A batch's loss was NaN or infinite; the epoch stops there (<see cref="DivergenceCheck"/> looks at the epoch as a whole).</exception>
    public EpochTraining RunEpoch(BatchProgress? progress = null)
    {
        long start = Stopwatch.GetTimestamp();
        double lossSum = 0;
        int samples = 0, batchesDone = 0, batchCount = _batches.BatchesPerEpoch;
        foreach (MiniBatch batch in _batches.NextEpoch())
        {
            float loss = Step(batch.Inputs, batch.Labels.Span);
            batchesDone++;
            // Every later step would only spread the NaN or infinity through the weights.
            if (!float.IsFinite(loss))
                throw new TrainingDivergedException($"the loss was {loss} at batch {batchesDone} of {batchCount}");
            lossSum += loss;
            samples += batch.Count;
            if (progress is not null && (batchesDone % ProgressInterval == 0 || batchesDone == batchCount))
                progress(batchesDone, batchCount, lossSum / batchesDone, samples / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return new EpochTraining(lossSum / batchesDone, samples, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
