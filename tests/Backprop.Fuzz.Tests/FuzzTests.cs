using Xunit.Abstractions;

namespace Backprop.Fuzz.Tests;

public class FuzzTests(ITestOutputHelper output)
{
    /// <summary>
    /// The seeds every <c>dotnet test</c> run checks; a failure prints each shrunk program with its seed and point. Programs
    /// with helpers, switches and tuples cost about 1.4 times the earlier ones, so this range (and the next) are cut to
    /// keep the suite's time.
    /// </summary>
    [Fact]
    public void FixedSeedRange()
    {
        CampaignResult result = FuzzCampaign.Run(firstSeed: 1, count: 700);
        output.WriteLine(result.Summary);
        Assert.True(result.Failures.Count == 0, result.Report());
    }

    /// <summary>
    /// The other streams, each over its first seeds: programs returning arrays (checked through their Jacobian,
    /// vector-Jacobian product and tangent); the same programs held as models (their fields differentiated through the
    /// instance method's gradient), over spans (their array parameters read-only spans, the gradients written into
    /// spans), over two-dimensional arrays (grids, the gradients written into grids; and the programs returning arrays
    /// so, through their Jacobians over grids) and over a struct (their number parameters its fields, read and written as
    /// members).
    /// </summary>
    [Theory]
    [InlineData("arrays", 200)]
    [InlineData("models", 200)]
    [InlineData("spans", 200)]
    [InlineData("grids", 200)]
    [InlineData("grid arrays", 100)]
    [InlineData("structs", 200)]
    public void StreamSeedRange(string stream, int count)
    {
        Func<int, FuzzProgram> generate = stream switch
        {
            "arrays" => ProgramGenerator.GenerateArrayResult,
            "models" => ProgramGenerator.GenerateModel,
            "spans" => ProgramGenerator.GenerateSpan,
            "grids" => ProgramGenerator.GenerateGrid,
            "grid arrays" => ProgramGenerator.GenerateGridArrayResult,
            "structs" => ProgramGenerator.GenerateStruct,
            _ => throw new ArgumentOutOfRangeException(nameof(stream), stream, "no such stream"),
        };
        CampaignResult result = FuzzCampaign.Run(firstSeed: 1, count: count, generate: generate);
        output.WriteLine(result.Summary);
        Assert.True(result.Failures.Count == 0, result.Report());
    }

    [Fact]
    public void SameSeedSameProgram() =>
        Assert.Equal(ProgramGenerator.Generate(42).Source, ProgramGenerator.Generate(42).Source);

    /// <summary>
    /// The long campaign: <c>FUZZ_PROGRAMS=10000 dotnet test tests/Backprop.Fuzz.Tests -c Release --filter Campaign
    /// --logger "console;verbosity=detailed"</c>, from seed <c>FUZZ_SEED</c> (default 1,000,000, past the fixed range);
    /// or the seeds listed in <c>FUZZ_SEEDS</c> (<c>160,551</c>), to rerun failures; and <c>FUZZ_MATRIX_PROGRAMS</c> matrix
    /// programs from <c>FUZZ_MATRIX_SEED</c>. Without any of them it checks nothing.
    /// With <c>FUZZ_ARRAYS=1</c> the scalar programs return arrays (<see cref="ProgramGenerator.GenerateArrayResult"/>); with
    /// <c>FUZZ_MODELS=1</c> they, and the matrix programs, are held as models (<see cref="ProgramGenerator.GenerateModel"/>,
    /// <see cref="MatrixProgram.AsModel"/>); with <c>FUZZ_STRUCTS=1</c> they take their numbers in a struct
    /// (<see cref="ProgramGenerator.GenerateStruct"/>); with <c>FUZZ_SPANS=1</c> their arrays as spans (<see cref="ProgramGenerator.GenerateSpan"/>); with
    /// <c>FUZZ_GRIDS=1</c> as two-dimensional arrays (<see cref="ProgramGenerator.GenerateGrid"/>; with <c>FUZZ_ARRAYS=1</c> too, the programs
    /// returning arrays, <see cref="ProgramGenerator.GenerateGridArrayResult"/>); with <c>FUZZ_TWINS_ONLY=1</c> as well,
    /// the campaign takes only the seeds whose program is such a twin, <c>FUZZ_PROGRAMS</c> of them.
    /// </summary>
    [Fact]
    public void Campaign()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_PROGRAMS"), out int programs) ? programs : 0;
        int firstSeed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out int seed) ? seed : 1_000_000;
        Action<string> progress = line => Console.Error.WriteLine(line);
        bool grids = Environment.GetEnvironmentVariable("FUZZ_GRIDS") == "1";
        Func<int, FuzzProgram> generate = Environment.GetEnvironmentVariable("FUZZ_ARRAYS") == "1" ? grids ? ProgramGenerator.GenerateGridArrayResult : ProgramGenerator.GenerateArrayResult
            : Environment.GetEnvironmentVariable("FUZZ_MODELS") == "1" ? ProgramGenerator.GenerateModel
            : Environment.GetEnvironmentVariable("FUZZ_STRUCTS") == "1" ? ProgramGenerator.GenerateStruct
            : Environment.GetEnvironmentVariable("FUZZ_SPANS") == "1" ? ProgramGenerator.GenerateSpan
            : grids ? ProgramGenerator.GenerateGrid
            : ProgramGenerator.Generate;
        CampaignResult result = Environment.GetEnvironmentVariable("FUZZ_SEEDS") is string seeds
            ? FuzzCampaign.Run(seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray(), progress, generate)
            : Environment.GetEnvironmentVariable("FUZZ_TWINS_ONLY") == "1"
                ? FuzzCampaign.Run(TwinSeeds(firstSeed, count, generate), progress, generate)
                : FuzzCampaign.Run(firstSeed, count, progress, generate);
        string report = result.Report();
        int failures = result.Failures.Count;
        // FUZZ_MATRIX_PROGRAMS matrix programs too, from seed FUZZ_MATRIX_SEED (default 1,000,000).
        if (int.TryParse(Environment.GetEnvironmentVariable("FUZZ_MATRIX_PROGRAMS"), out int matrixPrograms))
        {
            int matrixSeed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_MATRIX_SEED"), out int m) ? m : 1_000_000;
            MatrixCampaignResult matrix = MatrixFuzz.Run(Enumerable.Range(matrixSeed, matrixPrograms).ToArray(), progress,
                models: Environment.GetEnvironmentVariable("FUZZ_MODELS") == "1");
            report += "\n\n" + matrix.Report();
            failures += matrix.Failures.Count;
        }
        output.WriteLine(report);
        Console.WriteLine(report);
        Assert.True(failures == 0, report);
    }

    /// <summary>The first <paramref name="count"/> seeds from <paramref name="firstSeed"/> whose program is a twin's (a struct's, spans', grids'), not <c>F</c> as it is.</summary>
    private static int[] TwinSeeds(int firstSeed, int count, Func<int, FuzzProgram> generate)
    {
        var seeds = new List<int>(count);
        for (int seed = firstSeed; seeds.Count < count; seed++)
        {
            if (generate(seed).DifferentiatedName != FuzzProgram.MethodName)
                seeds.Add(seed);
        }
        return seeds.ToArray();
    }
}
