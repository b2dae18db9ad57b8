using System.Runtime.Intrinsics.X86;

namespace Backprop.Training;

/// <summary>
/// Cuts a data set of N examples (one per row of an input matrix, with an integer label each) into
/// shuffled mini-batches. Each epoch visits every example exactly once, in an order drawn from the
/// seed; the last batch holds the remaining N mod B examples when B does not divide N.
/// </summary>
/// <remarks>
/// Batches are copied into buffers allocated once by the constructor: a B-row matrix, and for a last,
/// partial batch a second matrix of its smaller shape (so a batch's <see cref="MiniBatch.Inputs"/> always
/// has exactly one row per example). A batch is therefore valid only until the enumerator moves on.
/// The examples may also be kept as bytes (see the byte constructor): each batch row is then widened to floats
/// as it is gathered, which reads a quarter of the memory of a float data set.
/// </remarks>
public sealed class MiniBatches
{
    private readonly Matrix<float>? _inputs;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly float _divisor;
    private readonly int _columns;
    private readonly int[] _labels;
    private readonly int[] _order;
    private readonly Random _random;
    private readonly Matrix<float> _fullBatch;
    private readonly Matrix<float>? _partialBatch;
    private readonly int[] _batchLabels;

    /// <summary>How many rows ahead the gather from bytes asks for: see <see cref="Fill"/>.</summary>
    private const int ByteRowsAhead = 8;

    /// <summary>Prepares batches of <paramref name="batchSize"/> rows of <paramref name="inputs"/> with their <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">There are no examples, or the number of labels differs from the number of input rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public MiniBatches(Matrix<float> inputs, int[] labels, int batchSize, int seed)
        : this(RowsOf(inputs), inputs.Columns, labels, batchSize, seed)
    {
        _inputs = inputs;
    }

    /// <summary>
    /// Prepares batches of <paramref name="batchSize"/> examples kept as bytes: example i is the
    /// <paramref name="columns"/> bytes from <c>i · columns</c> in <paramref name="inputs"/>, and its batch row holds
    /// <c>(float)b / divisor</c> for each byte b (for MNIST's pixels a divisor of 255 gives the same floats as
    /// <see cref="Data.IdxImages.ToMatrix"/>, bit for bit: the division is the same IEEE division, only vectorised).
    /// </summary>
    /// <exception cref="ArgumentException">There are no examples, the length of <paramref name="inputs"/> is not a multiple of <paramref name="columns"/>, or the number of labels differs from the number of examples.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columns"/> or <paramref name="batchSize"/> is not positive, or <paramref name="divisor"/> is not a finite nonzero number.</exception>
    public MiniBatches(ReadOnlyMemory<byte> inputs, int columns, float divisor, int[] labels, int batchSize, int seed)
        : this(RowsOf(inputs, columns), columns, labels, batchSize, seed)
    {
        if (!float.IsFinite(divisor) || divisor == 0)
            throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "The divisor must be a finite nonzero number.");
        _bytes = inputs;
        _divisor = divisor;
    }

    private MiniBatches(int rows, int columns, int[] labels, int batchSize, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (rows == 0)
            throw new ArgumentException("There are no examples to batch: the input matrix has no rows.", "inputs");
        if (labels.Length != rows)
            throw new ArgumentException($"{labels.Length} labels for {rows} input rows; every row needs one label.", nameof(labels));
        ExampleCount = rows;
        _columns = columns;
        _labels = labels;
        _order = Enumerable.Range(0, rows).ToArray();
        _random = new Random(seed);
        int fullBatchSize = Math.Min(batchSize, rows);
        _fullBatch = new Matrix<float>(fullBatchSize, columns);
        int remainder = rows % fullBatchSize;
        _partialBatch = remainder == 0 ? null : new Matrix<float>(remainder, columns);
        _batchLabels = new int[fullBatchSize];
        BatchSize = batchSize;
    }

    private static int RowsOf(Matrix<float> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs.Rows;
    }

    private static int RowsOf(ReadOnlyMemory<byte> inputs, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (inputs.Length % columns != 0)
            throw new ArgumentException($"{inputs.Length} bytes are not whole examples of {columns} bytes.", nameof(inputs));
        return inputs.Length / columns;
    }

    /// <summary>N, the number of examples.</summary>
    public int ExampleCount { get; }

    /// <summary>B, the most examples in one batch.</summary>
    public int BatchSize { get; }

    /// <summary>⌈N / B⌉, the number of batches in an epoch, the last one partial when B does not divide N.</summary>
    public int BatchesPerEpoch => (ExampleCount + BatchSize - 1) / BatchSize;

    /// <summary>How many epochs <see cref="NextEpoch"/> has started.</summary>
    public int EpochsStarted { get; private set; }

    /// <summary>
    /// Draws a new order of the examples and returns the epoch's batches, for <c>foreach</c>. The order
    /// of epoch k depends only on the seed and k. Starting another epoch invalidates this one's enumerator.
    /// </summary>
    public Epoch NextEpoch()
    {
        _random.Shuffle(_order);
        EpochsStarted++;
        return new Epoch(this, EpochsStarted);
    }

    /// <summary>
    /// Copies the batch's examples into the batch buffer. The examples are rows scattered over a data set far larger
    /// than the caches (MNIST's training images are 188 MB in float), so each row starts with a miss to memory that the
    /// hardware prefetcher cannot foresee; the next row's cache lines are therefore requested while this one is
    /// copied, which overlaps the two rows' memory latency (at MNIST's shapes a 100-row batch took 28 µs without,
    /// 20 µs with, on the 2-core AVX-512 machine of the README's benchmarks). A row of bytes is a quarter as long (13
    /// cache lines for MNIST), so the gather from bytes asks for the row <see cref="ByteRowsAhead"/> ahead, keeping more
    /// misses in flight: an MNIST-sized epoch of gathers (<c>MiniBatchGatherBenchmarks</c>) took 5.7 ms one row ahead,
    /// 4.7 two, 3.7 four, 3.3 eight and 3.5 sixteen.
    /// </summary>
    private unsafe MiniBatch Fill(int batchIndex)
    {
        int start = batchIndex * BatchSize;
        int count = Math.Min(BatchSize, ExampleCount - start);
        Matrix<float> batch = count == _fullBatch.Rows ? _fullBatch : _partialBatch!;
        int parts = (long)count * _columns >= SplitElements ? Math.Min(MatrixOps.MaxDegreeOfParallelism, count) : 1;
        fixed (float* output = batch.Span)
        fixed (int* order = _order.AsSpan(start, count))
        fixed (float* floats = _inputs is null ? default : _inputs.Span)
        fixed (byte* bytes = _bytes.Span)
        {
            var job = new FillJob
            {
                Output = output, Order = order, Floats = floats, Bytes = bytes,
                Columns = _columns, Count = count, Divisor = _divisor, Parts = parts,
            };
            HelperThreads.Run(&FillPart, &job, parts);
        }
        for (int row = 0; row < count; row++)
            _batchLabels[row] = _labels[_order[start + row]];
        return new MiniBatch(batchIndex, batch, _batchLabels.AsMemory(0, count));
    }

    /// <summary>
    /// Batch elements from which a batch is gathered in parts on up to <see cref="MatrixOps.MaxDegreeOfParallelism"/>
    /// threads (16,384: MNIST's 100 rows of 784 are 78,400). Each thread waits on its own misses to memory, and the
    /// batch buffer's cache lines, which both threads of the last step's products read, are taken back by both cores at
    /// once. At MNIST's shapes with two threads, an epoch's gathers between training steps took 21–22 ms on the
    /// calling thread and 13–14 ms in two parts; alone, 8.4 ms and 5–6 ms.
    /// </summary>
    private const int SplitElements = 16 * 1024;

    /// <summary>One batch's gather; lives on the caller's stack while the parts run.</summary>
    private unsafe struct FillJob
    {
        public float* Output;
        public int* Order;
        public float* Floats;
        public byte* Bytes;
        public int Columns, Count, Parts;
        public float Divisor;
    }

    /// <summary>Rows of part <paramref name="part"/>'s share of the batch, gathered as <see cref="Fill"/> describes.</summary>
    private static unsafe void FillPart(void* state, int part)
    {
        ref readonly FillJob job = ref *(FillJob*)state;
        (int first, int end) = Gemm<float>.Share(job.Count, job.Parts, part);
        int columns = job.Columns;
        int* order = job.Order;
        float* output = job.Output;
        if (job.Floats is not null)
        {
            for (int row = first; row < end; row++)
            {
                if (row + 1 < end)
                    PrefetchRow((byte*)(job.Floats + (long)order[row + 1] * columns), columns * sizeof(float));
                new ReadOnlySpan<float>(job.Floats + (long)order[row] * columns, columns).CopyTo(new Span<float>(output + (long)row * columns, columns));
            }
            return;
        }
        for (int ahead = first + 1; ahead < first + ByteRowsAhead && ahead < end; ahead++)
            PrefetchRow(job.Bytes + (long)order[ahead] * columns, columns);
        for (int row = first; row < end; row++)
        {
            if (row + ByteRowsAhead < end)
                PrefetchRow(job.Bytes + (long)order[row + ByteRowsAhead] * columns, columns);
            Data.BytesToFloats.Widen(job.Bytes + (long)order[row] * columns, output + (long)row * columns, columns, job.Divisor);
        }
    }

    /// <summary>Asks for every cache line of a row of <paramref name="bytes"/> bytes, where the hardware takes such hints.</summary>
    private static unsafe void PrefetchRow(byte* row, int bytes)
    {
        if (!Sse.IsSupported)
            return;
        byte* end = row + bytes;
        for (byte* line = (byte*)((nuint)row & ~(nuint)63); line < end; line += 64)
            Sse.Prefetch0(line);
    }

    /// <summary>The batches of one epoch.</summary>
    public readonly struct Epoch
    {
        private readonly MiniBatches _owner;
        private readonly int _epoch;

        internal Epoch(MiniBatches owner, int epoch)
        {
            _owner = owner;
            _epoch = epoch;
        }

        /// <summary>An enumerator that fills the shared buffers with each batch in turn.</summary>
        public Enumerator GetEnumerator() => new(_owner, _epoch);
    }

    /// <summary>Fills the shared buffers with each batch of one epoch in turn; allocates nothing.</summary>
    public struct Enumerator
    {
        private readonly MiniBatches _owner;
        private readonly int _epoch;
        private int _batchIndex;

        internal Enumerator(MiniBatches owner, int epoch)
        {
            _owner = owner;
            _epoch = epoch;
            _batchIndex = -1;
            Current = default;
        }

        /// <summary>The batch filled by the last <see cref="MoveNext"/>.</summary>
        public MiniBatch Current { get; private set; }

        /// <summary>Fills the next batch; false after the last.</summary>
        /// <exception cref="InvalidOperationException">A later epoch has started, so this epoch's order is gone.</exception>
        public bool MoveNext()
        {
            if (_owner.EpochsStarted != _epoch)
                throw new InvalidOperationException($"Epoch {_epoch} was superseded by epoch {_owner.EpochsStarted}; its batches can no longer be read.");
            if (_batchIndex + 1 >= _owner.BatchesPerEpoch)
                return false;
            _batchIndex++;
            Current = _owner.Fill(_batchIndex);
            return true;
        }
    }
}

/// <summary>
/// One mini-batch: the inputs of its examples, one per row, and their labels. Both live in buffers that
/// the next batch overwrites.
/// </summary>
/// <param name="Index">The batch's position in its epoch, from 0.</param>
/// <param name="Inputs">One row per example; its row count is the batch's size.</param>
/// <param name="Labels">One label per example, in the order of the rows.</param>
public readonly record struct MiniBatch(int Index, Matrix<float> Inputs, ReadOnlyMemory<int> Labels)
{
    /// <summary>The number of examples in the batch.</summary>
    public int Count => Inputs.Rows;
}
