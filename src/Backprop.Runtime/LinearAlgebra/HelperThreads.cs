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
/// <para>
/// A helper that runs out of parts watches for the next job for <see cref="WatchMicroseconds"/> before it goes to
/// sleep: a training step starts its products tens of microseconds apart, and waking a sleeping thread takes about
/// as long as half a product, so a helper that slept between them would rarely claim its part in time. Only a
/// sleeping helper is woken (a flag exchanged on both sides, so that no wake-up is lost or left over).
/// </para>
/// </remarks>
internal static unsafe class HelperThreads
{
    /// <summary>The "next part" value of a job whose parts are all done: larger than any part count.</summary>
    private const int Closed = int.MaxValue;

    /// <summary>How long a helper without work keeps watching for the next job before it sleeps.</summary>
    private const int WatchMicroseconds = 200;

    private static readonly long s_watchTicks = System.Diagnostics.Stopwatch.Frequency * WatchMicroseconds / 1_000_000;
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
    public static void Run(delegate*<void*, int, void> work, void* state, int parts)
    {
        if (parts == 1 || !s_gate.TryEnter())
        {
            for (int part = 0; part < parts; part++)
                work(state, part);
            return;
        }
        try
        {
            while (s_helpers.Length < parts - 1)
                s_helpers = [.. s_helpers, Helper.Start(s_helpers.Length + 1)];
            s_work = work;
            s_state = state;
            s_parts = parts;
            s_finishedParts = 0;
            int generation = ++s_generation;
            Volatile.Write(ref s_claim, (long)generation << 32);
            for (int helper = 0; helper < parts - 1; helper++)
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

    /// <summary>Whether the current job has a part nobody has claimed yet.</summary>
    private static bool HasUnclaimedPart() => (int)Volatile.Read(ref s_claim) < Volatile.Read(ref s_parts);

    /// <summary>Watches for a job with an unclaimed part for <see cref="WatchMicroseconds"/>; whether one came.</summary>
    private static bool WatchForJob()
    {
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + s_watchTicks;
        while (!HasUnclaimedPart())
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline)
                return false;
            Thread.SpinWait(20);
        }
        return true;
    }

    /// <summary>One background thread, and how it is woken.</summary>
    private sealed class Helper
    {
        private readonly SemaphoreSlim _wakeUp = new(0);

        /// <summary>1 while the thread sleeps (or is about to) and nobody has woken it.</summary>
        private int _sleeping;

        public static Helper Start(int number)
        {
            var helper = new Helper();
            new Thread(helper.Loop) { IsBackground = true, Name = $"Backprop matrix helper {number}" }.Start();
            return helper;
        }

        /// <summary>Called after a job is published: wakes the thread if it sleeps; a watching one finds the job itself.</summary>
        public void Wake()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1)
                _wakeUp.Release();
        }

        private void Loop()
        {
            while (true)
            {
                RunUnclaimedParts();
                if (WatchForJob())
                    continue;
                Interlocked.Exchange(ref _sleeping, 1);
                // A job published before the flag was set woke nobody: take it, unless the caller has cleared the flag
                // since, in which case its wake-up is on the way and must be consumed.
                if (HasUnclaimedPart() && Interlocked.Exchange(ref _sleeping, 0) == 1)
                    continue;
                _wakeUp.Wait();
            }
        }
    }
}
