using Backprop.Training;
using static Backprop.MatrixOps;

namespace Backprop.Gradients.Tests;

// README.md's "Train your own model" example, compiled and run. The code between the two marker comments below is
// the README's, line for line (the test checks that), so the README's example is known to compile and to learn.

// begin README example: model
public partial class Classifier
{
    public Matrix<float> W1 = Matrix<float>.He(2, 16, seed: 1), b1 = Matrix<float>.Zeros(1, 16);
    public Matrix<float> W2 = Matrix<float>.He(16, 2, seed: 2), b2 = Matrix<float>.Zeros(1, 2);

    [Differentiable(Derivatives.Gradient | Derivatives.TrainStep)]
    public float Loss([NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
    {
        var h = Tanh(MatMul(x, W1) + b1);
        return SoftmaxCrossEntropy(MatMul(h, W2) + b2, t);
    }
}
// end README example: model

public sealed class ReadmeTrainingExampleTests
{
    [Fact]
    public void The_README_training_example_learns_its_data_set()
    {
        // begin README example: training
        // A data set: 1,000 points of the square [-2, 2]², class 1 inside the circle of radius 1.2.
        var random = new Random(1);
        var inputs = Matrix<float>.Zeros(1000, 2);
        var labels = new int[1000];
        for (int i = 0; i < 1000; i++)
        {
            inputs[i, 0] = random.NextSingle() * 4 - 2;
            inputs[i, 1] = random.NextSingle() * 4 - 2;
            labels[i] = inputs[i, 0] * inputs[i, 0] + inputs[i, 1] * inputs[i, 1] < 1.44f ? 1 : 0;
        }

        // The model, its generated Gradients (a matrix of each field's shape), an optimizer over both.
        var model = new Classifier();
        var optimizer = new Adam<float>(model, Classifier.Gradients.For(model), learningRate: 0.02);

        var batches = new MiniBatches(inputs, labels, batchSize: 50, seed: 1);
        var targets = Matrix<float>.Zeros(50, 2);
        double meanLoss = 0;
        for (int epoch = 1; epoch <= 40; epoch++)
        {
            double total = 0;
            foreach (MiniBatch batch in batches.NextEpoch())
            {
                targets.Span.Clear();                                  // one-hot targets of the batch's labels
                for (int i = 0; i < batch.Count; i++)
                    targets[i, batch.Labels.Span[i]] = 1;
                // The loss, its gradient, and each field's update as soon as its gradient is complete.
                total += batch.Count * model.LossTrainStep(batch.Inputs, targets, optimizer);
            }
            meanLoss = total / inputs.Rows;
            if (epoch % 10 == 0)
                Console.WriteLine($"epoch {epoch}: mean loss {meanLoss:F4}");
        }

        // Accuracy on the training set: the class with the larger logit.
        Matrix<float> logits = MatMul(Tanh(MatMul(inputs, model.W1) + model.b1), model.W2) + model.b2;
        int correct = 0;
        for (int i = 0; i < inputs.Rows; i++)
            correct += (logits[i, 1] > logits[i, 0] ? 1 : 0) == labels[i] ? 1 : 0;
        Console.WriteLine($"accuracy {correct / 10.0}%");
        // end README example: training

        Assert.True(meanLoss < 0.15, $"the mean loss of the last epoch was {meanLoss}");
        Assert.True(correct >= 950, $"{correct} of 1,000 training points classified correctly");
    }

    [Fact]
    public void The_README_shows_this_code()
    {
        string readme = Normalize(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));
        string test = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "Backprop.Gradients.Tests", "ReadmeTrainingExampleTests.cs"));
        foreach (string part in new[] { "model", "training" })
        {
            string begin = $"// begin README example: {part}", end = $"// end README example: {part}";
            int start = test.IndexOf(begin, StringComparison.Ordinal) + begin.Length;
            string code = Normalize(test[start..test.IndexOf(end, StringComparison.Ordinal)]);
            Assert.Contains(code, readme);
        }
    }

    /// <summary>The lines without their indentation and without blank lines, so that indentation may differ.</summary>
    private static string Normalize(string text) =>
        string.Join("\n", text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Backprop.sln")))
                return directory.FullName;
        throw new InvalidOperationException("Backprop.sln not found above " + AppContext.BaseDirectory);
    }
}
