using System.Diagnostics;

namespace Backprop.Fuzz.Tests;

/// <summary>A shrunk failure, what shrinking it cost, and whether the budget ran out before no candidate was left.</summary>
internal sealed record ShrinkResult(FuzzFailure Failure, int Candidates, TimeSpan Elapsed, bool Exhausted)
{
    public override string ToString() => Failure + (Exhausted
        ? $"(shrinking stopped at its budget, after {Candidates} candidates in {Elapsed.TotalSeconds:F0} s: the program may shrink further)\n"
        : "");
}

/// <summary>
/// Delta debugging, bounded: tries smaller programs while the program stays valid C#, its loops provably end
/// (<see cref="LoopBounds"/>), and it still fails the same way (<see cref="FuzzFailure.Signature"/>). In rounds,
/// until a round shrinks nothing or the budget (time and number of candidates, each candidate a compilation) runs out: drop a whole statement (never the
/// return); replace a random helper by its simplest body and drop the tangent and the Hessian; drop a single line of a
/// compound statement or a helper (an if's head, one statement of a loop body). A candidate that breaks the braces
/// is not valid C# and is passed over without compiling.
/// </summary>
internal static class Shrinker
{
    public static readonly TimeSpan DefaultTime = TimeSpan.FromSeconds(30);
    public const int DefaultCandidates = 300;

    public static ShrinkResult Shrink(FuzzFailure failure, TimeSpan? time = null, int candidates = DefaultCandidates)
    {
        var search = new Search(failure, time ?? DefaultTime, candidates);
        bool shrunk = true;
        while (shrunk && !search.Exhausted)
        {
            shrunk = false;
            for (int i = search.Program.Statements.Count - 2; i >= 0; i--)
                shrunk |= search.Try(p => p with { Statements = p.Statements.Where((_, k) => k != i).ToArray() });
            for (int i = 0; i < (search.Program.Helpers?.Count ?? 0); i++)
            {
                if (ProgramGenerator.SimplestHelper(search.Program.Helpers![i]) is string simplest && simplest != search.Program.Helpers[i])
                    shrunk |= search.Try(p => p with { Helpers = Replace(p.Helpers!, i, simplest) });
            }
            for (int i = 0; i < (search.Program.Kernels?.Count ?? 0); i++)
            {
                if (ProgramGenerator.SimplestHelper(search.Program.Kernels![i]) is string simplest && simplest != search.Program.Kernels[i])
                    shrunk |= search.Try(p => p with { Kernels = Replace(p.Kernels!, i, simplest) });
            }
            if (search.Program.Tangent)
                shrunk |= search.Try(p => p with { Tangent = false });
            if (search.Program.Hessian)
                shrunk |= search.Try(p => p with { Hessian = false });
            for (int i = search.Program.Statements.Count - 1; i >= 0; i--)
                shrunk |= DropOneLine(search, search.Program.Statements[i], text => p => p with { Statements = Replace(p.Statements, i, text) });
            for (int i = 0; i < (search.Program.Helpers?.Count ?? 0); i++)
                shrunk |= DropOneLine(search, search.Program.Helpers![i], text => p => p with { Helpers = Replace(p.Helpers!, i, text) });
            for (int i = 0; i < (search.Program.Kernels?.Count ?? 0); i++)
                shrunk |= DropOneLine(search, search.Program.Kernels![i], text => p => p with { Kernels = Replace(p.Kernels!, i, text) });
        }
        return new ShrinkResult(search.Failure, search.Candidates, search.Clock.Elapsed, search.Exhausted);
    }

    /// <summary>Drops the first line of <paramref name="text"/> (from the end) whose removal still fails.</summary>
    private static bool DropOneLine(Search search, string text, Func<string, Func<FuzzProgram, FuzzProgram>> with)
    {
        string[] lines = text.Split('\n');
        for (int j = lines.Length - 1; j >= 0 && lines.Length > 1; j--)
        {
            if (search.Try(with(string.Join("\n", lines.Where((_, k) => k != j)))))
                return true;
        }
        return false;
    }

    private static string[] Replace(IReadOnlyList<string> texts, int index, string text) =>
        texts.Select((t, k) => k == index ? text : t).ToArray();

    private sealed class Search(FuzzFailure failure, TimeSpan time, int candidates)
    {
        public FuzzFailure Failure { get; private set; } = failure;
        public FuzzProgram Program => Failure.Program;
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public int Candidates { get; private set; }
        public bool Exhausted => Candidates >= candidates || Clock.Elapsed >= time;

        /// <summary>Compiles and checks the candidate; keeps it if it fails the same way.</summary>
        public bool Try(Func<FuzzProgram, FuzzProgram> change)
        {
            if (Exhausted)
                return false;
            FuzzProgram candidate = change(Program);
            if (!CompiledBatch.IsValidCSharp(new[] { candidate }) || !LoopBounds.AreBounded(candidate))
                return false;
            Candidates++;
            if (FuzzCampaign.Run(new[] { candidate }).Failures.FirstOrDefault(f => f.Signature == Failure.Signature) is not { } smaller)
                return false;
            Failure = smaller;
            return true;
        }
    }
}
