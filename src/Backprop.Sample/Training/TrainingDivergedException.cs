namespace Backprop.Sample.Training;

/// <summary>Training stopped because the loss or the weights became NaN or infinite, typically from too high a learning rate.</summary>
/// <param name="message">Where it happened, e.g. "the loss was NaN at batch 3 of 600".</param>
public sealed class TrainingDivergedException(string message) : Exception(message);
