using System.Globalization;
using Backprop.Sample.Cli;
using Backprop.Sample.Display;

// Numbers print the same everywhere: the last line reads "test accuracy: 98.21%" whatever the locale.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

StandardStreams streams = StandardStreams.FromConsole();
using var cursorRestorer = new CursorRestorer(streams.Output);
return SampleApp.Run(args, streams);
