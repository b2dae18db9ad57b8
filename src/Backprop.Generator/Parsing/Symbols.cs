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

    /// <summary>The derivatives a <c>[Differentiable]</c> method asks for: the attribute's argument, or the gradient alone.</summary>
    public static DerivativeKinds DerivativesOf(ISymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == DifferentiableAttribute)
                return attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int flags ? (DerivativeKinds)flags : DerivativeKinds.Gradient;
        }
        return 0;
    }

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
