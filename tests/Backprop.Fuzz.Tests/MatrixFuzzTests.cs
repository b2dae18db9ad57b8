using Xunit.Abstractions;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// The matrix programs every <c>dotnet test</c> run checks, in a class of their own so that xUnit runs them beside
/// <see cref="FuzzTests"/>' scalar ranges, on the other core.
/// </summary>
public class MatrixFuzzTests(ITestOutputHelper output)
{
    /// <summary>A failure prints each program with its seed and point.</summary>
    [Fact]
    public void FixedMatrixSeedRange()
    {
        MatrixCampaignResult result = MatrixFuzz.Run(Enumerable.Range(1, 200).ToArray());
        output.WriteLine(result.Summary);
        Assert.True(result.Failures.Count == 0, result.Report());
    }

    /// <summary>The same programs held as models: their weights (and the scalar) fields, differentiated through the model's gradient.</summary>
    [Fact]
    public void MatrixModelSeedRange()
    {
        MatrixCampaignResult result = MatrixFuzz.Run(Enumerable.Range(1, 200).ToArray(), models: true);
        output.WriteLine(result.Summary);
        Assert.True(result.Failures.Count == 0, result.Report());
    }
}
