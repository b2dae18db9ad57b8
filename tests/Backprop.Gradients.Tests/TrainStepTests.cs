using Backprop.Testing;
using Backprop.Training;

namespace Backprop.Gradients.Tests;

/// <summary>
/// A model's train step (<c>Derivatives.TrainStep</c>): the optimizer's updates fused into the reverse sweep give what
/// the gradient method followed by <see cref="Optimizer{T}.Step"/> gives, bit for bit, step after step.
/// </summary>
public class TrainStepTests
{
    private const int Steps = 100;

    private static Optimizer<T> Create<T>(string name, IModel<T> model, IModelGradients<T> gradients) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        // A schedule, so that every step has its own rate.
        Optimizers.Create(name, model, gradients, new CosineLearningRate(name == "adam" ? 0.01 : 0.1, Steps));

    private static int[] Bits(Matrix<float> m) => m.Span.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    private static long[] Bits(Matrix<double> m) => m.Span.ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static Matrix<float> OneHot(ReadOnlySpan<int> labels, int classes)
    {
        var t = new Matrix<float>(labels.Length, classes);
        for (int i = 0; i < labels.Length; i++)
            t[i, labels[i]] = 1;
        return t;
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void ANetworkTrainedByItsTrainStepIsBitForBitTheOneTrainedByGradientThenStep(string optimizerName)
    {
        // 250 examples in batches of 64: every fourth step is a partial batch of 58.
        var images = Matrix<float>.RandomUniform(250, 12, 0, 1, seed: 3);
        int[] labels = Enumerable.Range(0, 250).Select(i => (i * 7 + i / 5) % 5).ToArray();
        var batches = new MiniBatches(images, labels, batchSize: 64, seed: 1);
        TrainedMlp stepped = new(12, 16, 5, seed: 8), fused = new(12, 16, 5, seed: 8);
        var steppedGradients = TrainedMlp.Gradients.For(stepped);
        var fusedGradients = TrainedMlp.Gradients.For(fused);
        Optimizer<float> stepper = Create(optimizerName, stepped, steppedGradients), fuser = Create(optimizerName, fused, fusedGradients);

        int steps = 0, partial = 0;
        while (steps < Steps)
        {
            foreach (MiniBatch batch in batches.NextEpoch())
            {
                if (steps++ == Steps)
                    break;
                partial += batch.Count < 64 ? 1 : 0;
                Matrix<float> t = OneHot(batch.Labels.Span, 5);
                float expected = stepped.LossGradient(batch.Inputs, t, steppedGradients);
                stepper.Step();
                float loss = fused.LossTrainStep(batch.Inputs, t, fuser);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(loss));
            }
        }

        Assert.Equal(25, partial);
        Assert.Equal(Steps, fuser.StepCount);
        foreach (var (a, b) in new[] { (stepped.Hidden.W, fused.Hidden.W), (stepped.Hidden.b, fused.Hidden.b), (stepped.W2, fused.W2), (stepped.b2, fused.b2) })
            Assert.Equal(Bits(a), Bits(b));
        Assert.Equal(BitConverter.SingleToInt32Bits(stepped.Temperature), BitConverter.SingleToInt32Bits(fused.Temperature));
        Assert.NotEqual(1f, fused.Temperature);
        // The train step leaves the last step's gradients where the gradient method writes them.
        Assert.Equal(Bits(steppedGradients.W2), Bits(fusedGradients.W2));
        Assert.Equal(steppedGradients.Temperature, fusedGradients.Temperature);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void StacksArraysAScalarBehindASetterAndTheLosssOwnParametersStepAlike(string optimizerName)
    {
        var x = Matrix<double>.RandomNormal(40, 5, 1, seed: 4);
        var t = MatrixChecks.OneHot(40, 3, 5);
        TrainedStack stepped = new(5, 6, 3, 3, seed: 2), fused = new(5, 6, 3, 3, seed: 2);
        var steppedGradients = TrainedStack.Gradients.For(stepped);
        Optimizer<double> stepper = Create(optimizerName, stepped, steppedGradients), fuser = Create(optimizerName, fused, TrainedStack.Gradients.For(fused));
        var dx = new Matrix<double>(7, 5);

        for (int step = 0; step < Steps; step++)
        {
            // Batches of 7 rows of the 40, the sixth of each pass a partial one of 5.
            int start = step * 7 % 42;
            int rows = Math.Min(7, 40 - start);
            var batch = Matrix<double>.FromArray(rows, 5, x.Span.Slice(start * 5, rows * 5));
            var targets = Matrix<double>.FromArray(rows, 3, t.Span.Slice(start * 3, rows * 3));
            Matrix<double>.Reuse(ref dx!, rows, 5);
            double expected = stepped.LossGradient(0.3, batch, targets, steppedGradients, out _, dx);
            stepper.Step();
            Assert.Equal(expected, fused.LossTrainStep(0.3, batch, targets, fuser));
        }

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Bits(stepped.W[i]), Bits(fused.W[i]));
            Assert.Equal(Bits(stepped.b[i]), Bits(fused.b[i]));
        }
        Assert.Equal(stepped.Gains, fused.Gains);
        Assert.Equal(BitConverter.DoubleToInt64Bits(stepped.Temperature), BitConverter.DoubleToInt64Bits(fused.Temperature));
        Assert.NotEqual(1.2, fused.Temperature);
    }

    /// <summary>Bytes ten steps allocate once warm (<see cref="SteadyState.Allocated"/>).</summary>
    private static long Allocated(Action step) => SteadyState.Allocated(step);

    [Fact]
    public void AStepAllocatesNothingOnceWarm()
    {
        var model = new TrainedMlp(30, 20, 4, seed: 3);
        var gradients = TrainedMlp.Gradients.For(model);
        var adam = new Adam<float>(model, gradients, 0.001);
        var x = Matrix<float>.RandomUniform(16, 30, 0, 1, seed: 1);
        var t = OneHot(Enumerable.Range(0, 16).Select(i => i % 4).ToArray(), 4);

        Assert.Equal(0, Allocated(() => model.LossTrainStep(x, t, adam)));
        // The optimizer's own step walks the model, which allocates nothing either.
        Assert.Equal(0, Allocated(() =>
        {
            model.LossGradient(x, t, gradients);
            adam.Step();
        }));
    }

    [Fact]
    public void AnOptimizerOverPairsOrAnotherModelIsRefusedBeforeAnyUpdate()
    {
        var model = new TrainedMlp(6, 5, 3, seed: 1);
        var other = new TrainedMlp(6, 5, 3, seed: 1);
        var gradients = TrainedMlp.Gradients.For(model);
        var x = Matrix<float>.RandomUniform(4, 6, 0, 1, seed: 2);
        var t = OneHot(new[] { 0, 1, 2, 0 }, 3);
        var pairs = new Sgd<float>([(model.W2, gradients.W2)], 0.1);
        var others = new Momentum<float>(other, TrainedMlp.Gradients.For(other), 0.1);
        float[] w2 = model.W2.Span.ToArray();

        var overPairs = Assert.Throws<ArgumentException>(() => model.LossTrainStep(x, t, pairs));
        var overAnother = Assert.Throws<ArgumentException>(() => model.LossTrainStep(x, t, others));
        Assert.Throws<ArgumentNullException>(() => model.LossTrainStep(x, t, null!));

        Assert.Equal("LossTrainStep: the Sgd was built over (parameter, gradient) pairs; a train step needs one built over the model: new Sgd<float>(model, gradients, …). (Parameter 'optimizer')", overPairs.Message);
        Assert.Equal("LossTrainStep: the Momentum was built over another TrainedMlp; build one over this model. (Parameter 'optimizer')", overAnother.Message);
        Assert.Equal(0, others.StepCount);
        Assert.Equal(w2, model.W2.Span.ToArray());
    }

    [Fact]
    public void ATrainStepCallsTheGradientsOfTheMethodsItsLossCalls()
    {
        HelperCallingModel stepped = new(), fused = new();
        var gradients = HelperCallingModel.Gradients.For(stepped);
        var stepper = new Adam<double>(stepped, gradients, 0.05);
        var fuser = new Adam<double>(fused, HelperCallingModel.Gradients.For(fused), 0.05);

        for (int step = 0; step < Steps; step++)
        {
            double x = 0.1 * (step % 7) - 0.3;
            double expected = stepped.LossGradient(x, gradients, out _);
            stepper.Step();
            Assert.Equal(expected, fused.LossTrainStep(x, fuser));
        }

        Assert.Equal(BitConverter.DoubleToInt64Bits(stepped.A), BitConverter.DoubleToInt64Bits(fused.A));
        Assert.Equal(BitConverter.DoubleToInt64Bits(stepped.B), BitConverter.DoubleToInt64Bits(fused.B));
    }

    [Fact]
    public void TheTrainStepAloneIsTheOnlyMethodGenerated()
    {
        var model = new TrainStepOnlyModel();
        var sgd = new Sgd<double>(model, TrainStepOnlyModel.Gradients.For(model), 0.1);

        double loss = model.LossTrainStep(1.0, sgd);

        Assert.Equal(1.0, loss);
        Assert.Equal(2 - 0.1 * 2 * (2 * 1.0 - 1) * 1.0, model.A);
        Assert.Null(typeof(TrainStepOnlyModel).GetMethod("LossGradient"));
    }
}
