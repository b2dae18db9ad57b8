namespace Backprop.Sample.Tests;

/// <summary>
/// The test classes that start processes, run one after another. A test writes a script and then runs it; a process
/// forked by a test running beside it at that moment holds the script open for writing until it executes its own
/// program, and running the script then fails with "Text file busy" (seen once in MnistFetcherTests).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ChildProcesses
{
    public const string Name = "Child processes";
}
