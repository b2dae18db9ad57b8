using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// A fuzzed program over a struct: its number parameters (double, float, int) become the fields of a struct
/// <c>P{seed}Pack</c> (a <c>[NoDerivative]</c> parameter a <c>[NoDerivative]</c> field), taken by <see cref="MethodName"/> as
/// its first parameter, <c>pack</c>, and the body reads and writes them as members (<c>pack.x</c>, <c>pack.x += …</c>).
/// Static <c>F</c>, <c>FGradient</c>, <c>FTangent</c> and <c>FHessianVector</c> of the original's signature stand in
/// front of it (they make the struct from their arguments, and read the struct gradient and products out member by
/// member), so the same checkers compare the struct's derivatives with finite differences.
/// </summary>
internal static class StructTwin
{
    /// <summary>The method over the struct; BP1009 names it where a static program's names <c>F</c>.</summary>
    public const string MethodName = "Packed";

    /// <summary>The struct parameter (fuzzed programs name their locals <c>v0</c>, <c>u1</c>, …, never so).</summary>
    private const string Pack = "pack";

    public static string StructName(FuzzProgram program) => program.ClassName + "Pack";

    /// <summary>
    /// The program over a struct, when it has a differentiable number parameter (else there is nothing to bundle: the
    /// program as it is). Scalar results only.
    /// </summary>
    public static FuzzProgram Of(FuzzProgram program)
    {
        if (program.Outputs > 0 || !program.Parameters.Any(p => p.Differentiable && IsNumber(p)))
            return program;
        return program with { Packed = program.Parameters.Where(IsNumber).Select(p => p.Name).ToList() };
    }

    private static bool IsNumber(FuzzParameter parameter) => parameter.Type is FuzzType.Double or FuzzType.Float or FuzzType.Int;

    /// <summary>The struct, and the class with the method over it (its helpers follow).</summary>
    public static void Write(StringBuilder text, FuzzProgram program, string body)
    {
        var packed = program.Parameters.Where(p => program.Packed!.Contains(p.Name)).ToList();
        text.Append("public struct ").Append(StructName(program)).Append("\n{\n");
        foreach (FuzzParameter field in packed)
            text.Append("    ").Append(field.NoDerivative ? "[NoDerivative] " : "").Append("public ").Append(FuzzText.Keyword(field.Type)).Append(' ').Append(field.Name).Append(";\n");
        text.Append("}\n\n");
        FuzzText.OpenStaticMethod(text, program, FuzzText.Keyword(program.ReturnType), MethodName,
                new[] { StructName(program) + " " + Pack }.Concat(program.Parameters.Where(p => !packed.Contains(p)).Select(p => p.Declaration)))
            .Append(Members(body, packed.Select(p => p.Name).ToHashSet()));
    }

    /// <summary>The body with every read and write of a packed parameter made one of the struct's member (<c>x</c> → <c>pack.x</c>).</summary>
    private static string Members(string body, HashSet<string> packed)
    {
        // Parsed as a class member so that a block or an expression body alike is a method's.
        const string prefix = "class C { void M()";
        SyntaxNode root = CSharpSyntaxTree.ParseText(prefix + body + "}").GetRoot();
        var names = root.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(n => packed.Contains(n.Identifier.ValueText)
                && !(n.Parent is MemberAccessExpressionSyntax access && access.Name == n)
                // A shrinker's candidate may no longer parse as statements: a name where a type goes stays as it is.
                && n.Parent is not (NameColonSyntax or TupleElementSyntax) && !SyntaxFacts.IsInTypeOnlyContext(n))
            .ToList();
        string rewritten = root.ReplaceNodes(names, (original, _) => SyntaxFactory.ParseExpression(Pack + "." + original.Identifier.ValueText).WithTriviaFrom(original)).ToFullString();
        return rewritten.Substring(prefix.Length, rewritten.Length - prefix.Length - 1);
    }

    /// <summary>
    /// Static <c>F</c>, <c>FGradient</c>, <c>FTangent</c> and <c>FHessianVector</c> of each packed program's original
    /// signature, calling the method over the struct and what the generator made of it.
    /// </summary>
    public static string StandIns(IReadOnlyList<FuzzProgram> programs)
    {
        var text = new StringBuilder();
        foreach (FuzzProgram program in programs.Where(p => p.Packed is not null))
            WriteStandIns(text, program);
        return text.ToString();
    }

    private static void WriteStandIns(StringBuilder text, FuzzProgram program)
    {
        var packed = program.Parameters.Where(p => program.Packed!.Contains(p.Name)).ToList();
        var kept = program.Parameters.Where(p => !packed.Contains(p)).ToList();
        string structName = StructName(program);
        string returns = FuzzText.Keyword(program.ReturnType);
        string signature = FuzzText.StandInSignature(program);
        string Make(Func<FuzzParameter, string> value) =>
            $"new {structName} {{ {string.Join(", ", packed.Select(p => $"{p.Name} = {value(p)}"))} }}";
        string arguments = string.Join(", ", kept.Select(p => p.Name).Prepend(Make(p => p.Name)));
        string Kept(string prefix, bool written) =>
            string.Concat(kept.Where(p => p.Differentiable).Select(p => ", " + (written && p.Type != FuzzType.DoubleArray ? "out " : "") + prefix + p.Name));

        text.Append("public static partial class ").Append(program.ClassName).Append("\n{\n");
        text.Append($"    public static {returns} {FuzzProgram.MethodName}({signature}) => {MethodName}({arguments});\n\n");

        string Outputs(string prefix) => string.Join(", ", FuzzText.Outputs(program, prefix));
        string ReadOut(string prefix) => string.Concat(packed.Where(p => p.Differentiable).Select(p => $"        {prefix}{p.Name} = {prefix}{Pack}.{p.Name};\n"));
        text.Append($"    public static {returns} {FuzzProgram.MethodName}Gradient({signature}, {Outputs("d")})\n    {{\n");
        text.Append($"        {returns} value = {MethodName}Gradient({arguments}, out {structName} d{Pack}{Kept("d", written: true)});\n");
        text.Append(ReadOut("d")).Append("        return value;\n    }\n");

        string directions = FuzzText.Directions(program);
        string directionArguments = Make(p => p.Differentiable ? "d" + p.Name : "default") + Kept("d", written: false);
        if (program.Tangent || program.Hessian)
            text.Append($"\n    public static ({returns} Value, {returns} Derivative) {FuzzProgram.MethodName}Tangent({signature}, {directions}) =>\n        {MethodName}Tangent({arguments}, {directionArguments});\n");
        if (program.Hessian)
        {
            text.Append($"\n    public static {returns} {FuzzProgram.MethodName}HessianVector({signature}, {directions}, {Outputs("h")})\n    {{\n");
            text.Append($"        {returns} value = {MethodName}HessianVector({arguments}, {directionArguments}, out {structName} h{Pack}{Kept("h", written: true)});\n");
            text.Append(ReadOut("h")).Append("        return value;\n    }\n");
        }
        text.Append("}\n\n");
    }
}
