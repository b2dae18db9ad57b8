using Backprop.Data;
using Backprop.Training;

namespace Backprop.Sample.Data;

/// <summary>
/// A loaded MNIST-format data set: images as N × 784 matrices with pixels in [0, 1], labels as integers
/// 0–9, one per image row.
/// </summary>
public sealed record MnistData(Matrix<float> TrainImages, int[] TrainLabels, Matrix<float> TestImages, int[] TestLabels)
{
    /// <summary>The number of classes; every label is below it.</summary>
    public const int ClassCount = 10;

    /// <summary>
    /// The training images' pixels as stored, one byte each, row by row (when loaded from files): the same values as
    /// <see cref="TrainImages"/> times 255, in a quarter of the memory, which is what <see cref="TrainingBatches"/> gathers from.
    /// </summary>
    public byte[]? TrainPixels { get; init; }

    /// <summary>
    /// Shuffled mini-batches of the training set: gathered from <see cref="TrainPixels"/> when there are stored pixels
    /// (the same floats as <see cref="TrainImages"/>' rows, read from 4× less memory), else from <see cref="TrainImages"/>.
    /// </summary>
    public MiniBatches TrainingBatches(int batchSize, int seed) => TrainPixels is { } pixels
        ? new MiniBatches(pixels, TrainImages.Columns, IdxImages.PixelDivisor, TrainLabels, batchSize, seed)
        : new MiniBatches(TrainImages, TrainLabels, batchSize, seed);

    /// <summary>Reads the four files and checks that they fit together.</summary>
    /// <exception cref="InvalidDataException">A file is malformed, a label count differs from its image count, the training and test images differ in size, or a label is not 0–9.</exception>
    public static MnistData Load(MnistFiles files)
    {
        IdxImages train = IdxReader.ReadImageBytes(files.TrainImages);
        var data = new MnistData(
            train.ToMatrix(), IdxReader.ReadLabels(files.TrainLabels),
            IdxReader.ReadImages(files.TestImages), IdxReader.ReadLabels(files.TestLabels)) { TrainPixels = train.Pixels };
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
