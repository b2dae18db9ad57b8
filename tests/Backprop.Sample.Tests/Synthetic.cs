using Backprop.Tests.Data;

namespace Backprop.Sample.Tests;

/// <summary>
/// Small learnable data sets: an image of class c has its pixel c bright, the others dim noise, so a
/// network separates the classes within a few epochs.
/// </summary>
public static class Synthetic
{
    public const int Side = 4, Pixels = Side * Side, Classes = 10;

    public static (Matrix<float> Images, int[] Labels) Data(int count, int seed)
    {
        var random = new Random(seed);
        var images = new Matrix<float>(count, Pixels);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(Classes);
            for (int p = 0; p < Pixels; p++)
                images[i, p] = p == labels[i] ? 0.8f + 0.2f * random.NextSingle() : 0.3f * random.NextSingle();
        }
        return (images, labels);
    }

    /// <summary>Writes a training and a test set as the four MNIST IDX files into <paramref name="directory"/>.</summary>
    public static void WriteIdx(string directory, int train, int test)
    {
        Directory.CreateDirectory(directory);
        Write(directory, "train", Data(train, seed: 1));
        Write(directory, "t10k", Data(test, seed: 2));
    }

    private static void Write(string directory, string prefix, (Matrix<float> Images, int[] Labels) set)
    {
        byte[] pixels = set.Images.Span.ToArray().Select(v => (byte)Math.Round(v * 255)).ToArray();
        File.WriteAllBytes(Path.Combine(directory, $"{prefix}-images-idx3-ubyte"), IdxBytes.Of(0x803, [set.Labels.Length, Side, Side], pixels));
        File.WriteAllBytes(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte"), IdxBytes.Of(0x801, [set.Labels.Length], set.Labels.Select(l => (byte)l).ToArray()));
    }
}
