namespace Backprop.Sample.Training;

/// <summary>One row of the training history: what an epoch achieved and how fast it ran.</summary>
/// <param name="Epoch">The epoch's number, from 1.</param>
/// <param name="TrainLoss">The mean batch loss during the epoch.</param>
/// <param name="TrainAccuracy">Accuracy on the whole training set after the epoch.</param>
/// <param name="TestAccuracy">Accuracy on the test set after the epoch.</param>
/// <param name="Seconds">The epoch's training time (evaluation excluded).</param>
/// <param name="SamplesPerSecond">Training examples per second.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double TestAccuracy, double Seconds, double SamplesPerSecond);
