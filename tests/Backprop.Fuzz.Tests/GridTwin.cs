using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// A fuzzed program over two-dimensional arrays: each array parameter (<c>double[]</c>, or <c>int[]</c> data) that the
/// body only reads by index, <c>Length</c> and <c>foreach</c> becomes a <c>double[,]</c> (<c>int[,]</c>) of
/// <see cref="MethodName"/>, its element <c>a[i]</c> read as <c>a[i / a.GetLength(1), i % a.GetLength(1)]</c>: the same
/// numbers in the same order, since C# lays a two-dimensional array out row after row and <c>foreach</c> and
/// <c>Length</c> see it so. Static <c>F</c> and its derivatives of the original's signature (<c>FGradient</c>,
/// <c>FTangent</c>, <c>FHessianVector</c>; for a program returning an array, <c>FJacobian</c>, <c>FVectorJacobian</c>
/// and <c>FTangent</c>) lay each such argument out in rows (two rows when its length is even, else one), and read the
/// gradients and products back in the same order from grids they fill with NaN first (a generated gradient overwrites
/// every element), so the same checkers judge the two-dimensional forms.
/// </summary>
internal static class GridTwin
{
    /// <summary>The method over grids; BP1009 names it where a static program's names <c>F</c>.</summary>
    public const string MethodName = "Gridded";

    /// <summary>The stand-ins' helpers, one class per compilation.</summary>
    private const string Grids = "FuzzGrids";

    /// <summary>The program over grids, when an array parameter can be one (else the program as it is).</summary>
    public static FuzzProgram Of(FuzzProgram program)
    {
        // The rewritten read evaluates the index twice, which a differentiable body's indices (no ++, no assignment) allow.
        List<string> readOnly = SpanTwin.ReadOnlyArrays(program, _ => true);
        return readOnly.Count == 0 ? program : program with { Gridded = readOnly };
    }

    /// <summary>The method's return type: a number, or an array result's <c>double[]</c>.</summary>
    private static string Returns(FuzzProgram program) => FuzzText.Keyword(program.ReturnType) + (program.Outputs > 0 ? "[]" : "");

    private static string Declaration(FuzzProgram program, FuzzParameter parameter) =>
        program.Gridded!.Contains(parameter.Name)
            ? (parameter.NoDerivative ? "[NoDerivative] " : "") + (parameter.Type == FuzzType.IntArray ? "int[,] " : "double[,] ") + parameter.Name
            : parameter.Declaration;

    /// <summary>The class with the method over grids (its helpers follow).</summary>
    public static void Write(StringBuilder text, FuzzProgram program, string body)
    {
        FuzzText.OpenStaticMethod(text, program, Returns(program), MethodName, program.Parameters.Select(p => Declaration(program, p)))
            .Append(Elements(body, program.Gridded!.ToHashSet()));
    }

    /// <summary>The body with every element read of a gridded array made a two-dimensional one (<c>a[i]</c> → <c>a[(i) / a.GetLength(1), (i) % a.GetLength(1)]</c>).</summary>
    private static string Elements(string body, HashSet<string> gridded)
    {
        // Parsed as a class member so that a block or an expression body alike is a method's.
        const string prefix = "class C { void M()";
        SyntaxNode root = CSharpSyntaxTree.ParseText(prefix + body + "}").GetRoot();
        var reads = root.DescendantNodes().OfType<ElementAccessExpressionSyntax>()
            .Where(e => e.Expression is IdentifierNameSyntax name && gridded.Contains(name.Identifier.ValueText) && e.ArgumentList.Arguments.Count == 1)
            .ToList();
        string rewritten = root.ReplaceNodes(reads, (original, changed) =>
        {
            string array = ((IdentifierNameSyntax)original.Expression).Identifier.ValueText;
            string index = ((ElementAccessExpressionSyntax)changed).ArgumentList.Arguments[0].Expression.ToString();
            return SyntaxFactory.ParseExpression($"{array}[({index}) / {array}.GetLength(1), ({index}) % {array}.GetLength(1)]").WithTriviaFrom(original);
        }).ToFullString();
        return rewritten.Substring(prefix.Length, rewritten.Length - prefix.Length - 1);
    }

    /// <summary>Static <c>F</c> and its derivatives of each gridded program's original signature, calling the method over grids; and their helpers.</summary>
    public static string StandIns(IReadOnlyList<FuzzProgram> programs)
    {
        var text = new StringBuilder();
        foreach (FuzzProgram program in programs.Where(p => p.Gridded is not null))
            WriteStandIns(text, program);
        if (text.Length == 0)
            return "";
        text.Append($$"""
            internal static class {{Grids}}
            {
                public static T[,] Of<T>(T[] a)
                {
                    int columns = a.Length % 2 == 0 ? a.Length / 2 : a.Length;
                    var grid = new T[a.Length / columns, columns];
                    for (int i = 0; i < a.Length; i++)
                        grid[i / columns, i % columns] = a[i];
                    return grid;
                }

                public static double[,] Unwritten(double[] a)
                {
                    double[,] grid = Of(a);
                    for (int i = 0; i < a.Length; i++)
                        grid[i / grid.GetLength(1), i % grid.GetLength(1)] = double.NaN;
                    return grid;
                }

                public static void CopyOut(double[,] grid, double[] a)
                {
                    for (int i = 0; i < a.Length; i++)
                        a[i] = grid[i / grid.GetLength(1), i % grid.GetLength(1)];
                }
            }

            """);
        return text.ToString();
    }

    private static void WriteStandIns(StringBuilder text, FuzzProgram program)
    {
        var differentiable = program.Parameters.Where(p => p.Differentiable).ToList();
        bool Gridded(FuzzParameter p) => program.Gridded!.Contains(p.Name);
        string returns = Returns(program);
        string signature = FuzzText.StandInSignature(program);
        string arguments = string.Join(", ", program.Parameters.Select(p => Gridded(p) ? $"{GridTwin.Grids}.Of({p.Name})" : p.Name));
        string Outputs(string prefix) => string.Join(", ", FuzzText.Outputs(program, prefix));
        // A gridded array's gradient or product is written into a grid (a local of the stand-in), then copied out.
        string Written(string prefix) => string.Join(", ", differentiable.Select(p => Gridded(p) ? $"{prefix}{p.Name}_grid" : p.Type == FuzzType.DoubleArray ? prefix + p.Name : $"out {prefix}{p.Name}"));
        string GridLocals(string prefix) => string.Concat(differentiable.Where(Gridded).Select(p => $"        double[,] {prefix}{p.Name}_grid = {GridTwin.Grids}.Unwritten({p.Name});\n"));
        string CopyOut(string prefix) => string.Concat(differentiable.Where(Gridded).Select(p => $"        {GridTwin.Grids}.CopyOut({prefix}{p.Name}_grid, {prefix}{p.Name});\n"));
        string directions = FuzzText.Directions(program);
        string directionArguments = string.Join(", ", differentiable.Select(p => Gridded(p) ? $"{GridTwin.Grids}.Of(d{p.Name})" : "d" + p.Name));

        text.Append("public static partial class ").Append(program.ClassName).Append("\n{\n");
        text.Append($"    public static {returns} {FuzzProgram.MethodName}({signature}) => {MethodName}({arguments});\n\n");
        if (program.Outputs > 0)
        {
            // A Jacobian's columns for a grid are its elements row after row: the order of the array the grid was laid out from.
            text.Append($"    public static {returns} {FuzzProgram.MethodName}Jacobian({signature}, double[,] jacobian) =>\n        {MethodName}Jacobian({arguments}, jacobian);\n\n");
            text.Append($"    public static {returns} {FuzzProgram.MethodName}VectorJacobian({signature}, double[] dresult, {Outputs("d")})\n    {{\n").Append(GridLocals("d"));
            text.Append($"        {returns} value = {MethodName}VectorJacobian({arguments}, dresult, {Written("d")});\n").Append(CopyOut("d")).Append("        return value;\n    }\n\n");
            text.Append($"    public static ({returns} Value, {returns} Derivative) {FuzzProgram.MethodName}Tangent({signature}, {directions}, double[] dresult) =>\n        {MethodName}Tangent({arguments}, {directionArguments}, dresult);\n");
            text.Append("}\n\n");
            return;
        }
        text.Append($"    public static {returns} {FuzzProgram.MethodName}Gradient({signature}, {Outputs("d")})\n    {{\n").Append(GridLocals("d"));
        text.Append($"        {returns} value = {MethodName}Gradient({arguments}, {Written("d")});\n").Append(CopyOut("d")).Append("        return value;\n    }\n");
        if (program.Tangent || program.Hessian)
            text.Append($"\n    public static ({returns} Value, {returns} Derivative) {FuzzProgram.MethodName}Tangent({signature}, {directions}) =>\n        {MethodName}Tangent({arguments}, {directionArguments});\n");
        if (program.Hessian)
        {
            text.Append($"\n    public static {returns} {FuzzProgram.MethodName}HessianVector({signature}, {directions}, {Outputs("h")})\n    {{\n").Append(GridLocals("h"));
            text.Append($"        {returns} value = {MethodName}HessianVector({arguments}, {directionArguments}, {Written("h")});\n").Append(CopyOut("h")).Append("        return value;\n    }\n");
        }
        text.Append("}\n\n");
    }
}
