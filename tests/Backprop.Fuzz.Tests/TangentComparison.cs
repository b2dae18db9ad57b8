using System.Globalization;

namespace Backprop.Fuzz.Tests;

/// <summary>How a tangent method's result is judged, for programs over numbers and over matrices alike.</summary>
internal static class TangentComparison
{
    /// <summary>
    /// The mismatch, if any, between <paramref name="result"/>, FTangent's <c>(Value, Derivative)</c> along a direction
    /// v, and F's <paramref name="value"/> (exactly) and the gradient · v (<paramref name="dot"/>, with
    /// <paramref name="scale"/> = Σ|gᵢ·vᵢ|): two exact derivative computations that differ only in rounding, so the
    /// tolerance (<see cref="Precision.Consistency"/>) is relative to Σ|gᵢ·vᵢ|. The derivatives are compared only where
    /// every gradient component was (<paramref name="compareDerivatives"/>): where F's own rounding defeats finite
    /// differences, forward and reverse mode, which sum in other orders, round differently too (seed 1063189: in
    /// (Log(1 + x²) + x) − x at x ≈ 10¹⁶, the tangent's (dL + dx) − dx loses dL in dx's rounding as F loses L in x's,
    /// where the gradient's −1 + 1 + dL/dx keeps it). A non-finite derivative is skipped, as a non-finite gradient
    /// component is: an overflowed intermediate gives ∞·0 (HTangent(Math.E, x, 0, dx) with cosh(e^…) = ∞ times the
    /// constant argument's zero tangent).
    /// </summary>
    /// <param name="along">The direction, as a report names it: <c>along (…)</c>.</param>
    public static string? Compare(object result, double value, double dot, double scale, bool compareDerivatives, Precision precision, string along)
    {
        Type tuple = result.GetType();
        double tangentValue = Convert.ToDouble(tuple.GetField("Item1")!.GetValue(result), CultureInfo.InvariantCulture);
        double derivative = Convert.ToDouble(tuple.GetField("Item2")!.GetValue(result), CultureInfo.InvariantCulture);
        if (!tangentValue.Equals(value))
            return $"the tangent method returned {tangentValue:R}, the function {value:R}";
        if (!double.IsFinite(derivative) || !compareDerivatives)
            return null;
        return Math.Abs(derivative - dot) > precision.Consistency * Math.Max(1, scale)
            ? $"the tangent's derivative {along} is {derivative:R}, gradient · direction {dot:R}"
            : null;
    }
}
