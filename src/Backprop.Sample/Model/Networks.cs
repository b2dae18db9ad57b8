using System.Numerics.Tensors;
using Backprop.Data;

namespace Backprop.Sample.Model;

/// <summary>The networks the sample can train (<c>--model</c>), and what is done the same way to either, through their walks.</summary>
public static class Networks
{
    /// <summary>The names <c>--model</c> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["mlp", "cnn"];

    /// <summary>A copy of every parameter, named as in model files (<c>W1</c>, <c>b1</c>, …), in the walk's order.</summary>
    public static IReadOnlyList<(string Name, Matrix<float> Values)> Tensors(this INetwork network) => ModelFile.TensorsOf(network);

    /// <summary>A network of the same shapes and values, sharing nothing with this one.</summary>
    public static INetwork Copy(this INetwork network)
    {
        INetwork copy = network.ZerosLike();
        ModelFile.CopyInto(network.Tensors(), copy, network.Description);
        return copy;
    }

    /// <summary>Whether both networks have the same parameters: the same names, shapes and values.</summary>
    public static bool SameWeights(this INetwork network, INetwork other)
    {
        IReadOnlyList<(string Name, Matrix<float> Values)> mine = network.Tensors(), theirs = other.Tensors();
        return mine.Count == theirs.Count
            && mine.Zip(theirs).All(pair => pair.First.Name == pair.Second.Name && pair.First.Values.Shape == pair.Second.Values.Shape
                                            && pair.First.Values.Span.SequenceEqual(pair.Second.Values.Span));
    }

    extension(INetwork network)
    {
        /// <summary>Whether every value is finite: a step that diverged leaves NaN or infinite weights.</summary>
        public bool IsFinite
        {
            get
            {
                var check = new FiniteCheck { AllFinite = true };
                network.VisitParameters(ref check);
                return check.AllFinite;
            }
        }
    }

    private struct FiniteCheck : IParameterVisitor<float>
    {
        public bool AllFinite;

        public void Visit(in ModelParameter<float> parameter) => AllFinite &= TensorPrimitives.IsFiniteAll<float>(parameter.Values);
    }
}
