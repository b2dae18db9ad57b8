namespace Backprop.Fuzz.Tests;

/// <summary>The fuzzer's own machinery: blame goes to the right program, the rest of its batch still runs, and shrinking keeps only what fails.</summary>
public class HarnessTests
{
    private static readonly FuzzParameter X = new("x", FuzzType.Double, NoDerivative: false);

    private static FuzzProgram Program(int seed, params string[] statements) =>
        new(seed, new[] { X }, statements, FuzzType.Double, UsesFloat: false);

    /// <summary>Math.Round with two arguments has no derivative (BP1003): a stand-in for a generator failure.</summary>
    private static readonly FuzzProgram Rejected = Program(1,
        "double a = x * 2;", "double b = Math.Round(x, 2);", "double c = a + 1;", "return x * x;");

    [Fact]
    public void GeneratorDiagnosticsAreChargedToTheirProgramAndTheRestStillRun()
    {
        FuzzProgram good = Program(2, "double a = Math.Sin(x);", "return a * x;");
        CampaignResult result = FuzzCampaign.Run(new[] { Rejected, good });
        FuzzFailure failure = Assert.Single(result.Failures);
        Assert.Equal(1, failure.Program.Seed);
        Assert.Equal(FailureKind.Generator, failure.Kind);
        Assert.Contains("BP1003", failure.Detail);
        Assert.Equal(GradientChecker.PointsPerProgram, result.Counts.Checked + result.Counts.Skipped);
    }

    [Fact]
    public void ShrinkingKeepsOnlyTheStatementsThatFail()
    {
        FuzzFailure failure = Assert.Single(FuzzCampaign.Run(new[] { Rejected }).Failures);
        FuzzFailure shrunk = Shrinker.Shrink(failure);
        Assert.Equal(new[] { "double b = Math.Round(x, 2);", "return x * x;" }, shrunk.Program.Statements);
        Assert.Equal(FailureKind.Generator, shrunk.Kind);
    }
}
