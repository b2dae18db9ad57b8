using Backprop.Training;

namespace Backprop.Runtime.Tests.Training;

public class OptimizerTests
{
    private static (Matrix<float> Parameter, Matrix<float> Gradient) Pair(float[] weights, float[] gradient) =>
        (Matrix<float>.FromArray(1, weights.Length, weights), Matrix<float>.FromArray(1, gradient.Length, gradient));

    [Fact]
    public void Sgd_step_subtracts_learning_rate_times_gradient()
    {
        var pair = Pair([1f, -2f, 3f], [0.5f, -1f, 0f]);
        var sgd = new Sgd<float>([pair], 0.1);

        sgd.Step();

        Assert.Equal([0.95f, -1.9f, 3f], pair.Parameter.Span.ToArray());
        Assert.Equal(1, sgd.StepCount);
    }

    [Fact]
    public void Sgd_converges_on_a_quadratic()
    {
        // J(w) = ½ Σ cᵢ (wᵢ − tᵢ)², ∂J/∂wᵢ = cᵢ (wᵢ − tᵢ); the minimum is w = t.
        double[] curvature = [1, 2, 4];
        double[] target = [3, -1, 0.5];
        var w = Matrix<double>.Zeros(1, 3);
        var g = Matrix<double>.Zeros(1, 3);
        var sgd = new Sgd<double>([(w, g)], 0.2);

        for (int step = 0; step < 200; step++)
        {
            for (int i = 0; i < 3; i++)
                g.Span[i] = curvature[i] * (w.Span[i] - target[i]);
            sgd.Step();
        }

        for (int i = 0; i < 3; i++)
            Assert.Equal(target[i], w.Span[i], 1e-9);
    }

    [Fact]
    public void Momentum_accumulates_velocity_over_two_steps()
    {
        var pair = Pair([1f], [2f]);
        var momentum = new Momentum<float>([pair], 0.1, momentum: 0.5);

        momentum.Step(); // v = 2, w = 1 − 0.1·2 = 0.8
        Assert.Equal(0.8f, pair.Parameter.Span[0], 6);

        pair.Gradient.Span[0] = 1f;
        momentum.Step(); // v = 0.5·2 + 1 = 2, w = 0.8 − 0.1·2 = 0.6
        Assert.Equal(0.6f, pair.Parameter.Span[0], 6);
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_learning_rate_against_the_gradient_sign()
    {
        var pair = Pair([1f, 1f, 1f, 1f], [3f, -0.02f, 1e-3f, -50f]);
        var adam = new Adam<float>([pair], 0.01);

        adam.Step();

        Assert.Equal([0.99f, 1.01f, 0.99f, 1.01f], pair.Parameter.Span.ToArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void Adam_second_step_matches_the_bias_corrected_closed_form()
    {
        var w = Matrix<double>.FromArray(1, 1, [0.0]);
        var g = Matrix<double>.FromArray(1, 1, [1.0]);
        var adam = new Adam<double>([(w, g)], 0.1);
        adam.Step();
        double afterFirst = w.Span[0];
        g.Span[0] = -3.0;

        adam.Step();

        // m₂ = 0.9·0.1 + 0.1·(−3); v₂ = 0.999·0.001 + 0.001·9; both corrected by 1 − β².
        double m = (0.9 * 0.1 + 0.1 * -3.0) / (1 - 0.9 * 0.9);
        double v = (0.999 * 0.001 + 0.001 * 9.0) / (1 - 0.999 * 0.999);
        Assert.Equal(afterFirst - 0.1 * m / (Math.Sqrt(v) + 1e-8), w.Span[0], 12);
    }

    [Fact]
    public void Step_allocates_nothing()
    {
        var weights = Matrix<float>.RandomNormal(64, 32, 1, seed: 1);
        var gradient = Matrix<float>.RandomNormal(64, 32, 1, seed: 2);
        foreach (string name in Optimizers.Names)
        {
            var optimizer = Optimizers.Create(name, [(weights, gradient)], new CosineLearningRate(0.1, totalSteps: 10));
            optimizer.Step(); // JIT and first-call costs happen here.

            // The runtime may promote a method to optimized code while it runs, which can allocate once on this thread;
            // a step that allocates allocates in every attempt.
            long allocated = long.MaxValue;
            for (int attempt = 0; attempt < 3 && allocated != 0; attempt++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 10; i++)
                    optimizer.Step();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Assert.Equal(0, allocated);
        }
    }

    [Fact]
    public void Create_picks_by_name_and_rejects_unknown_names()
    {
        var pair = Pair([1f], [1f]);
        Assert.IsType<Sgd<float>>(Optimizers.Create("sgd", [pair], 0.1));
        Assert.IsType<Momentum<float>>(Optimizers.Create("Momentum", [pair], 0.1));
        Assert.IsType<Adam<float>>(Optimizers.Create("ADAM", [pair], 0.1));
        var error = Assert.Throws<ArgumentException>(() => Optimizers.Create("rmsprop", [pair], 0.1));
        Assert.Contains("rmsprop", error.Message);
        Assert.Contains("sgd, momentum, adam", error.Message);
    }

    [Fact]
    public void Constructor_rejects_a_gradient_of_another_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => new Sgd<float>([(Matrix<float>.Zeros(2, 3), Matrix<float>.Zeros(3, 2))], 0.1));
        Assert.Contains("2×3", error.Message);
        Assert.Contains("3×2", error.Message);
    }

    [Fact]
    public void Step_uses_the_schedule_rate_for_each_step()
    {
        var pair = Pair([0f], [1f]);
        var sgd = new Sgd<float>([pair], new StepDecayLearningRate(1, factor: 0.5, stepsPerDecay: 2));

        for (int i = 0; i < 5; i++)
            sgd.Step(); // rates 1, 1, 0.5, 0.5, 0.25

        Assert.Equal(-3.25f, pair.Parameter.Span[0]);
        Assert.Equal(0.25, sgd.CurrentLearningRate);
    }
}
