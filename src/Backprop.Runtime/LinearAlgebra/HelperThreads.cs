namespace Backprop;

/// <summary>
/// A few long-lived background threads that run the parts of a split computation beside the caller.
/// Unlike <see cref="Parallel.For(int, int, Action{int})"/>, starting work allocates nothing: the work is a
/// static function pointer and an untyped pointer to the caller's state, which stays valid because the
/// caller waits for every part before returning.
/// </summary>
internal static unsafe class HelperThreads
{
    private static readonly Lock s_gate = new();
    private static Helper[] s_helpers = [];

    /// <summary>
    /// Runs <c>work(state, 0)</c> … <c>work(state, parts − 1)</c>, part 0 on the calling thread and the others
    /// on helpers, and returns when all are done. When another caller holds the helpers, every part runs on
    /// the calling thread instead: still correct, just not parallel.
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
            if (s_helpers.Length < parts - 1)
                s_helpers = [.. s_helpers, .. Enumerable.Range(s_helpers.Length, parts - 1 - s_helpers.Length).Select(i => new Helper(i))];
            for (int part = 1; part < parts; part++)
                s_helpers[part - 1].Start(work, state, part);
            work(state, 0);
            for (int part = 1; part < parts; part++)
                s_helpers[part - 1].Finished.Wait();
        }
        finally
        {
            s_gate.Exit();
        }
    }

    private sealed class Helper
    {
        private readonly SemaphoreSlim _started = new(0);
        private delegate*<void*, int, void> _work;
        private void* _state;
        private int _part;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Backprop matrix helper {index + 1}" };
            thread.Start();
        }

        public SemaphoreSlim Finished { get; } = new(0);

        public void Start(delegate*<void*, int, void> work, void* state, int part)
        {
            _work = work;
            _state = state;
            _part = part;
            _started.Release();
        }

        private void Loop()
        {
            while (true)
            {
                _started.Wait();
                _work(_state, _part);
                Finished.Release();
            }
        }
    }
}
