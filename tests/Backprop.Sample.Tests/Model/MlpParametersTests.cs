using Backprop.Sample.Model;
using Backprop.Sample.Tests.Data;

namespace Backprop.Sample.Tests.Model;

public sealed class MlpParametersTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Save_then_load_gives_back_every_value_and_the_layer_sizes()
    {
        var model = MlpParameters.He(12, 7, 3, seed: 1);
        model.B1[0, 2] = 0.25f;
        string path = _temp.Combine("model.bin");

        model.Save(path);
        MlpParameters loaded = MlpParameters.Load(path);

        Assert.Equal((12, 7, 3), (loaded.Inputs, loaded.Hidden, loaded.Classes));
        foreach (var (original, copy) in model.Tensors.Zip(loaded.Tensors))
            Assert.Equal(original.Values.Span.ToArray(), copy.Values.Span.ToArray());
    }

    [Fact]
    public void A_file_without_the_four_tensors_is_refused()
    {
        string path = _temp.Combine("other.bin");
        Backprop.Data.ModelFile.Save(path, [("W1", new Matrix<float>(2, 2))]);

        var error = Assert.Throws<InvalidDataException>(() => MlpParameters.Load(path));
        Assert.Contains("W2", error.Message);
    }

    [Fact]
    public void The_reference_initialisation_has_small_weights_and_zero_biases()
    {
        var model = MlpParameters.SmallNormal(784, 100, 10, seed: 0);

        Assert.InRange(Math.Sqrt(model.W1.Span.ToArray().Average(w => w * w)), 0.009, 0.011);
        Assert.All(model.B1.Span.ToArray(), b => Assert.Equal(0, b));
        Assert.All(model.B2.Span.ToArray(), b => Assert.Equal(0, b));
    }
}
