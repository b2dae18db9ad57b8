using System.Globalization;
using Backprop.Generator.Model;

namespace Backprop.Generator;

/// <summary>Numbers (and strings) as C# source writes them, for every stage that prints code: the emitters, and the lowering passing a constant through to an operation.</summary>
internal static class Literals
{
    /// <summary>A string literal, quoted and escaped: <c>"Hidden.W"</c>.</summary>
    public static string String(string text) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);

    /// <summary>A literal of the given type, culture-invariant and round-trippable: <c>2.0</c>, <c>0.5f</c>, <c>double.NaN</c>.</summary>
    public static string Of(double value, ScalarType type)
    {
        switch (type)
        {
            case ScalarType.Int:
                return ((int)value).ToString(CultureInfo.InvariantCulture);
            case ScalarType.Long:
                return ((long)value).ToString(CultureInfo.InvariantCulture) + "L";
            case ScalarType.Bool:
                return value != 0 ? "true" : "false";
            // C# has no byte literal: a cast, which the compiler folds.
            case ScalarType.Byte:
                return "(byte)" + ((byte)value).ToString(CultureInfo.InvariantCulture);
        }
        string keyword = type.Keyword();
        if (double.IsNaN(value))
            return keyword + ".NaN";
        if (double.IsInfinity(value))
            return value > 0 ? keyword + ".PositiveInfinity" : keyword + ".NegativeInfinity";
        string text = type == ScalarType.Float
            ? ((float)value).ToString("R", CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOfAny(new[] { '.', 'E' }) < 0)
            text += ".0";
        return type == ScalarType.Float ? text + "f" : text;
    }
}
