using System.Reflection;

namespace Backprop.Runtime.Tests.Conventions;

/// <summary>
/// Arguments for each differentiated function, one row per operation (several where a flag or a shape changes
/// the rule), in double. Each case builds fresh matrices, because finite differences perturb them in place.
/// </summary>
internal static class PullbackCases
{
    /// <summary>The key of a function: its type, name and parameter names, e.g. <c>Matrix.op_Multiply(s, a)</c>.</summary>
    public static string Key(MethodInfo function)
    {
        string type = function.DeclaringType!.Name;
        int arity = type.IndexOf('`');
        return $"{(arity < 0 ? type : type[..arity])}.{function.Name}({string.Join(", ", function.GetParameters().Select(p => p.Name))})";
    }

    public static readonly Dictionary<string, Func<object?[]>[]> All = new(StringComparer.Ordinal)
    {
        ["MatrixOps.Add(a, b)"] = [() => [N(3, 4), N(3, 4, 2)]],
        ["MatrixOps.Subtract(a, b)"] = [() => [N(3, 4), N(3, 4, 2)]],
        ["MatrixOps.Multiply(a, b)"] = [() => [N(3, 4), N(3, 4, 2)]],
        ["MatrixOps.Divide(a, b)"] = [() => [N(3, 4), P(3, 4, 2)]],
        ["MatrixOps.Scale(a, scalar)"] = [() => [N(3, 4), 1.7]],
        ["MatrixOps.AddScalar(a, scalar)"] = [() => [N(3, 4), 1.7]],
        ["MatrixOps.AddRowVector(a, row)"] = [() => [N(3, 4), N(1, 4, 2)]],
        ["MatrixOps.Plus(a, b)"] = Addition,
        ["MatrixOps.Negate(a)"] = [() => [N(3, 4)]],
        ["Matrix.op_Addition(a, b)"] = Addition,
        ["Matrix.op_Subtraction(a, b)"] = [() => [N(3, 4), N(3, 4, 2)]],
        ["Matrix.op_UnaryNegation(a)"] = [() => [N(3, 4)]],
        ["Matrix.op_Multiply(s, a)"] = [() => [1.7, N(3, 4)]],
        ["Matrix.op_Multiply(a, s)"] = [() => [N(3, 4), 1.7]],
        ["MatrixOps.MatMul(a, b, transposeA, transposeB)"] =
        [
            () => [N(3, 4), N(4, 5, 2), false, false],
            () => [N(4, 3), N(4, 5, 2), true, false],
            () => [N(3, 4), N(5, 4, 2), false, true],
            () => [N(4, 3), N(5, 4, 2), true, true],
        ],
        ["MatrixOps.Transpose(a)"] = [() => [N(3, 4)]],
        ["MatrixOps.ColumnSums(a)"] = [() => [N(3, 4)]],
        ["MatrixOps.RowSums(a)"] = [() => [N(3, 4)]],
        ["MatrixOps.Sum(a)"] = [() => [N(3, 4)]],
        ["MatrixOps.Mean(a)"] = [() => [N(3, 4)]],
        ["MatrixOps.Sigmoid(x)"] = [() => [N(3, 4)]],
        ["MatrixOps.Relu(x)"] = [() => [N(3, 4)]],
        ["MatrixOps.Tanh(x)"] = [() => [N(3, 4)]],
        ["MatrixOps.Exp(x)"] = [() => [N(3, 4)]],
        ["MatrixOps.Log(x)"] = [() => [P(3, 4)]],
        ["MatrixOps.Square(x)"] = [() => [N(3, 4)]],
        ["MatrixOps.Sqrt(x)"] = [() => [P(3, 4)]],
        ["MatrixOps.Softmax(x)"] = [() => [N(3, 4)]],
        ["MatrixOps.SoftmaxCrossEntropy(logits, targets)"] = [() => [N(3, 4), P(3, 4, 2)]],
        ["MatrixOps.MeanSquaredError(predictions, targets)"] = [() => [N(3, 4), N(3, 4, 2)]],
        ["MatrixOps.Conv2D(x, weights, geometry)"] =
        [
            () => [N(2, 1 * 5 * 6), N(1 * 3 * 3, 2, 2), new Conv2DGeometry(1, 5, 6, 2, 3)],
            () => [N(3, 3 * 5 * 4), N(3 * 2 * 2, 4, 2), new Conv2DGeometry(3, 5, 4, 4, 2, stride: 2, padding: 1)],
        ],
        ["MatrixOps.AddChannelBias(x, bias)"] = [() => [N(3, 12), N(1, 4, 2)]],
        ["MatrixOps.MaxPool2D(x, geometry)"] =
        [
            () => [N(2, 2 * 4 * 6), new Pool2DGeometry(2, 4, 6, 2)],
            () => [N(2, 3 * 5 * 5), new Pool2DGeometry(3, 5, 5, 3, stride: 2)],
        ],
        ["MatrixOps.AvgPool2D(x, geometry)"] =
        [
            () => [N(2, 2 * 4 * 6), new Pool2DGeometry(2, 4, 6, 2)],
            () => [N(2, 3 * 5 * 5), new Pool2DGeometry(3, 5, 5, 3, stride: 2)],
        ],
        ["MatrixOps.Dropout(x, mask)"] = [() => [N(3, 4), DropoutMask.Evaluation], () => [N(3, 4), new DropoutMask(0.5, seed: 3)]],
    };

    /// <summary><c>+</c> adds elementwise, or a 1×n row to every row of a taller matrix; a single row plus a row is elementwise.</summary>
    private static Func<object?[]>[] Addition =>
    [
        () => [N(3, 4), N(3, 4, 2)],
        () => [N(3, 4), N(1, 4, 2)],
        () => [N(1, 4), N(1, 4, 2)],
    ];

    private static Matrix<double> N(int rows, int columns, int seed = 1) => TestData.Normal<double>(rows, columns, seed);

    private static Matrix<double> P(int rows, int columns, int seed = 1) => TestData.Positive<double>(rows, columns, seed);
}
