using Backprop.Training;

namespace Backprop.Runtime.Tests.Training;

/// <summary>
/// Work that runs in parts on several threads when <see cref="MatrixOps.MaxDegreeOfParallelism"/> allows it: a large
/// parameter's update and a large batch's gather. Either must give, bit for bit, what one thread gives.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class SplitWorkTests
{
    public static TheoryData<string, int> OptimizersAndThreads()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Optimizers.Names)
        {
            data.Add(name, 2);
            data.Add(name, 3);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OptimizersAndThreads))]
    public void A_large_parameter_updated_in_parts_matches_one_thread_bit_for_bit(string optimizer, int threads)
    {
        // 301·211 = 63,511 values, above the split length and not a multiple of any vector width or thread count;
        // a small parameter beside it keeps its whole update.
        float[] one = Train(optimizer, 1), split = Train(optimizer, threads);
        Assert.Equal(one.Length, split.Length);
        for (int i = 0; i < one.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(split[i]), $"value {i}: {one[i]:R} on one thread, {split[i]:R} on {threads}");
        // The steps moved every value: a skipped part would leave the seeded weights.
        float[] seeded = Matrix<float>.RandomNormal(301, 211, 1.0, seed: 3).Span.ToArray();
        Assert.All(Enumerable.Range(0, seeded.Length), i => Assert.NotEqual(seeded[i], one[i]));
    }

    private static float[] Train(string name, int threads)
    {
        var large = (Matrix<float>.RandomNormal(301, 211, 1.0, seed: 3), new Matrix<float>(301, 211));
        var small = (Matrix<float>.RandomNormal(3, 5, 1.0, seed: 4), new Matrix<float>(3, 5));
        Optimizer<float> optimizer = Optimizers.Create(name, [large, small], 0.01);
        TestData.WithThreads(threads, () =>
        {
            for (int step = 0; step < 4; step++)
            {
                Matrix<float>.RandomNormal(301, 211, 1.0, seed: 10 + step).CopyTo(large.Item2);
                Matrix<float>.RandomNormal(3, 5, 1.0, seed: 20 + step).CopyTo(small.Item2);
                optimizer.Step();
            }
        });
        return [.. large.Item1.Span, .. small.Item1.Span];
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(false, 3)]
    [InlineData(true, 2)]
    [InlineData(true, 3)]
    public void A_large_batch_gathered_in_parts_matches_one_thread(bool fromBytes, int threads)
    {
        // 1,000 examples of 300 values in batches of 64 (19,200 values, above the split length), the last one partial.
        const int examples = 1000, columns = 300;
        byte[] bytes = new byte[examples * columns];
        new Random(5).NextBytes(bytes);
        var floats = Matrix<float>.FromArray(examples, columns, Array.ConvertAll(bytes, b => b / 255f));
        int[] labels = Enumerable.Range(0, examples).Select(i => i % 10).ToArray();
        MiniBatches Batches() => fromBytes
            ? new MiniBatches(bytes, columns, 255f, labels, batchSize: 64, seed: 6)
            : new MiniBatches(floats, labels, batchSize: 64, seed: 6);

        List<(float[] Inputs, int[] Labels)> one = Gather(Batches(), 1), split = Gather(Batches(), threads);
        Assert.Equal(16, one.Count);
        var examplesByRow = Enumerable.Range(0, examples).ToDictionary(i => RowKey(floats.Span.ToArray(), i, columns));
        Assert.Equal(one.Count, split.Count);
        for (int b = 0; b < one.Count; b++)
        {
            Assert.Equal(one[b].Labels, split[b].Labels);
            Assert.Equal(one[b].Inputs, split[b].Inputs);
            // Each row is its example's, whichever thread gathered it.
            for (int row = 0; row < one[b].Labels.Length; row++)
                Assert.Equal(one[b].Labels[row], labels[examplesByRow[RowKey(split[b].Inputs, row, columns)]]);
        }
    }

    private static List<(float[] Inputs, int[] Labels)> Gather(MiniBatches batches, int threads) => TestData.WithThreads(threads, () =>
    {
        var gathered = new List<(float[] Inputs, int[] Labels)>();
        foreach (MiniBatch batch in batches.NextEpoch())
            gathered.Add((batch.Inputs.Span.ToArray(), batch.Labels.ToArray()));
        return gathered;
    });

    private static string RowKey(float[] inputs, int row, int columns) => string.Join(",", inputs.AsSpan(row * columns, columns).ToArray());
}
