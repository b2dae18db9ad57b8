using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>Each operation as the C# expression that computes it, exactly as the source does (no simplification).</summary>
internal static class ForwardExpressions
{
    public static Expr Of(Node node, EquatableArray<Node> nodes)
    {
        var arguments = new Expr[node.Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
            arguments[i] = new ValueExpr(node.Arguments[i], nodes[node.Arguments[i]].Type);

        return node.Op switch
        {
            Op.Constant => new ConstantExpr(node.Value, node.Type),
            Op.Read or Op.ArrayArgument => new NameExpr(node.Name!, node.Type),
            Op.Element => new ElementExpr(node.Name!, arguments[0], node.Type),
            Op.Length => new LengthExpr(node.Name!),
            Op.Call or Op.PassiveCall => new MethodCallExpr(node.Call!.Method, new EquatableArray<Expr>(arguments), node.Type,
                node.Op == Op.Call ? node.Call.Differentiable : EquatableArray<bool>.Empty, node.Call.DerivativeMethod, node.Call.Tangent),
            Op.Conditional => new ConditionalExpr(arguments[0], arguments[1], arguments[2]),
            Op.Not => new NotExpr(arguments[0]),
            Op.Less => Expr.Raw.Binary(BinaryOperator.Less, arguments[0], arguments[1], ScalarType.Bool),
            Op.LessOrEqual => Expr.Raw.Binary(BinaryOperator.LessOrEqual, arguments[0], arguments[1], ScalarType.Bool),
            Op.Greater => Expr.Raw.Binary(BinaryOperator.Greater, arguments[0], arguments[1], ScalarType.Bool),
            Op.GreaterOrEqual => Expr.Raw.Binary(BinaryOperator.GreaterOrEqual, arguments[0], arguments[1], ScalarType.Bool),
            Op.Equal => Expr.Raw.Binary(BinaryOperator.Equal, arguments[0], arguments[1], ScalarType.Bool),
            Op.NotEqual => Expr.Raw.Binary(BinaryOperator.NotEqual, arguments[0], arguments[1], ScalarType.Bool),
            Op.And => Expr.Raw.Binary(BinaryOperator.And, arguments[0], arguments[1], ScalarType.Bool),
            Op.Or => Expr.Raw.Binary(BinaryOperator.Or, arguments[0], arguments[1], ScalarType.Bool),
            Op.BitwiseAnd => Expr.Raw.Binary(BinaryOperator.BitwiseAnd, arguments[0], arguments[1], node.Type),
            Op.BitwiseOr => Expr.Raw.Binary(BinaryOperator.BitwiseOr, arguments[0], arguments[1], node.Type),
            Op.ExclusiveOr => Expr.Raw.Binary(BinaryOperator.ExclusiveOr, arguments[0], arguments[1], node.Type),
            Op.LeftShift => Expr.Raw.Binary(BinaryOperator.LeftShift, arguments[0], arguments[1], node.Type),
            Op.RightShift => Expr.Raw.Binary(BinaryOperator.RightShift, arguments[0], arguments[1], node.Type),
            Op.UnsignedRightShift => Expr.Raw.Binary(BinaryOperator.UnsignedRightShift, arguments[0], arguments[1], node.Type),
            Op.OnesComplement => new ComplementExpr(arguments[0]),
            Op.Member => new MemberExpr(node.Name!, null, node.Type),
            Op.MemberElement => new MemberExpr(node.Name!, arguments[0], node.Type),
            Op.Convert => new CastExpr(arguments[0], node.Type),
            Op.Negate => Expr.Raw.Negate(arguments[0]),
            Op.Add => Expr.Raw.Binary(BinaryOperator.Add, arguments[0], arguments[1], node.Type),
            Op.Subtract => Expr.Raw.Binary(BinaryOperator.Subtract, arguments[0], arguments[1], node.Type),
            Op.Multiply => Expr.Raw.Binary(BinaryOperator.Multiply, arguments[0], arguments[1], node.Type),
            Op.Divide => Expr.Raw.Binary(BinaryOperator.Divide, arguments[0], arguments[1], node.Type),
            Op.Remainder => Expr.Raw.Binary(BinaryOperator.Remainder, arguments[0], arguments[1], node.Type),
            _ => new CallExpr(node.Op, new EquatableArray<Expr>(arguments), node.Type),
        };
    }

    /// <summary>A readable base name for a node's local when no source variable names it.</summary>
    public static string NameFor(Op op) => op switch
    {
        Op.Add => "sum",
        Op.Subtract => "difference",
        Op.Multiply => "product",
        Op.Divide => "quotient",
        Op.Remainder => "remainder",
        Op.Negate => "negated",
        Op.Convert => "converted",
        Op.Pow => "power",
        Op.LogBase => "log",
        Op.NumberClamp => "clamp",
        Op.Element => "element",
        Op.Call or Op.PassiveCall => "call",
        _ => op.ToString().ToLowerInvariant(),
    };
}
