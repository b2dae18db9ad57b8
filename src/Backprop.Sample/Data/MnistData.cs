using Backprop.Data;

namespace Backprop.Sample.Data;

/// <summary>
/// A loaded MNIST-format data set: images as N × 784 matrices with pixels in [0, 1], labels as integers
/// 0–9, one per image row.
/// </summary>
public sealed record MnistData(Matrix<float> TrainImages, int[] TrainLabels, Matrix<float> TestImages, int[] TestLabels)
{
    /// <summary>The number of classes; every label is below it.</summary>
    public const int ClassCount = 10;

    /// <summary>Reads the four files and checks that they fit together.</summary>
    /// <exception cref="InvalidDataException">A file is malformed, a label count differs from its image count, the training and test images differ in size, or a label is not 0–9.</exception>
    public static MnistData Load(MnistFiles files)
    {
        var data = new MnistData(
            IdxReader.ReadImages(files.TrainImages), IdxReader.ReadLabels(files.TrainLabels),
            IdxReader.ReadImages(files.TestImages), IdxReader.ReadLabels(files.TestLabels));
        RequireOneLabelPerImage(data.TrainImages, files.TrainImages, data.TrainLabels, files.TrainLabels);
        RequireOneLabelPerImage(data.TestImages, files.TestImages, data.TestLabels, files.TestLabels);
        if (data.TrainImages.Columns != data.TestImages.Columns)
            throw new InvalidDataException(
                $"{files.TestImages}: images of {data.TestImages.Columns} pixels, but {files.TrainImages} has images of {data.TrainImages.Columns}.");
        return data;
    }

    private static void RequireOneLabelPerImage(Matrix<float> images, string imagesPath, int[] labels, string labelsPath)
    {
        if (labels.Length != images.Rows)
            throw new InvalidDataException($"{labelsPath}: {labels.Length} labels, but {imagesPath} has {images.Rows} images.");
        int invalid = Array.FindIndex(labels, label => label >= ClassCount);
        if (invalid >= 0)
            throw new InvalidDataException($"{labelsPath}: label {invalid} is {labels[invalid]}; expected 0 to {ClassCount - 1}.");
    }
}
