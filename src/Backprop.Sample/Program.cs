using System.Globalization;
using Backprop.Sample.Cli;
using Backprop.Sample.Commands;
using Spectre.Console;

// Numbers print the same everywhere: the last line reads "test accuracy: 98.21%" whatever the locale.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

IAnsiConsole console = AnsiConsole.Console;
var commandLine = new SampleCommandLine(
    train: options => TrainCommand.Run(options, console),
    benchmark: options => BenchmarkCommand.Run(options, console),
    examples: () => ExamplesCommand.Run(Console.Out));
return commandLine.Parse(args).Invoke();
