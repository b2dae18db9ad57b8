using Backprop.Sample.Data;
using Backprop.Sample.Evaluation;
using Backprop.Sample.Model;
using Backprop.Sample.Training;

namespace Backprop.Sample.Report;

/// <summary>
/// Writes the files of a run's report into one folder, each atomically. The files are named <c>model.bin</c>,
/// <c>training-curves.svg</c> and <c>misclassified.svg</c>, or with a number (<c>model-2.bin</c>, …) for a run whose
/// model must not replace the folder's <c>model.bin</c> (<see cref="NextFreeNumber"/>).
/// </summary>
/// <param name="directory">The folder (<c>--out</c>).</param>
/// <param name="number">The files' number; null for the unnumbered names.</param>
public sealed class ReportFolder(string directory, int? number = null)
{
    /// <summary>The training curves' file name, unnumbered.</summary>
    public const string CurvesFile = "training-curves.svg";

    /// <summary>The misclassified images' file name, unnumbered.</summary>
    public const string MisclassifiedFile = "misclassified.svg";

    /// <summary>The saved model's file name, unnumbered.</summary>
    public const string ModelFile = "model.bin";

    /// <summary>The folder.</summary>
    public string Directory => directory;

    /// <summary>Where this report's model goes.</summary>
    public string ModelPath => PathOf(ModelFile);

    /// <summary>
    /// Creates the folder if needed and writes and deletes a file in it, so that a folder that cannot take the report
    /// is found before any data is read or any epoch trained, not after.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created (e.g. a file has its name) or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder may not be written.</exception>
    public void RequireWritable()
    {
        System.IO.Directory.CreateDirectory(directory);
        string probe = Path.Combine(directory, $".write-test.{Guid.NewGuid():N}.tmp");
        using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose))
        {
        }
    }

    /// <summary>The same folder with the first number from 2 up under which none of the three files exists yet.</summary>
    public ReportFolder NextFreeNumber()
    {
        for (int n = 2; ; n++)
        {
            var numbered = new ReportFolder(directory, n);
            if (!new[] { ModelFile, CurvesFile, MisclassifiedFile }.Any(name => File.Exists(numbered.PathOf(name))))
                return numbered;
        }
    }

    /// <summary>Draws the training curves; returns the file's path.</summary>
    public string WriteCurves(IReadOnlyList<EpochRecord> history) => Write(CurvesFile, TrainingCurvesSvg.Render(history));

    /// <summary>Draws the misclassified test images; returns the file's path.</summary>
    public string WriteMisclassified(Matrix<float> images, Evaluated test, IReadOnlyList<string> classNames) =>
        Write(MisclassifiedFile, MisclassifiedDigitsSvg.Render(images, test.Labels, test.Predictions, classNames));

    /// <summary>Saves the model (loadable with <c>--load</c>) as <see cref="ModelPath"/>; returns that path.</summary>
    public string WriteModel(INetwork model, Dataset dataset)
    {
        SavedModel.Save(ModelPath, model, dataset);
        return ModelPath;
    }

    private string Write(string name, string contents)
    {
        string path = PathOf(name);
        // A numbered report never replaces a file: its number was chosen because none of its files existed.
        AtomicFile.WriteAllText(path, contents, overwrite: number is null);
        return path;
    }

    private string PathOf(string name) =>
        Path.Combine(directory, number is { } n ? $"{Path.GetFileNameWithoutExtension(name)}-{n}{Path.GetExtension(name)}" : name);
}
