using System.CommandLine;
using Backprop.Sample.Commands;
using Backprop.Sample.Display;

namespace Backprop.Sample.Cli;

/// <summary>The sample's entry point, given its streams: <c>Program.cs</c> passes the process's, tests their own.</summary>
public static class SampleApp
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command and returns its exit code (<see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args, StandardStreams streams)
    {
        var commandLine = new SampleCommandLine(
            train: options => TrainCommand.Run(options, streams),
            benchmark: options => BenchmarkCommand.Run(options, streams),
            examples: () => ExamplesCommand.Run(streams.OutputWriter));
        // Parse errors and help go where the rest of the run's errors and output go.
        return commandLine.Parse(args).Invoke(new InvocationConfiguration { Output = streams.OutputWriter, Error = streams.ErrorWriter });
    }
}
