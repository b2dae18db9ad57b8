using Backprop.Sample.Data;
using Backprop.Sample.Model;
using Backprop.Sample.Tests.Data;
using Backprop.Sample.Training;
using Backprop.Training;

namespace Backprop.Sample.Tests.Model;

public sealed class CnnTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Save_then_load_gives_back_a_cnn_with_every_value_and_the_data_set()
    {
        var model = Cnn.He(10, seed: 1);
        model.c2[0, 3] = 0.25f;
        string path = _temp.Combine("cnn.bin");

        SavedModel.Save(path, model, Dataset.Mnist);
        SavedModel loaded = SavedModel.Load(path);

        Assert.IsType<Cnn>(loaded.Parameters);
        Assert.Equal(Dataset.Mnist, loaded.Dataset);
        Assert.Equal(["K1", "c1", "K2", "c2", "W", "b"], loaded.Parameters.Tensors().Select(t => t.Name));
        foreach (var (original, copy) in model.Tensors().Zip(loaded.Parameters.Tensors()))
            Assert.Equal(original.Values.Span.ToArray(), copy.Values.Span.ToArray());
    }

    [Fact]
    public void A_cnn_file_with_a_tensor_of_another_shape_is_refused_naming_both_shapes()
    {
        string path = _temp.Combine("odd.bin");
        var model = Cnn.He(10, seed: 1);
        Backprop.Data.ModelFile.Save(path, [.. model.Tensors().Select(t => t.Name == "K2" ? ("K2", new Matrix<float>(400, 31)) : t)]);

        var error = Assert.Throws<InvalidDataException>(() => SavedModel.Load(path));
        Assert.Contains("400×31", error.Message);
        Assert.Contains("400×32", error.Message);
    }

    [Fact]
    public void The_generated_gradient_matches_central_differences_in_double()
    {
        var random = new Random(3);
        var images = new Matrix<float>(4, 784);
        for (int i = 0; i < images.Length; i++)
            images.Span[i] = random.NextDouble() < 0.8 ? 0 : random.NextSingle();
        int[] labels = [3, 1, 4, 1];

        GradientCheckResult result = NetworkGradientCheck.Run(Cnn.He(10, seed: 2), images, labels, samplesPerParameter: 20);

        Assert.True(result.IsWithin(1e-3, 1e-6), result.ToString());
    }

    [Fact]
    public void Predictions_are_the_argmax_of_the_logits()
    {
        var model = Cnn.He(10, seed: 4);
        var images = Matrix<float>.RandomUniform(130, 784, 0, 1, seed: 5);
        var predictions = new int[130];

        model.CreatePredictor().Predict(images, predictions);

        Matrix<float> logits = model.Logits(images);
        for (int row = 0; row < images.Rows; row++)
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(logits.Row(row)), predictions[row]);
    }
}
