namespace Backprop.Generator.Model;

/// <summary>
/// The primitive operations of the forward program. Adding one means: a member here, a lowering entry
/// in <c>Parsing/MathFunctions</c> (for a library call), a forward form in <c>Differentiation/Forward</c>
/// and a rule in <c>Differentiation/Rules</c>.
/// </summary>
internal enum Op
{
    /// <summary>A literal or compile-time constant; <see cref="Node.Value"/> holds it.</summary>
    Constant,
    /// <summary>The value a parameter has on entry; <see cref="Node.Name"/> names it.</summary>
    Parameter,
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
}
