using System.Text;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// What a matrix method's parameter is: a weight or a stack of weights (differentiable matrices), a scalar, an int
/// count, or a [NoDerivative] input, stack of inputs, target or one-hot labels.
/// </summary>
internal enum MatrixRole
{
    Weight,
    Scalar,
    Input,
    Target,
    Labels,
    /// <summary>A <c>Matrix&lt;double&gt;[]</c> of weights, all of one shape, with a gradient buffer of its own per element.</summary>
    WeightArray,
    /// <summary>A <c>[NoDerivative] Matrix&lt;double&gt;[]</c> of inputs, all of one shape.</summary>
    InputArray,
    /// <summary>An <c>int</c> (0–3 at the test points): a loop bound, a condition.</summary>
    Count,
}

/// <param name="Length">For an array of matrices, how many it holds (each <paramref name="Rows"/> × <paramref name="Columns"/>).</param>
internal sealed record MatrixParameter(string Name, MatrixRole Role, int Rows = 1, int Columns = 1, int Length = 0)
{
    public bool Differentiable => Role is MatrixRole.Weight or MatrixRole.WeightArray or MatrixRole.Scalar;

    /// <summary>How many numbers the parameter holds, every one of which has a gradient component if it is differentiable.</summary>
    public int Elements => Role switch
    {
        MatrixRole.Scalar or MatrixRole.Count => 1,
        MatrixRole.WeightArray or MatrixRole.InputArray => Length * Rows * Columns,
        _ => Rows * Columns,
    };

    public string Declaration => Role switch
    {
        MatrixRole.Scalar => "double " + Name,
        MatrixRole.Count => "int " + Name,
        MatrixRole.Weight => "Matrix<double> " + Name,
        MatrixRole.WeightArray => "Matrix<double>[] " + Name,
        MatrixRole.InputArray => "[NoDerivative] Matrix<double>[] " + Name,
        _ => "[NoDerivative] Matrix<double> " + Name,
    };
}

/// <summary>
/// A random <c>[Differentiable(…)]</c> matrix method <c>F</c> in double, alone in its class <c>M{Seed}</c> with the
/// methods it calls (<paramref name="Members"/>: a <c>[Differentiable]</c> layer, a helper without the attribute):
/// statements over local matrices, loops, branches and jumps, the last one a <c>return</c> of a scalar loss.
/// </summary>
/// <param name="Fields">
/// For a program held as a model, the parameters that are its fields (its weights, stacks of weights and the scalar
/// when the body never assigns it): <c>F</c> is then an instance method <see cref="ModelTwin.MethodName"/> of the
/// rest, behind static stand-ins of the static signatures (<see cref="StandIns"/>).
/// </param>
internal sealed record MatrixProgram(int Seed, IReadOnlyList<MatrixParameter> Parameters, IReadOnlyList<string> Statements, IReadOnlyList<string> Members,
    IReadOnlyList<string>? Fields = null)
{
    public string ClassName => "M" + Seed;

    /// <summary>
    /// Whether <c>F</c> asks for second derivatives: not when it takes a <c>Matrix&lt;double&gt;[]</c>, whose Hessian is
    /// BP0010, or a model holds one (BP0015).
    /// </summary>
    public bool Hessian => !Parameters.Any(p => p.Role is MatrixRole.WeightArray or MatrixRole.InputArray);

    /// <summary>Whether <c>F</c> asks for the tangent: always, a model's along a direction of its <c>Gradients</c>.</summary>
    public bool Tangent => true;

    /// <summary>
    /// Whether <c>F</c>, a model's, asks for its train step: not when it keeps a stack of weights as a parameter of its
    /// own, whose gradient a train step has nowhere to put (BP0017).
    /// </summary>
    public bool TrainStep => Fields is not null && !Parameters.Any(p => !IsField(p) && p.Role == MatrixRole.WeightArray);

    /// <summary>What <c>F</c>'s attribute asks for: the gradient, the tangent, and <see cref="Hessian"/> where it may; a model's train step.</summary>
    public string Derivatives => "Derivatives.Gradient" + (Tangent ? " | Derivatives.Tangent" : "") + (Hessian ? " | Derivatives.Hessian" : "") + (TrainStep ? " | Derivatives.TrainStep" : "");

    /// <summary>The program held as a model: its weights (and the scalar, unless the body assigns it) become fields.</summary>
    public MatrixProgram AsModel()
    {
        HashSet<string> assigned = ModelTwin.Assigned(File(new[] { this }));
        return this with { Fields = Parameters.Where(p => p.Differentiable && !assigned.Contains(p.Name)).Select(p => p.Name).ToList() };
    }

    private bool IsField(MatrixParameter parameter) => Fields?.Contains(parameter.Name) == true;

    public string Source
    {
        get
        {
            var text = new StringBuilder();
            text.Append(Fields is null ? "public static partial class " : "public partial class ").Append(ClassName).Append("\n{\n");
            foreach (MatrixParameter weight in Parameters.Where(IsField))
                text.Append("    public ").Append(weight.Declaration).Append(weight.Role == MatrixRole.Scalar ? ";\n" : " = null!;\n");
            foreach (string member in Members)
                text.Append("    ").Append(member.Replace("\n", "\n    ")).Append("\n\n");
            text.Append("    [Differentiable(").Append(Derivatives).Append(")]\n    public ").Append(Fields is null ? "static " : "").Append("double ")
                .Append(Fields is null ? FuzzProgram.MethodName : ModelTwin.MethodName).Append('(')
                .Append(string.Join(", ", Parameters.Where(p => !IsField(p)).Select(p => p.Declaration))).Append(")\n    {\n");
            foreach (string statement in Statements)
                text.Append("        ").Append(statement.Replace("\n", "\n        ")).Append('\n');
            return text.Append("    }\n}\n").ToString();
        }
    }

    public static string File(IEnumerable<MatrixProgram> programs) =>
        "using System;\nusing Backprop;\nusing static Backprop.MatrixOps;\n\nnamespace " + FuzzProgram.Namespace + ";\n\n"
        + string.Join("\n", programs.Select(p => p.Source));

    /// <summary>
    /// Static <c>F</c> and <c>FGradient</c> of each model's original signature, compiled after the generator ran: they
    /// fill the model from their arguments, start its gradients as the garbage in the buffers they are given, call the
    /// model's gradient, and copy its gradients back.
    /// </summary>
    public static string StandIns(IReadOnlyList<MatrixProgram> programs)
    {
        var text = new StringBuilder();
        foreach (MatrixProgram program in programs.Where(p => p.Fields is not null))
            program.WriteStandIns(text);
        return text.Length == 0 ? "" : "using System;\nusing System.Linq;\nusing Backprop;\nusing System.Runtime.InteropServices;\n\nnamespace " + FuzzProgram.Namespace + ";\n\n" + text + ModelTwin.TrainStepMismatch;
    }

    private void WriteStandIns(StringBuilder text)
    {
        var fields = Parameters.Where(IsField).ToList();
        var kept = Parameters.Where(p => !IsField(p)).ToList();
        string Type(MatrixParameter p) => p.Declaration.Replace("[NoDerivative] ", "");
        string signature = string.Join(", ", Parameters.Select(Type));
        string model = $"new {ClassName} {{ {string.Join(", ", fields.Select(f => $"{f.Name} = {f.Name}"))} }}";
        string Output(MatrixParameter p) => p.Role == MatrixRole.Scalar ? $"out double d{p.Name}" : Type(p).Replace(" " + p.Name, " d" + p.Name);
        text.Append("public partial class ").Append(ClassName).Append("\n{\n");
        text.Append("    public static double ").Append(FuzzProgram.MethodName).Append('(').Append(signature).Append(") =>\n        ")
            .Append(model).Append('.').Append(ModelTwin.MethodName).Append('(').Append(string.Join(", ", kept.Select(p => p.Name))).Append(");\n\n");
        text.Append("    public static double ").Append(FuzzProgram.MethodName).Append("Gradient(")
            .Append(string.Join(", ", new[] { signature }.Concat(Parameters.Where(p => p.Differentiable).Select(Output)))).Append(")\n    {\n");
        text.Append("        var model = ").Append(model).Append(";\n");
        text.Append("        var gradients = Gradients.For(model);\n");
        foreach (MatrixParameter field in fields)
        {
            text.Append(field.Role switch
            {
                MatrixRole.Scalar => $"        gradients.{field.Name} = {MatrixValues.Garbage};\n",
                MatrixRole.WeightArray => $"        for (int i = 0; i < d{field.Name}.Length; i++) d{field.Name}[i].CopyTo(gradients.{field.Name}[i]);\n",
                _ => $"        d{field.Name}.CopyTo(gradients.{field.Name});\n",
            });
        }
        var own = kept.Where(p => p.Differentiable).Select(p => p.Role == MatrixRole.Scalar ? "out d" + p.Name : "d" + p.Name);
        text.Append("        double value = model.").Append(ModelTwin.MethodName).Append("Gradient(")
            .Append(string.Join(", ", kept.Select(p => p.Name).Append("gradients").Concat(own))).Append(");\n");
        foreach (MatrixParameter field in fields)
        {
            text.Append(field.Role switch
            {
                MatrixRole.Scalar => $"        d{field.Name} = gradients.{field.Name};\n",
                MatrixRole.WeightArray => $"        for (int i = 0; i < d{field.Name}.Length; i++) gradients.{field.Name}[i].CopyTo(d{field.Name}[i]);\n",
                _ => $"        gradients.{field.Name}.CopyTo(d{field.Name});\n",
            });
        }
        if (TrainStep)
            WriteTrainStepCheck(text, fields, kept);
        text.Append("        return value;\n    }\n");
        WriteTangentStandIn(text, signature, model, fields, kept);
        if (Hessian)
            WriteHessianVectorStandIn(text, signature, model, fields, kept);
        text.Append("}\n\n");
    }

    /// <summary>
    /// <c>FTangent</c> of the static signature, a direction per differentiable parameter: the fields' become the members
    /// of a direction of the model's <c>Gradients</c>, the rest are passed on as the model's tangent takes them.
    /// </summary>
    private void WriteTangentStandIn(StringBuilder text, string signature, string model, List<MatrixParameter> fields, List<MatrixParameter> kept)
    {
        string Direction(MatrixParameter p) => (p.Role == MatrixRole.Scalar ? "double " : p.Role == MatrixRole.WeightArray ? "Matrix<double>[] " : "Matrix<double> ") + "d" + p.Name;
        text.Append("\n    public static (double Value, double Derivative) ").Append(FuzzProgram.MethodName).Append("Tangent(")
            .Append(string.Join(", ", new[] { signature }.Concat(Parameters.Where(p => p.Differentiable).Select(Direction)))).Append(")\n    {\n");
        text.Append("        var model = ").Append(model).Append(";\n");
        WriteDirection(text, fields);
        text.Append("        return model.").Append(ModelTwin.MethodName).Append("Tangent(")
            .Append(string.Join(", ", kept.Select(p => p.Name).Append("direction").Concat(kept.Where(p => p.Differentiable).Select(p => "d" + p.Name)))).Append(");\n    }\n");
    }

    /// <summary>The model's direction, each field's member the stand-in's direction of it (<c>dW</c>).</summary>
    private static void WriteDirection(StringBuilder text, List<MatrixParameter> fields) =>
        text.Append("        var direction = new Gradients { ").Append(string.Join(", ", fields.Select(f => $"{f.Name} = d{f.Name}"))).Append(" };\n");

    /// <summary>
    /// <c>FHessianVector</c> of the static signature through the model's <c>FGradientHessianVector</c>: directions as the
    /// tangent's stand-in takes them, each product buffer's garbage copied into the model's product first and its product
    /// copied back after, so that a member the method leaves unwritten is seen.
    /// </summary>
    private void WriteHessianVectorStandIn(StringBuilder text, string signature, string model, List<MatrixParameter> fields, List<MatrixParameter> kept)
    {
        string Direction(MatrixParameter p) => (p.Role == MatrixRole.Scalar ? "double " : "Matrix<double> ") + "d" + p.Name;
        string Product(MatrixParameter p) => (p.Role == MatrixRole.Scalar ? "out double " : "Matrix<double> ") + "h" + p.Name;
        var differentiable = Parameters.Where(p => p.Differentiable).ToList();
        text.Append("\n    public static double ").Append(FuzzProgram.MethodName).Append("HessianVector(")
            .Append(string.Join(", ", new[] { signature }.Concat(differentiable.Select(Direction)).Concat(differentiable.Select(Product)))).Append(")\n    {\n");
        text.Append("        var model = ").Append(model).Append(";\n");
        WriteDirection(text, fields);
        text.Append("        var product = Gradients.For(model);\n");
        foreach (MatrixParameter field in fields)
            text.Append(field.Role == MatrixRole.Scalar ? $"        product.{field.Name} = {MatrixValues.Garbage};\n" : $"        h{field.Name}.CopyTo(product.{field.Name});\n");
        var ownDifferentiable = kept.Where(p => p.Differentiable).ToList();
        var arguments = kept.Select(p => p.Name)
            .Append("direction").Concat(ownDifferentiable.Select(p => "d" + p.Name))
            .Append("Gradients.For(model)").Concat(ownDifferentiable.Select(p => p.Role == MatrixRole.Scalar ? "out _" : $"new Matrix<double>({p.Name}.Rows, {p.Name}.Columns)"))
            .Append("product").Concat(ownDifferentiable.Select(p => p.Role == MatrixRole.Scalar ? "out h" + p.Name : "h" + p.Name));
        text.Append("        double value = model.").Append(ModelTwin.MethodName).Append("GradientHessianVector(").Append(string.Join(", ", arguments)).Append(");\n");
        foreach (MatrixParameter field in fields)
            text.Append(field.Role == MatrixRole.Scalar ? $"        h{field.Name} = product.{field.Name};\n" : $"        product.{field.Name}.CopyTo(h{field.Name});\n");
        text.Append("        return value;\n    }\n");
    }

    /// <summary>
    /// In the gradient's stand-in: two copies of the model, one stepped by its gradient and an optimizer's <c>Step</c>,
    /// the other by its train step; a field they leave different throws <c>TrainStepMismatch</c>, which the checker reports.
    /// </summary>
    private void WriteTrainStepCheck(StringBuilder text, List<MatrixParameter> fields, List<MatrixParameter> kept)
    {
        // Matrices copied, so the two models do not share them.
        string Copy() => $"new {ClassName} {{ {string.Join(", ", fields.Select(f => f.Role switch
        {
            MatrixRole.Scalar => $"{f.Name} = {f.Name}",
            MatrixRole.WeightArray => $"{f.Name} = Array.ConvertAll({f.Name}, m => m.Clone())",
            _ => $"{f.Name} = {f.Name}.Clone()",
        }))} }}";
        var discarded = kept.Where(p => p.Differentiable).Select(p => p.Role == MatrixRole.Scalar ? "out _" : $"new Matrix<double>({p.Name}.Rows, {p.Name}.Columns)");
        const string optimizer = "global::Backprop.Training.Sgd<double>";
        text.Append("        var stepped = ").Append(Copy()).Append(";\n");
        text.Append("        var steppedGradients = Gradients.For(stepped);\n");
        text.Append("        var stepper = new ").Append(optimizer).Append("(stepped, steppedGradients, 0.01);\n");
        text.Append("        stepped.").Append(ModelTwin.MethodName).Append("Gradient(").Append(string.Join(", ", kept.Select(p => p.Name).Append("steppedGradients").Concat(discarded))).Append(");\n");
        text.Append("        stepper.Step();\n");
        text.Append("        var fused = ").Append(Copy()).Append(";\n");
        text.Append("        fused.").Append(ModelTwin.MethodName).Append("TrainStep(").Append(string.Join(", ", kept.Select(p => p.Name).Append($"new {optimizer}(fused, Gradients.For(fused), 0.01)"))).Append(");\n");
        foreach (MatrixParameter field in fields)
        {
            string Same(string a, string b) => $"MemoryMarshal.AsBytes({a}.Span).SequenceEqual(MemoryMarshal.AsBytes({b}.Span))";
            string same = field.Role switch
            {
                MatrixRole.Scalar => $"BitConverter.DoubleToInt64Bits(stepped.{field.Name}) == BitConverter.DoubleToInt64Bits(fused.{field.Name})",
                MatrixRole.WeightArray => $"Enumerable.Range(0, stepped.{field.Name}.Length).All(i => {Same($"stepped.{field.Name}[i]", $"fused.{field.Name}[i]")})",
                _ => Same($"stepped.{field.Name}", $"fused.{field.Name}"),
            };
            text.Append("        if (!(").Append(same).Append("))\n            throw new TrainStepMismatch(\"").Append(field.Name).Append("\");\n");
        }
    }

    public override string ToString() => $"seed {Seed}{(Fields is null ? "" : " (a model)")}:\n{Source}";
}
