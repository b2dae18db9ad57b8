namespace Backprop.Generator.Model;

/// <summary>The type of a value in the forward program. Only <see cref="Double"/>, <see cref="Float"/> and <see cref="Generic"/> carry derivatives.</summary>
internal enum ScalarType
{
    Double,
    Float,
    Int,
    Long,
    Bool,
    /// <summary>
    /// An unsigned byte (pixels, labels): data, read from <c>byte[]</c> and spans. C# computes with it as an int (its
    /// arithmetic, comparisons and indexing promote it), so a byte value only appears where the source holds one: an
    /// element, a local, a cast <c>(byte)</c> that wraps as C# does.
    /// </summary>
    Byte,
    /// <summary>
    /// The type parameter of a generic method, constrained to <c>IFloatingPointIeee754&lt;T&gt;</c>: its keyword is
    /// <c>T</c>, which the printer writes under the method's own name for it (<see cref="FunctionSpec.TypeParameter"/>).
    /// </summary>
    Generic,
}

internal static class ScalarTypeExtensions
{
    public static bool IsFloatingPoint(this ScalarType type) => type is ScalarType.Double or ScalarType.Float or ScalarType.Generic;

    /// <summary>How model and code lines spell <see cref="ScalarType.Generic"/>; the printer renames it to the method's type parameter.</summary>
    public const string GenericKeyword = "T";

    public static string Keyword(this ScalarType type) => type switch
    {
        ScalarType.Double => "double",
        ScalarType.Float => "float",
        ScalarType.Int => "int",
        ScalarType.Long => "long",
        ScalarType.Byte => "byte",
        ScalarType.Generic => GenericKeyword,
        _ => "bool",
    };
}
