namespace Backprop.Testing;

/// <summary>What code allocates once warm, for the tests that require derivative methods and training steps to allocate nothing.</summary>
public static class SteadyState
{
    /// <summary>
    /// Bytes <paramref name="calls"/> calls of <paramref name="call"/> allocate on this thread after one warm-up call. The
    /// runtime may promote a method to optimized code while it runs, which can allocate once on the thread; a call that
    /// allocates allocates in every attempt, so the least of three attempts is taken.
    /// </summary>
    public static long Allocated(Action call, int calls = 10)
    {
        call();
        long allocated = long.MaxValue;
        for (int attempt = 0; attempt < 3 && allocated != 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++)
                call();
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return allocated;
    }
}
