using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Parsing;

/// <summary>
/// The library calls the forward program understands: members of <c>System.Math</c> and <c>System.MathF</c>, and the
/// static math members of <c>double</c> and <c>float</c>, by name and arity. A name shared by several of these types is
/// one operation (<c>double.Sqrt</c> is <c>Math.Sqrt</c>, bit for bit) unless <see cref="s_numberTypeOperations"/> says otherwise.
/// A generic method's <c>T.Exp</c> is the same operation again (see <see cref="GenericMath"/>).
/// </summary>
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
        [("Asinh", 1)] = Op.Asinh,
        [("Acosh", 1)] = Op.Acosh,
        [("Atanh", 1)] = Op.Atanh,
        [("SinPi", 1)] = Op.SinPi,
        [("CosPi", 1)] = Op.CosPi,
        [("TanPi", 1)] = Op.TanPi,
        [("AsinPi", 1)] = Op.AsinPi,
        [("AcosPi", 1)] = Op.AcosPi,
        [("AtanPi", 1)] = Op.AtanPi,
        [("Atan2Pi", 2)] = Op.Atan2Pi,
        [("DegreesToRadians", 1)] = Op.DegreesToRadians,
        [("RadiansToDegrees", 1)] = Op.RadiansToDegrees,
        [("Exp2", 1)] = Op.Exp2,
        [("Exp10", 1)] = Op.Exp10,
        [("ExpM1", 1)] = Op.ExpM1,
        [("Exp2M1", 1)] = Op.Exp2M1,
        [("Exp10M1", 1)] = Op.Exp10M1,
        [("LogP1", 1)] = Op.LogP1,
        [("Log2P1", 1)] = Op.Log2P1,
        [("Log10P1", 1)] = Op.Log10P1,
        [("Hypot", 2)] = Op.Hypot,
        [("RootN", 2)] = Op.RootN,
        [("Lerp", 3)] = Op.Lerp,
        [("Abs", 1)] = Op.Abs,
        [("CopySign", 2)] = Op.CopySign,
        [("Max", 2)] = Op.Max,
        [("Min", 2)] = Op.Min,
        [("MaxMagnitude", 2)] = Op.MaxMagnitude,
        [("MinMagnitude", 2)] = Op.MinMagnitude,
        [("MaxNumber", 2)] = Op.MaxNumber,
        [("MinNumber", 2)] = Op.MinNumber,
        [("MaxMagnitudeNumber", 2)] = Op.MaxMagnitudeNumber,
        [("MinMagnitudeNumber", 2)] = Op.MinMagnitudeNumber,
        [("MaxNative", 2)] = Op.MaxNative,
        [("MinNative", 2)] = Op.MinNative,
        [("Clamp", 3)] = Op.Clamp,
        [("ClampNative", 3)] = Op.ClampNative,
        [("Floor", 1)] = Op.Floor,
        [("Ceiling", 1)] = Op.Ceiling,
        [("Round", 1)] = Op.Round,
        [("Round", 2)] = Op.Round,
        [("Truncate", 1)] = Op.Truncate,
        [("Sign", 1)] = Op.Sign,
        [("BitIncrement", 1)] = Op.BitIncrement,
        [("BitDecrement", 1)] = Op.BitDecrement,
        [("ScaleB", 2)] = Op.ScaleB,
        [("IEEERemainder", 2)] = Op.IEEERemainder,
        [("FusedMultiplyAdd", 3)] = Op.FusedMultiplyAdd,
        [("MultiplyAddEstimate", 3)] = Op.MultiplyAddEstimate,
    };

    /// <summary>Where <c>double</c> and <c>float</c> name a function differently from <c>Math</c>, or give a shared name another function.</summary>
    private static readonly Dictionary<(string Name, int Arity), Op> s_numberTypeOperations = new()
    {
        [("Ieee754Remainder", 2)] = Op.IEEERemainder,
        // Min(Max(value, min), max): NaN for a NaN bound, where Math.Clamp returns the value.
        [("Clamp", 3)] = Op.NumberClamp,
    };

    /// <summary>
    /// The operation for a call to <paramref name="method"/>, if it is a supported math member. Every parameter must be a
    /// number (double, float, int, long): <c>Round(x, MidpointRounding)</c> is not <c>Round(x, digits)</c>.
    /// </summary>
    public static bool TryGetOperation(IMethodSymbol method, out Op op)
    {
        op = default;
        INamedTypeSymbol type = method.ContainingType;
        if (GenericMath.IsMemberOfT(method))
            return method.Parameters.All(p => p.RefKind == RefKind.None && Symbols.ToScalarType(p.Type) is ScalarType t && t != ScalarType.Bool)
                && TryGetGenericOperation(method.Name, method.Parameters.Length, out op);
        if (type.ContainingNamespace is not { Name: "System", ContainingNamespace.IsGlobalNamespace: true }
            || !method.Parameters.All(p => p.RefKind == RefKind.None && Symbols.ToScalarType(p.Type) is ScalarType t && t != ScalarType.Bool))
            return false;
        var key = (method.Name, method.Parameters.Length);
        return type.Name switch
        {
            "Math" or "MathF" => s_operations.TryGetValue(key, out op),
            "Double" or "Single" => s_numberTypeOperations.TryGetValue(key, out op) || s_operations.TryGetValue(key, out op),
            _ => false,
        };
    }

    /// <summary>
    /// The operation a generic-math member of <c>T</c> computes (<c>T.Exp</c>, declared by <c>IExponentialFunctions&lt;T&gt;</c>):
    /// as for <c>double</c>, whose members <c>T</c>'s are when <c>T</c> is double.
    /// </summary>
    public static bool TryGetGenericOperation(string name, int arity, out Op op) =>
        s_numberTypeOperations.TryGetValue((name, arity), out op) || s_operations.TryGetValue((name, arity), out op);
}
