using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Calculus;

/// <summary>
/// BP1009 for each call that passes a varying value to a parameter its callee does not differentiate
/// (<c>[NoDerivative]</c>, or left out by a pullback): generating anyway would silently drop that derivative.
/// </summary>
internal static class LostDerivatives
{
    public static EquatableArray<DiagnosticInfo> Find(FunctionSpec function) =>
        Activity.Analyze(function, function.Body.Variables.ToDictionary(v => v.Name))
            .LostDerivatives(function.Body.Body)
            .Select(lost => Diagnose(function.Name, lost.Name, lost.Callee, lost.Pullback, lost.Argument))
            // A statement lowered twice (each value of var (s, c) = Math.SinCos(…) computes the argument) makes its calls twice: one report per place.
            .Distinct()
            .ToEquatableArray();

    /// <summary>The one wording of BP1009, for scalar and matrix callers alike.</summary>
    public static DiagnosticInfo Diagnose(string caller, string parameter, string callee, bool pullback, SourceSpan? at) =>
        new(Diagnostics.DerivativeLostThroughParameter.Id, at, new EquatableArray<string>(new[]
        {
            caller, parameter, callee,
            pullback ? "for which its [DerivativeOf] pullback gives no gradient" : "which is marked [NoDerivative]",
            pullback
                ? $"give the pullback an out gradient for '{parameter}' and remove [NoDerivative] from '{parameter}' of '{callee}', or pass a value computed only from [NoDerivative] parameters and constants"
                : $"remove [NoDerivative] from '{parameter}' of '{callee}' (its public derivative methods then take a gradient for it), or pass a value computed only from [NoDerivative] parameters and constants",
        }));
}
