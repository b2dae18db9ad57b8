using System;
using System.Globalization;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generator.Emission;

/// <summary>
/// Prints an <see cref="Expr"/> as C#, with exactly the parentheses its tree needs.
/// </summary>
internal sealed class ExprPrinter
{
    private const int Conditional = 1, Or = 2, And = 3, Equality = 4, Relational = 5, Additive = 6, Multiplicative = 7, Unary = 8, Primary = 9;
    private static readonly ExprPrinter Plain = new(FunctionSpec.DefaultTapeName);

    private ExprPrinter(string tape) => Tape = tape;

    /// <summary>The printer for one method's derivatives, whose tape local is named <see cref="FunctionSpec.TapeName"/>.</summary>
    public static ExprPrinter For(FunctionSpec function) => function.TapeName == Plain.Tape ? Plain : new ExprPrinter(function.TapeName);

    /// <summary>The name of the generated code's tape local.</summary>
    public string Tape { get; }

    public string Print(Expr expr) => expr switch
    {
        ConstantExpr constant => Literal(constant.Value, constant.Type),
        NameExpr name => Naming.Identifier(name.Name),
        NegateExpr negate => "-" + Operand(negate.Operand, Unary, parenthesizeEqual: negate.Operand is NegateExpr || IsNegativeLiteral(negate.Operand)),
        NotExpr not => "!" + Operand(not.Operand, Unary, parenthesizeEqual: false),
        CastExpr cast => $"({cast.Type.Keyword()})" + Operand(cast.Operand, Primary, parenthesizeEqual: false),
        BinaryExpr binary => Operand(binary.Left, Precedence(binary), parenthesizeEqual: false)
            + " " + Symbol(binary.Operator) + " "
            + Operand(binary.Right, Precedence(binary), parenthesizeEqual: true),
        CallExpr call => $"{MathClass(call)}.{MathFunction(call.Op)}({Arguments(call.Arguments)})",
        MethodCallExpr call => $"{call.Method}({Arguments(call.Arguments)})",
        ElementExpr element => $"{Naming.Identifier(element.Array)}[{Print(element.Index)}]",
        TupleExpr tuple => $"({Print(tuple.First)}, {Print(tuple.Second)})",
        LengthExpr length => $"{Naming.Identifier(length.Array)}.Length",
        PopExpr pop => $"{Tape}.Pop{Pop(pop.Type)}()",
        ConditionalExpr conditional => Operand(conditional.Condition, Conditional, parenthesizeEqual: true)
            + " ? " + Print(conditional.WhenTrue) + " : " + Print(conditional.WhenFalse),
        _ => throw new InvalidOperationException($"Cannot print {expr.GetType().Name}."),
    };


    /// <summary>A literal of the given type, culture-invariant and round-trippable: <c>2.0</c>, <c>0.5f</c>, <c>double.NaN</c>.</summary>
    public static string Literal(double value, ScalarType type)
    {
        switch (type)
        {
            case ScalarType.Int:
                return ((int)value).ToString(CultureInfo.InvariantCulture);
            case ScalarType.Long:
                return ((long)value).ToString(CultureInfo.InvariantCulture) + "L";
            case ScalarType.Bool:
                return value != 0 ? "true" : "false";
        }
        string keyword = type.Keyword();
        if (double.IsNaN(value))
            return keyword + ".NaN";
        if (double.IsInfinity(value))
            return value > 0 ? keyword + ".PositiveInfinity" : keyword + ".NegativeInfinity";
        string text = type == ScalarType.Float
            ? ((float)value).ToString("R", CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOfAny(new[] { '.', 'E' }) < 0)
            text += ".0";
        return type == ScalarType.Float ? text + "f" : text;
    }

    private string Arguments(EquatableArray<Expr> arguments) => string.Join(", ", Array.ConvertAll(arguments.AsSpan().ToArray(), Print));

    private static string Pop(ScalarType type) => type switch
    {
        ScalarType.Double => "Double",
        ScalarType.Float => "Float",
        ScalarType.Int => "Int",
        ScalarType.Long => "Long",
        _ => "Bool",
    };

    private string Operand(Expr operand, int precedence, bool parenthesizeEqual)
    {
        int own = Precedence(operand);
        bool parenthesize = own < precedence || (parenthesizeEqual && own == precedence);
        string text = Print(operand);
        return parenthesize ? "(" + text + ")" : text;
    }

    private static int Precedence(Expr expr) => expr switch
    {
        ConditionalExpr => Conditional,
        BinaryExpr { Operator: BinaryOperator.Or } => Or,
        BinaryExpr { Operator: BinaryOperator.And } => And,
        BinaryExpr { Operator: BinaryOperator.Equal or BinaryOperator.NotEqual } => Equality,
        BinaryExpr { Operator: BinaryOperator.Add or BinaryOperator.Subtract } => Additive,
        BinaryExpr { Operator: BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Remainder } => Multiplicative,
        BinaryExpr => Relational,
        NegateExpr or CastExpr or NotExpr => Unary,
        _ when IsNegativeLiteral(expr) => Unary,
        _ => Primary,
    };

    private static bool IsNegativeLiteral(Expr expr) =>
        expr is ConstantExpr { Value: var value } && (value < 0 || (value == 0 && 1 / value < 0));

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Remainder => "%",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.And => "&&",
        _ => "||",
    };

    /// <summary><c>MathF</c> for float arguments (it has every function but Clamp), <c>Math</c> otherwise.</summary>
    private static string MathClass(CallExpr call) =>
        call.Arguments[0].Type == ScalarType.Float && call.Op != Op.Clamp ? "global::System.MathF"
        : "global::System.Math";

    /// <summary>The <c>Math</c> member that computes an operation: its own name, but <c>Log(a, b)</c> for the logarithm to a base.</summary>
    private static string MathFunction(Op op) => op == Op.LogBase ? "Log" : op.ToString();
}
