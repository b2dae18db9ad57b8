using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// A fuzzed program over spans: each array parameter (<c>double[]</c>, or <c>int[]</c> data) that the body only reads
/// by index, <c>Length</c> and <c>foreach</c> becomes a <c>ReadOnlySpan</c> of <see cref="MethodName"/>, the rest stay as
/// they are. Static <c>F</c>, <c>FGradient</c>, <c>FTangent</c> and <c>FHessianVector</c> of the original's signature
/// forward their arguments to it and to what the generator made of it (an array converts to the span the generated
/// method takes: a <c>Span&lt;double&gt;</c> gradient or product, a <c>ReadOnlySpan&lt;double&gt;</c> direction), so the
/// same checkers judge the span forms: the gradient written into a caller's <c>Span</c>, every element overwritten.
/// </summary>
internal static class SpanTwin
{
    /// <summary>The method over spans; BP1009 names it where a static program's names <c>F</c>.</summary>
    public const string MethodName = "Spanned";

    /// <summary>The program over spans, when an array parameter can be one (else the program as it is). Scalar results only.</summary>
    public static FuzzProgram Of(FuzzProgram program)
    {
        if (program.Outputs > 0)
            return program;
        List<string> readOnly = ReadOnlyArrays(program, name => !name.Ancestors().Any(a => a is LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax));
        return readOnly.Count == 0 ? program : program with { Spanned = readOnly };
    }

    /// <summary>
    /// The array parameters (<c>double[]</c>, <c>int[]</c>) whose every mention is an element read, <c>Length</c> or a
    /// <c>foreach</c>, and passes <paramref name="allowed"/>: a span cannot be captured by a lambda or local function.
    /// </summary>
    public static List<string> ReadOnlyArrays(FuzzProgram program, Func<IdentifierNameSyntax, bool> allowed)
    {
        var arrays = program.Parameters.Where(p => p.Type is FuzzType.DoubleArray or FuzzType.IntArray).Select(p => p.Name).ToList();
        if (arrays.Count == 0)
            return arrays;
        SyntaxNode root = CSharpSyntaxTree.ParseText("class C { void M() {\n" + string.Join("\n", program.Statements) + "\n} }").GetRoot();
        return arrays.Where(name => root.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(n => n.Identifier.ValueText == name).All(n => allowed(n) && ReadOnly(n))).ToList();
    }

    /// <summary>Whether a mention of an array only reads it: an element read, <c>Length</c>, a <c>foreach</c>.</summary>
    private static bool ReadOnly(IdentifierNameSyntax name) => name.Parent switch
    {
        ElementAccessExpressionSyntax element when element.Expression == name => !IsWritten(element),
        MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" } access => access.Expression == name,
        ForEachStatementSyntax loop => loop.Expression == name,
        _ => false,
    };

    private static bool IsWritten(ExpressionSyntax element) => element.Parent switch
    {
        AssignmentExpressionSyntax assignment => assignment.Left == element,
        PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax => true,
        ArgumentSyntax argument => argument.RefKindKeyword.RawKind != (int)SyntaxKind.None,
        _ => false,
    };

    private static string Declaration(FuzzProgram program, FuzzParameter parameter) =>
        program.Spanned!.Contains(parameter.Name)
            ? (parameter.NoDerivative ? "[NoDerivative] " : "") + (parameter.Type == FuzzType.IntArray ? "ReadOnlySpan<int> " : "ReadOnlySpan<double> ") + parameter.Name
            : parameter.Declaration;

    /// <summary>The class with the method over spans (its helpers follow).</summary>
    public static void Write(StringBuilder text, FuzzProgram program, string body)
    {
        FuzzText.OpenStaticMethod(text, program, FuzzText.Keyword(program.ReturnType), MethodName, program.Parameters.Select(p => Declaration(program, p))).Append(body);
    }

    /// <summary>Static <c>F</c> and its derivatives of each spanned program's original signature, forwarding to the method over spans.</summary>
    public static string StandIns(IReadOnlyList<FuzzProgram> programs)
    {
        var text = new StringBuilder();
        foreach (FuzzProgram program in programs.Where(p => p.Spanned is not null))
            WriteStandIns(text, program);
        return text.ToString();
    }

    private static void WriteStandIns(StringBuilder text, FuzzProgram program)
    {
        var differentiable = program.Parameters.Where(p => p.Differentiable).ToList();
        string returns = FuzzText.Keyword(program.ReturnType);
        string signature = FuzzText.StandInSignature(program);
        string arguments = string.Join(", ", program.Parameters.Select(p => p.Name));
        string Outputs(string prefix) => string.Join(", ", FuzzText.Outputs(program, prefix));
        string Passed(string prefix, bool written) => string.Join(", ", differentiable.Select(p => (written && p.Type != FuzzType.DoubleArray ? "out " : "") + prefix + p.Name));
        string directions = FuzzText.Directions(program);

        text.Append("public static partial class ").Append(program.ClassName).Append("\n{\n");
        text.Append($"    public static {returns} {FuzzProgram.MethodName}({signature}) => {MethodName}({arguments});\n\n");
        text.Append($"    public static {returns} {FuzzProgram.MethodName}Gradient({signature}, {Outputs("d")}) =>\n        {MethodName}Gradient({arguments}, {Passed("d", written: true)});\n");
        if (program.Tangent || program.Hessian)
            text.Append($"\n    public static ({returns} Value, {returns} Derivative) {FuzzProgram.MethodName}Tangent({signature}, {directions}) =>\n        {MethodName}Tangent({arguments}, {Passed("d", written: false)});\n");
        if (program.Hessian)
            text.Append($"\n    public static {returns} {FuzzProgram.MethodName}HessianVector({signature}, {directions}, {Outputs("h")}) =>\n        {MethodName}HessianVector({arguments}, {Passed("d", written: false)}, {Passed("h", written: true)});\n");
        text.Append("}\n\n");
    }
}
