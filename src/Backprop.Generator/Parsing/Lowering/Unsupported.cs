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
        SyntaxKind.SwitchStatement => "use if/else",
        _ => "use assignments, if/else, loops and return",
    };

    public static string DescribeExpression(IOperation operation) => operation switch
    {
        IAnonymousFunctionOperation => "A lambda expression",
        ITranslatedQueryOperation => "A LINQ query",
        IPropertyReferenceOperation { Property.IsIndexer: true, Instance.Type: { } collection } indexer =>
            $"Indexing '{indexer.Instance!.Syntax}' of type '{collection.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'",
        IMemberReferenceOperation { Instance.Type: { TypeKind: TypeKind.Struct or TypeKind.Class } owner } member when owner.SpecialType == SpecialType.None =>
            $"Reading {(member is IFieldReferenceOperation ? "field" : "property")} '{member.Member.Name}' of '{member.Instance!.Syntax}' of type '{owner.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'",
        IFieldReferenceOperation field => $"Reading field '{field.Field.Name}'",
        IPropertyReferenceOperation property => $"Reading property '{property.Property.Name}'",
        IBinaryOperation binary => $"The operator '{binary.OperatorKind}' in '{binary.Syntax}'",
        IUnaryOperation unary => $"The operator '{unary.OperatorKind}' in '{unary.Syntax}'",
        IConversionOperation conversion => $"The conversion '{conversion.Syntax}' to '{conversion.Type?.ToDisplayString()}'",
        _ => $"A {KindName(operation.Syntax.Kind())}",
    };

    /// <summary>
    /// A value of a type the forward program has none for. (Apart from <see cref="Parsing.BodyLowering"/>'s recursive
    /// lowering, whose frames would each hold these strings' locals.)
    /// </summary>
    public static string DescribeValue(ITypeSymbol? type) => $"A value of type '{type?.ToDisplayString() ?? "unknown"}'";

    public static string ValueAdvice(ITypeSymbol? type) =>
        Symbols.SmallIntegerAlternative(type) is string alternative ? "use " + alternative : "use double, float, int, long, byte or bool values";

    /// <summary>What to write instead of an expression the lowering refuses.</summary>
    public static string ExpressionAdvice(IOperation operation) => operation switch
    {
        IAnonymousFunctionOperation or ITranslatedQueryOperation or IDelegateCreationOperation =>
            "write the computation as a static method (a plain static method is differentiated as an implicit helper) and call it, or use a loop",
        IConversionOperation => "compute in double or float (and int, long for counts); Half, decimal and other number types are not supported",
        IPropertyReferenceOperation { Property.IsIndexer: true } =>
            "take a double[] or ReadOnlySpan<double> (float likewise; int, long, byte and bool arrays as data) instead; lists and other collections are not read",
        IMemberReferenceOperation { Instance.Type.SpecialType: SpecialType.None } =>
            "pass the numbers it holds as double or float parameters (or an array), or hold them in a struct of this compilation; objects and other assemblies' types are not differentiated",
        _ => "rewrite it with arithmetic, locals and Math calls",
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
