using Backprop.Sample.Model;
using Backprop.Sample.Training;

namespace Backprop.Sample.Tests.Training;

public sealed class DivergenceCheckTests
{
    private static EpochTraining Epoch(double meanLoss) => new(meanLoss, Samples: 100, Seconds: 1);

    [Fact]
    public void A_loss_beyond_a_hundred_times_that_of_guessing_has_exploded()
    {
        var model = Mlp.He(4, 3, 10, seed: 1); // guessing: ln 10 = 2.30, so the limit is 230

        Assert.Null(DivergenceCheck.Problem(Epoch(229), model));
        Assert.StartsWith("the mean loss was 232, more than 100 times the 2.30 of guessing", DivergenceCheck.Problem(Epoch(232), model));
    }

    [Fact]
    public void Weights_that_are_not_finite_have_diverged_whatever_the_loss()
    {
        var model = Mlp.He(4, 3, 10, seed: 1);
        model.W2[1, 1] = float.PositiveInfinity;

        Assert.Equal("the weights became NaN or infinite", DivergenceCheck.Problem(Epoch(0.5), model));
    }
}
