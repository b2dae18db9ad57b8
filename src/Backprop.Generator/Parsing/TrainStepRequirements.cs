using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Parsing;

/// <summary>
/// What <c>Derivatives.TrainStep</c> needs of a method: an instance method of a model (a class or record class, whose
/// optimizer updates the model itself, not a copy) returning its loss, whose parameters share one element type and can
/// each be written in place, and no parameter of its own whose gradient a train step could not put anywhere. Anything
/// else is BP0017, saying what to write instead.
/// </summary>
internal static class TrainStepRequirements
{
    /// <summary>
    /// The model's parameters in the order of its walk, which the train step numbers them by; empty after reporting
    /// BP0017 in <paramref name="diagnostics"/> (or when the model itself is reported as unsupported).
    /// </summary>
    public static EquatableArray<WalkedParameter> Check(IMethodSymbol method, ModelFields? model, bool returnsScalar, IReadOnlyList<ParameterSpec> parameters,
        Location at, List<DiagnosticInfo> diagnostics)
    {
        int before = diagnostics.Count;
        void Refuse(Location where, string why) => diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TrainStepNotAvailable, where, method.Name, why));

        if (method.IsStatic || model is null)
        {
            if (method.IsStatic)
                Refuse(at, $"it is static, and a train step updates a model's parameter fields in place; make '{method.Name}' an instance method of a partial class or record whose fields hold its parameters, or remove Derivatives.TrainStep");
            return EquatableArray<WalkedParameter>.Empty;
        }
        ModelSpec root = model.Models.First(m => m.TypeName == Symbols.TypeName(model.Type));
        if (root.IsValueType)
            Refuse(at, $"its model '{root.Name}' is a struct, which an optimizer would update a copy of; make '{root.Name}' a class or record class");
        if (!returnsScalar)
            Refuse(at, $"it returns '{method.ReturnType.ToDisplayString()}', and a train step minimizes a loss; return a double or float");
        if (root.Element is null)
            Refuse(at, $"the parameters of '{root.Name}' mix float and double, and one optimizer updates them all; make them all float or all double");
        else if (!root.IsValueType)
        {
            foreach (WalkedParameter readOnly in root.Parameters.Where(p => p.Access == ScalarAccess.ReadOnly))
                Refuse(at, $"the model's parameter '{readOnly.Name}' cannot be updated in place: {readOnly.ReadOnlyReason}");
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            Location where = method.Parameters[i].Locations.FirstOrDefault() ?? at;
            if (parameters[i].Name == Naming.Optimizer)
                Refuse(where, $"its parameter '{Naming.Optimizer}' has the name of the train step's optimizer; rename it");
            else if (parameters[i].Role == ParameterRole.MatrixArray || parameters[i].IsSpan && parameters[i].Role != ParameterRole.Passive)
                Refuse(where, $"its parameter '{parameters[i].Name}' would get a gradient that a train step has nowhere to put; mark it [NoDerivative]");
        }
        return diagnostics.Count == before ? root.Parameters : EquatableArray<WalkedParameter>.Empty;
    }
}
