using Backprop.Sample.Display;
using Backprop.Sample.Training;

namespace Backprop.Sample.Tests.Display;

public sealed class EpochProgressTests
{
    [Fact]
    public void Without_a_terminal_there_is_no_progress_bar_and_nothing_is_printed()
    {
        var output = new StringWriter();
        StandardStreams streams = StandardStreams.Redirected(output, TextWriter.Null);
        BatchProgress? given = (_, _, _, _) => { };

        EpochTraining result = EpochProgress.Run(streams.Output, epoch: 1, epochs: 1, batchCount: 3, progress =>
        {
            given = progress;
            progress?.Invoke(3, 3, 0.5, 1000);
            return new EpochTraining(0.5, Samples: 300, Seconds: 2);
        });

        Assert.Null(given);
        Assert.Equal(0.5, result.MeanLoss);
        Assert.Empty(output.ToString());
    }
}
