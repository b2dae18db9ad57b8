namespace Backprop.Generator.Model;

/// <summary>The type of a value in the forward program. Only <see cref="Double"/> and <see cref="Float"/> carry derivatives.</summary>
internal enum ScalarType
{
    Double,
    Float,
    Int,
    Long,
    Bool,
}

internal static class ScalarTypeExtensions
{
    public static bool IsFloatingPoint(this ScalarType type) => type is ScalarType.Double or ScalarType.Float;

    public static string Keyword(this ScalarType type) => type switch
    {
        ScalarType.Double => "double",
        ScalarType.Float => "float",
        ScalarType.Int => "int",
        ScalarType.Long => "long",
        _ => "bool",
    };
}
