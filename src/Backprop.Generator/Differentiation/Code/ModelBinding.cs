using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// How a model's derivative methods begin, whatever their mode: the model's derivative object (the gradients a
/// gradient method writes, the direction a tangent method reads) and each of its layers' checked to be there, then each
/// field the code reads bound to a local of the field's name. A model's method never changes its model, so the local
/// holds the field's value throughout.
/// </summary>
internal static class ModelBinding
{
    /// <param name="holder">The derivative object's parameter: <see cref="Naming.ModelGradients"/> or <see cref="Naming.ModelDirection"/>.</param>
    public static IEnumerable<CodeLine> Bind(FunctionSpec function, IReadOnlyDictionary<string, VariableSpec> variables, string holder) =>
        NullChecks(function, holder).Concat(function.Fields.Select(field =>
            (CodeLine)new DeclareLine(variables[field.Name].TypeName, field.Name, new MemberExpr("this." + field.Field, null, field.Type!.Value))));

    /// <summary>The model's derivative object <paramref name="holder"/>, and its member of each layer holding parameters, checked to be there.</summary>
    public static IEnumerable<CodeLine> NullChecks(FunctionSpec function, string holder)
    {
        var layers = function.Fields.Where(f => f.Role != ParameterRole.Passive)
            .SelectMany(f => f.Field!.Split('.').Select((_, i) => string.Join(".", f.Field.Split('.').Take(i))).Skip(1))
            .Distinct();
        foreach (string derivatives in new[] { holder }.Concat(layers.Select(layer => holder + "." + layer)))
            yield return new EffectLine($"global::System.ArgumentNullException.ThrowIfNull({derivatives})", EquatableArray<string>.Empty);
    }

    /// <summary>A differentiable input's derivative in a method whose model's derivative object is <paramref name="holder"/>: a field's member of it (<c>direction.Hidden.W</c>), a parameter's own.</summary>
    public static string Derivative(ParameterSpec input, string holder) => input.Field is null ? input.GradientName : holder + "." + input.Field;
}
