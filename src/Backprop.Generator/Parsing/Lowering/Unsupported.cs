using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>How refusals name the statements and expressions they refuse, and what they advise instead.</summary>
internal static class Unsupported
{
    public static string DescribeStatement(SyntaxKind kind) => $"A {KindName(kind)}";

    public static string StatementAdvice(SyntaxKind kind) => kind switch
    {
        SyntaxKind.GotoStatement or SyntaxKind.LabeledStatement => "use loops with break and continue",
        SyntaxKind.TryStatement => "check inputs with if and throw (or a ThrowIf guard) instead; a gradient cannot flow through a catch",
        SyntaxKind.LocalFunctionStatement => "make it a separate [Differentiable] method",
        SyntaxKind.SwitchStatement => "use if/else",
        _ => "use assignments, if/else, loops and return",
    };

    public static string DescribeExpression(IOperation operation) => operation switch
    {
        IAnonymousFunctionOperation => "A lambda expression",
        ITranslatedQueryOperation => "A LINQ query",
        IFieldReferenceOperation field => $"Reading field '{field.Field.Name}'",
        IPropertyReferenceOperation property => $"Reading property '{property.Property.Name}'",
        IBinaryOperation binary => $"The operator '{binary.OperatorKind}' in '{binary.Syntax}'",
        IUnaryOperation unary => $"The operator '{unary.OperatorKind}' in '{unary.Syntax}'",
        _ => $"A {KindName(operation.Syntax.Kind())}",
    };

    /// <summary><c>GotoStatement</c> → <c>goto statement</c>.</summary>
    public static string KindName(SyntaxKind kind)
    {
        var words = new StringBuilder();
        foreach (char c in kind.ToString())
        {
            if (char.IsUpper(c) && words.Length > 0)
                words.Append(' ');
            words.Append(char.ToLowerInvariant(c));
        }
        return words.ToString();
    }
}
