using System.Diagnostics;
using System.Globalization;
using Backprop.Sample.Cli;
using Backprop.Sample.Data;
using Backprop.Sample.Display;
using Backprop.Sample.Evaluation;
using Backprop.Sample.Model;
using Backprop.Sample.Report;
using Backprop.Sample.Training;
using Backprop.Training;
using Spectre.Console;

namespace Backprop.Sample.Commands;

/// <summary>
/// The root command: checks that the report folder can be written, trains the network on the data set with a
/// progress bar per epoch and a table row after it, then shows the confusion matrix, writes the report folder (never
/// over a better model, <see cref="ModelVerdict"/>) and ends with the test accuracy. Training that diverges stops
/// with <see cref="ExitCodes.TrainingDiverged"/>, after saving the last good epoch's model the same way. With
/// <c>--load</c> it evaluates a saved model instead (<see cref="EvaluateCommand"/>).
/// </summary>
public static class TrainCommand
{
    /// <summary>How many training images the <c>--check</c> batch holds.</summary>
    public const int CheckBatchSize = 16;

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(TrainOptions options, StandardStreams streams)
    {
        long start = Stopwatch.GetTimestamp();
        MatrixOps.MaxDegreeOfParallelism = options.Threads;
        if (options.ModelToLoad is { } modelPath)
            return EvaluateCommand.Run(modelPath, options, streams);

        var folder = new ReportFolder(options.OutputDirectory);
        if (!Preflight.OutputWritable(folder, streams))
            return ExitCodes.ReportUnwritable;
        if (DataLoading.TryLoad(streams, options.Dataset, options.DataDirectory) is not { } data)
            return ExitCodes.DataUnavailable;

        INetwork model = options.Model == "cnn"
            ? Cnn.He(MnistData.ClassCount, options.Seed)
            : Mlp.He(data.TrainImages.Columns, options.Hidden, MnistData.ClassCount, options.Seed);
        if (options.Check && !CheckGradient(model, data, streams))
            return ExitCodes.GradientCheckFailed;

        TrainingRun run = Train(model, data, options, streams.Output);
        if (run.Kept is null)
        {
            streams.Fail(Diverged(run, options,
                $"It diverged in its first epoch, so no model was saved and {folder.ModelPath} was left as it was."));
            return ExitCodes.TrainingDiverged;
        }
        Evaluated test = new Evaluator(run.Kept, data.TestImages, data.TestLabels).Evaluate();
        streams.Output.WriteLine();
        ConfusionMatrixTable.Write(streams.Output, new ConfusionMatrix(test.Labels, test.Predictions, MnistData.ClassCount), DatasetClasses.Names(options.Dataset));
        if (!WriteReport(folder, run.Kept, test, run.History, data, options, streams))
            return ExitCodes.ReportUnwritable;
        if (run.Divergence is not null)
        {
            streams.Fail(Diverged(run, options, $"The model of epoch {run.History[^1].Epoch}, the last good one, was saved as said above."));
            return ExitCodes.TrainingDiverged;
        }
        streams.Output.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[grey]{Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s in all, {run.History.Sum(r => r.Seconds):0.0} s of it training[/]"));
        streams.Output.WriteLine(FinalLine(test.Accuracy));
        return ExitCodes.Success;
    }

    /// <summary>The run's last line, e.g. <c>test accuracy: 98.21%</c>.</summary>
    public static string FinalLine(double testAccuracy) =>
        string.Create(CultureInfo.InvariantCulture, $"test accuracy: {testAccuracy * 100:0.00}%");

    /// <summary>What training produced.</summary>
    /// <param name="History">The epochs that ended without diverging.</param>
    /// <param name="Kept">The model to save: the trained one, or after a divergence the last good epoch's copy (null if there was none).</param>
    /// <param name="Divergence">Where the loss or weights stopped being finite, or null if training finished.</param>
    private sealed record TrainingRun(List<EpochRecord> History, INetwork? Kept, string? Divergence);

    /// <summary>Trains <paramref name="model"/> in place, showing each epoch, until the last epoch or a divergence.</summary>
    private static TrainingRun Train(INetwork model, MnistData data, TrainOptions options, IAnsiConsole console)
    {
        var batches = data.TrainingBatches(options.BatchSize, options.Seed);
        var schedule = new CosineLearningRate(options.EffectiveLearningRate, options.Epochs * batches.BatchesPerEpoch);
        Trainer trainer = Trainer.Create(model, options.Optimizer, schedule, batches);
        var trainSet = new Evaluator(model, data.TrainImages, data.TrainLabels);
        var testSet = new Evaluator(model, data.TestImages, data.TestLabels);

        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]{Markup.Escape(model.Description)}[/] · {options.Optimizer} lr {options.EffectiveLearningRate:G4} → 0 (cosine) · " +
            $"batch {options.BatchSize} · {Count(options.Epochs, "epoch")} · {Count(options.Threads, "thread")} · seed {options.Seed}"));
        EpochTable.WriteHeader(console);
        var history = new List<EpochRecord>();
        // The weights after the last epoch that ended well: what a diverged run still has to show for itself.
        INetwork? lastGood = null;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            EpochTraining training;
            try
            {
                training = EpochProgress.Run(console, epoch, options.Epochs, trainer.BatchesPerEpoch, trainer.RunEpoch);
            }
            catch (TrainingDivergedException e)
            {
                return new TrainingRun(history, lastGood, $"{e.Message} in epoch {epoch}");
            }
            if (DivergenceCheck.Problem(training, model) is { } problem)
                return new TrainingRun(history, lastGood, $"{problem} in epoch {epoch}");
            var record = new EpochRecord(epoch, training.MeanLoss, trainSet.Evaluate().Accuracy, testSet.Evaluate().Accuracy, training.Seconds, training.SamplesPerSecond);
            history.Add(record);
            EpochTable.WriteRow(console, record, options.Epochs);
            if (epoch < options.Epochs)
                lastGood = model.Copy();
        }
        return new TrainingRun(history, model, null);
    }

    /// <summary>
    /// Writes the curves, the misclassified images and the model, under the unnumbered names if the model may take
    /// <c>model.bin</c>, otherwise under the next free number; says which. Returns false (after saying so) if a file
    /// could not be written, having tried to save the model in the temporary folder rather than lose it.
    /// </summary>
    private static bool WriteReport(ReportFolder folder, INetwork model, Evaluated test, List<EpochRecord> history, MnistData data, TrainOptions options, StandardStreams streams)
    {
        try
        {
            ModelVerdict verdict = ModelVerdict.Judge(folder.ModelPath, model, test.Accuracy, data, options.Dataset, options.Force);
            ReportFolder target = verdict.Fate == ModelFate.KeptOld ? folder.NextFreeNumber() : folder;
            var written = new List<string> { target.WriteCurves(history), target.WriteMisclassified(data.TestImages, test, DatasetClasses.Names(options.Dataset)) };
            if (verdict.Fate != ModelFate.AlreadyThere)
                written.Add(target.WriteModel(model, options.Dataset));
            streams.Output.MarkupLine($"report: {string.Join(", ", written.Select(path => $"[link]{Markup.Escape(path)}[/]"))}");
            streams.Output.WriteLine($"model: {verdict.Reason}" + (verdict.Fate == ModelFate.KeptOld ? $"; this run's model is {target.ModelPath}" : ""));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            streams.Fail($"The report could not be written to {folder.Directory}: {e.Message}");
            string rescue = Path.Combine(Path.GetTempPath(), $"backprop-model-{Guid.NewGuid():N}.bin");
            try
            {
                SavedModel.Save(rescue, model, options.Dataset);
                streams.Fail($"This run's model was saved as {rescue} instead.");
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                streams.Fail($"This run's model could not be saved in the temporary folder either: {again.Message}");
            }
            return false;
        }
    }

    private static string Diverged(TrainingRun run, TrainOptions options, string whatWasSaved) => string.Create(CultureInfo.InvariantCulture,
        $"Training diverged: {run.Divergence} (initial learning rate {options.EffectiveLearningRate:G4}). {whatWasSaved} Try a smaller --lr.");

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static bool CheckGradient(INetwork model, MnistData data, StandardStreams streams)
    {
        int rows = Math.Min(CheckBatchSize, data.TrainLabels.Length);
        var x = Matrix<float>.FromArray(rows, data.TrainImages.Columns, data.TrainImages.Span[..(rows * data.TrainImages.Columns)]);
        GradientCheckResult result = NetworkGradientCheck.Run(model, x, data.TrainLabels.AsSpan(0, rows));
        GradientCheckTable.Write(streams.Output, result, NetworkGradientCheck.RelativeTolerance, NetworkGradientCheck.AbsoluteTolerance);
        bool passed = result.IsWithin(NetworkGradientCheck.RelativeTolerance, NetworkGradientCheck.AbsoluteTolerance);
        if (!passed)
            streams.Fail("The gradient check failed; not training.");
        return passed;
    }
}
