using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Prints an expression that carries no derivative (a constant, a flag, <c>x.Rows</c>, a call on such values) as
/// C# that compiles in the generated file: types fully qualified, constants culture-invariant, the names of
/// parameters and locals supplied by the caller.
/// </summary>
internal static class PassivePrinter
{
    /// <summary>
    /// The code, or <c>null</c> when the expression reads something <paramref name="name"/> does not name, or has a form
    /// this printer does not know. <paramref name="special"/> may print an operation itself first (a tuple element
    /// that the caller holds in a variable of its own).
    /// </summary>
    public static string? Print(IOperation operation, Func<ISymbol, string?> name, Func<IOperation, string?>? special = null)
    {
        if (special?.Invoke(operation) is string own)
            return own;
        if (operation.ConstantValue is { HasValue: true } constant && operation.Type is { } constantType)
            return Constant(constant.Value, constantType);
        switch (operation)
        {
            case IParenthesizedOperation parenthesized:
                return Print(parenthesized.Operand, name, special) is string inner ? "(" + inner + ")" : null;
            case IParameterReferenceOperation parameter:
                return name(parameter.Parameter);
            case ILocalReferenceOperation local:
                return name(local.Local);
            case IConversionOperation conversion:
                if (Print(conversion.Operand, name, special) is not string operand)
                    return null;
                return conversion.IsImplicit ? operand : $"(({Symbols.TypeName(conversion.Type!)}){operand})";
            case IPropertyReferenceOperation { Arguments.Length: 0 } property:
                return Member(property.Instance, property.Property, name, special);
            case IFieldReferenceOperation field:
                return Member(field.Instance, field.Field, name, special);
            case IInvocationOperation invocation:
            {
                string? receiver = invocation.Instance is null
                    ? Symbols.TypeName(invocation.TargetMethod.ContainingType)
                    : Print(invocation.Instance, name, special);
                string? arguments = Arguments(invocation.Arguments, name, special);
                if (receiver is null || arguments is null)
                    return null;
                string typeArguments = invocation.TargetMethod.TypeArguments.Length == 0 ? ""
                    : "<" + string.Join(", ", invocation.TargetMethod.TypeArguments.Select(Symbols.TypeName)) + ">";
                return $"{receiver}.{invocation.TargetMethod.Name}{typeArguments}({arguments})";
            }
            case IObjectCreationOperation { Initializer: null, Constructor: not null } creation:
                return Arguments(creation.Arguments, name, special) is string constructorArguments ? $"new {Symbols.TypeName(creation.Type!)}({constructorArguments})" : null;
            case IThrowOperation { Exception: { } exception }:
                return Print(exception, name, special) is string thrown ? "throw " + thrown : null;
            case IArrayElementReferenceOperation { Indices.Length: 1 } element:
                return Print(element.ArrayReference, name, special) is string array && Print(element.Indices[0], name, special) is string index ? $"{array}[{index}]" : null;
            case IInterpolatedStringOperation or IInterpolatedStringHandlerCreationOperation when operation.Syntax is InterpolatedStringExpressionSyntax interpolated:
                return Interpolation(interpolated, operation.SemanticModel, name, special);
            case IBinaryOperation binary when Token(binary.OperatorKind) is string token:
                return Print(binary.LeftOperand, name, special) is string left && Print(binary.RightOperand, name, special) is string right ? $"({left} {token} {right})" : null;
            case IUnaryOperation unary when unary.OperatorKind is UnaryOperatorKind.Minus or UnaryOperatorKind.Not or UnaryOperatorKind.Plus:
                return Print(unary.Operand, name, special) is string value
                    ? (unary.OperatorKind == UnaryOperatorKind.Minus ? "-" : unary.OperatorKind == UnaryOperatorKind.Not ? "!" : "+") + value
                    : null;
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                return Print(conditional.Condition, name, special) is string condition && Print(conditional.WhenTrue, name, special) is string whenTrue && Print(whenFalse, name, special) is string otherwise
                    ? $"({condition} ? {whenTrue} : {otherwise})"
                    : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// Every argument in parameter order, defaults included (with the values the compiler filled in, such as a
    /// <c>[CallerArgumentExpression]</c>'s), a <c>params</c> array as its elements.
    /// </summary>
    private static string? Arguments(ImmutableArray<IArgumentOperation> arguments, Func<ISymbol, string?> name, Func<IOperation, string?>? special)
    {
        var printed = new List<string>();
        foreach (IArgumentOperation argument in arguments.OrderBy(a => a.Parameter!.Ordinal))
        {
            IEnumerable<IOperation> values = argument.ArgumentKind == ArgumentKind.ParamArray
                ? argument.Value is IArrayCreationOperation { Initializer: { } elements } ? elements.ElementValues : Enumerable.Empty<IOperation>()
                : new[] { argument.Value };
            foreach (IOperation value in values)
            {
                if (Print(value, name, special) is not string code)
                    return null;
                printed.Add(Unparenthesized(code));
            }
        }
        return string.Join(", ", printed);
    }

    /// <summary>The code without the parentheses this printer puts around a whole binary or conditional expression.</summary>
    public static string Unparenthesized(string code)
    {
        if (code.Length < 2 || code[0] != '(' || code[code.Length - 1] != ')')
            return code;
        int depth = 0;
        for (int i = 0; i < code.Length - 1; i++)
        {
            depth += code[i] == '(' ? 1 : code[i] == ')' ? -1 : 0;
            if (depth == 0)
                return code;
        }
        return code.Substring(1, code.Length - 2);
    }

    /// <summary>An interpolated string as written, each hole printed as an expression (so it reads the names supplied).</summary>
    private static string? Interpolation(InterpolatedStringExpressionSyntax interpolated, SemanticModel? model, Func<ISymbol, string?> name, Func<IOperation, string?>? special)
    {
        var text = new StringBuilder(interpolated.StringStartToken.Text);
        foreach (InterpolatedStringContentSyntax content in interpolated.Contents)
        {
            if (content is InterpolatedStringTextSyntax literal)
            {
                text.Append(literal.TextToken.Text);
                continue;
            }
            var hole = (InterpolationSyntax)content;
            if (model?.GetOperation(hole.Expression) is not { } value || Print(value, name, special) is not string code)
                return null;
            text.Append('{').Append(code);
            if (hole.AlignmentClause is { } alignment)
                text.Append(alignment.ToString());
            if (hole.FormatClause is { } format)
                text.Append(format.ToString());
            text.Append('}');
        }
        return text.Append(interpolated.StringEndToken.Text).ToString();
    }

    private static string? Member(IOperation? instance, ISymbol member, Func<ISymbol, string?> name, Func<IOperation, string?>? special)
    {
        string? receiver = instance is null ? Symbols.TypeName(member.ContainingType) : Print(instance, name, special);
        return receiver is null ? null : receiver + "." + member.Name;
    }

    private static string? Constant(object? value, ITypeSymbol type) => value switch
    {
        null => type.IsReferenceType ? "null" : $"default({Symbols.TypeName(type)})",
        bool b => b ? "true" : "false",
        string text => SymbolDisplay.FormatLiteral(text, quote: true),
        char c => SymbolDisplay.FormatLiteral(c, quote: true),
        _ when type.TypeKind == TypeKind.Enum => $"(({Symbols.TypeName(type)}){Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)})",
        double d => Literals.Of(d, ScalarType.Double),
        float f => Literals.Of(f, ScalarType.Float),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        _ => null,
    };

    private static string? Token(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => "+",
        BinaryOperatorKind.Subtract => "-",
        BinaryOperatorKind.Multiply => "*",
        BinaryOperatorKind.Divide => "/",
        BinaryOperatorKind.Remainder => "%",
        BinaryOperatorKind.Equals => "==",
        BinaryOperatorKind.NotEquals => "!=",
        BinaryOperatorKind.LessThan => "<",
        BinaryOperatorKind.LessThanOrEqual => "<=",
        BinaryOperatorKind.GreaterThan => ">",
        BinaryOperatorKind.GreaterThanOrEqual => ">=",
        BinaryOperatorKind.ConditionalAnd => "&&",
        BinaryOperatorKind.ConditionalOr => "||",
        _ => null,
    };
}
