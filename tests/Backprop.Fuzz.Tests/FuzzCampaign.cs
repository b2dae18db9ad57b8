namespace Backprop.Fuzz.Tests;

/// <summary>The outcome of fuzzing a set of programs.</summary>
/// <param name="Refused">Programs that pass a varying value to a <c>[NoDerivative]</c> parameter and got BP1009, as they must.</param>
internal sealed record CampaignResult(int Programs, IReadOnlyList<FuzzFailure> Failures, CheckCounts Counts, int Refused)
{
    /// <summary>How many failures <see cref="Report"/> shrinks; the rest are printed as found.</summary>
    public const int MaxShrunk = 10;

    public int WrongGradients => Failures.Count(f => f.Kind == FailureKind.WrongGradient);

    public int GeneratorExceptions => Failures.Count(f => f.Kind == FailureKind.Generator);

    public int Hangs => Failures.Count(f => f.Kind == FailureKind.Hang);

    public string Summary =>
        $"fuzz: {Programs} programs ({Refused} refused with BP1009 as expected), {WrongGradients} wrong gradients, {GeneratorExceptions} generator exceptions " +
        $"({Counts.Checked} gradient components checked, {Counts.Skipped} skipped as unstable; " +
        $"{Counts.ProductsChecked} Hessian-vector components checked, {Counts.ProductsSkipped} skipped{(Hangs > 0 ? $"; {Hangs} checks that did not finish" : "")})";

    /// <summary>
    /// The summary, then each failure with its seed, point and source: the first <see cref="MaxShrunk"/> shrunk (each
    /// within the shrinker's budget), the rest as found. A hang is never shrunk: each candidate could leave another
    /// thread spinning.
    /// </summary>
    public string Report() =>
        string.Join("\n\n", Failures.Select((f, i) => i < MaxShrunk && f.Kind != FailureKind.Hang ? Shrinker.Shrink(f).ToString() : f + "(not shrunk)\n")
            .Prepend(Summary));
}

/// <summary>Generates, compiles and checks programs, <see cref="BatchSize"/> to an assembly to amortise compilation.</summary>
internal static class FuzzCampaign
{
    public const int BatchSize = 50;

    /// <summary>
    /// A check takes milliseconds (5 points, a few evaluations per component, loops of at most 36 iterations): one that
    /// takes this long is an infinite loop, in the generated code (F's own loops provably end: <see cref="LoopBounds"/>).
    /// The thread cannot be stopped, but the run goes on and reports it.
    /// </summary>
    public static readonly TimeSpan CheckTimeLimit = TimeSpan.FromSeconds(30);

    /// <summary>Fuzzes the programs of seeds <paramref name="firstSeed"/> … <paramref name="firstSeed"/> + <paramref name="count"/> − 1.</summary>
    public static CampaignResult Run(int firstSeed, int count, Action<string>? progress = null, Func<int, FuzzProgram>? generate = null) =>
        Run(Enumerable.Range(firstSeed, count).ToArray(), progress, generate);

    /// <summary>
    /// Fuzzes the programs of the given seeds (<paramref name="generate"/>d, by default by <see cref="ProgramGenerator.Generate"/>),
    /// reporting each failure and each batch as it goes.
    /// </summary>
    public static CampaignResult Run(IReadOnlyList<int> seeds, Action<string>? progress = null, Func<int, FuzzProgram>? generate = null)
    {
        var failures = new List<FuzzFailure>();
        var counts = new CheckCounts();
        int refused = 0;
        for (int start = 0; start < seeds.Count; start += BatchSize)
        {
            FuzzProgram[] batch = seeds.Skip(start).Take(BatchSize).Select(generate ?? ProgramGenerator.Generate).ToArray();
            CampaignResult result = Run(batch);
            failures.AddRange(result.Failures);
            counts += result.Counts;
            refused += result.Refused;
            foreach (FuzzFailure failure in result.Failures)
                progress?.Invoke(failure.ToString());
            progress?.Invoke($"seeds {seeds[0]} … {batch[^1].Seed}: {failures.Count} failures");
        }
        return new CampaignResult(seeds.Count, failures, counts, refused);
    }

    public static CampaignResult Run(IReadOnlyList<FuzzProgram> programs)
    {
        using CompiledBatch batch = CompiledBatch.Compile(programs);
        var failures = batch.Failures.Where(f => !IsExpectedRefusal(f)).ToList();
        int refused = batch.Failures.Count - failures.Count;
        var counts = new CheckCounts();
        foreach (FuzzProgram program in batch.Loaded)
        {
            if (program.ExpectsLostDerivative)
            {
                failures.Add(new FuzzFailure(program, FailureKind.Generator,
                    "the generator accepted a varying value passed to a [NoDerivative] parameter: the derivative through it is lost without a diagnostic"));
                continue;
            }
            var check = Task.Run(() => program.Outputs > 0 ? ArrayResultChecker.Check(program, batch.Assembly!) : GradientChecker.Check(program, batch.Assembly!));
            if (!check.Wait(CheckTimeLimit))
            {
                failures.Add(new FuzzFailure(program, FailureKind.Hang, $"the check did not finish in {CheckTimeLimit.TotalSeconds:F0} s"));
                continue;
            }
            var (failure, checkedCounts) = check.Result;
            counts += checkedCounts;
            if (failure is not null)
                failures.Add(failure);
        }
        return new CampaignResult(programs.Count, failures, counts, refused);
    }

    /// <summary>
    /// A program that passes a varying value to a <c>[NoDerivative]</c> parameter must get BP1009 on F, and nothing
    /// else: any other diagnostic, or BP1009 on a program that passes no such value, stays a failure.
    /// </summary>
    private static bool IsExpectedRefusal(FuzzFailure failure) =>
        failure.Program.ExpectsLostDerivative && failure.Detail.Split('\n').All(line =>
            line.Contains($"BP1009: '{failure.Program.DifferentiatedName}' passes", StringComparison.Ordinal));
}
