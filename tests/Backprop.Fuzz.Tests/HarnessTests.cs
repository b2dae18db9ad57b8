namespace Backprop.Fuzz.Tests;

/// <summary>The fuzzer's own machinery: blame goes to the right program, the rest of its batch still runs, and shrinking keeps only what fails.</summary>
public class HarnessTests
{
    private static readonly FuzzParameter X = new("x", FuzzType.Double, NoDerivative: false);

    private static FuzzProgram Program(int seed, params string[] statements) =>
        new(seed, new[] { X }, statements, FuzzType.Double, UsesFloat: false);

    /// <summary>Math.ReciprocalEstimate has no derivative (BP1003, see docs/math.md): a stand-in for a generator failure.</summary>
    private static readonly FuzzProgram Rejected = Program(1,
        "double a = x * 2;", "double b = Math.ReciprocalEstimate(x);", "double c = a + 1;", "return x * x;");

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

    /// <summary>
    /// A program held as a model keeps as parameters those its body assigns, holds the others as fields, and is checked
    /// through its stand-ins like any program. About half the generated programs (158 of seeds 1–300) leave a
    /// differentiable parameter unassigned, and so become models.
    /// </summary>
    [Fact]
    public void AModelTwinHoldsTheParametersItsBodyNeverAssignsAsFields()
    {
        FuzzProgram program = new(7, new[] { X, new FuzzParameter("y", FuzzType.Double, false), new FuzzParameter("n2", FuzzType.Int, false) },
            new[] { "y = y * x;", "return y + x * n2;" }, FuzzType.Double, UsesFloat: false);
        FuzzProgram model = ModelTwin.Of(program);
        Assert.Equal(new[] { "x", "n2" }, model.Fields);
        CampaignResult result = FuzzCampaign.Run(new[] { model });
        Assert.Empty(result.Failures);
        Assert.Equal(2 * GradientChecker.PointsPerProgram, result.Counts.Checked + result.Counts.Skipped);
        Assert.InRange(Enumerable.Range(1, 300).Count(seed => ProgramGenerator.GenerateModel(seed).Fields is not null), 120, 300);
    }

    /// <summary>
    /// A span twin makes a spans of the array parameters the body only reads (by index, Length, foreach), and keeps
    /// one it writes, passes on or captures; its stand-ins forward arrays to the spans the generated methods take.
    /// </summary>
    [Fact]
    public void ASpanTwinMakesSpansOfTheArraysTheBodyOnlyReads()
    {
        var q = new FuzzParameter("q", FuzzType.DoubleArray, false, 3);
        var m = new FuzzParameter("m", FuzzType.IntArray, false, 3);
        var passed = new FuzzParameter("p", FuzzType.DoubleArray, false, 3);
        FuzzProgram spanned = SpanTwin.Of(new(9, new[] { X, q, m, passed },
            new[] { "double y = x;", "foreach (double e in q)\n    y += e * q[m[0]] / q.Length;", "double z = P9Kernels.Sum(p);", "return y * z;" },
            FuzzType.Double, UsesFloat: false, Kernels: new[] { "public static double Sum(double[] a) => a[0] + a[1];" }));

        Assert.Equal(new[] { "q", "m" }, spanned.Spanned);
        Assert.Contains("Spanned(double x, ReadOnlySpan<double> q, ReadOnlySpan<int> m, double[] p)", spanned.Source);
        Assert.Contains("FGradient(double x, double[] q, int[] m, double[] p, out double dx, double[] dq, double[] dp) =>\n        SpannedGradient(x, q, m, p, out dx, dq, dp);",
            SpanTwin.StandIns(new[] { spanned }));
        Assert.Empty(FuzzCampaign.Run(new[] { spanned }).Failures);
        Assert.InRange(Enumerable.Range(1, 300).Count(seed => ProgramGenerator.GenerateSpan(seed).Spanned is not null), 40, 300);
    }

    /// <summary>
    /// A grid twin makes two-dimensional arrays of the array parameters the body only reads, each element read through
    /// its row and column, and keeps one it passes on; its stand-ins lay the arrays out in rows and read the gradients
    /// back from grids.
    /// </summary>
    [Fact]
    public void AGridTwinMakesGridsOfTheArraysTheBodyOnlyReads()
    {
        var q = new FuzzParameter("q", FuzzType.DoubleArray, false, 4);
        var m = new FuzzParameter("m", FuzzType.IntArray, false, 3);
        var passed = new FuzzParameter("p", FuzzType.DoubleArray, false, 3);
        FuzzProgram gridded = GridTwin.Of(new(9, new[] { X, q, m, passed },
            new[] { "double y = x;", "foreach (double e in q)\n    y += e * q[m[0]] / q.Length;", "double z = P9Kernels.Sum(p);", "return y * z;" },
            FuzzType.Double, UsesFloat: false, Kernels: new[] { "public static double Sum(double[] a) => a[0] + a[1];" }));

        Assert.Equal(new[] { "q", "m" }, gridded.Gridded);
        Assert.Contains("Gridded(double x, double[,] q, int[,] m, double[] p)", gridded.Source);
        Assert.Contains("q[(m[(0) / m.GetLength(1), (0) % m.GetLength(1)]) / q.GetLength(1), (m[(0) / m.GetLength(1), (0) % m.GetLength(1)]) % q.GetLength(1)]", gridded.Source);
        Assert.Contains("double value = GriddedGradient(x, FuzzGrids.Of(q), FuzzGrids.Of(m), p, out dx, dq_grid, dp);", GridTwin.StandIns(new[] { gridded }));
        Assert.Empty(FuzzCampaign.Run(new[] { gridded }).Failures);
        Assert.InRange(Enumerable.Range(1, 300).Count(seed => ProgramGenerator.GenerateGrid(seed).Gridded is not null), 40, 300);
    }

    /// <summary>
    /// A model whose differentiable fields share a type asks for its train step too, and its gradient's stand-in steps two
    /// copies, one by the gradient and an optimizer's Step, one by the train step, throwing <c>TrainStepMismatch</c> at a
    /// field they leave different; most generated models share a type (a float field among doubles does not).
    /// </summary>
    [Fact]
    public void AModelTwinsStandInChecksItsTrainStepAgainstTheGradientAndStep()
    {
        FuzzProgram model = ModelTwin.Of(new(8, new[] { X, new FuzzParameter("y", FuzzType.Double, false) }, new[] { "y = y * x;", "return y + x * x;" },
            FuzzType.Double, UsesFloat: false));
        FuzzProgram mixed = model with { Parameters = new[] { X, new FuzzParameter("f", FuzzType.Float, false), new FuzzParameter("y", FuzzType.Double, false) }, Fields = new[] { "x", "f" } };

        Assert.Contains("Derivatives.TrainStep", model.Attribute);
        Assert.DoesNotContain("TrainStep", mixed.Attribute);
        string standIns = ModelTwin.StandIns(new[] { model });
        Assert.Contains("fused.ModelTrainStep(y, new global::Backprop.Training.Sgd<double>(fused, Gradients.For(fused), 0.01));", standIns);
        Assert.Contains("throw new TrainStepMismatch(\"x\");", standIns);
        Assert.Empty(FuzzCampaign.Run(new[] { model }).Failures);
        Assert.InRange(Enumerable.Range(1, 300).Select(ProgramGenerator.GenerateModel).Count(p => ModelTwin.TrainStepElement(p) is not null), 100, 300);
    }

    private static FuzzProgram WithFixedMembers(int seed, params string[] statements) =>
        Program(seed, statements) with { Helpers = ProgramGenerator.FixedMembers };

    [Fact]
    public void LostDerivativeIsExpectedExactlyWhereAVaryingValueReachesANoDerivativeParameter()
    {
        FuzzProgram varying = WithFixedMembers(4, FuzzProgram.LostDerivativeDeclaration + "Scaled(0.5, x);", "return x * x;");
        FuzzProgram passive = WithFixedMembers(5, FuzzProgram.LostDerivativeDeclaration + "Scaled(x, 0.5);", "return x * x;");
        FuzzProgram unannounced = WithFixedMembers(6, "double v = Scaled(0.5, x);", "return x * v;");
        CampaignResult result = FuzzCampaign.Run(new[] { varying, passive, unannounced });
        Assert.Equal(1, result.Refused);
        Assert.Equal(new[] { (5, "Generator accepted a varying"), (6, "Generator BP1009") },
            result.Failures.Select(f => (f.Program.Seed, f.Signature)).OrderBy(f => f.Seed));
    }

    [Fact]
    public void ShrinkingKeepsOnlyTheStatementsThatFail()
    {
        FuzzFailure failure = Assert.Single(FuzzCampaign.Run(new[] { Rejected }).Failures);
        FuzzFailure shrunk = Shrinker.Shrink(failure).Failure;
        Assert.Equal(new[] { "double b = Math.ReciprocalEstimate(x);", "return x * x;" }, shrunk.Program.Statements);
        Assert.Equal(FailureKind.Generator, shrunk.Kind);
    }

    [Fact]
    public void ShrinkingStopsAtItsBudget()
    {
        FuzzFailure failure = Assert.Single(FuzzCampaign.Run(new[] { Rejected }).Failures);
        ShrinkResult shrunk = Shrinker.Shrink(failure, candidates: 1);
        Assert.True(shrunk.Exhausted);
        Assert.Equal(1, shrunk.Candidates);
        Assert.Contains("shrinking stopped at its budget", shrunk.ToString());
    }

    /// <summary>No generated program can spin forever, so neither can a fuzz test (nor a shrinker candidate, checked the same way).</summary>
    [Fact]
    public void EveryGeneratedLoopProvablyEnds()
    {
        int[] unbounded = Enumerable.Range(1, 2000).Where(seed => !LoopBounds.AreBounded(ProgramGenerator.Generate(seed))).ToArray();
        Assert.Empty(unbounded);
        int[] unboundedArrayResults = Enumerable.Range(1, 2000).Where(seed => !LoopBounds.AreBounded(ProgramGenerator.GenerateArrayResult(seed))).ToArray();
        Assert.Empty(unboundedArrayResults);
        int[] unboundedMatrixPrograms = Enumerable.Range(1, 2000).Where(seed => !LoopBounds.AreBounded(MatrixProgramGenerator.Generate(seed))).ToArray();
        Assert.Empty(unboundedMatrixPrograms);
    }

    [Theory]
    [InlineData("for (int i = 0; i < 3; i++)\n{\n    x += 1.0;\n}", true)]
    [InlineData("int k = 0;\nwhile (k < 3)\n{\n    k++;\n    x += 1.0;\n}", true)]
    [InlineData("int k = 0;\ndo\n{\n    k++;\n    x += 1.0;\n}\nwhile (k < 3);", true)]
    [InlineData("int k = 0;\nwhile (k < 3 && x > 0.5)\n{\n    k++;\n    x += 1.0;\n}", true)]
    // What the shrinker's single-line drops could make of them: the step gone, the do gone, the counter written.
    [InlineData("int k = 0;\nwhile (k < 3)\n{\n    x += 1.0;\n}", false)]
    [InlineData("int k = 0;\n{\n    k++;\n    x += 1.0;\n}\nwhile (k < 3);", false)]
    [InlineData("int k = 0;\nwhile (k < 3)\n{\n    k++;\n    k--;\n}", false)]
    [InlineData("for (int i = 0; i < 3; i++)\n{\n    i = 0;\n}", false)]
    [InlineData("for (int i = 0; i < 3; )\n{\n    x += 1.0;\n}", false)]
    // The counter tested second, or written by the rest of the condition.
    [InlineData("int k = 0;\nwhile (x > 0.5 && k < 3)\n{\n    k++;\n    x += 1.0;\n}", false)]
    [InlineData("int k = 0;\nwhile (k < 3 && (k = 0) == 0)\n{\n    k++;\n    x += 1.0;\n}", false)]
    public void LoopsThatMayNotEndAreRefused(string loop, bool bounded) =>
        Assert.Equal(bounded, LoopBounds.AreBounded(Program(3, loop, "return x;")));
}
