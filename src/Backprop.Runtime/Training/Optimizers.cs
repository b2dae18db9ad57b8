using System.Numerics;

namespace Backprop.Training;

/// <summary>Creates an optimizer from its command-line name, with default hyperparameters.</summary>
public static class Optimizers
{
    /// <summary>The names <c>Create</c> accepts: <c>sgd</c>, <c>momentum</c>, <c>adam</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "momentum", "adam"];

    /// <summary>Creates the optimizer called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of <see cref="Names"/>.</exception>
    public static Optimizer<T> Create<T>(string name, IEnumerable<(Matrix<T> Parameter, Matrix<T> Gradient)> parameters, LearningRateSchedule learningRate)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        name.ToLowerInvariant() switch
        {
            "sgd" => new Sgd<T>(parameters, learningRate),
            "momentum" => new Momentum<T>(parameters, learningRate),
            "adam" => new Adam<T>(parameters, learningRate),
            _ => throw Unknown(name),
        };

    /// <summary>Creates the optimizer called <paramref name="name"/> (case-insensitive) over every parameter of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of <see cref="Names"/>.</exception>
    public static Optimizer<T> Create<T>(string name, IModel<T> model, IModelGradients<T> gradients, LearningRateSchedule learningRate)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        name.ToLowerInvariant() switch
        {
            "sgd" => new Sgd<T>(model, gradients, learningRate),
            "momentum" => new Momentum<T>(model, gradients, learningRate),
            "adam" => new Adam<T>(model, gradients, learningRate),
            _ => throw Unknown(name),
        };

    private static ArgumentException Unknown(string name) =>
        new($"Unknown optimizer '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name));
}
