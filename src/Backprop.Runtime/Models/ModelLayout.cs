using System.Numerics;

namespace Backprop;

/// <summary>One parameter of a model as a walk described it, kept beyond the walk (names, shapes, whether writable).</summary>
internal sealed record ParameterLayout(string Name, ModelParameterKind Kind, int Rows, int Columns, string? ReadOnlyReason)
{
    public int Length => Rows * Columns;

    public string Shape => $"{Rows}×{Columns}";
}

/// <summary>A model's parameters, in the order of its walk, described once (for what outlives one walk: optimizers' state, checks).</summary>
internal static class ModelLayout
{
    /// <summary>Walks <paramref name="model"/> (with <paramref name="gradients"/>, which the walk checks, when given).</summary>
    public static ParameterLayout[] Of<T>(IModel<T> model, IModelGradients<T>? gradients = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        var visitor = new Describer<T>(new List<ParameterLayout>());
        model.VisitParameters(ref visitor, gradients);
        return visitor.Parameters.ToArray();
    }

    /// <summary>Throws unless every parameter can be written in place: <paramref name="user"/> writes them (an optimizer, a load, a gradient check).</summary>
    /// <exception cref="ArgumentException">A parameter is a copy (<see cref="ModelParameter{T}.ReadOnlyReason"/>).</exception>
    public static void RequireWritable(IEnumerable<ParameterLayout> parameters, string user, string parameterName)
    {
        foreach (ParameterLayout parameter in parameters)
        {
            if (parameter.ReadOnlyReason is { } reason)
                throw new ArgumentException($"{user} writes the model's parameters in place, and '{parameter.Name}' cannot be written: {reason}.", parameterName);
        }
    }

    private readonly struct Describer<T>(List<ParameterLayout> parameters) : IParameterVisitor<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public List<ParameterLayout> Parameters { get; } = parameters;

        public void Visit(in ModelParameter<T> parameter) =>
            Parameters.Add(new ParameterLayout(parameter.FullName, parameter.Kind, parameter.Rows, parameter.Columns, parameter.ReadOnlyReason));
    }
}
