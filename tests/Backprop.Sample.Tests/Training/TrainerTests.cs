using Backprop.Testing;
using Backprop.Sample.Evaluation;
using Backprop.Sample.Model;
using Backprop.Sample.Training;
using Backprop.Training;

namespace Backprop.Sample.Tests.Training;

public sealed class TrainerTests
{
    private static (Trainer Trainer, Mlp Model, Matrix<float> Images, int[] Labels) Setup(string optimizer, int examples = 500, int batch = 50)
    {
        var (images, labels) = Synthetic.Data(examples, seed: 1);
        var model = Mlp.He(Synthetic.Pixels, 32, Synthetic.Classes, seed: 1);
        var batches = new MiniBatches(images, labels, batch, seed: 1);
        return (Trainer.Create(model, optimizer, optimizer == "adam" ? 0.01 : 0.1, batches), model, images, labels);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void A_few_epochs_reduce_the_loss_and_learn_the_classes(string optimizer)
    {
        var (trainer, model, images, labels) = Setup(optimizer);

        EpochTraining first = trainer.RunEpoch();
        EpochTraining last = first;
        for (int epoch = 0; epoch < 9; epoch++)
            last = trainer.RunEpoch();

        Assert.True(last.MeanLoss < first.MeanLoss / 2, $"loss {first.MeanLoss} → {last.MeanLoss}");
        Assert.Equal(500, last.Samples);
        Assert.True(new Evaluator(model, images, labels).Evaluate().Accuracy > 0.95);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void A_step_is_the_models_train_step_bit_for_bit_the_gradient_then_the_optimizers_step(string optimizer)
    {
        // 230 examples in batches of 50: a partial last batch.
        var (images, labels) = Synthetic.Data(230, seed: 2);
        var trained = Mlp.He(Synthetic.Pixels, 16, Synthetic.Classes, seed: 3);
        var reference = (Mlp)trained.Copy();
        var batches = new MiniBatches(images, labels, 50, seed: 4);
        var referenceBatches = new MiniBatches(images, labels, 50, seed: 4);
        Trainer trainer = Trainer.Create(trained, optimizer, 0.05, batches);
        var gradients = Mlp.Gradients.For(reference);
        Optimizer<float> step = Optimizers.Create(optimizer, reference, gradients, 0.05);
        var targets = new OneHotTargets(Synthetic.Classes, 50);

        for (int epoch = 0; epoch < 2; epoch++)
        {
            trainer.RunEpoch();
            foreach (MiniBatch batch in referenceBatches.NextEpoch())
            {
                reference.LossGradient(batch.Inputs, targets.For(batch.Labels.Span), gradients);
                step.Step();
            }
        }

        Assert.True(trained.SameWeights(reference));
        Assert.False(trained.SameWeights(Mlp.He(Synthetic.Pixels, 16, Synthetic.Classes, seed: 3)));
    }

    [Fact]
    public void Progress_is_reported_with_the_running_loss_and_ends_at_the_last_batch()
    {
        var (trainer, _, _, _) = Setup("sgd", examples: 3000, batch: 50);
        var reports = new List<(int Done, int Count, double Loss)>();

        EpochTraining epoch = trainer.RunEpoch((done, count, loss, _) => reports.Add((done, count, loss)));

        Assert.Equal([25, 50, 60], reports.Select(r => r.Done));
        Assert.All(reports, r => Assert.Equal(60, r.Count));
        Assert.Equal(epoch.MeanLoss, reports[^1].Loss, 12);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void A_training_step_allocates_nothing_in_steady_state(string optimizer)
    {
        // 510 examples in batches of 50: ten full batches and a partial one, so both batch shapes recur.
        var (trainer, _, _, _) = Setup(optimizer, examples: 510, batch: 50);
        Assert.Equal(0, SteadyState.Allocated(() => trainer.RunEpoch(), calls: 3));
    }

    [Fact]
    public void A_single_step_on_mnist_sized_batches_allocates_nothing()
    {
        var model = Mlp.He(784, 100, 10, seed: 1);
        var x = Matrix<float>.RandomUniform(100, 784, 0, 1, seed: 2);
        int[] labels = Enumerable.Range(0, 100).Select(i => i % 10).ToArray();
        Trainer trainer = Trainer.Create(model, "sgd", 0.1, new MiniBatches(x, labels, 100, seed: 1));
        Assert.Equal(0, SteadyState.Allocated(() => trainer.Step(x, labels), calls: 10));
    }
}
