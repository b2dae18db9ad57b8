using Backprop.Sample.Model;

namespace Backprop.Sample.Tests.Model;

public sealed class MlpParametersTests
{
    [Fact]
    public void The_reference_initialisation_has_small_weights_and_zero_biases()
    {
        var model = MlpParameters.SmallNormal(784, 100, 10, seed: 0);

        Assert.InRange(Math.Sqrt(model.W1.Span.ToArray().Average(w => w * w)), 0.009, 0.011);
        Assert.All(model.B1.Span.ToArray(), b => Assert.Equal(0, b));
        Assert.All(model.B2.Span.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_single_NaN_or_infinity_makes_the_model_not_finite()
    {
        var model = MlpParameters.He(5, 4, 3, seed: 1);
        Assert.True(model.IsFinite);

        model.B2[0, 2] = float.NaN;
        Assert.False(model.IsFinite);

        model.B2[0, 2] = 0;
        model.W1[4, 3] = float.NegativeInfinity;
        Assert.False(model.IsFinite);
    }

    [Fact]
    public void CopyTo_copies_every_value()
    {
        var model = MlpParameters.He(5, 4, 3, seed: 1);
        MlpParameters copy = model.ZerosLike();

        model.CopyTo(copy);

        foreach (var (original, copied) in model.Tensors.Zip(copy.Tensors))
            Assert.Equal(original.Values.Span.ToArray(), copied.Values.Span.ToArray());
    }
}
