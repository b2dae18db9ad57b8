using Backprop.Sample.Model;
using Backprop.Sample.Training;
using Backprop.Training;

namespace Backprop.Sample.Tests.Training;

public sealed class NetworkGradientCheckTests
{
    [Fact]
    public void The_gradient_of_the_loss_matches_central_differences()
    {
        var (images, labels) = Synthetic.Data(8, seed: 4);
        var model = Mlp.He(Synthetic.Pixels, 12, Synthetic.Classes, seed: 5);

        GradientCheckResult result = NetworkGradientCheck.Run(model, images, labels, samplesPerParameter: -1);

        Assert.True(result.IsWithin(NetworkGradientCheck.RelativeTolerance, NetworkGradientCheck.AbsoluteTolerance), result.ToString());
        Assert.Equal(["W1", "b1", "W2", "b2"], result.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void The_loss_and_the_gradients_loss_agree_and_the_gradient_has_the_parameters_shapes()
    {
        var (images, labels) = Synthetic.Data(6, seed: 6);
        var model = Mlp.He(Synthetic.Pixels, 5, Synthetic.Classes, seed: 7);
        var t = new OneHotTargets(Synthetic.Classes).For(labels);
        var gradients = Mlp.Gradients.For(model);

        float loss = model.LossGradient(images, t, gradients);

        Assert.Equal(model.Loss(images, t), loss, 5);
        Assert.Equal([model.W1.Shape, model.b1.Shape, model.W2.Shape, model.b2.Shape], [gradients.W1.Shape, gradients.b1.Shape, gradients.W2.Shape, gradients.b2.Shape]);
        // Σⱼ ∂L/∂b2ⱼ = Σⱼ mean over the batch of (softmax − t) = 0.
        Assert.Equal(0, gradients.b2.Span.ToArray().Sum(), 5);
    }
}
