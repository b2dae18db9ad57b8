namespace Backprop.Generator.Model;

/// <summary>
/// What a value of the forward program is, beside its number type (<see cref="ScalarType"/>, the element type of the
/// containers): the kinds of value the one pipeline differentiates. A new kind of value is a new member here and a
/// case in each stage, never a pipeline of its own.
/// </summary>
internal enum ValueShape
{
    /// <summary>One number: a double or float carries a derivative, an int, long, byte or bool is passive.</summary>
    Scalar,
    /// <summary>A one-dimensional array (or span) of numbers.</summary>
    Array,
    /// <summary>A <c>Backprop.Matrix&lt;T&gt;</c>: computed by operations that bring their own <c>[DerivativeOf]</c> pullbacks.</summary>
    Matrix,
    /// <summary>A <c>Matrix&lt;T&gt;[]</c> parameter, such as the weights of a stack of layers, read by index.</summary>
    MatrixArray,
    /// <summary>A value passed through unchanged to an operation (a convolution's geometry, a dropout mask): no derivative, no arithmetic.</summary>
    Opaque,
}

internal static class ValueShapes
{
    /// <summary>The C# of a matrix of <paramref name="element"/>, as generated code writes it.</summary>
    public static string MatrixType(ScalarType element) => $"global::Backprop.Matrix<{element.Keyword()}>";

    /// <summary>Whether a declared type is a matrix (or a nullable one), as generated code writes it.</summary>
    public static bool IsMatrixType(string type) => type.StartsWith("global::Backprop.Matrix<", System.StringComparison.Ordinal) && !type.EndsWith("[]", System.StringComparison.Ordinal);

    /// <summary>The C# type of a value of this shape and element type, as generated code declares it.</summary>
    public static string TypeName(this ValueShape shape, ScalarType type) => shape switch
    {
        ValueShape.Array => type.Keyword() + "[]",
        ValueShape.Matrix => MatrixType(type),
        ValueShape.MatrixArray => MatrixType(type) + "[]",
        _ => type.Keyword(),
    };
}
