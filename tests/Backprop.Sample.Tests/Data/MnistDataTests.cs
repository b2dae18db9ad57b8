using Backprop.Sample.Data;
using Backprop.Tests.Data;

namespace Backprop.Sample.Tests.Data;

public sealed class MnistDataTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private MnistFiles Write(int trainImages, byte[] trainLabels, int testImages, byte[] testLabels)
    {
        string directory = _temp.WithFiles("data");
        void Save(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(directory, name), bytes);
        Save("train-images-idx3-ubyte", IdxBytes.Of(0x803, [trainImages, 2, 2], new byte[trainImages * 4]));
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
