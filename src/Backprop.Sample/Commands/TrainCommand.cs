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
/// The root command: trains the network on the data set with a progress bar per epoch and a table row
/// after it, then shows the confusion matrix, writes the report folder and ends with the test accuracy.
/// With <c>--load</c> it evaluates a saved model instead (<see cref="EvaluateCommand"/>).
/// </summary>
public static class TrainCommand
{
    /// <summary>How many training images the <c>--check</c> batch holds.</summary>
    public const int CheckBatchSize = 16;

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(TrainOptions options, IAnsiConsole console)
    {
        long start = Stopwatch.GetTimestamp();
        MatrixOps.MaxDegreeOfParallelism = options.Threads;
        MnistData data;
        try
        {
            data = DataLoading.Load(console, options.Dataset, options.DataDirectory);
        }
        catch (Exception e) when (e is DataUnavailableException or InvalidDataException or IOException)
        {
            console.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return ExitCodes.DataUnavailable;
        }
        IReadOnlyList<string> classNames = DatasetClasses.Names(options.Dataset);
        if (options.ModelToLoad is not null)
            return EvaluateCommand.Run(options.ModelToLoad, data, classNames, new ReportFolder(options.OutputDirectory), console);

        INetwork model = options.Model == "cnn"
            ? CnnParameters.He(MnistData.ClassCount, options.Seed)
            : MlpParameters.He(data.TrainImages.Columns, options.Hidden, MnistData.ClassCount, options.Seed);
        if (options.Check && !CheckGradient(model, data, console))
            return ExitCodes.GradientCheckFailed;

        List<EpochRecord> history = Train(model, data, options, console);
        Evaluated test = new Evaluator(model, data.TestImages, data.TestLabels).Evaluate();
        console.WriteLine();
        console.Write(ConfusionMatrixTable.Create(new ConfusionMatrix(test.Labels, test.Predictions, MnistData.ClassCount), classNames));
        try
        {
            var report = new ReportFolder(options.OutputDirectory);
            string[] written = [report.WriteCurves(history), report.WriteMisclassified(data.TestImages, test, classNames), report.WriteModel(model)];
            console.MarkupLine($"report: {string.Join(", ", written.Select(path => $"[link]{Markup.Escape(path)}[/]"))}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.MarkupLine($"[red]The report could not be written to {Markup.Escape(options.OutputDirectory)}: {Markup.Escape(e.Message)}[/]");
            return ExitCodes.ReportUnwritable;
        }
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[grey]{Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s in all, {history.Sum(r => r.Seconds):0.0} s of it training[/]"));
        console.WriteLine(FinalLine(test.Accuracy));
        return ExitCodes.Success;
    }

    /// <summary>Trains <paramref name="model"/> in place, showing each epoch; returns the history.</summary>
    private static List<EpochRecord> Train(INetwork model, MnistData data, TrainOptions options, IAnsiConsole console)
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
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            EpochTraining training = EpochProgress.Run(console, epoch, options.Epochs, trainer.BatchesPerEpoch, trainer.RunEpoch);
            var record = new EpochRecord(epoch, training.MeanLoss, trainSet.Evaluate().Accuracy, testSet.Evaluate().Accuracy, training.Seconds, training.SamplesPerSecond);
            history.Add(record);
            EpochTable.WriteRow(console, record, options.Epochs);
        }
        return history;
    }

    /// <summary>The run's last line, e.g. <c>test accuracy: 98.21%</c>.</summary>
    public static string FinalLine(double testAccuracy) =>
        string.Create(CultureInfo.InvariantCulture, $"test accuracy: {testAccuracy * 100:0.00}%");

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static bool CheckGradient(INetwork model, MnistData data, IAnsiConsole console)
    {
        int rows = Math.Min(CheckBatchSize, data.TrainLabels.Length);
        var x = Matrix<float>.FromArray(rows, data.TrainImages.Columns, data.TrainImages.Span[..(rows * data.TrainImages.Columns)]);
        GradientCheckResult result = NetworkGradientCheck.Run(model, x, data.TrainLabels.AsSpan(0, rows));
        console.Write(GradientCheckTable.Create(result, NetworkGradientCheck.RelativeTolerance, NetworkGradientCheck.AbsoluteTolerance));
        bool passed = result.IsWithin(NetworkGradientCheck.RelativeTolerance, NetworkGradientCheck.AbsoluteTolerance);
        if (!passed)
            console.MarkupLine("[red]The gradient check failed; not training.[/]");
        return passed;
    }
}
