namespace Backprop.Fuzz.Tests;

/// <summary>
/// The matrix checker itself, on programs whose gradient is known to be right or wrong: a user's matrix function
/// <c>Doubled(a) = 2a</c> applied to each weight of an array, with a pullback written for each case.
/// </summary>
public class MatrixHarnessTests
{
    private static readonly MatrixParameter X = new("X", MatrixRole.Input, Rows: 1, Columns: 2);

    /// <summary>F = Σ (X + 2·V0[0] + 2·V0[1])², or with <paramref name="update"/> instead of <c>h0 = h0 + Doubled(v0);</c>.</summary>
    private static MatrixProgram Program(int seed, string pullback, string update = "h0 = h0 + Doubled(v0);") =>
        Program(seed, pullback, new MatrixParameter("V0", MatrixRole.WeightArray, Rows: 1, Columns: 2, Length: 2),
            "var h0 = X;", $"foreach (var v0 in V0)\n{{\n    {update}\n}}", "return Sum(Multiply(h0, h0));");

    private static MatrixProgram Program(int seed, string pullback, MatrixParameter weights, params string[] body) => new(seed, new[] { weights, X }, body,
        new[]
        {
            "public static Matrix<double> Doubled(Matrix<double> a) => Scale(a, 2.0);\n\n[DerivativeOf(nameof(Doubled))]\n"
            + $"public static void DoubledPullback(Matrix<double> a, Matrix<double> result, Matrix<double> dResult, Matrix<double>? dA)\n{{\n    {pullback}\n}}",
        });

    [Fact]
    public void EveryElementOfAnArrayOfWeightsIsChecked()
    {
        MatrixCampaignResult result = MatrixFuzz.Run(new[] { Program(1, "if (dA is not null) Scale(dResult, 2.0, dA);") });
        Assert.Empty(result.Failures);
        // F = Σ (X + 2·V0[0] + 2·V0[1])²: smooth, so no element is skipped.
        Assert.Equal(new CheckCounts(MatrixFuzz.Points * 4, 0), result.Counts);
    }

    [Fact]
    public void AWrongGradientOfAnElementOfAnArrayOfWeightsIsFound()
    {
        MatrixFailure failure = Assert.Single(MatrixFuzz.Run(new[] { Program(2, "if (dA is not null) Scale(dResult, 3.0, dA);") }).Failures);
        Assert.Equal(FailureKind.WrongGradient, failure.Kind);
        Assert.Contains("∂F/∂V0[0][0]: generated", failure.Detail);
    }

    [Fact]
    public void ABufferLeftAsItWasIsFound()
    {
        // The only share of W0's gradient, which the generated code has the pullback write straight into the caller's buffer.
        MatrixProgram program = Program(3, "// writes nothing", new MatrixParameter("W0", MatrixRole.Weight, Rows: 1, Columns: 2), "return Sum(Multiply(Doubled(W0), X));");
        MatrixFailure failure = Assert.Single(MatrixFuzz.Run(new[] { program }).Failures);
        Assert.Equal(FailureKind.WrongGradient, failure.Kind);
        Assert.Contains($"left ∂F/∂W0[0] as the garbage it was filled with ({MatrixValues.Garbage})", failure.Detail);
    }

    [Fact]
    public void ARefusalIsAGeneratorFailure()
    {
        MatrixFailure failure = Assert.Single(MatrixFuzz.Run(new[] { Program(4, "if (dA is not null) Scale(dResult, 2.0, dA);", "h0 += Doubled(v0);") }).Failures);
        Assert.Equal(FailureKind.Generator, failure.Kind);
        Assert.Contains("BP1002", failure.Detail);
    }

    [Fact]
    public void SameSeedSameMatrixProgram() =>
        Assert.Equal(MatrixProgramGenerator.Generate(42).Source, MatrixProgramGenerator.Generate(42).Source);
}
