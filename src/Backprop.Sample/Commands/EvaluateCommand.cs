using Backprop.Sample.Cli;
using Backprop.Sample.Data;
using Backprop.Sample.Display;
using Backprop.Sample.Evaluation;
using Backprop.Sample.Model;
using Backprop.Sample.Report;
using Spectre.Console;

namespace Backprop.Sample.Commands;

/// <summary>
/// <c>--load model.bin</c>: evaluates a saved model on the test set, without training. The model file is read and
/// checked against <c>--dataset</c> first, and the report folder for writability, so a wrong file fails before the
/// data set is read.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Shows the confusion matrix, draws the misclassified images and ends with the test accuracy; returns the exit code.</summary>
    public static int Run(string modelPath, TrainOptions options, StandardStreams streams)
    {
        SavedModel saved;
        try
        {
            saved = SavedModel.Load(modelPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            streams.Fail(e.Message);
            return ExitCodes.ModelUnreadable;
        }
        if (saved.Dataset is { } trainedOn && trainedOn != options.Dataset)
        {
            streams.Fail($"{modelPath}: {saved.Description}; it cannot be evaluated on {DatasetClasses.DisplayName(options.Dataset)}. " +
                $"Pass --dataset {DatasetNames.Name(trainedOn)} to evaluate it on the data it was trained for.");
            return ExitCodes.ModelUnreadable;
        }
        if (saved.Dataset is null)
            streams.Warn($"{modelPath} does not record the data set it was trained on (it was saved by an earlier version of the sample); " +
                $"evaluating it on {DatasetClasses.DisplayName(options.Dataset)}.");
        var report = new ReportFolder(options.OutputDirectory);
        if (!Preflight.OutputWritable(report, streams))
            return ExitCodes.ReportUnwritable;
        if (DataLoading.TryLoad(streams, options.Dataset, options.DataDirectory) is not { } data)
            return ExitCodes.DataUnavailable;

        INetwork model = saved.Parameters;
        if (model.Inputs != data.TestImages.Columns || model.Classes != MnistData.ClassCount)
        {
            streams.Fail($"{modelPath}: {saved.Description}, which cannot classify images of {data.TestImages.Columns} pixels into {MnistData.ClassCount} classes.");
            return ExitCodes.ModelUnreadable;
        }
        streams.Output.MarkupLine($"[bold]{Markup.Escape(model.Description)} network[/] from {Markup.Escape(modelPath)}");
        Evaluated test = new Evaluator(model, data.TestImages, data.TestLabels).Evaluate();
        IReadOnlyList<string> classNames = DatasetClasses.Names(options.Dataset);
        ConfusionMatrixTable.Write(streams.Output, new ConfusionMatrix(test.Labels, test.Predictions, MnistData.ClassCount), classNames);
        try
        {
            streams.Output.MarkupLine($"report: [link]{Markup.Escape(report.WriteMisclassified(data.TestImages, test, classNames))}[/]");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            streams.Fail($"The report could not be written to {report.Directory}: {e.Message}");
            return ExitCodes.ReportUnwritable;
        }
        streams.Output.WriteLine(TrainCommand.FinalLine(test.Accuracy));
        return ExitCodes.Success;
    }
}
