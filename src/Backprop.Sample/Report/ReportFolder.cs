using Backprop.Sample.Evaluation;
using Backprop.Sample.Model;
using Backprop.Sample.Training;

namespace Backprop.Sample.Report;

/// <summary>Writes the files of a run's report into one folder, creating it when needed.</summary>
/// <param name="directory">The folder (<c>--out</c>).</param>
public sealed class ReportFolder(string directory)
{
    /// <summary>The training curves' file name.</summary>
    public const string CurvesFile = "training-curves.svg";

    /// <summary>The misclassified images' file name.</summary>
    public const string MisclassifiedFile = "misclassified.svg";

    /// <summary>The saved model's file name.</summary>
    public const string ModelFile = "model.bin";

    /// <summary>The folder.</summary>
    public string Directory => directory;

    /// <summary>Draws the training curves; returns the file's path.</summary>
    public string WriteCurves(IReadOnlyList<EpochRecord> history) => Write(CurvesFile, TrainingCurvesSvg.Render(history));

    /// <summary>Draws the misclassified test images; returns the file's path.</summary>
    public string WriteMisclassified(Matrix<float> images, Evaluated test, IReadOnlyList<string> classNames) =>
        Write(MisclassifiedFile, MisclassifiedDigitsSvg.Render(images, test.Labels, test.Predictions, classNames));

    /// <summary>Saves the model (loadable with <c>--load</c>); returns the file's path.</summary>
    public string WriteModel(INetwork model)
    {
        string path = PathOf(ModelFile);
        model.Save(path);
        return path;
    }

    private string Write(string name, string contents)
    {
        string path = PathOf(name);
        File.WriteAllText(path, contents);
        return path;
    }

    private string PathOf(string name)
    {
        System.IO.Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }
}
