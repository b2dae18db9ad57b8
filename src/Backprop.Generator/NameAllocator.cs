using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator;

/// <summary>Hands out unique local names: the wanted name if free, else <c>name_1</c>, <c>name_2</c>, …</summary>
internal sealed class NameAllocator
{
    private readonly HashSet<string> _taken;

    /// <summary>Per wanted name, the suffix to try next: every smaller one is taken, so a variable assigned n times costs O(n), not O(n²).</summary>
    private readonly Dictionary<string, int> _nextSuffix = new();

    public NameAllocator(IEnumerable<string> reserved) => _taken = new HashSet<string>(reserved);

    /// <summary>Names for a derivative method's locals: every variable, gradient parameter and array result's derivative is taken.</summary>
    public static NameAllocator ForDerivativesOf(FunctionSpec function) =>
        new(function.Body.Variables.Select(v => v.Name).Concat(function.Inputs.Select(p => p.GradientName))
            .Concat(function.ReturnsSeveralValues ? new[] { Naming.ResultDerivative } : Enumerable.Empty<string>())
            .Concat(function.IsModelMethod ? Naming.ModelParameters(function.Derivatives) : Enumerable.Empty<string>())
            .Concat((function.Derivatives & DerivativeKinds.TrainStep) != 0 ? new[] { Naming.Optimizer } : Enumerable.Empty<string>()));

    public string Allocate(string wanted)
    {
        string name = wanted;
        _nextSuffix.TryGetValue(wanted, out int suffix);
        while (!_taken.Add(name))
            name = wanted + "_" + ++suffix;
        _nextSuffix[wanted] = suffix;
        return name;
    }
}
