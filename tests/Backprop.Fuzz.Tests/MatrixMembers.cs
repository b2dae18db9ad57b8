namespace Backprop.Fuzz.Tests;

/// <summary>
/// The methods a matrix program's <c>F</c> may call, one body of each drawn per program: a <c>[Differentiable]</c>
/// layer <c>L(w, x)</c> of shape x.Rows × w.Columns (its derivative is inlined where it is called, and it gets an
/// <c>LVectorJacobian</c> and an <c>LTangent</c> of its own), and a helper <c>G(a, b)</c> without the attribute,
/// elementwise over two matrices of one shape (inlined as if marked), which one of the layers calls. Each keeps its
/// values within tanh's and sigmoid's ranges, so that calling it in a loop stays tame.
/// </summary>
internal static class MatrixMembers
{
    public const string Layer = "L";
    public const string Helper = "G";

    /// <summary>
    /// The layer asks for the tangent because <c>F</c> asks for it (BP1006 otherwise), and not for the Hessian, which a
    /// matrix result has not (BP0011): <c>F</c>'s second derivatives inline the layer's body.
    /// </summary>
    private const string LayerHead = "[Differentiable(Derivatives.Gradient | Derivatives.Tangent)]\npublic static Matrix<double> L(Matrix<double> w, Matrix<double> x)";
    private const string HelperHead = "private static Matrix<double> G(Matrix<double> a, Matrix<double> b)";

    public static readonly string[] Layers =
    {
        LayerHead + " => Tanh(MatMul(x, w));",
        // A loop of its own.
        LayerHead + "\n{\n    var g = MatMul(x, w);\n    for (int j = 0; j < 2; j++)\n    {\n        g = Tanh(g) + Scale(g, 0.5);\n    }\n    return g;\n}",
        // An early return.
        LayerHead + "\n{\n    var g = Sigmoid(MatMul(x, w));\n    if (Mean(g) > 0.55)\n    {\n        return Tanh(g);\n    }\n    return Multiply(g, g);\n}",
        // A return from inside a loop.
        LayerHead + "\n{\n    var g = MatMul(x, w);\n    for (int j = 0; j < 3; j++)\n    {\n        g = Tanh(g);\n        if (Mean(g) > 0.1)\n        {\n            return Sigmoid(g);\n        }\n    }\n    return g;\n}",
        // The helper, inlined into the layer inlined into F.
        LayerHead + "\n{\n    var g = Tanh(MatMul(x, w));\n    return " + Helper + "(g, g);\n}",
        // A while loop left by break.
        LayerHead + "\n{\n    var g = MatMul(x, w);\n    int k = 0;\n    while (k < 3)\n    {\n        k++;\n        g = Tanh(g);\n        if (Sum(g) > 0.3)\n        {\n            break;\n        }\n    }\n    return g;\n}",
    };

    public static readonly string[] Helpers =
    {
        HelperHead + " => Tanh(a + Multiply(a, b));",
        HelperHead + "\n{\n    var c = a - b;\n    if (Mean(c) > 0.1)\n    {\n        return Tanh(c);\n    }\n    return Sigmoid(c);\n}",
        HelperHead + "\n{\n    var c = Tanh(a);\n    for (int j = 0; j < 2; j++)\n    {\n        c = Multiply(c, Sigmoid(b));\n    }\n    return c;\n}",
    };
}
