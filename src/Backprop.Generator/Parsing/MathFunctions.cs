using System.Collections.Generic;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Parsing;

/// <summary>The library calls the forward program understands: <c>System.Math</c> and <c>System.MathF</c> members by name and arity.</summary>
internal static class MathFunctions
{
    private static readonly Dictionary<(string Name, int Arity), Op> s_operations = new()
    {
        [("Exp", 1)] = Op.Exp,
        [("Log", 1)] = Op.Log,
        [("Log", 2)] = Op.LogBase,
        [("Log10", 1)] = Op.Log10,
        [("Log2", 1)] = Op.Log2,
        [("Sqrt", 1)] = Op.Sqrt,
        [("Cbrt", 1)] = Op.Cbrt,
        [("Pow", 2)] = Op.Pow,
        [("Sin", 1)] = Op.Sin,
        [("Cos", 1)] = Op.Cos,
        [("Tan", 1)] = Op.Tan,
        [("Asin", 1)] = Op.Asin,
        [("Acos", 1)] = Op.Acos,
        [("Atan", 1)] = Op.Atan,
        [("Atan2", 2)] = Op.Atan2,
        [("Sinh", 1)] = Op.Sinh,
        [("Cosh", 1)] = Op.Cosh,
        [("Tanh", 1)] = Op.Tanh,
        [("Abs", 1)] = Op.Abs,
        [("Max", 2)] = Op.Max,
        [("Min", 2)] = Op.Min,
        [("Clamp", 3)] = Op.Clamp,
        [("Floor", 1)] = Op.Floor,
        [("Ceiling", 1)] = Op.Ceiling,
        [("Round", 1)] = Op.Round,
        [("Truncate", 1)] = Op.Truncate,
        [("Sign", 1)] = Op.Sign,
        [("FusedMultiplyAdd", 3)] = Op.FusedMultiplyAdd,
    };

    /// <summary>The operation for a call to <paramref name="method"/>, if it is a supported Math or MathF member.</summary>
    public static bool TryGetOperation(IMethodSymbol method, out Op op)
    {
        op = default;
        INamedTypeSymbol type = method.ContainingType;
        bool isMath = type.Name is "Math" or "MathF" && type.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true };
        return isMath && s_operations.TryGetValue((method.Name, method.Parameters.Length), out op);
    }
}
