using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Backprop.Generator.Calculus;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generator.Emission;

/// <summary>
/// Prints an <see cref="Expr"/> as C#, with exactly the parentheses its tree needs.
/// </summary>
internal sealed class ExprPrinter
{
    private const int Conditional = 1, Or = 2, And = 3, BitwiseOr = 4, ExclusiveOr = 5, BitwiseAnd = 6, Equality = 7, Relational = 8, Shift = 9,
        Additive = 10, Multiplicative = 11, Unary = 12, Primary = 13;
    private static readonly ExprPrinter Plain = new(FunctionSpec.DefaultTapeName, FunctionSpec.DefaultArenaName, new HashSet<string>(), ScalarTypeExtensions.GenericKeyword);

    private ExprPrinter(string tape, string arena, HashSet<string> spans, string typeParameter) => (Tape, Arena, Spans, _typeParameter) = (tape, arena, spans, typeParameter);

    /// <summary>How <see cref="ScalarType.Generic"/> is spelled: the method's own name for its type parameter.</summary>
    private readonly string _typeParameter;

    /// <summary>
    /// The printer for one method's derivatives, whose tape local is named <see cref="FunctionSpec.TapeName"/> and whose
    /// type parameter, if generic, <see cref="FunctionSpec.TypeParameter"/>.
    /// </summary>
    public static ExprPrinter For(FunctionSpec function)
    {
        var spans = new HashSet<string>(function.Parameters.Where(p => p.IsSpan).SelectMany(p => new[] { p.GradientName, Naming.Product(p.Name) }));
        string arena = function.UsesMatrices ? function.ArenaName : FunctionSpec.DefaultArenaName;
        string typeParameter = function.TypeParameter ?? ScalarTypeExtensions.GenericKeyword;
        return function.TapeName == Plain.Tape && arena == Plain.Arena && spans.Count == 0 && typeParameter == Plain._typeParameter
            ? Plain : new ExprPrinter(function.TapeName, arena, spans, typeParameter);
    }

    /// <summary>
    /// A type as code lines spell it (<c>double</c>, <c>T[]</c>, <c>global::System.Span&lt;T&gt;</c>), with
    /// <see cref="ScalarType.Generic"/>'s keyword written as the method's type parameter.
    /// </summary>
    public string Type(string type) =>
        _typeParameter == ScalarTypeExtensions.GenericKeyword ? type
        : System.Text.RegularExpressions.Regex.Replace(type, $@"(?<![\w.@]){ScalarTypeExtensions.GenericKeyword}(?!\w)", _typeParameter);

    /// <summary>The keyword of <paramref name="type"/>, <see cref="ScalarType.Generic"/> under the method's name for it.</summary>
    public string Keyword(ScalarType type) => type == ScalarType.Generic ? _typeParameter : type.Keyword();

    /// <summary>The return type of <paramref name="function"/> as written: <c>double</c>, <c>T[]</c>, <c>(double X, double V)</c>.</summary>
    public string ReturnType(FunctionSpec function) =>
        function.ResultStruct is { } result ? result.TypeName : (function.ReturnsMatrix ? ValueShapes.MatrixType(function.ReturnType) : Keyword(function.ReturnType) + (function.ReturnsArray ? "[]" : ""));

    /// <summary>The type of a scalar parameter's gradient, direction or product.</summary>
    public string Scalar(ParameterSpec parameter) => Keyword(parameter.Type!.Value);

    /// <summary>The type of an array or span parameter's derivative buffer (see <see cref="ParameterSpec.BufferType"/>).</summary>
    public string Buffer(ParameterSpec parameter, bool written) => Type(parameter.BufferType(written));

    /// <summary>The element type of <c>FHessian</c>'s and <c>FJacobian</c>'s matrices: double, or a generic method's <c>T</c>.</summary>
    public string MatrixElement(FunctionSpec function) => function.TypeParameter is null ? "double" : Keyword(ScalarType.Generic);

    /// <summary>
    /// A small whole number or one half of <paramref name="type"/> as a wrapper method writes it: <c>1</c>, <c>0.5</c>
    /// (C# converts them to double and float), or <c>T.One</c>, <c>T.CreateChecked(0.5)</c>.
    /// </summary>
    public string Number(double value, ScalarType type) =>
        type == ScalarType.Generic ? GenericLiteral(value) : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The name of the generated code's tape local.</summary>
    public string Tape { get; }

    /// <summary>The name of the generated code's matrix arena local.</summary>
    public string Arena { get; }

    /// <summary>The derivative buffers that are spans (of a span parameter), which a clear prints as <c>.Clear()</c>, not <c>Array.Clear</c>.</summary>
    public IReadOnlyCollection<string> Spans { get; }

    public string Print(Expr expr)
    {
        var text = new StringBuilder();
        Write(text, expr);
        return text.ToString();
    }

    /// <summary>
    /// Appends <paramref name="expr"/>: appended, not concatenated, since a sum of thousands of terms (an adjoint that
    /// thousands of statements add to) would otherwise be copied once per term.
    /// </summary>
    private void Write(StringBuilder text, Expr expr)
    {
        // Deep expressions: near the end of the stack this throws, and the pipeline reports BP9001 (never a stack overflow).
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (expr)
        {
            case ConstantExpr { Type: ScalarType.Generic } constant:
                text.Append(GenericLiteral(constant.Value));
                break;
            case ConstantExpr constant:
                text.Append(Literals.Of(constant.Value, constant.Type));
                break;
            case NameExpr name:
                text.Append(Naming.Identifier(name.Name));
                break;
            case NegateExpr negate:
                text.Append('-');
                WriteOperand(text, negate.Operand, Unary, parenthesizeEqual: negate.Operand is NegateExpr || IsNegativeLiteral(negate.Operand));
                break;
            case NotExpr not:
                text.Append('!');
                WriteOperand(text, not.Operand, Unary, parenthesizeEqual: false);
                break;
            case ComplementExpr complement:
                text.Append('~');
                WriteOperand(text, complement.Operand, Unary, parenthesizeEqual: false);
                break;
            // T has no casts: T.CreateChecked(n) converts to it, double.CreateChecked(t) from it.
            case CastExpr cast when cast.Type == ScalarType.Generic || cast.Operand.Type == ScalarType.Generic:
                text.Append(Keyword(cast.Type)).Append(".CreateChecked(");
                Write(text, cast.Operand);
                text.Append(')');
                break;
            case CastExpr cast:
                text.Append('(').Append(cast.Type.Keyword()).Append(')');
                WriteOperand(text, cast.Operand, Primary, parenthesizeEqual: false);
                break;
            case BinaryExpr binary:
                WriteBinary(text, binary);
                break;
            case CallExpr call:
                text.Append(call.Arguments[0].Type == ScalarType.Generic ? _typeParameter + "." + OpMembers.GenericName(call.Op) : MathMember(call.Op, call.Arguments[0].Type)).Append('(');
                WriteArguments(text, call.Arguments);
                text.Append(')');
                break;
            case MethodCallExpr call:
                text.Append(call.Method).Append('(');
                WriteArguments(text, call.Arguments);
                text.Append(')');
                break;
            case ElementExpr element:
                text.Append(Naming.Identifier(element.Array)).Append('[');
                Write(text, element.Index);
                text.Append(']');
                break;
            case MemberExpr { Index: { } index } member:
                text.Append(member.Code).Append('[');
                Write(text, index);
                text.Append(']');
                break;
            case MemberExpr member:
                text.Append(member.Code);
                break;
            case TupleExpr { Struct: { } made } tuple:
                text.Append(made.Create(tuple.Elements.Select(Print).ToList()));
                break;
            case TupleExpr tuple:
                text.Append('(');
                WriteArguments(text, tuple.Elements);
                text.Append(')');
                break;
            case LengthExpr length:
                text.Append(Naming.Identifier(length.Array)).Append(".Length");
                break;
            case PopExpr { Shape: ValueShape.Matrix } pop:
                text.Append(Tape).Append(".PopMatrix<").Append(pop.Type.Keyword()).Append(">()");
                break;
            case PopExpr { Shape: ValueShape.Array } pop:
                text.Append(Tape).Append(".PopArray<").Append(Keyword(pop.Type)).Append(">()");
                break;
            case PopExpr pop:
                text.Append(Tape).Append(".Pop").Append(pop.Type == ScalarType.Generic ? $"<{_typeParameter}>" : Pop(pop.Type)).Append("()");
                break;
            case NullExpr or NotNullExpr or SlotExpr or ShareExpr:
                WriteMatrixPlumbing(text, expr);
                break;
            case ConditionalExpr conditional:
                WriteOperand(text, conditional.Condition, Conditional, parenthesizeEqual: true);
                text.Append(" ? ");
                Write(text, conditional.WhenTrue);
                text.Append(" : ");
                Write(text, conditional.WhenFalse);
                break;
            default:
                throw new InvalidOperationException($"Cannot print {expr.GetType().Name}.");
        }
    }

    /// <summary>The expressions of matrix gradients and arena slots (kept out of <see cref="Write"/>, whose frame every nesting level pays for).</summary>
    private void WriteMatrixPlumbing(StringBuilder text, Expr expr)
    {
        switch (expr)
        {
            case NullExpr:
                text.Append("null");
                break;
            case NotNullExpr notNull:
                text.Append(Naming.Identifier(notNull.Name)).Append(" is not null");
                break;
            case SlotExpr { Shape: { } shape }:
                text.Append(Arena).Append(".Next(");
                Write(text, shape);
                text.Append(')');
                break;
            case SlotExpr slot:
                text.Append(Arena).Append(".Like(");
                Write(text, slot.Like!);
                text.Append(')');
                break;
            case ShareExpr { Written: { } written } share:
                text.Append(Arena).Append(".Share(ref ").Append(Naming.Identifier(written)).Append(", ").Append(Naming.Identifier(share.Gradient)).Append(')');
                break;
            case ShareExpr share:
                text.Append(Arena).Append(".Share(ref ").Append(Naming.Identifier(share.Gradient)).Append(", ");
                Write(text, share.Value);
                text.Append(')');
                break;
        }
    }

    /// <summary>
    /// <c>left op right</c>. A left operand that needs no parentheses is itself written the same way, so the chain of
    /// left operands (<c>a + b + c + …</c>, left-associative) is walked in a loop, not recursed into: a sum of thousands
    /// of terms neither deepens the stack nor is copied per term.
    /// </summary>
    private void WriteBinary(StringBuilder text, BinaryExpr binary)
    {
        var chain = new List<BinaryExpr> { binary };
        while (chain[chain.Count - 1].Left is BinaryExpr left && Precedence(left) >= Precedence(chain[chain.Count - 1]))
            chain.Add(left);
        BinaryExpr innermost = chain[chain.Count - 1];
        WriteOperand(text, innermost.Left, Precedence(innermost), parenthesizeEqual: false);
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            text.Append(' ').Append(Symbol(chain[i].Operator)).Append(' ');
            WriteOperand(text, chain[i].Right, Precedence(chain[i]), parenthesizeEqual: true);
        }
    }

    /// <summary>
    /// A constant of the generic type: <c>T.Zero</c>, <c>T.One</c>, <c>T.Pi</c>, <c>T.E</c>, <c>T.Tau</c>, <c>T.NaN</c>, the
    /// infinities, or <c>T.CreateChecked(c)</c> (which the JIT folds when it specializes the method for double or float),
    /// negated with a leading minus as a negative literal is.
    /// </summary>
    private string GenericLiteral(double value)
    {
        string t = _typeParameter;
        if (double.IsNaN(value))
            return t + ".NaN";
        if (double.IsInfinity(value))
            return value > 0 ? t + ".PositiveInfinity" : t + ".NegativeInfinity";
        double magnitude = Math.Abs(value);
        string text = magnitude switch
        {
            0 => t + ".Zero",
            1 => t + ".One",
            Math.PI => t + ".Pi",
            Math.E => t + ".E",
            2 * Math.PI => t + ".Tau",
            <= int.MaxValue when magnitude == Math.Floor(magnitude) => $"{t}.CreateChecked({((int)magnitude).ToString(CultureInfo.InvariantCulture)})",
            _ => $"{t}.CreateChecked({Literals.Of(magnitude, ScalarType.Double)})",
        };
        return value < 0 || (value == 0 && 1 / value < 0) ? "-" + text : text;
    }

    private void WriteArguments(StringBuilder text, EquatableArray<Expr> arguments)
    {
        for (int i = 0; i < arguments.Count; i++)
        {
            if (i > 0)
                text.Append(", ");
            Write(text, arguments[i]);
        }
    }

    private static string Pop(ScalarType type) => type switch
    {
        ScalarType.Double => "Double",
        ScalarType.Float => "Float",
        ScalarType.Int => "Int",
        ScalarType.Long => "Long",
        ScalarType.Byte => "Byte",
        _ => "Bool",
    };

    private void WriteOperand(StringBuilder text, Expr operand, int precedence, bool parenthesizeEqual)
    {
        int own = Precedence(operand);
        bool parenthesize = own < precedence || (parenthesizeEqual && own == precedence);
        if (parenthesize)
            text.Append('(');
        Write(text, operand);
        if (parenthesize)
            text.Append(')');
    }

    private static int Precedence(Expr expr) => expr switch
    {
        ConditionalExpr => Conditional,
        BinaryExpr { Operator: BinaryOperator.Or } => Or,
        BinaryExpr { Operator: BinaryOperator.And } => And,
        BinaryExpr { Operator: BinaryOperator.BitwiseOr } => BitwiseOr,
        BinaryExpr { Operator: BinaryOperator.ExclusiveOr } => ExclusiveOr,
        BinaryExpr { Operator: BinaryOperator.BitwiseAnd } => BitwiseAnd,
        BinaryExpr { Operator: BinaryOperator.Equal or BinaryOperator.NotEqual } => Equality,
        BinaryExpr { Operator: BinaryOperator.LeftShift or BinaryOperator.RightShift or BinaryOperator.UnsignedRightShift } => Shift,
        BinaryExpr { Operator: BinaryOperator.Add or BinaryOperator.Subtract } => Additive,
        BinaryExpr { Operator: BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Remainder } => Multiplicative,
        BinaryExpr => Relational,
        NegateExpr or CastExpr or NotExpr or ComplementExpr => Unary,
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
        BinaryOperator.Or => "||",
        BinaryOperator.BitwiseAnd => "&",
        BinaryOperator.BitwiseOr => "|",
        BinaryOperator.ExclusiveOr => "^",
        BinaryOperator.LeftShift => "<<",
        BinaryOperator.RightShift => ">>",
        _ => ">>>",
    };

    /// <summary>
    /// The type whose static member computes an operation: <c>double</c>/<c>float</c> (by the first argument's type) for the
    /// functions only they have, else <c>MathF</c> for float arguments (it has every other function but Clamp), <c>Math</c> otherwise.
    /// </summary>
    private static string MathClass(Op op, ScalarType type) => op switch
    {
        Op.SinPi or Op.CosPi or Op.TanPi or Op.AsinPi or Op.AcosPi or Op.AtanPi or Op.Atan2Pi or Op.DegreesToRadians or Op.RadiansToDegrees
            or Op.Exp2 or Op.Exp10 or Op.ExpM1 or Op.Exp2M1 or Op.Exp10M1 or Op.LogP1 or Op.Log2P1 or Op.Log10P1 or Op.Hypot or Op.RootN
            or Op.Lerp or Op.MultiplyAddEstimate or Op.MaxNumber or Op.MinNumber or Op.MaxMagnitudeNumber or Op.MinMagnitudeNumber
            or Op.MaxNative or Op.MinNative or Op.NumberClamp or Op.ClampNative =>
            type == ScalarType.Float ? "global::System.Single" : "global::System.Double",
        _ => type == ScalarType.Float && op != Op.Clamp ? "global::System.MathF" : "global::System.Math",
    };

    /// <summary>The fully qualified member computing <paramref name="op"/> on a first argument of <paramref name="type"/>, such as <c>global::System.MathF.Exp</c>.</summary>
    public static string MathMember(Op op, ScalarType type) =>
        MathClass(op, type) + "." + OpMembers.Name(op);
}
