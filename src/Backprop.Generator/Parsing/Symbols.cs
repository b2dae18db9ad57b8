using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Parsing;

internal static class Symbols
{
    public const string DifferentiableAttribute = "Backprop.DifferentiableAttribute";
    public const string NoDerivativeAttribute = "Backprop.NoDerivativeAttribute";

    /// <summary>The forward program's type for <paramref name="type"/>, or <c>null</c> when it has none.</summary>
    public static ScalarType? ToScalarType(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.System_Double => ScalarType.Double,
        SpecialType.System_Single => ScalarType.Float,
        SpecialType.System_Int32 => ScalarType.Int,
        SpecialType.System_Int64 => ScalarType.Long,
        SpecialType.System_Boolean => ScalarType.Bool,
        _ => null,
    };

    public static bool HasAttribute(ISymbol symbol, string metadataName)
    {
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == metadataName)
                return true;
        }
        return false;
    }

    public static string AccessibilityKeyword(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };
}
