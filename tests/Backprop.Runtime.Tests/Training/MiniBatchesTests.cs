using Backprop.Training;

namespace Backprop.Runtime.Tests.Training;

/// <remarks>
/// With the tests that change the thread count: a large batch is gathered on the matrix threads, and a thread count
/// raised beside an allocation check would start a helper, allocating, in the middle of it.
/// </remarks>
[Collection(ThreadCountCollection.Name)]
public class MiniBatchesTests
{
    // Example i has inputs (i, −i) and label 1000 + i, so a batch row tells which example it came from.
    private static MiniBatches Numbered(int count, int batchSize, int seed)
    {
        var inputs = new Matrix<float>(count, 2);
        for (int i = 0; i < count; i++)
        {
            inputs[i, 0] = i;
            inputs[i, 1] = -i;
        }
        return new MiniBatches(inputs, Enumerable.Range(1000, count).ToArray(), batchSize, seed);
    }

    private static List<int> ExamplesOfOneEpoch(MiniBatches batches, List<int>? batchSizes = null)
    {
        var examples = new List<int>();
        foreach (MiniBatch batch in batches.NextEpoch())
        {
            batchSizes?.Add(batch.Count);
            for (int row = 0; row < batch.Count; row++)
            {
                int example = (int)batch.Inputs[row, 0];
                Assert.Equal(-example, batch.Inputs[row, 1]);
                Assert.Equal(1000 + example, batch.Labels.Span[row]);
                examples.Add(example);
            }
        }
        return examples;
    }

    [Fact]
    public void Every_epoch_covers_every_example_once_with_a_partial_last_batch()
    {
        var batches = Numbered(count: 23, batchSize: 5, seed: 7);
        Assert.Equal(5, batches.BatchesPerEpoch);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            var sizes = new List<int>();
            var examples = ExamplesOfOneEpoch(batches, sizes);
            Assert.Equal([5, 5, 5, 5, 3], sizes);
            Assert.Equal(Enumerable.Range(0, 23), examples.Order());
        }
    }

    [Fact]
    public void Order_is_shuffled_reproducible_and_seed_dependent()
    {
        var first = ExamplesOfOneEpoch(Numbered(100, 10, seed: 1));
        var again = ExamplesOfOneEpoch(Numbered(100, 10, seed: 1));
        var otherSeed = ExamplesOfOneEpoch(Numbered(100, 10, seed: 2));

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
        Assert.NotEqual(Enumerable.Range(0, 100), first);
    }

    [Fact]
    public void Each_epoch_draws_a_new_order()
    {
        var batches = Numbered(100, 10, seed: 3);
        Assert.NotEqual(ExamplesOfOneEpoch(batches), ExamplesOfOneEpoch(batches));
        Assert.Equal(2, batches.EpochsStarted);
    }

    [Fact]
    public void Batches_reuse_two_preallocated_buffers_and_allocate_nothing()
    {
        var batches = Numbered(count: 1000, batchSize: 64, seed: 0);
        var buffers = new HashSet<Matrix<float>>(ReferenceEqualityComparer.Instance);
        foreach (MiniBatch batch in batches.NextEpoch())
            buffers.Add(batch.Inputs);
        Assert.Equal(2, buffers.Count);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int seen = 0;
        foreach (MiniBatch batch in batches.NextEpoch())
            seen += batch.Count;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, seen);
    }

    [Fact]
    public void A_batch_larger_than_the_data_set_is_one_batch_of_everything()
    {
        var sizes = new List<int>();
        var examples = ExamplesOfOneEpoch(Numbered(count: 7, batchSize: 100, seed: 0), sizes);
        Assert.Equal([7], sizes);
        Assert.Equal(Enumerable.Range(0, 7), examples.Order());
    }

    [Fact]
    public void An_enumerator_of_a_superseded_epoch_refuses_to_continue()
    {
        var batches = Numbered(10, 3, seed: 0);
        var stale = batches.NextEpoch().GetEnumerator();
        Assert.True(stale.MoveNext());
        batches.NextEpoch();
        Assert.Throws<InvalidOperationException>(() => stale.MoveNext());
    }

    [Fact]
    public void Labels_must_match_input_rows()
    {
        var error = Assert.Throws<ArgumentException>(() => new MiniBatches(new Matrix<float>(4, 2), [1, 2, 3], 2, 0));
        Assert.Contains("3 labels for 4 input rows", error.Message);
    }
}
