using Backprop.Data;
using Backprop.Sample.Data;
using Backprop.Sample.Model;
using Backprop.Sample.Tests.Data;

namespace Backprop.Sample.Tests.Model;

public sealed class SavedModelTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Save_then_load_gives_back_every_value_the_layer_sizes_and_the_data_set()
    {
        var model = Mlp.He(12, 7, 3, seed: 1);
        model.b1[0, 2] = 0.25f;
        string path = _temp.Combine("model.bin");

        SavedModel.Save(path, model, Dataset.Fashion);
        SavedModel loaded = SavedModel.Load(path);

        Assert.Equal(Dataset.Fashion, loaded.Dataset);
        Assert.Equal("a 12-7-3 ReLU network trained on Fashion-MNIST", loaded.Description);
        foreach (var (original, copy) in model.Tensors().Zip(loaded.Parameters.Tensors()))
            Assert.Equal(original.Values.Span.ToArray(), copy.Values.Span.ToArray());
    }

    [Fact]
    public void A_file_from_before_the_data_set_was_recorded_loads_without_one()
    {
        var model = Mlp.He(12, 7, 3, seed: 1);
        string path = _temp.Combine("old.bin");
        ModelFile.Save(path, model.Tensors());

        SavedModel loaded = SavedModel.Load(path);

        Assert.Null(loaded.Dataset);
        Assert.Equal("12-7-3 ReLU", loaded.Parameters.Description);
    }

    [Fact]
    public void A_file_without_the_four_tensors_is_refused_naming_the_missing_one()
    {
        string path = _temp.Combine("other.bin");
        ModelFile.Save(path, [("W1", new Matrix<float>(2, 2))]);

        var error = Assert.Throws<InvalidDataException>(() => SavedModel.Load(path));
        Assert.Contains("W2", error.Message);
        Assert.StartsWith(path, error.Message);
    }

    [Fact]
    public void Tensors_of_another_kind_of_model_are_refused_by_name()
    {
        var model = Mlp.He(4, 3, 2, seed: 1);
        string path = _temp.Combine("cnn.bin");
        ModelFile.Save(path, [.. model.Tensors(), ("conv1", new Matrix<float>(3, 3))]);

        var error = Assert.Throws<InvalidDataException>(() => SavedModel.Load(path));
        Assert.Contains("conv1", error.Message);
    }

    [Fact]
    public void Inconsistent_shapes_are_refused_with_each_shape()
    {
        var model = Mlp.He(4, 3, 2, seed: 1);
        string path = _temp.Combine("odd.bin");
        ModelFile.Save(path, [("W1", model.W1), ("b1", new Matrix<float>(1, 5)), ("W2", model.W2), ("b2", model.b2)]);

        var error = Assert.Throws<InvalidDataException>(() => SavedModel.Load(path));
        Assert.Contains("'b1' is 1×5 in the file but 1×3 in the model", error.Message);
    }

    [Fact]
    public void An_unknown_data_set_is_refused_by_name()
    {
        var model = Mlp.He(4, 3, 2, seed: 1);
        string path = _temp.Combine("cifar.bin");
        ModelFile.Save(path, [.. model.Tensors(), ("dataset=cifar", new Matrix<float>(1, 1))]);

        var error = Assert.Throws<InvalidDataException>(() => SavedModel.Load(path));
        Assert.Contains("'cifar'", error.Message);
    }
}
