using Backprop.Sample.Model;

namespace Backprop.Sample.Tests.Model;

public sealed class MlpTests
{
    [Fact]
    public void The_reference_initialisation_has_small_weights_and_zero_biases()
    {
        var model = Mlp.SmallNormal(784, 100, 10, seed: 0);

        Assert.InRange(Math.Sqrt(model.W1.Span.ToArray().Average(w => w * w)), 0.009, 0.011);
        Assert.All(model.b1.Span.ToArray(), b => Assert.Equal(0, b));
        Assert.All(model.b2.Span.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_single_NaN_or_infinity_makes_the_model_not_finite()
    {
        var model = Mlp.He(5, 4, 3, seed: 1);
        Assert.True(model.IsFinite);

        model.b2[0, 2] = float.NaN;
        Assert.False(model.IsFinite);

        model.b2[0, 2] = 0;
        model.W1[4, 3] = float.NegativeInfinity;
        Assert.False(model.IsFinite);
    }

    [Fact]
    public void A_copy_has_every_value_and_shares_no_matrix()
    {
        var model = Mlp.He(5, 4, 3, seed: 1);
        INetwork copy = model.Copy();

        Assert.True(copy.SameWeights(model));
        Assert.Equal(["W1", "b1", "W2", "b2"], copy.Tensors().Select(t => t.Name));
        model.W1[4, 3] = 7;
        Assert.NotEqual(7, ((Mlp)copy).W1[4, 3]);
    }
}
