using Backprop.Sample.Evaluation;
using Backprop.Sample.Model;

namespace Backprop.Sample.Tests.Evaluation;

public sealed class EvaluatorTests
{
    /// <summary>A 3-3-3 network that passes its input through: it predicts the brightest pixel.</summary>
    private static Mlp Identity()
    {
        var model = new Mlp(3, 3, 3);
        for (int i = 0; i < 3; i++)
            model.W1[i, i] = model.W2[i, i] = 1;
        return model;
    }

    [Fact]
    public void Predicts_with_the_forward_pass_and_counts_the_correct_ones()
    {
        var images = Matrix<float>.FromArray(new float[,] { { 1, 0, 0 }, { 0, 0.5f, 0.2f }, { 0.1f, 0.2f, 0.9f }, { 0, 1, 0 }, { 0.3f, 0, 0 } });

        Evaluated result = new Evaluator(Identity(), images, [0, 1, 2, 0, 0]).Evaluate();

        Assert.Equal([0, 1, 2, 1, 0], result.Predictions);
        Assert.Equal(0.8, result.Accuracy, 12);
    }

    [Fact]
    public void Sets_larger_than_a_chunk_are_predicted_chunk_by_chunk()
    {
        var (images, labels) = Synthetic.Data(2500, seed: 3);
        var model = new Mlp(Synthetic.Pixels, Synthetic.Pixels, Synthetic.Classes);
        for (int i = 0; i < Synthetic.Classes; i++)
            model.W1[i, i] = model.W2[i, i] = 1;
        var predictions = new int[labels.Length];

        new MlpPredictor(model, chunkRows: 1000).Predict(images, predictions);

        Assert.Equal(labels, predictions);
    }

    [Fact]
    public void Accuracy_of_nothing_is_zero() => Assert.Equal(0, Accuracies.Of([], []));
}
