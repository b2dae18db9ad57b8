using Backprop.Data;
using Backprop.Training;

namespace Backprop.Runtime.Tests.Training;

/// <summary>Mini-batches gathered from examples kept as bytes, widened to floats with a divisor.</summary>
/// <remarks>
/// With the tests that change the thread count: a large batch is gathered on the matrix threads, and a thread count
/// raised beside an allocation check would start a helper, allocating, in the middle of it.
/// </remarks>
[Collection(ThreadCountCollection.Name)]
public class ByteMiniBatchesTests
{
    [Fact]
    public void Widening_gives_the_loaders_floats_bit_for_bit_for_all_256_bytes()
    {
        // Every byte at every position of a vector and of the scalar tail: 256 + 23 values, so the last 23 go through the tail.
        byte[] source = new byte[256 + 23];
        for (int i = 0; i < source.Length; i++)
            source[i] = (byte)i;
        float[] widened = [];
        foreach (MiniBatch batch in new MiniBatches(source, source.Length, 255f, [0], batchSize: 1, seed: 0).NextEpoch())
            widened = batch.Inputs.Span.ToArray();
        Assert.Equal(source.Length, widened.Length);
        float[] loaded = new IdxImages(1, 1, source.Length, source).ToMatrix().Span.ToArray();
        for (int i = 0; i < source.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(loaded[i]), BitConverter.SingleToInt32Bits(widened[i]));
    }

    [Fact]
    public void The_reciprocal_product_would_not_do()
    {
        // Why the gather divides: multiplying by 1/255 rounds differently for some bytes.
        Assert.Contains(Enumerable.Range(0, 256), k => (float)k / 255f != k * (1f / 255f));
    }

    [Theory]
    [InlineData(23, 5, 1)]
    [InlineData(23, 5, 7)]
    [InlineData(100, 10, 784)]
    [InlineData(37, 8, 33)]
    [InlineData(7, 100, 17)]
    public void Byte_batches_match_float_batches_of_the_same_data(int count, int batchSize, int columns)
    {
        byte[] pixels = new byte[count * columns];
        new Random(count * 31 + columns).NextBytes(pixels);
        int[] labels = Enumerable.Range(0, count).ToArray();
        var floats = new MiniBatches(new IdxImages(count, 1, columns, pixels).ToMatrix(), labels, batchSize, seed: 5);
        var bytes = new MiniBatches(pixels, columns, 255f, labels, batchSize, seed: 5);
        Assert.Equal(floats.BatchesPerEpoch, bytes.BatchesPerEpoch);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var expected = new List<(float[] Inputs, int[] Labels)>();
            foreach (MiniBatch batch in floats.NextEpoch())
                expected.Add((batch.Inputs.Span.ToArray(), batch.Labels.ToArray()));
            int index = 0;
            foreach (MiniBatch batch in bytes.NextEpoch())
            {
                Assert.Equal(expected[index].Labels.Length, batch.Count);
                Assert.Equal(columns, batch.Inputs.Columns);
                Assert.Equal(expected[index].Labels, batch.Labels.ToArray());
                Assert.Equal(expected[index].Inputs, batch.Inputs.Span.ToArray());
                index++;
            }
            Assert.Equal(expected.Count, index);
        }
    }

    [Fact]
    public void Rows_are_the_examples_divided_by_the_divisor()
    {
        byte[] pixels = [0, 1, 2, 3, 4, 5];
        var batches = new MiniBatches(pixels, columns: 3, divisor: 2f, [10, 11], batchSize: 2, seed: 0);
        foreach (MiniBatch batch in batches.NextEpoch())
            for (int row = 0; row < batch.Count; row++)
            {
                int example = batch.Labels.Span[row] - 10;
                Assert.Equal([example * 1.5f, example * 1.5f + 0.5f, example * 1.5f + 1f], batch.Inputs.Row(row).ToArray());
            }
    }

    [Fact]
    public void Byte_batches_allocate_nothing_after_the_first_epoch()
    {
        byte[] pixels = new byte[1000 * 784];
        new Random(1).NextBytes(pixels);
        var batches = new MiniBatches(pixels, 784, 255f, new int[1000], batchSize: 64, seed: 0);
        foreach (MiniBatch _ in batches.NextEpoch()) { }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int seen = 0;
        foreach (MiniBatch batch in batches.NextEpoch())
            seen += batch.Count;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, seen);
    }

    [Fact]
    public void Bytes_must_be_whole_examples_and_the_divisor_usable()
    {
        var error = Assert.Throws<ArgumentException>(() => new MiniBatches(new byte[7], 3, 255f, [0, 0], 2, 0));
        Assert.Contains("not whole examples of 3 bytes", error.Message);
        Assert.Contains("2 labels for 3 input rows", Assert.Throws<ArgumentException>(() => new MiniBatches(new byte[9], 3, 255f, [0, 0], 2, 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniBatches(new byte[6], 3, 0f, [0, 0], 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniBatches(new byte[6], 0, 255f, [0, 0], 2, 0));
        Assert.Throws<ArgumentException>(() => new MiniBatches(ReadOnlyMemory<byte>.Empty, 3, 255f, [], 2, 0));
    }
}
