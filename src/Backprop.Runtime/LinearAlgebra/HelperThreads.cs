namespace Backprop;

/// <summary>
/// A few long-lived background threads that run the parts of a split computation beside the caller.
/// Unlike <see cref="Parallel.For(int, int, Action{int})"/>, starting work allocates nothing: the work is a
/// static function pointer and an untyped pointer to the caller's state.
/// </summary>
/// <remarks>
/// Parts are claimed, not assigned: the caller and every woken helper take the next unclaimed part until
/// none is left. On a busy machine a helper may wake late; the caller then simply runs that part itself, so
/// a split computation is never much slower than running it on one thread. A claim is a compare-and-swap on
/// (job generation, next part) in one 64-bit word, so a helper that wakes after its job has ended cannot
/// claim a part of the next job with the previous job's state.
/// </remarks>
internal static unsafe class HelperThreads
{
    /// <summary>The "next part" value of a job whose parts are all done: larger than any part count.</summary>
    private const int Closed = int.MaxValue;

    private static readonly Lock s_gate = new();
    private static SemaphoreSlim[] s_wakeUps = [];

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
            while (s_wakeUps.Length < helpers)
                s_wakeUps = [.. s_wakeUps, StartHelper(s_wakeUps.Length)];
            s_work = work;
            s_state = state;
            s_parts = parts;
            s_finishedParts = 0;
            int generation = ++s_generation;
            Volatile.Write(ref s_claim, (long)generation << 32);
            for (int helper = 0; helper < helpers; helper++)
                s_wakeUps[helper].Release();

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

    private static SemaphoreSlim StartHelper(int index)
    {
        var wakeUp = new SemaphoreSlim(0);
        var thread = new Thread(() =>
        {
            while (true)
            {
                wakeUp.Wait();
                RunUnclaimedParts();
            }
        })
        { IsBackground = true, Name = $"Backprop matrix helper {index + 1}" };
        thread.Start();
        return wakeUp;
    }
}
