namespace Backprop.Sample.Data;

/// <summary>
/// The training data could not be found or fetched. The message says what was tried and how to provide
/// the files; the sample prints it and exits.
/// </summary>
public sealed class DataUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
