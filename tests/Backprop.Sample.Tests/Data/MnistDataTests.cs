using Backprop.Sample.Data;
using Backprop.Tests.Data;

namespace Backprop.Sample.Tests.Data;

public sealed class MnistDataTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private MnistFiles Write(int trainImages, byte[] trainLabels, int testImages, byte[] testLabels, byte[]? trainPixels = null)
    {
        string directory = _temp.WithFiles("data");
        void Save(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(directory, name), bytes);
        Save("train-images-idx3-ubyte", IdxBytes.Of(0x803, [trainImages, 2, 2], trainPixels ?? new byte[trainImages * 4]));
        Save("train-labels-idx1-ubyte", IdxBytes.Of(0x801, [trainLabels.Length], trainLabels));
        Save("t10k-images-idx3-ubyte", IdxBytes.Of(0x803, [testImages, 2, 2], Enumerable.Repeat((byte)255, testImages * 4).ToArray()));
        Save("t10k-labels-idx1-ubyte", IdxBytes.Of(0x801, [testLabels.Length], testLabels));
        return MnistFiles.In(directory, out _)!;
    }

    [Fact]
    public void Loads_images_as_rows_and_labels_as_integers()
    {
        var data = MnistData.Load(Write(3, [1, 2, 9], 2, [0, 5]));

        Assert.Equal((3, 4), (data.TrainImages.Rows, data.TrainImages.Columns));
        Assert.Equal([1, 2, 9], data.TrainLabels);
        Assert.Equal(1f, data.TestImages[1, 3]);
        Assert.Equal([0, 5], data.TestLabels);
    }

    [Fact]
    public void Training_batches_gather_the_stored_bytes_into_the_same_floats_as_the_image_matrix()
    {
        byte[] pixels = [0, 1, 2, 3, 127, 128, 200, 201, 252, 253, 254, 255];
        var data = MnistData.Load(Write(3, [1, 2, 9], 2, [0, 5], pixels));

        Assert.Equal(pixels, data.TrainPixels);
        var seen = new List<int>();
        foreach (Backprop.Training.MiniBatch batch in data.TrainingBatches(batchSize: 2, seed: 4).NextEpoch())
            for (int row = 0; row < batch.Count; row++)
            {
                int example = Array.IndexOf(data.TrainLabels, batch.Labels.Span[row]);
                Assert.Equal(data.TrainImages.Row(example).ToArray(), batch.Inputs.Row(row).ToArray());
                seen.Add(example);
            }
        Assert.Equal([0, 1, 2], seen.Order());
    }

    [Fact]
    public void A_label_count_that_differs_from_the_image_count_is_refused()
    {
        var files = Write(3, [1, 2], 2, [0, 5]);

        var error = Assert.Throws<InvalidDataException>(() => MnistData.Load(files));

        Assert.Equal($"{files.TrainLabels}: 2 labels, but {files.TrainImages} has 3 images.", error.Message);
    }

    [Fact]
    public void A_label_outside_0_to_9_is_refused()
    {
        var files = Write(1, [3], 2, [0, 10]);

        var error = Assert.Throws<InvalidDataException>(() => MnistData.Load(files));

        Assert.Equal($"{files.TestLabels}: label 1 is 10; expected 0 to 9.", error.Message);
    }
}
