using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// The local derivatives of scalar arithmetic inside a matrix method (calls bring their own through pullbacks):
/// the share of the upstream gradient <c>g</c> that flows to argument <c>i</c>, as C# over the arguments and the result.
/// </summary>
internal static class TensorRules
{
    public static string Share(TensorOp op, int argument, string g, string[] arguments, string result) => (op, argument) switch
    {
        (TensorOp.Add, _) => g,
        (TensorOp.Subtract, 0) => g,
        (TensorOp.Subtract, _) => "-" + g,
        (TensorOp.Multiply, 0) => $"{g} * {arguments[1]}",
        (TensorOp.Multiply, _) => $"{g} * {arguments[0]}",
        (TensorOp.Divide, 0) => $"{g} / {arguments[1]}",
        (TensorOp.Divide, _) => $"-{g} * {result} / {arguments[1]}",
        (TensorOp.Negate, _) => "-" + g,
        _ => throw new System.InvalidOperationException($"No rule for {op}"),
    };

    public static string Token(TensorOp op) => op switch
    {
        TensorOp.Add => "+",
        TensorOp.Subtract => "-",
        TensorOp.Multiply => "*",
        TensorOp.Divide => "/",
        _ => "-",
    };
}
