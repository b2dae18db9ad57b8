using Backprop.Sample.Data;
using Backprop.Sample.Display;
using Backprop.Sample.Evaluation;
using Backprop.Sample.Model;
using Backprop.Sample.Report;
using Spectre.Console;

namespace Backprop.Sample.Commands;

/// <summary><c>--load model.bin</c>: evaluates a saved model on the test set, without training.</summary>
public static class EvaluateCommand
{
    /// <summary>Shows the confusion matrix, draws the misclassified images and ends with the test accuracy; returns the exit code.</summary>
    public static int Run(string modelPath, MnistData data, IReadOnlyList<string> classNames, ReportFolder report, IAnsiConsole console)
    {
        INetwork model;
        try
        {
            model = Networks.Load(modelPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            console.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return ExitCodes.ModelUnreadable;
        }
        if (model.Inputs != data.TestImages.Columns || model.Classes != MnistData.ClassCount)
        {
            console.MarkupLine($"[red]{Markup.Escape(modelPath)}: a {Markup.Escape(model.Description)} model cannot classify images of {data.TestImages.Columns} pixels into {MnistData.ClassCount} classes.[/]");
            return ExitCodes.ModelUnreadable;
        }
        console.MarkupLine($"[bold]{Markup.Escape(model.Description)} network[/] from {Markup.Escape(modelPath)}");
        Evaluated test = new Evaluator(model, data.TestImages, data.TestLabels).Evaluate();
        console.Write(ConfusionMatrixTable.Create(new ConfusionMatrix(test.Labels, test.Predictions, MnistData.ClassCount), classNames));
        try
        {
            console.MarkupLine($"report: [link]{Markup.Escape(report.WriteMisclassified(data.TestImages, test, classNames))}[/]");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.MarkupLine($"[red]The report could not be written to {Markup.Escape(report.Directory)}: {Markup.Escape(e.Message)}[/]");
            return ExitCodes.ReportUnwritable;
        }
        console.WriteLine(TrainCommand.FinalLine(test.Accuracy));
        return ExitCodes.Success;
    }
}
