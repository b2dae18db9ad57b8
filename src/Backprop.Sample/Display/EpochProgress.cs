using System.Globalization;
using Backprop.Sample.Training;
using Spectre.Console;

namespace Backprop.Sample.Display;

/// <summary>
/// A progress bar for one epoch, with the running loss and throughput; it clears itself when the epoch ends. Only on an
/// interactive terminal: in a file or pipe the bar cannot clear itself, and Spectre would print it as stray lines.
/// </summary>
public static class EpochProgress
{
    /// <summary>Runs <paramref name="runEpoch"/> under a progress bar fed by the <see cref="BatchProgress"/> it is given (null when there is no bar).</summary>
    public static EpochTraining Run(IAnsiConsole console, int epoch, int epochs, int batchCount, Func<BatchProgress?, EpochTraining> runEpoch)
    {
        if (!console.Profile.Capabilities.Interactive)
            return runEpoch(null);
        EpochTraining result = default;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask($"epoch {epoch}/{epochs}", maxValue: batchCount);
                result = runEpoch((batchesDone, _, meanLoss, samplesPerSecond) =>
                {
                    task.Value = batchesDone;
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"epoch {epoch}/{epochs}  loss {meanLoss:0.0000}  {samplesPerSecond,9:#,0} samples/s");
                });
            });
        return result;
    }
}
