using System.Numerics;
using Backprop.Runtime.Tests.Conventions;
using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests;

public class LossTests
{
    public static TheoryData<int, int> LossShapes => new() { { 1, 1 }, { 1, 7 }, { 3, 7 }, { 17, 3 }, { 33, 17 }, { 100, 10 } };

    [Theory]
    [MemberData(nameof(LossShapes))]
    public void SoftmaxCrossEntropy_MatchesReference_ForOneHotAndIntegerLabels(int batch, int classes)
    {
        CheckCrossEntropy<double>(batch, classes, 1e-12);
        CheckCrossEntropy<float>(batch, classes, 1e-5);
    }

    [Theory]
    [MemberData(nameof(LossShapes))]
    public void SoftmaxCrossEntropyPullback_MatchesFiniteDifferences_AndIsYMinusTOverBatch(int batch, int classes)
    {
        var logits = TestData.Normal<double>(batch, classes, seed: 1);
        int[] labels = Labels(batch, classes);
        var targets = OneHot<double>(labels, classes);
        var fromOneHot = new Matrix<double>(batch, classes);
        var fromLabels = new Matrix<double>(batch, classes);
        SoftmaxCrossEntropyPullback(logits, targets, SoftmaxCrossEntropy(logits, targets), 1.0, fromOneHot);
        SoftmaxCrossEntropyPullback(logits, labels, SoftmaxCrossEntropy(logits, labels), 1.0, fromLabels);

        PullbackCheck.Verify(() => SoftmaxCrossEntropy(logits, targets), [logits], [fromOneHot]);
        TestData.AssertClose(TestData.ToDoubles(fromOneHot), fromLabels, 1e-15);
        double[] closedForm = [.. TestData.ToDoubles(Softmax(logits)).Zip(TestData.ToDoubles(targets), (y, t) => (y - t) / batch)];
        TestData.AssertClose(closedForm, fromOneHot, 1e-14);
    }

    [Fact]
    public void SoftmaxCrossEntropyPullback_SoftTargets_MatchFiniteDifferences()
    {
        var logits = TestData.Normal<double>(7, 5, seed: 1);
        var targets = TestData.Positive<double>(7, 5, seed: 2);
        var dLogits = new Matrix<double>(7, 5);
        SoftmaxCrossEntropyPullback(logits, targets, SoftmaxCrossEntropy(logits, targets), 0.5, dLogits);
        PullbackCheck.Verify(() => 0.5 * SoftmaxCrossEntropy(logits, targets), [logits], [dLogits]);
    }

    [Fact]
    public void SoftmaxCrossEntropy_HugeLogits_StaysFinite()
    {
        var logits = Matrix<float>.FromArray(new float[,] { { 1000, -1000, 0 } });
        float loss = SoftmaxCrossEntropy(logits, [1]);
        Assert.Equal(2000f, loss, 1);
    }

    [Fact]
    public void SoftmaxCrossEntropy_OneHotMatrix_HugeLogits_StaysFinite_AndPullbackIsSoftmaxMinusT()
    {
        var logits = Matrix<float>.FromArray(new float[,] { { 1000, -1000, 0 }, { 0, 0, 0 } });
        var targets = Matrix<float>.FromArray(new float[,] { { 0, 1, 0 }, { 0, 0, 1 } });
        float loss = SoftmaxCrossEntropy(logits, targets);
        Assert.Equal((2000f + MathF.Log(3)) / 2, loss, 2);
        var dLogits = new Matrix<float>(2, 3);
        SoftmaxCrossEntropyPullback(logits, targets, loss, 1f, dLogits);
        float[] expected = [0.5f, -0.5f, 0, 1 / 6f, 1 / 6f, -1 / 3f];
        TestData.AssertClose([.. expected.Select(e => (double)e)], dLogits, 1e-6, "dLogits");
    }

    [Fact]
    public void SoftmaxCrossEntropyPullback_InPlace_MatchesSeparateBuffer()
    {
        var logits = TestData.Normal<float>(9, 13, seed: 1);
        var targets = TestData.Positive<float>(9, 13, seed: 2);
        var separate = new Matrix<float>(9, 13);
        SoftmaxCrossEntropyPullback(logits, targets, 0f, 0.75f, separate);
        SoftmaxCrossEntropyPullback(logits, targets, 0f, 0.75f, logits);
        Assert.Equal(separate.Span.ToArray(), logits.Span.ToArray());
    }

    [Fact]
    public void SoftmaxCrossEntropy_NaNLogit_GivesNaNLossAndGradientRow()
    {
        var logits = Matrix<float>.FromArray(new float[,] { { 1, float.NaN, 2 }, { 1, 2, 3 } });
        var targets = Matrix<float>.FromArray(new float[,] { { 1, 0, 0 }, { 0, 1, 0 } });
        Assert.True(float.IsNaN(SoftmaxCrossEntropy(logits, targets)));
        var dLogits = new Matrix<float>(2, 3);
        SoftmaxCrossEntropyPullback(logits, targets, float.NaN, 1f, dLogits);
        Assert.All(dLogits.Row(0).ToArray(), value => Assert.True(float.IsNaN(value)));
        Assert.All(dLogits.Row(1).ToArray(), value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void SoftmaxCrossEntropy_BadLabels_Throw()
    {
        var logits = new Matrix<float>(2, 10);
        var count = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy(logits, [1]));
        Assert.StartsWith("SoftmaxCrossEntropy: logits (2×10) need 2 labels, got 1.", count.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy(logits, [1, 10]));
        var shapes = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy(logits, new Matrix<float>(2, 9)));
        Assert.Equal("SoftmaxCrossEntropy: shapes (2×10) and (2×9) differ.", shapes.Message);
    }

    [Theory]
    [MemberData(nameof(LossShapes))]
    public void MeanSquaredError_IsHalfTheBatchMeanOfSquaredNorms(int batch, int outputs)
    {
        var predictions = TestData.Normal<double>(batch, outputs, seed: 1);
        var targets = TestData.Normal<double>(batch, outputs, seed: 2);
        double expected = TestData.ToDoubles(predictions).Zip(TestData.ToDoubles(targets), (y, t) => (y - t) * (y - t)).Sum() / (2 * batch);
        TestData.AssertClose([expected], [MeanSquaredError(predictions, targets)], 1e-12);

        var (dPredictions, dTargets) = (new Matrix<double>(batch, outputs), new Matrix<double>(batch, outputs));
        MeanSquaredErrorPullback(predictions, targets, MeanSquaredError(predictions, targets), 1.0, dPredictions, dTargets);
        PullbackCheck.Verify(() => MeanSquaredError(predictions, targets), [predictions, targets], [dPredictions, dTargets]);
        TestData.AssertClose(TestData.ToDoubles(Scale(predictions - targets, 1.0 / batch)), dPredictions, 1e-14);
    }

    [Fact]
    public void MeanSquaredError_OneRow_HasTheSeedDerivativeYMinusT()
    {
        var y = Matrix<double>.FromArray(1, 3, [0.2, 0.7, 0.1]);
        var t = Matrix<double>.FromArray(1, 3, [0, 1, 0]);
        var dY = new Matrix<double>(1, 3);
        MeanSquaredErrorPullback(y, t, MeanSquaredError(y, t), 1.0, dY, null);
        TestData.AssertClose([0.2, -0.3, 0.1], dY, 1e-15);
        TestData.AssertClose([0.5 * (0.04 + 0.09 + 0.01)], [MeanSquaredError(y, t)], 1e-15);
    }

    private static void CheckCrossEntropy<T>(int batch, int classes, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var logits = TestData.Normal<T>(batch, classes, seed: 1);
        int[] labels = Labels(batch, classes);
        double expected = 0;
        for (int i = 0; i < batch; i++)
        {
            double[] row = [.. Enumerable.Range(0, classes).Select(j => double.CreateChecked(logits[i, j]))];
            expected -= Math.Log(Math.Exp(row[labels[i]]) / row.Sum(Math.Exp));
        }
        expected /= batch;
        TestData.AssertClose([expected], [double.CreateChecked(SoftmaxCrossEntropy(logits, OneHot<T>(labels, classes)))], tolerance, "one-hot");
        TestData.AssertClose([expected], [double.CreateChecked(SoftmaxCrossEntropy(logits, labels))], tolerance, "labels");
    }

    /// <summary>
    /// The integer-label overloads take a span, so the convention tests cannot call their tangent rules through
    /// reflection: checked here the same way, against central finite differences of the loss along a direction of
    /// the logits, and of its pullback along that direction and a tangent of dResult.
    /// </summary>
    [Theory]
    [MemberData(nameof(LossShapes))]
    public void SoftmaxCrossEntropyTangents_IntegerLabels_MatchFiniteDifferences(int batch, int classes)
    {
        var logits = TestData.Normal<double>(batch, classes, seed: 1);
        var direction = TestData.Normal<double>(batch, classes, seed: 2);
        int[] labels = Labels(batch, classes);
        Matrix<double> Along(double h) => (Matrix<double>)RuleArguments.Moved(logits, direction, h);
        double loss = SoftmaxCrossEntropy(logits, labels);

        SoftmaxCrossEntropyTangent(logits, labels, loss, direction, out double tangent);
        PullbackCheck.VerifyDirectional(h => [SoftmaxCrossEntropy(Along(h), labels)], [tangent], nameof(SoftmaxCrossEntropyTangent));
        SoftmaxCrossEntropyTangent(logits, labels, loss, null, out double alongNothing);
        Assert.Equal(0.0, alongNothing);

        const double dLoss = 0.75, dLossTangent = -0.4;
        var dLogitsTangent = RuleArguments.NaNs(batch, classes);
        SoftmaxCrossEntropyPullbackTangent(logits, labels, loss, dLoss, direction, tangent, dLossTangent, dLogitsTangent);
        PullbackCheck.VerifyDirectional(h =>
        {
            var dLogits = new Matrix<double>(batch, classes);
            SoftmaxCrossEntropyPullback(Along(h), labels, loss + h * tangent, dLoss + h * dLossTangent, dLogits);
            return dLogits.Span.ToArray();
        }, dLogitsTangent.Span.ToArray(), nameof(SoftmaxCrossEntropyPullbackTangent));

        // Along the logits alone, the labels' rule agrees with the one-hot targets' rule (checked by the convention tests).
        var fromOneHot = RuleArguments.NaNs(batch, classes);
        SoftmaxCrossEntropyPullbackTangent(logits, labels, loss, dLoss, direction, tangent, 0.0, dLogitsTangent);
        SoftmaxCrossEntropyPullbackTangent(logits, OneHot<double>(labels, classes), loss, dLoss, direction, tangent, 0.0, fromOneHot);
        TestData.AssertClose(TestData.ToDoubles(fromOneHot), dLogitsTangent, 1e-14, "one-hot against labels");
    }

    private static int[] Labels(int batch, int classes)
    {
        var random = new Random(11);
        return [.. Enumerable.Range(0, batch).Select(_ => random.Next(classes))];
    }

    private static Matrix<T> OneHot<T>(int[] labels, int classes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var targets = new Matrix<T>(labels.Length, classes);
        for (int i = 0; i < labels.Length; i++)
            targets[i, labels[i]] = T.One;
        return targets;
    }
}
