namespace Backprop.Fuzz.Tests;

/// <summary>
/// The matrix checker itself, on programs whose derivatives are known to be right or wrong: a user's matrix function
/// <c>Doubled(a) = 2a</c>, with its pullback, its tangent and its pullback's tangent written for each case.
/// </summary>
public class MatrixHarnessTests
{
    private static readonly MatrixParameter X = new("X", MatrixRole.Input, Rows: 1, Columns: 2);

    private const string RightPullback = "if (dA is not null) Scale(dResult, 2.0, dA);";
    private const string RightTangent = "if (dA is null) dResult.Span.Clear(); else Scale(dA, 2.0, dResult);";
    private const string RightPullbackTangent = "if (dATangent is not null && dResultTangent is null) dATangent.Span.Clear(); else if (dATangent is not null) Scale(dResultTangent!, 2.0, dATangent);";

    /// <summary><c>Doubled</c> and its three rules, each body given.</summary>
    private static string Doubled(string pullback = RightPullback, string tangent = RightTangent, string pullbackTangent = RightPullbackTangent) =>
        "public static Matrix<double> Doubled(Matrix<double> a) => Scale(a, 2.0);\n\n"
        + "[DerivativeOf(nameof(Doubled))]\npublic static void DoubledPullback(Matrix<double> a, Matrix<double> result, Matrix<double> dResult, Matrix<double>? dA)\n"
        + $"{{\n    {pullback}\n}}\n\n"
        + "[TangentOf(nameof(Doubled))]\npublic static void DoubledTangent(Matrix<double> a, Matrix<double> result, Matrix<double>? dA, Matrix<double> dResult)\n"
        + $"{{\n    {tangent}\n}}\n\n"
        + "[TangentOf(nameof(DoubledPullback))]\npublic static void DoubledPullbackTangent(Matrix<double> a, Matrix<double> result, Matrix<double> dResult,\n"
        + "    Matrix<double>? aTangent, Matrix<double>? resultTangent, Matrix<double>? dResultTangent, Matrix<double>? dATangent)\n"
        + $"{{\n    {pullbackTangent}\n}}";

    /// <summary>F = Σ (X + 2·V0[0] + 2·V0[1])², or with <paramref name="update"/> instead of <c>h0 = h0 + Doubled(v0);</c>: it takes an array, so no Hessian.</summary>
    private static MatrixProgram OverAnArray(int seed, string doubled, string update = "h0 = h0 + Doubled(v0);") =>
        Program(seed, doubled, new MatrixParameter("V0", MatrixRole.WeightArray, Rows: 1, Columns: 2, Length: 2),
            "var h0 = X;", $"foreach (var v0 in V0)\n{{\n    {update}\n}}", "return Sum(Multiply(h0, h0));");

    /// <summary>F = Σ (X + 2·W0)², with its Hessian-vector product.</summary>
    private static MatrixProgram OverAWeight(int seed, string doubled) =>
        Program(seed, doubled, new MatrixParameter("W0", MatrixRole.Weight, Rows: 1, Columns: 2), "var h0 = X + Doubled(W0);", "return Sum(Multiply(h0, h0));");

    private static MatrixProgram Program(int seed, string doubled, MatrixParameter weights, params string[] body) => new(seed, new[] { weights, X }, body, new[] { doubled });

    [Fact]
    public void EveryElementOfAnArrayOfWeightsIsChecked()
    {
        MatrixCampaignResult result = MatrixFuzz.Run(new[] { OverAnArray(1, Doubled()) });
        Assert.Empty(result.Failures);
        // F = Σ (X + 2·V0[0] + 2·V0[1])²: smooth, so no element is skipped.
        Assert.Equal(new CheckCounts(MatrixFuzz.Points * 4, 0), result.Counts);
    }

    [Fact]
    public void EveryElementOfAHessianVectorProductIsChecked()
    {
        MatrixCampaignResult result = MatrixFuzz.Run(new[] { OverAWeight(5, Doubled()) });
        Assert.Empty(result.Failures);
        Assert.Equal(new CheckCounts(MatrixFuzz.Points * 2, 0, MatrixFuzz.Points * 2, 0), result.Counts);
    }

    [Fact]
    public void AWrongGradientOfAnElementOfAnArrayOfWeightsIsFound()
    {
        MatrixFailure failure = Assert.Single(MatrixFuzz.Run(new[] { OverAnArray(2, Doubled(pullback: "if (dA is not null) Scale(dResult, 3.0, dA);")) }).Failures);
        Assert.Equal(FailureKind.WrongGradient, failure.Kind);
        Assert.Contains("∂F/∂V0[0][0]: generated", failure.Detail);
    }

    [Fact]
    public void AWrongTangentIsFound()
    {
        MatrixFailure failure = Assert.Single(MatrixFuzz.Run(new[] { OverAnArray(6, Doubled(tangent: "if (dA is null) dResult.Span.Clear(); else Scale(dA, 3.0, dResult);")) }).Failures);
        Assert.Equal(FailureKind.WrongGradient, failure.Kind);
        Assert.Contains("the tangent's derivative along (V0 = [ 1×2 {", failure.Detail);
    }

    [Fact]
    public void AWrongHessianVectorProductIsFound()
    {
        string wrong = RightPullbackTangent.Replace("2.0", "3.0", StringComparison.Ordinal);
        MatrixFailure failure = Assert.Single(MatrixFuzz.Run(new[] { OverAWeight(7, Doubled(pullbackTangent: wrong)) }).Failures);
        Assert.Equal(FailureKind.WrongGradient, failure.Kind);
        Assert.Contains("(H·v)[W0[0]] along (W0 = 1×2 {", failure.Detail);
        Assert.Contains("finite differences of the gradient", failure.Detail);
    }

    [Fact]
    public void ABufferLeftAsItWasIsFound()
    {
        // The only share of W0's gradient, which the generated code has the pullback write straight into the caller's buffer.
        MatrixProgram program = Program(3, Doubled(pullback: "// writes nothing"), new MatrixParameter("W0", MatrixRole.Weight, Rows: 1, Columns: 2), "return Sum(Multiply(Doubled(W0), X));");
        MatrixFailure failure = Assert.Single(MatrixFuzz.Run(new[] { program }).Failures);
        Assert.Equal(FailureKind.WrongGradient, failure.Kind);
        Assert.Contains($"left ∂F/∂W0[0] as the garbage it was filled with ({MatrixValues.Garbage})", failure.Detail);
    }

    [Fact]
    public void AProductBufferLeftAsItWasIsFound()
    {
        MatrixProgram program = Program(8, Doubled(pullbackTangent: "// writes nothing"), new MatrixParameter("W0", MatrixRole.Weight, Rows: 1, Columns: 2), "return Sum(Multiply(Doubled(W0), X));");
        MatrixFailure failure = Assert.Single(MatrixFuzz.Run(new[] { program }).Failures);
        Assert.Equal(FailureKind.WrongGradient, failure.Kind);
        Assert.Contains($"the Hessian-vector method left (H·v)[W0[0]] as the garbage it was filled with ({MatrixValues.Garbage})", failure.Detail);
    }

    [Fact]
    public void ARefusalIsAGeneratorFailure()
    {
        MatrixFailure failure = Assert.Single(MatrixFuzz.Run(new[] { OverAnArray(4, Doubled(), "h0 += Doubled(v0);") }).Failures);
        Assert.Equal(FailureKind.Generator, failure.Kind);
        Assert.Contains("BP1002", failure.Detail);
    }

    /// <summary>
    /// A matrix program held as a model asks for its train step, unless it keeps a stack of weights of its own; its
    /// gradient's stand-in steps two copies (gradient and Step, train step) and compares every field bit for bit.
    /// </summary>
    [Fact]
    public void AMatrixModelsStandInChecksItsTrainStep()
    {
        MatrixProgram model = OverAWeight(3, Doubled()).AsModel();
        MatrixProgram keepsAStack = OverAnArray(4, Doubled()) with { Fields = Array.Empty<string>() };

        Assert.Contains("Derivatives.TrainStep", model.Derivatives);
        Assert.DoesNotContain("TrainStep", keepsAStack.Derivatives);
        Assert.Contains("fused.ModelTrainStep(X, new global::Backprop.Training.Sgd<double>(fused, Gradients.For(fused), 0.01));", MatrixProgram.StandIns(new[] { model }));
        Assert.Empty(MatrixFuzz.Run(new[] { model }).Failures);
        Assert.InRange(Enumerable.Range(1, 200).Select(MatrixProgramGenerator.Generate).Select(p => p.AsModel()).Count(p => p.TrainStep), 100, 200);
    }

    [Fact]
    public void SameSeedSameMatrixProgram() =>
        Assert.Equal(MatrixProgramGenerator.Generate(42).Source, MatrixProgramGenerator.Generate(42).Source);
}
