using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// A fuzzed program as a model: the parameters its body never assigns become fields of its class (no longer static),
/// and <c>F</c> an instance method, <see cref="MethodName"/>, differentiated with respect to them. Static
/// <c>F</c> and <c>FGradient</c> of the original's signature stand in front of it (they fill a model from their
/// arguments, start its <c>Gradients</c> as garbage, and copy them into their outputs), so the same checker compares
/// the model's gradients with finite differences, and finds one the method did not overwrite.
/// </summary>
internal static class ModelTwin
{
    /// <summary>The model's method; BP1009 names it where a static program's names <c>F</c>.</summary>
    public const string MethodName = "Model";

    /// <summary>
    /// The program as a model, when at least one parameter it never assigns is differentiable (else a model would have no
    /// parameter field: the program as it is). Scalar results only. It asks for the modes the program asks for: its
    /// tangent and Hessian-vector product take the fields' directions and products as members of the model's <c>Gradients</c>.
    /// </summary>
    public static FuzzProgram Of(FuzzProgram program)
    {
        if (program.Outputs > 0)
            return program;
        HashSet<string> assigned = Assigned(FuzzProgram.File(new[] { program }));
        var fields = program.Parameters.Where(p => !assigned.Contains(p.Name)).Select(p => p.Name).ToList();
        if (!program.Parameters.Any(p => p.Differentiable && fields.Contains(p.Name)))
            return program;
        return program with { Fields = fields };
    }

    /// <summary>
    /// For a model whose differentiable fields share one element type, that type's keyword: it asks for a train step too,
    /// which its stand-in checks against the gradient followed by an optimizer's step; else <c>null</c>.
    /// </summary>
    public static string? TrainStepElement(FuzzProgram program)
    {
        if (program.Fields is null)
            return null;
        var types = program.Parameters.Where(p => p.Differentiable && program.Fields.Contains(p.Name))
            .Select(p => p.Type == FuzzType.Float ? "float" : "double").Distinct().ToList();
        return types.Count == 1 ? types[0] : null;
    }

    /// <summary>The exception the stand-ins throw at a field a train step left other than the gradient and <c>Step</c> did, which the checker reports by its type's name.</summary>
    public const string TrainStepMismatch =
        "/// <summary>A train step that left a field other than the gradient followed by an optimizer's step did.</summary>\n" +
        "public sealed class TrainStepMismatch(string field) : Exception($\"the train step left '{field}' other than the gradient and Step\");\n";

    /// <summary>The names a program's source assigns anywhere (its local functions included): such a parameter stays a parameter.</summary>
    public static HashSet<string> Assigned(string source)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(source).GetRoot();
        var names = new HashSet<string>();
        foreach (SyntaxNode node in root.DescendantNodes())
        {
            ExpressionSyntax? target = node switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left,
                PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } step => step.Operand,
                PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } step => step.Operand,
                ArgumentSyntax { RefKindKeyword.RawKind: not (int)SyntaxKind.None } argument => argument.Expression,
                _ => null,
            };
            if (target is not null)
                names.UnionWith(target.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Select(n => n.Identifier.ValueText));
        }
        return names;
    }

    /// <summary>The class of a program held as a model: its fields and its method (its helpers follow).</summary>
    public static void Write(StringBuilder text, FuzzProgram program, string body)
    {
        text.Append("public partial class ").Append(program.ClassName).Append("\n{\n");
        foreach (FuzzParameter field in program.Parameters.Where(p => program.Fields!.Contains(p.Name)))
            text.Append("    ").Append(field.NoDerivative ? "[NoDerivative] " : "").Append("public ").Append(FuzzText.Keyword(field.Type)).Append(' ').Append(field.Name)
                .Append(field.Type is FuzzType.DoubleArray or FuzzType.IntArray ? " = null!;\n" : ";\n");
        text.Append('\n');
        text.Append("    ").Append(program.Attribute).Append('\n');
        text.Append("    public ").Append(FuzzText.Keyword(program.ReturnType)).Append(' ').Append(MethodName).Append('(')
            .Append(string.Join(", ", program.Parameters.Where(p => !program.Fields!.Contains(p.Name)).Select(p => p.Declaration))).Append(')').Append(body);
    }

    /// <summary>
    /// Static <c>F</c> and <c>FGradient</c> of each model's original signature, which call the model's method and its
    /// generated gradient: classes of <see cref="FuzzProgram.StandIns"/>.
    /// </summary>
    public static string StandIns(IReadOnlyList<FuzzProgram> programs)
    {
        var text = new StringBuilder();
        foreach (FuzzProgram program in programs.Where(p => p.Fields is not null))
            WriteStandIns(text, program);
        return text.Length == 0 ? "" : text + TrainStepMismatch;
    }

    private static void WriteStandIns(StringBuilder text, FuzzProgram program)
    {
        var fields = program.Parameters.Where(p => program.Fields!.Contains(p.Name)).ToList();
        var kept = program.Parameters.Where(p => !program.Fields!.Contains(p.Name)).ToList();
        string returns = FuzzText.Keyword(program.ReturnType);
        string signature = FuzzText.StandInSignature(program);
        string model = $"new {program.ClassName} {{ {string.Join(", ", fields.Select(f => $"{f.Name} = {f.Name}"))} }}";
        text.Append("public partial class ").Append(program.ClassName).Append("\n{\n");
        text.Append("    public static ").Append(returns).Append(' ').Append(FuzzProgram.MethodName).Append('(').Append(signature).Append(") =>\n        ")
            .Append(model).Append('.').Append(MethodName).Append('(').Append(string.Join(", ", kept.Select(p => p.Name))).Append(");\n");

        var outputs = FuzzText.Outputs(program, "d");
        var ownOutputs = kept.Where(p => p.Differentiable).Select(p => p.Type == FuzzType.DoubleArray ? $"d{p.Name}" : $"out d{p.Name}");
        text.Append("\n    public static ").Append(returns).Append(' ').Append(FuzzProgram.MethodName).Append("Gradient(")
            .Append(string.Join(", ", new[] { signature }.Concat(outputs))).Append(")\n    {\n");
        text.Append("        var model = ").Append(model).Append(";\n");
        text.Append("        var gradients = Gradients.For(model);\n");
        // The gradients start as the garbage the checker's buffers hold: the model's gradient method must overwrite them.
        foreach (FuzzParameter field in fields.Where(f => f.Differentiable))
        {
            text.Append(field.Type == FuzzType.DoubleArray
                ? $"        d{field.Name}.CopyTo(gradients.{field.Name}, 0);\n"
                : $"        gradients.{field.Name} = 12345;\n");
        }
        text.Append("        var value = model.").Append(MethodName).Append("Gradient(").Append(string.Join(", ", kept.Select(p => p.Name).Append("gradients").Concat(ownOutputs))).Append(");\n");
        foreach (FuzzParameter field in fields.Where(f => f.Differentiable))
        {
            text.Append(field.Type == FuzzType.DoubleArray
                ? $"        gradients.{field.Name}.CopyTo(d{field.Name}, 0);\n"
                : $"        d{field.Name} = gradients.{field.Name};\n");
        }
        if (TrainStepElement(program) is { } element)
            WriteTrainStepCheck(text, program, fields, kept, element);
        text.Append("        return value;\n    }\n");
        if (program.Tangent)
            WriteTangentStandIn(text, program, signature, model, fields, kept);
        if (program.Hessian)
            WriteHessianVectorStandIn(text, program, signature, model, fields, kept);
        text.Append("}\n\n");
    }

    /// <summary>The model's direction, its differentiable fields' members the stand-in's directions.</summary>
    private static string NewDirection(List<FuzzParameter> fields) =>
        $"new Gradients {{ {string.Join(", ", fields.Where(f => f.Differentiable).Select(f => $"{f.Name} = d{f.Name}"))} }}";

    /// <summary><c>FTangent</c> of the original signature, a direction per differentiable parameter, through the model's tangent.</summary>
    private static void WriteTangentStandIn(StringBuilder text, FuzzProgram program, string signature, string model, List<FuzzParameter> fields, List<FuzzParameter> kept)
    {
        string returns = FuzzText.Keyword(program.ReturnType);
        text.Append("\n    public static (").Append(returns).Append(" Value, ").Append(returns).Append(" Derivative) ").Append(FuzzProgram.MethodName).Append("Tangent(")
            .Append(string.Join(", ", new[] { signature }.Concat(program.Parameters.Where(p => p.Differentiable).Select(FuzzText.Direction)))).Append(")\n    {\n");
        text.Append("        var model = ").Append(model).Append(";\n");
        text.Append("        return model.").Append(MethodName).Append("Tangent(")
            .Append(string.Join(", ", kept.Select(p => p.Name).Append(NewDirection(fields)).Concat(kept.Where(p => p.Differentiable).Select(p => "d" + p.Name)))).Append(");\n    }\n");
    }

    /// <summary>
    /// <c>FHessianVector</c> of the original signature through the model's <c>FGradientHessianVector</c>: the products'
    /// garbage copied into the model's product first and its product copied back after, so that a member the method
    /// leaves unwritten is seen.
    /// </summary>
    private static void WriteHessianVectorStandIn(StringBuilder text, FuzzProgram program, string signature, string model, List<FuzzParameter> fields, List<FuzzParameter> kept)
    {
        var differentiable = program.Parameters.Where(p => p.Differentiable).ToList();
        string Product(FuzzParameter p) => p.Type == FuzzType.DoubleArray ? $"double[] h{p.Name}" : $"out {FuzzText.Keyword(p.Type)} h{p.Name}";
        text.Append("\n    public static ").Append(FuzzText.Keyword(program.ReturnType)).Append(' ').Append(FuzzProgram.MethodName).Append("HessianVector(")
            .Append(string.Join(", ", new[] { signature }.Concat(differentiable.Select(FuzzText.Direction)).Concat(differentiable.Select(Product)))).Append(")\n    {\n");
        text.Append("        var model = ").Append(model).Append(";\n");
        text.Append("        var product = Gradients.For(model);\n");
        foreach (FuzzParameter field in fields.Where(f => f.Differentiable))
            text.Append(field.Type == FuzzType.DoubleArray ? $"        h{field.Name}.CopyTo(product.{field.Name}, 0);\n" : $"        product.{field.Name} = 12345;\n");
        var own = kept.Where(p => p.Differentiable).ToList();
        var arguments = kept.Select(p => p.Name)
            .Append(NewDirection(fields)).Concat(own.Select(p => "d" + p.Name))
            .Append("Gradients.For(model)").Concat(own.Select(p => p.Type == FuzzType.DoubleArray ? $"new double[{p.Name}.Length]" : "out _"))
            .Append("product").Concat(own.Select(p => p.Type == FuzzType.DoubleArray ? "h" + p.Name : "out h" + p.Name));
        text.Append("        var value = model.").Append(MethodName).Append("GradientHessianVector(").Append(string.Join(", ", arguments)).Append(");\n");
        foreach (FuzzParameter field in fields.Where(f => f.Differentiable))
            text.Append(field.Type == FuzzType.DoubleArray ? $"        product.{field.Name}.CopyTo(h{field.Name}, 0);\n" : $"        h{field.Name} = product.{field.Name};\n");
        text.Append("        return value;\n    }\n");
    }

    /// <summary>
    /// In the gradient's stand-in: two copies of the model, one stepped by its gradient and an optimizer's <c>Step</c>,
    /// the other by its train step; a field they leave different throws <c>TrainStepMismatch</c>, which the checker reports.
    /// </summary>
    private static void WriteTrainStepCheck(StringBuilder text, FuzzProgram program, List<FuzzParameter> fields, List<FuzzParameter> kept, string element)
    {
        // Arrays copied, so the two models do not share them.
        string Copy() => $"new {program.ClassName} {{ {string.Join(", ", fields.Select(f => f.Type is FuzzType.DoubleArray or FuzzType.IntArray ? $"{f.Name} = ({FuzzText.Keyword(f.Type)}){f.Name}.Clone()" : $"{f.Name} = {f.Name}"))} }}";
        var discarded = kept.Where(p => p.Differentiable).Select(p => p.Type == FuzzType.DoubleArray ? $"new double[{p.Name}.Length]" : "out _");
        string optimizer = $"global::Backprop.Training.Sgd<{element}>";
        text.Append("        var stepped = ").Append(Copy()).Append(";\n");
        text.Append("        var steppedGradients = Gradients.For(stepped);\n");
        text.Append("        var stepper = new ").Append(optimizer).Append("(stepped, steppedGradients, 0.01);\n");
        text.Append("        stepped.").Append(MethodName).Append("Gradient(").Append(string.Join(", ", kept.Select(p => p.Name).Append("steppedGradients").Concat(discarded))).Append(");\n");
        text.Append("        stepper.Step();\n");
        text.Append("        var fused = ").Append(Copy()).Append(";\n");
        text.Append("        fused.").Append(MethodName).Append("TrainStep(").Append(string.Join(", ", kept.Select(p => p.Name).Append($"new {optimizer}(fused, Gradients.For(fused), 0.01)"))).Append(");\n");
        foreach (FuzzParameter field in fields.Where(f => f.Differentiable))
        {
            string same = field.Type == FuzzType.DoubleArray
                ? $"MemoryMarshal.AsBytes(stepped.{field.Name}.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(fused.{field.Name}.AsSpan()))"
                : field.Type == FuzzType.Float
                    ? $"BitConverter.SingleToInt32Bits(stepped.{field.Name}) == BitConverter.SingleToInt32Bits(fused.{field.Name})"
                    : $"BitConverter.DoubleToInt64Bits(stepped.{field.Name}) == BitConverter.DoubleToInt64Bits(fused.{field.Name})";
            text.Append("        if (!(").Append(same).Append("))\n            throw new TrainStepMismatch(\"").Append(field.Name).Append("\");\n");
        }
    }
}
