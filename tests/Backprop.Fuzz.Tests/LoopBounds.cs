using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Proves from the syntax that a program's loops end, so neither a generated program nor a shrinker candidate can
/// spin forever: a foreach walks an array; a for, while or do tests <c>counter &lt; bound</c> (alone, or as the left
/// operand of <c>&amp;&amp;</c>, which then stops the loop as surely), and the counter is stepped (<c>counter++</c>) by
/// the for's incrementor or by the first statement of the while/do body (so no <c>continue</c> can skip it), and is
/// written nowhere else. Bounds are never above 5 by construction (literals, <c>Math.Min(n, 4)</c>, array lengths,
/// matrix shapes), so a bounded loop runs at most a few times; this check needs only that the counter rises to it. A
/// loop this check cannot prove (the shrinker dropped <c>k++;</c> or the <c>do</c> line) is refused.
/// </summary>
internal static class LoopBounds
{
    public static bool AreBounded(FuzzProgram program) => AreBounded(FuzzProgram.File(new[] { program }));

    public static bool AreBounded(MatrixProgram program) => AreBounded(MatrixProgram.File(new[] { program }));

    private static bool AreBounded(string file)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(file, TestCompilation.ParseOptions).GetRoot();
        return root.DescendantNodes().All(node => node switch
        {
            ForStatementSyntax f => f.Condition is { } c && Counter(c) is string i && f.Incrementors.Count == 1
                && IsStep(f.Incrementors[0], i) && WrittenOnlyBy(f.Statement, i, null),
            WhileStatementSyntax w => Counter(w.Condition) is string k && FirstStep(w.Statement, k) is { } step && WrittenOnlyBy(w.Statement, k, step),
            DoStatementSyntax d => Counter(d.Condition) is string k && FirstStep(d.Statement, k) is { } step && WrittenOnlyBy(d.Statement, k, step),
            GotoStatementSyntax => false,
            _ => true,
        });
    }

    /// <summary>
    /// The counter of a condition <c>k &lt; bound</c>, or <c>k &lt; bound &amp;&amp; more</c>, where the bound does not
    /// mention it and nothing in the condition writes it.
    /// </summary>
    private static string? Counter(ExpressionSyntax condition) => condition switch
    {
        BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression, Left: var left }
            when Counter(left) is string counter && !Writes(condition, counter, null) => counter,
        BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LessThanExpression, Left: IdentifierNameSyntax counter } less
            when !less.Right.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == counter.Identifier.ValueText)
            => counter.Identifier.ValueText,
        _ => null,
    };

    private static bool IsStep(ExpressionSyntax expression, string counter) =>
        expression is PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression, Operand: IdentifierNameSyntax name }
        && name.Identifier.ValueText == counter;

    private static ExpressionStatementSyntax? FirstStep(StatementSyntax body, string counter) =>
        body is BlockSyntax { Statements: [ExpressionStatementSyntax first, ..] } && IsStep(first.Expression, counter) ? first : null;

    /// <summary>Whether nothing in the body but <paramref name="step"/> assigns, increments or decrements the counter.</summary>
    private static bool WrittenOnlyBy(StatementSyntax body, string counter, ExpressionStatementSyntax? step) => !Writes(body, counter, step);

    /// <summary>Whether anything in <paramref name="scope"/> but <paramref name="step"/> assigns, increments or decrements the counter.</summary>
    private static bool Writes(SyntaxNode scope, string counter, ExpressionStatementSyntax? step) =>
        scope.DescendantNodes().Any(node => node != step?.Expression && node switch
        {
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax n } => n.Identifier.ValueText == counter,
            PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax n } => n.Identifier.ValueText == counter,
            PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression, Operand: IdentifierNameSyntax n } =>
                n.Identifier.ValueText == counter,
            _ => false,
        });
}
