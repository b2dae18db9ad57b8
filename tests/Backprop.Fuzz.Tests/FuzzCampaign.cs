namespace Backprop.Fuzz.Tests;

/// <summary>The outcome of fuzzing a set of programs.</summary>
internal sealed record CampaignResult(int Programs, IReadOnlyList<FuzzFailure> Failures, CheckCounts Counts)
{
    public int WrongGradients => Failures.Count(f => f.Kind == FailureKind.WrongGradient);

    public int GeneratorExceptions => Failures.Count(f => f.Kind == FailureKind.Generator);

    public string Summary =>
        $"fuzz: {Programs} programs, {WrongGradients} wrong gradients, {GeneratorExceptions} generator exceptions " +
        $"({Counts.Checked} gradient components checked, {Counts.Skipped} skipped as unstable)";

    /// <summary>The summary, then each failure shrunk to its fewest statements, with its seed, point and source.</summary>
    public string Report() =>
        string.Join("\n\n", Failures.Select(Shrinker.Shrink).Select(f => f.ToString()).Prepend(Summary));
}

/// <summary>Generates, compiles and checks programs, <see cref="BatchSize"/> to an assembly to amortise compilation.</summary>
internal static class FuzzCampaign
{
    public const int BatchSize = 50;

    /// <summary>Fuzzes the programs of seeds <paramref name="firstSeed"/> … <paramref name="firstSeed"/> + <paramref name="count"/> − 1.</summary>
    public static CampaignResult Run(int firstSeed, int count, Action<string>? progress = null)
    {
        var failures = new List<FuzzFailure>();
        var counts = new CheckCounts();
        for (int start = 0; start < count; start += BatchSize)
        {
            FuzzProgram[] batch = Enumerable.Range(firstSeed + start, Math.Min(BatchSize, count - start)).Select(ProgramGenerator.Generate).ToArray();
            CampaignResult result = Run(batch);
            failures.AddRange(result.Failures);
            counts += result.Counts;
            foreach (FuzzFailure failure in result.Failures)
                progress?.Invoke($"seed {failure.Program.Seed}: {failure.Kind}: {failure.Detail}");
            progress?.Invoke($"seeds {firstSeed} … {firstSeed + start + batch.Length - 1}: {failures.Count} failures");
        }
        return new CampaignResult(count, failures, counts);
    }

    public static CampaignResult Run(IReadOnlyList<FuzzProgram> programs)
    {
        using CompiledBatch batch = CompiledBatch.Compile(programs);
        var failures = batch.Failures.ToList();
        var counts = new CheckCounts();
        foreach (FuzzProgram program in batch.Loaded)
        {
            var (failure, checkedCounts) = GradientChecker.Check(program, batch.Assembly!);
            counts += checkedCounts;
            if (failure is not null)
                failures.Add(failure);
        }
        return new CampaignResult(programs.Count, failures, counts);
    }
}
