using System;
using Backprop.Generator.Model;

namespace Backprop.Generator.Calculus;

/// <summary>
/// A C# expression in the generated code, as a value. The operators build simplified trees for the
/// reverse pass (no <c>0 * x</c>, no <c>1 * g</c>, constants folded); <see cref="Raw"/> builds the
/// forward pass exactly as written, since its value must equal the original method's bit for bit.
/// </summary>
internal abstract record Expr(ScalarType Type)
{
    public static Expr operator +(Expr a, Expr b) => Simplify.Add(a, b);
    public static Expr operator -(Expr a, Expr b) => Simplify.Subtract(a, b);
    public static Expr operator *(Expr a, Expr b) => Simplify.Multiply(a, b);
    public static Expr operator /(Expr a, Expr b) => Simplify.Divide(a, b);
    public static Expr operator -(Expr a) => Simplify.Negate(a);
    public static Expr operator +(Expr a, double b) => a + new ConstantExpr(b, a.Type);
    public static Expr operator -(Expr a, double b) => a - new ConstantExpr(b, a.Type);
    public static Expr operator *(double a, Expr b) => new ConstantExpr(a, b.Type) * b;
    public static Expr operator /(Expr a, double b) => a / new ConstantExpr(b, a.Type);
    public static Expr operator -(double a, Expr b) => new ConstantExpr(a, b.Type) - b;
    public static Expr operator +(double a, Expr b) => new ConstantExpr(a, b.Type) + b;
    public static Expr operator /(double a, Expr b) => new ConstantExpr(a, b.Type) / b;

    public bool IsConstant(double value) => this is ConstantExpr c && c.Value.Equals(value);

    /// <summary>How many expressions this one is made of (<see cref="OperandAt"/> reads them without allocating: walks over every expression of a method run often).</summary>
    public int OperandCount => this switch
    {
        BinaryExpr => 2,
        NegateExpr or CastExpr or ComplementExpr or NotExpr or ElementExpr or MemberExpr { Index: not null } => 1,
        CallExpr call => call.Arguments.Count,
        MethodCallExpr call => call.Arguments.Count,
        TupleExpr tuple => tuple.Elements.Count,
        ConditionalExpr => 3,
        _ => 0,
    };

    /// <summary>The <paramref name="index"/>th expression this one is made of, in source order.</summary>
    public Expr OperandAt(int index) => this switch
    {
        BinaryExpr binary => index == 0 ? binary.Left : binary.Right,
        NegateExpr negate => negate.Operand,
        CastExpr cast => cast.Operand,
        ComplementExpr complement => complement.Operand,
        NotExpr not => not.Operand,
        ElementExpr element => element.Index,
        MemberExpr { Index: { } memberIndex } => memberIndex,
        CallExpr call => call.Arguments[index],
        MethodCallExpr call => call.Arguments[index],
        TupleExpr tuple => tuple.Elements[index],
        ConditionalExpr conditional => index == 0 ? conditional.Condition : index == 1 ? conditional.WhenTrue : conditional.WhenFalse,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>This expression and every expression inside it, outermost first.</summary>
    public System.Collections.Generic.IEnumerable<Expr> DescendantsAndSelf()
    {
        var pending = new System.Collections.Generic.Stack<Expr>();
        pending.Push(this);
        while (pending.Count > 0)
        {
            Expr expr = pending.Pop();
            yield return expr;
            for (int i = expr.OperandCount - 1; i >= 0; i--)
                pending.Push(expr.OperandAt(i));
        }
    }

    /// <summary>Unsimplified constructors, for code that must compute exactly what the source computes.</summary>
    public static class Raw
    {
        public static Expr Binary(BinaryOperator op, Expr a, Expr b, ScalarType type) => new BinaryExpr(op, a, b, type);
        public static Expr Negate(Expr a) => new NegateExpr(a);
    }
}

/// <summary>A literal of the given type.</summary>
internal sealed record ConstantExpr(double Value, ScalarType Type) : Expr(Type);

/// <summary>The value of forward node <see cref="Node"/>: a name once the emitter has given it one, or its expression inlined.</summary>
internal sealed record ValueExpr(int Node, ScalarType Type) : Expr(Type);

/// <summary>A local variable or parameter of the generated method.</summary>
internal sealed record NameExpr(string Name, ScalarType Type) : Expr(Type);

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
    BitwiseAnd,
    BitwiseOr,
    ExclusiveOr,
    LeftShift,
    RightShift,
    UnsignedRightShift,
}

internal sealed record BinaryExpr(BinaryOperator Operator, Expr Left, Expr Right, ScalarType Type) : Expr(Type);

internal sealed record NegateExpr(Expr Operand) : Expr(Operand.Type);

internal sealed record CastExpr(Expr Operand, ScalarType Type) : Expr(Type);

/// <summary>A call to the <c>Math</c> (or, for float, <c>MathF</c>) function that computes <see cref="Op"/>.</summary>
internal sealed record CallExpr(Op Op, EquatableArray<Expr> Arguments, ScalarType Type) : Expr(Type);

/// <summary>A constant read from outside the method, printed as <see cref="Code"/>, or <c>Code[Index]</c> for an element of a constant array.</summary>
internal sealed record MemberExpr(string Code, Expr? Index, ScalarType Type) : Expr(Type);

/// <summary><c>~Operand</c>, on an integer.</summary>
internal sealed record ComplementExpr(Expr Operand) : Expr(Operand.Type);

/// <summary><c>!Operand</c>.</summary>
internal sealed record NotExpr(Expr Operand) : Expr(ScalarType.Bool);

/// <summary><c>Array[Index]</c>.</summary>
internal sealed record ElementExpr(string Array, Expr Index, ScalarType Type) : Expr(Type);

/// <summary><c>Array.Length</c>.</summary>
internal sealed record LengthExpr(string Array) : Expr(ScalarType.Int);

/// <summary>A call to a user method, <c>global::Ns.Type.Method(arguments)</c>; <see cref="Differentiable"/> says, per argument, which ones a <c>[Differentiable]</c> callee differentiates (empty for other methods).</summary>
/// <see cref="DerivativeMethod"/> is the name the callee's derivative methods add their suffix to.
/// <see cref="Tangent"/> is an operation on matrices' <c>[TangentOf]</c> rule, which forward over reverse calls for its tangent.
internal sealed record MethodCallExpr(string Method, EquatableArray<Expr> Arguments, ScalarType Type, EquatableArray<bool> Differentiable, string DerivativeMethod, string? Tangent = null) : Expr(Type);

/// <summary>
/// <c>tape.Pop…()</c>: the last value of type <see cref="Expr.Type"/> (or matrix of it) the forward pass saved.
/// <see cref="Of"/> names the forward local pushed, where the value comes back under another name (a function's result).
/// </summary>
internal sealed record PopExpr(ScalarType Type, ValueShape Shape = ValueShape.Scalar, string? Of = null) : Expr(Type);

/// <summary><c>null</c>: a matrix gradient no share has reached.</summary>
internal sealed record NullExpr(ScalarType Type) : Expr(Type);

/// <summary><c>Name is not null</c>: whether a matrix gradient has had a share.</summary>
internal sealed record NotNullExpr(string Name) : Expr(ScalarType.Bool);

/// <summary>
/// The next matrix of the arena: shaped like <see cref="Like"/>, or as the shape method call <see cref="Shape"/> says.
/// </summary>
internal sealed record SlotExpr(Expr? Like, Expr? Shape, ScalarType Type) : Expr(Type);

/// <summary>
/// Where a pullback writes a share of a matrix's gradient (see <c>Backprop.MatrixArena.Share</c>): for a local, its
/// gradient <see cref="Gradient"/> shaped like <see cref="Value"/>; for a parameter, whose gradient is the caller's buffer
/// <see cref="Gradient"/>, with the flag <see cref="Written"/> saying whether a share was written to it yet.
/// </summary>
internal sealed record ShareExpr(string Gradient, string? Written, Expr Value, ScalarType Type) : Expr(Type);

/// <summary>
/// <c>(a, b, …)</c>: a tangent method's value and derivative, a tuple result; or with <paramref name="Struct"/>, the struct
/// made from these leaves (<c>new global::Demo.Vec3(a, b, c)</c>, see <see cref="StructSpec.Creation"/>).
/// </summary>
internal sealed record TupleExpr(EquatableArray<Expr> Elements, StructSpec? Struct = null) : Expr(Elements[0].Type)
{
    public TupleExpr(params Expr[] elements) : this(new EquatableArray<Expr>(elements)) { }
}

internal sealed record ConditionalExpr(Expr Condition, Expr WhenTrue, Expr WhenFalse) : Expr(WhenTrue.Type);

/// <summary>The algebra behind <see cref="Expr"/>'s operators: identities that keep generated code free of no-op arithmetic.</summary>
internal static class Simplify
{
    public static Expr Add(Expr a, Expr b)
    {
        if (a.IsConstant(0)) return b;
        if (b.IsConstant(0)) return a;
        if (a is ConstantExpr ca && b is ConstantExpr cb) return FoldBinary(BinaryOperator.Add, ca, cb);
        if (a is NegateExpr both && b is NegateExpr) return Negate(Add(both.Operand, ((NegateExpr)b).Operand)); // rounding is symmetric: exact
        if (b is NegateExpr nb) return Subtract(a, nb.Operand);
        if (a is NegateExpr na) return Subtract(b, na.Operand);
        if (a.Equals(b)) return Multiply(new ConstantExpr(2, a.Type), a);
        // a + (−3 · b) reads as a − 3 · b, and is the same number: negation is exact.
        if (b is BinaryExpr { Operator: BinaryOperator.Multiply, Left: ConstantExpr { Value: < 0 } c } scaled)
            return Subtract(a, Multiply(Fold(-c.Value, c.Type), scaled.Right));
        return new BinaryExpr(BinaryOperator.Add, a, b, a.Type);
    }

    public static Expr Subtract(Expr a, Expr b)
    {
        if (b.IsConstant(0)) return a;
        if (a.IsConstant(0)) return Negate(b);
        if (a is ConstantExpr ca && b is ConstantExpr cb) return FoldBinary(BinaryOperator.Subtract, ca, cb);
        if (b is NegateExpr nb) return Add(a, nb.Operand);
        return new BinaryExpr(BinaryOperator.Subtract, a, b, a.Type);
    }

    public static Expr Multiply(Expr a, Expr b)
    {
        if (a.IsConstant(0) || b.IsConstant(0)) return new ConstantExpr(0, a.Type);
        if (a.IsConstant(1)) return b;
        if (b.IsConstant(1)) return a;
        if (a.IsConstant(-1)) return Negate(b);
        if (b.IsConstant(-1)) return Negate(a);
        if (a is ConstantExpr ca && b is ConstantExpr cb) return FoldBinary(BinaryOperator.Multiply, ca, cb);
        if (a is NegateExpr na) return Negate(Multiply(na.Operand, b));
        if (b is NegateExpr nb) return Negate(Multiply(a, nb.Operand));
        if (b is ConstantExpr && a is not ConstantExpr) return Multiply(b, a); // constants first: 2 * x
        // Multiplication commutes exactly in IEEE arithmetic; one canonical order lets x·g + g·x become 2·(g·x).
        if (a is not ConstantExpr && string.CompareOrdinal(a.ToString(), b.ToString()) > 0) (a, b) = (b, a);
        return new BinaryExpr(BinaryOperator.Multiply, a, b, a.Type);
    }

    public static Expr Divide(Expr a, Expr b)
    {
        if (a.IsConstant(0)) return new ConstantExpr(0, a.Type);
        if (b.IsConstant(1)) return a;
        if (b.IsConstant(-1)) return Negate(a);
        if (a is ConstantExpr ca && b is ConstantExpr cb && cb.Value != 0) return FoldBinary(BinaryOperator.Divide, ca, cb);
        if (a is NegateExpr na) return Negate(Divide(na.Operand, b));
        if (b is NegateExpr nb) return Negate(Divide(a, nb.Operand));
        return new BinaryExpr(BinaryOperator.Divide, a, b, a.Type);
    }

    public static Expr Negate(Expr a) => a switch
    {
        NegateExpr n => n.Operand,
        ConstantExpr c => Fold(-c.Value, c.Type),
        _ => new NegateExpr(a),
    };

    /// <summary>A conversion; folded for constants, dropped when the type already matches.</summary>
    public static Expr Cast(Expr a, ScalarType type) => a switch
    {
        _ when a.Type == type => a,
        ConstantExpr c => Fold(c.Value, type),
        _ => new CastExpr(a, type),
    };

    /// <summary>
    /// An adjoint's contribution, summed in the wider <paramref name="type"/>: its terms cast to it, except that a term
    /// rounded from that type (<c>(float)(20.0 * Math.Pow(v, 19.0))</c>, a conversion's adjoint) is taken unrounded.
    /// Rounding is not differentiated, and terms left in float would be summed in float.
    /// </summary>
    public static Expr Widen(Expr a, ScalarType type) => a switch
    {
        _ when a.Type == type => a,
        CastExpr cast when cast.Operand.Type == type => cast.Operand,
        BinaryExpr { Operator: BinaryOperator.Add or BinaryOperator.Subtract } sum => new BinaryExpr(sum.Operator, Widen(sum.Left, type), Widen(sum.Right, type), type),
        NegateExpr negate => new NegateExpr(Widen(negate.Operand, type)),
        _ => Cast(a, type),
    };

    /// <summary><c>condition ? value : 0</c>, or just 0 when the value is.</summary>
    public static Expr When(Expr condition, Expr value) =>
        value.IsConstant(0) ? value : new ConditionalExpr(condition, value, new ConstantExpr(0, value.Type));

    /// <summary>A constant of <paramref name="type"/>: rounded to float, or for an int or long truncated toward zero, as C# converts.</summary>
    private static Expr Fold(double value, ScalarType type) => new ConstantExpr(type switch
    {
        ScalarType.Float => (float)value,
        ScalarType.Int => (int)value,
        ScalarType.Long => (long)value,
        ScalarType.Byte => unchecked((byte)(long)value),
        _ => value,
    }, type);

    /// <summary>
    /// Two constants combined as C# would: integers in integer arithmetic (a quotient truncated toward zero, a sum or
    /// product wrapped), floating-point values in their own precision. Integer division folded as 1 / 2 = 0.5 gave a
    /// silently wrong value (fuzz seed 1034224: an int local of 1, divided by 2 inside a double expression).
    /// </summary>
    private static Expr FoldBinary(BinaryOperator op, ConstantExpr a, ConstantExpr b)
    {
        if (a.Type is ScalarType.Int or ScalarType.Long)
        {
            long x = (long)a.Value, y = (long)b.Value;
            long folded = op switch
            {
                BinaryOperator.Add => unchecked(x + y),
                BinaryOperator.Subtract => unchecked(x - y),
                BinaryOperator.Multiply => unchecked(x * y),
                _ => x / y,
            };
            return new ConstantExpr(a.Type == ScalarType.Int ? unchecked((int)folded) : folded, a.Type);
        }
        return Fold(op switch
        {
            BinaryOperator.Add => a.Value + b.Value,
            BinaryOperator.Subtract => a.Value - b.Value,
            BinaryOperator.Multiply => a.Value * b.Value,
            _ => a.Value / b.Value,
        }, a.Type);
    }
}

/// <summary>The adjoint of statement node <see cref="Node"/>, before the builder names it.</summary>
internal sealed record AdjointExpr(int Node, ScalarType Type) : Expr(Type);

/// <summary>Output <see cref="Parameter"/> of the gradient call made for call node <see cref="Node"/>: ∂callee/∂argument.</summary>
internal sealed record CallPartialExpr(int Node, int Parameter, ScalarType Type) : Expr(Type);
