using Backprop.Training;

namespace Backprop.Runtime.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void A_double_is_a_constant_schedule()
    {
        LearningRateSchedule schedule = 0.05;
        Assert.Equal(new ConstantLearningRate(0.05), schedule);
        Assert.Equal(0.05, schedule.At(1000));
    }

    [Fact]
    public void Step_decay_multiplies_by_the_factor_every_period()
    {
        var schedule = new StepDecayLearningRate(0.1, factor: 0.1, stepsPerDecay: 100);
        Assert.Equal(0.1, schedule.At(0));
        Assert.Equal(0.1, schedule.At(99));
        Assert.Equal(0.01, schedule.At(100), 15);
        Assert.Equal(0.001, schedule.At(250), 15);
    }

    [Fact]
    public void Cosine_falls_from_initial_to_minimum_and_stays()
    {
        var schedule = new CosineLearningRate(1.0, totalSteps: 100, minimum: 0.1);
        Assert.Equal(1.0, schedule.At(0), 15);
        Assert.Equal(0.55, schedule.At(50), 15);
        Assert.Equal(0.1, schedule.At(100), 15);
        Assert.Equal(0.1, schedule.At(500), 15);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rates_must_be_positive_and_finite(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantLearningRate(rate));
}
