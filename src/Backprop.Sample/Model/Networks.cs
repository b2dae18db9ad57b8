using System.Numerics.Tensors;

namespace Backprop.Sample.Model;

/// <summary>The networks the sample can train (<c>--model</c>), and what is done the same way to either.</summary>
public static class Networks
{
    /// <summary>The names <c>--model</c> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["mlp", "cnn"];

    /// <summary>Pairs each parameter with its gradient in <paramref name="gradients"/>, for an optimizer.</summary>
    public static IEnumerable<(Matrix<float> Parameter, Matrix<float> Gradient)> PairedWith(this INetwork network, INetwork gradients) =>
        network.Tensors.Zip(gradients.Tensors, (p, g) => (p.Values, g.Values));

    /// <summary>Copies every value into <paramref name="destination"/>, a network of the same shapes (e.g. from <see cref="INetwork.ZerosLike"/>).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void CopyTo(this INetwork network, INetwork destination)
    {
        foreach (var (source, target) in network.PairedWith(destination))
            source.CopyTo(target);
    }

    extension(INetwork network)
    {
        /// <summary>Whether every value is finite: a step that diverged leaves NaN or infinite weights.</summary>
        public bool IsFinite => network.Tensors.All(t => TensorPrimitives.IsFiniteAll<float>(t.Values.Span));
    }
}
