using System.Diagnostics;

namespace Backprop;

/// <summary>
/// A few long-lived background threads that run the parts of a split computation beside the caller.
/// Unlike <see cref="Parallel.For(int, int, Action{int})"/>, starting work allocates nothing: the work is a
/// static function pointer and an untyped pointer to the caller's state.
/// </summary>
/// <remarks>
/// Parts are claimed, not assigned: the caller and every helper awake take the next unclaimed part until
/// none is left. On a busy machine a helper may wake late; the caller then simply runs that part itself, so
/// a split computation is never much slower than running it on one thread. A claim is a compare-and-swap on
/// (job generation, next part) in one 64-bit word, so a helper that wakes after its job has ended cannot
/// claim a part of the next job with the previous job's state.
/// </remarks>
internal static unsafe class HelperThreads
{
    /// <summary>The "next part" value of a job whose parts are all done: larger than any part count.</summary>
    private const int Closed = int.MaxValue;

    /// <summary>
    /// How long (half a millisecond) a helper that has run its parts keeps watching for the next job before it blocks
    /// on its semaphore. Waking a blocked thread takes tens of microseconds, as long as many of the products split
    /// across the helpers, and a helper woken late leaves its part to the caller; a training step runs its next product
    /// well within this, even after a batch is gathered between two steps. Measured side by side, two-thread MNIST
    /// epochs (784-100-10) took 0.139–0.160 s with helpers that blocked at once and 0.123–0.126 s with this; at 1,024
    /// hidden units, 1.19 s and 1.03–1.07 s. The watch yields the core to other threads as it spins.
    /// </summary>
    internal static readonly long SpinTicks = Stopwatch.Frequency / 2000;

    private static readonly Lock s_gate = new();
    private static Helper[] s_helpers = [];

    // The current job; written only by the caller holding s_gate, before it publishes s_claim.
    private static delegate*<void*, int, void> s_work;
    private static void* s_state;
    private static int s_parts;
    private static int s_finishedParts;
    private static int s_generation;
    private static long s_claim = Closed;

    /// <summary>
    /// Runs <c>work(state, 0)</c> … <c>work(state, parts − 1)</c> on the calling thread and up to
    /// <c>parts − 1</c> helpers, and returns when all are done. When another caller is using the helpers,
    /// every part runs on the calling thread.
    /// </summary>
    public static void Run(delegate*<void*, int, void> work, void* state, int parts) => Run(work, state, parts, parts);

    /// <summary>
    /// Runs the parts as the overload without a thread count does, on at most <paramref name="threads"/> threads
    /// (the caller and <c>threads − 1</c> helpers), which claim the parts until none is left: with more parts than
    /// threads, a helper that the machine runs late holds up the call by one small part, not by a whole share.
    /// </summary>
    public static void Run(delegate*<void*, int, void> work, void* state, int parts, int threads)
    {
        int helpers = Math.Min(parts, threads) - 1;
        if (helpers <= 0 || !s_gate.TryEnter())
        {
            for (int part = 0; part < parts; part++)
                work(state, part);
            return;
        }
        try
        {
            while (s_helpers.Length < helpers)
                s_helpers = [.. s_helpers, Helper.Start(s_helpers.Length)];
            s_work = work;
            s_state = state;
            s_parts = parts;
            s_finishedParts = 0;
            int generation = ++s_generation;
            Volatile.Write(ref s_claim, (long)generation << 32);
            for (int helper = 0; helper < helpers; helper++)
                s_helpers[helper].Wake();

            RunUnclaimedParts();
            // The parts left are running on helpers and end within microseconds: spin and yield, never Sleep(1), which
            // SpinWait's default does after 20 spins and which oversleeps by a millisecond or more (it made two-thread
            // MNIST epochs 0.068–0.126 s; without it, 0.059–0.072 s, in runs side by side).
            var wait = new SpinWait();
            while (Volatile.Read(ref s_finishedParts) < parts)
                wait.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref s_claim, ((long)generation << 32) | Closed);
        }
        finally
        {
            s_gate.Exit();
        }
    }

    private static void RunUnclaimedParts()
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            int next = (int)claim;
            // Read after the claim: a live claim guarantees these belong to its job (see remarks).
            delegate*<void*, int, void> work = s_work;
            void* state = s_state;
            if (next >= s_parts)
                return;
            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) != claim)
                continue;
            work(state, next);
            Interlocked.Increment(ref s_finishedParts);
        }
    }

    private static int Generation => (int)(Volatile.Read(ref s_claim) >> 32);

    /// <summary>
    /// A helper thread. It runs the parts of each new job, watches for the next one for <see cref="SpinTicks"/>, then
    /// raises its parked flag and blocks until a caller releases it. Every release is consumed: a caller releases only
    /// a helper whose flag it turned from 1 to 0, and a helper that raised its flag and then saw a job either takes
    /// its flag back or, if a caller took it first, waits for that caller's release. The flag is set and taken with
    /// interlocked exchanges, full fences, so a helper cannot miss a job published as it parks.
    /// </summary>
    private sealed class Helper
    {
        private readonly SemaphoreSlim _wakeUp = new(0);
        private int _parked;

        public static Helper Start(int index)
        {
            var helper = new Helper();
            new Thread(helper.Loop) { IsBackground = true, Name = $"Backprop matrix helper {index + 1}" }.Start();
            return helper;
        }

        /// <summary>Releases the helper if it is parked; called after a job is published.</summary>
        public void Wake()
        {
            if (Interlocked.Exchange(ref _parked, 0) == 1)
                _wakeUp.Release();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                var wait = new SpinWait();
                while (Generation == seen && Stopwatch.GetTimestamp() - start < SpinTicks)
                    wait.SpinOnce(sleep1Threshold: -1);
                if (Generation != seen)
                {
                    seen = Generation;
                    RunUnclaimedParts();
                    continue;
                }
                Interlocked.Exchange(ref _parked, 1);
                if (Generation != seen && Interlocked.Exchange(ref _parked, 0) == 1)
                    continue;
                _wakeUp.Wait();
            }
        }
    }
}
