namespace Backprop.Generator.Model;

/// <summary>
/// The primitive operations of the forward program. Adding one means: a member here, a lowering entry
/// in <c>Parsing/MathFunctions</c> (for a library call), a forward form in <c>Differentiation/Forward</c>
/// and a rule in <c>Calculus/Rules.cs</c>.
/// </summary>
internal enum Op
{
    /// <summary>A literal or compile-time constant; <see cref="Node.Value"/> holds it.</summary>
    Constant,
    /// <summary>The current value of variable <see cref="Node.Name"/>.</summary>
    Read,
    /// <summary>Element <c>Arguments[0]</c> of array variable <see cref="Node.Name"/>.</summary>
    Element,
    /// <summary>The length of array variable <see cref="Node.Name"/>.</summary>
    Length,
    /// <summary>Array variable <see cref="Node.Name"/> passed whole to a call; <see cref="Node.Type"/> is its element type.</summary>
    ArrayArgument,
    /// <summary>A call to a <c>[Differentiable]</c> method, or to a scalar function with a <c>[DerivativeOf]</c> pullback, <see cref="Node.Call"/>.</summary>
    Call,
    /// <summary>A call to an ordinary method whose integer or bool result is never differentiated.</summary>
    PassiveCall,
    /// <summary><c>c ? a : b</c> on non-differentiable values; differentiable ones become an <see cref="IfStatement"/>.</summary>
    Conditional,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
    Not,
    BitwiseAnd,
    BitwiseOr,
    ExclusiveOr,
    OnesComplement,
    LeftShift,
    RightShift,
    UnsignedRightShift,
    /// <summary>A value read from outside the method, as constant: a static readonly field or static get-only property (<see cref="Node.Name"/> is its C#), or an enum parameter as its number.</summary>
    Member,
    /// <summary>An element of a static readonly array (<see cref="Node.Name"/> is the array's C#), read as a constant at the index given.</summary>
    MemberElement,
    /// <summary>A float ↔ double (or integer → floating-point) conversion to <see cref="Node.Type"/>.</summary>
    Convert,
    Negate,
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Exp,
    Log,
    LogBase,
    Log10,
    Log2,
    Sqrt,
    Cbrt,
    Pow,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Abs,
    Max,
    Min,
    Clamp,
    Floor,
    Ceiling,
    Round,
    Truncate,
    Sign,
    FusedMultiplyAdd,
    Asinh,
    Acosh,
    Atanh,
    SinPi,
    CosPi,
    TanPi,
    AsinPi,
    AcosPi,
    AtanPi,
    Atan2Pi,
    DegreesToRadians,
    RadiansToDegrees,
    Exp2,
    Exp10,
    ExpM1,
    Exp2M1,
    Exp10M1,
    LogP1,
    Log2P1,
    Log10P1,
    Hypot,
    RootN,
    Lerp,
    MultiplyAddEstimate,
    CopySign,
    BitIncrement,
    BitDecrement,
    ScaleB,
    IEEERemainder,
    MaxMagnitude,
    MinMagnitude,
    MaxNumber,
    MinNumber,
    MaxMagnitudeNumber,
    MinMagnitudeNumber,
    MaxNative,
    MinNative,
    /// <summary><c>double.Clamp</c>/<c>float.Clamp</c>: <c>Min(Max(value, min), max)</c>, which unlike <c>Math.Clamp</c> returns NaN for a NaN bound.</summary>
    NumberClamp,
    ClampNative,
}

/// <summary>The static member that computes an operation, by the name its types give it.</summary>
internal static class OpMembers
{
    /// <summary>Its name on <c>Math</c>, <c>MathF</c>, <c>double</c> and <c>float</c>: its own, but <c>Log(a, b)</c> for the logarithm to a base and <c>Clamp</c> for double's and float's.</summary>
    public static string Name(Op op) => op switch
    {
        Op.LogBase => "Log",
        Op.NumberClamp => "Clamp",
        _ => op.ToString(),
    };

    /// <summary>Its name on a generic-math type <c>T</c> (<c>T.Ieee754Remainder</c>), which has double's members.</summary>
    public static string GenericName(Op op) => op == Op.IEEERemainder ? "Ieee754Remainder" : Name(op);
}
