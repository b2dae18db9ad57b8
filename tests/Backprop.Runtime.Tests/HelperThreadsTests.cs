using System.Collections.Concurrent;

namespace Backprop.Runtime.Tests;

/// <summary>Alone: a product running beside it would hold the helpers, and then every part runs on the caller.</summary>
[CollectionDefinition(nameof(HelperThreadsTests), DisableParallelization = true)]
public class HelperThreadsCollection;

/// <summary>The background threads that run parts of split products: every part runs once, and helpers, spinning or woken from sleep, take parts.</summary>
[Collection(nameof(HelperThreadsTests))]
public unsafe class HelperThreadsTests
{
    private static readonly ConcurrentDictionary<int, int> s_partsByThread = new();
    private static int[] s_runs = [];

    private static void RecordPart(void* state, int part)
    {
        Interlocked.Increment(ref s_runs[part]);
        s_partsByThread.AddOrUpdate(Environment.CurrentManagedThreadId, 1, (_, n) => n + 1);
        // Part 0 holds its thread until part 1 has started, so that part 1 is a woken helper's to take (unless no helper
        // comes within the time limit, and then the caller takes it, which the test sees).
        long limit = Environment.TickCount64 + 5_000;
        while (part == 0 && Volatile.Read(ref s_runs[1]) == 0 && Environment.TickCount64 < limit)
            Thread.Sleep(1);
    }

    [Fact]
    public void EveryPartRunsOnce_AndAHelperTakesAPart()
    {
        int caller = Environment.CurrentManagedThreadId;
        for (int job = 0; job < 6; job++)
        {
            s_runs = new int[2];
            s_partsByThread.Clear();
            HelperThreads.Run(&RecordPart, null, 2);
            Assert.Equal(new[] { 1, 1 }, s_runs);
            // Some jobs come right after the one before, some after the helper has long been asleep.
            Assert.Contains(s_partsByThread.Keys, thread => thread != caller);
            if (job % 2 == 1)
                Thread.Sleep(50);
        }
    }

    /// <summary>
    /// Jobs spaced from none to twice the time a helper watches for the next one before it blocks, so that some jobs
    /// are published just as it parks: a wake-up lost there would leave part 1 to the caller after part 0's time limit.
    /// </summary>
    [Fact]
    public void AHelperTakesAPart_WhateverTheGapBetweenJobs()
    {
        int caller = Environment.CurrentManagedThreadId;
        var random = new Random(7);
        for (int job = 0; job < 400; job++)
        {
            s_runs = new int[2];
            s_partsByThread.Clear();
            HelperThreads.Run(&RecordPart, null, 2);
            Assert.Equal(new[] { 1, 1 }, s_runs);
            Assert.Contains(s_partsByThread.Keys, thread => thread != caller);
            long gap = (long)(random.NextDouble() * 2 * HelperThreads.SpinTicks);
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            while (System.Diagnostics.Stopwatch.GetTimestamp() - start < gap)
                Thread.SpinWait(10);
        }
    }
}
