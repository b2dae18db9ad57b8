using System.Text;

namespace Backprop.Fuzz.Tests;

/// <summary>The scalar types a fuzzed program uses.</summary>
internal enum FuzzType
{
    Double,
    Float,
    Int,
    /// <summary>A <c>double[]</c>: a parameter (read only) or a local array (written and read).</summary>
    DoubleArray,
    /// <summary>An <c>int[]</c> parameter of data (labels, indices), values 0–5: read by index, used to index arrays.</summary>
    IntArray,
}

/// <summary>A parameter of a fuzzed method. <see cref="NoDerivative"/> double parameters and int parameters get no gradient.</summary>
/// <param name="Length">For a <c>double[]</c> parameter, the length of the arrays passed at the test points (3–5).</param>
internal sealed record FuzzParameter(string Name, FuzzType Type, bool NoDerivative, int Length = 0)
{
    public bool Differentiable => Type is not (FuzzType.Int or FuzzType.IntArray) && !NoDerivative;

    public string Declaration => (NoDerivative ? "[NoDerivative] " : "") + FuzzText.Keyword(Type) + " " + Name;
}

/// <summary>
/// One generated <c>[Differentiable]</c> method, <c>F</c>, alone in its own partial class <c>P{Seed}</c>, so
/// many programs share one compilation and each can be rebuilt alone when shrinking. The statements are
/// kept apart so the shrinker can drop them one at a time; the last is always the return.
/// </summary>
/// <param name="UsesFloat">Whether floats appear anywhere: such programs round to about 7 digits, so they are checked with a wider step.</param>
/// <param name="Helpers">Other methods of the class (differentiable helpers <c>F</c> calls, ordinary int/bool helpers), as source.</param>
/// <param name="Tangent">Whether <c>F</c> (and its differentiable helpers) also ask for <c>FTangent</c>.</param>
/// <param name="Hessian">Whether they also ask for <c>FHessianVector</c> (and <c>FHessian</c>).</param>
/// <param name="Outputs">For a program returning a <c>double[]</c> (its local array <c>outputs</c>), the array's length; 0 for a scalar result.</param>
/// <param name="Kernels">Methods of a second class, <see cref="KernelsClassName"/>, which is not partial: helpers without attribute.</param>
/// <param name="Fields">For a program held as a model (<see cref="ModelTwin"/>), the parameters that are its fields.</param>
/// <param name="Packed">For a program over a struct (<see cref="StructTwin"/>), the parameters that are the struct's fields.</param>
/// <param name="Spanned">For a program over spans (<see cref="SpanTwin"/>), the array parameters that are spans.</param>
/// <param name="Gridded">For a program over two-dimensional arrays (<see cref="GridTwin"/>), the array parameters that are.</param>
internal sealed record FuzzProgram(int Seed, IReadOnlyList<FuzzParameter> Parameters, IReadOnlyList<string> Statements, FuzzType ReturnType, bool UsesFloat,
    IReadOnlyList<string>? Helpers = null, bool Tangent = false, bool Hessian = false, int Outputs = 0, IReadOnlyList<string>? Kernels = null,
    IReadOnlyList<string>? Fields = null, IReadOnlyList<string>? Packed = null, IReadOnlyList<string>? Spanned = null, IReadOnlyList<string>? Gridded = null)
{
    /// <summary>The method the generator differentiates: <c>F</c>, or a twin's (a model's, a method over a struct), whose names BP1009 gives.</summary>
    public string DifferentiatedName => Fields is not null ? ModelTwin.MethodName : Packed is not null ? StructTwin.MethodName
        : Spanned is not null ? SpanTwin.MethodName : Gridded is not null ? GridTwin.MethodName : MethodName;

    /// <summary>How the statement that passes a varying value to a <c>[NoDerivative]</c> parameter begins.</summary>
    public const string LostDerivativeDeclaration = "double lost = ";

    /// <summary>
    /// Whether the generator must refuse F with BP1009 (and nothing else): a top-level statement passes a varying value
    /// to a <c>[NoDerivative]</c> parameter. Read from the statements, so a shrunk program that lost that statement no
    /// longer expects it.
    /// </summary>
    public bool ExpectsLostDerivative => Statements.Any(s => s.StartsWith(LostDerivativeDeclaration, StringComparison.Ordinal));

    public static string ClassNameOf(int seed) => "P" + seed;

    public static string KernelsClassName(int seed) => ClassNameOf(seed) + "Kernels";
    /// <summary>The attribute of <c>F</c>: a program returning an array also asks for its Jacobian, a model (whose parameters share a type) for its train step.</summary>
    public string Attribute => AttributeWith(Outputs > 0 ? "Derivatives.Jacobian" : ModelTwin.TrainStepElement(this) is not null ? "Derivatives.TrainStep" : null);

    /// <summary>The attribute of its differentiable helpers (a callee needs every mode its caller asks for; they return scalars).</summary>
    private string HelperAttribute => AttributeWith(null);

    private string AttributeWith(string? resultMode)
    {
        var modes = new List<string> { "Derivatives.Gradient" };
        if (Tangent)
            modes.Add("Derivatives.Tangent");
        if (Hessian)
            modes.Add("Derivatives.Hessian");
        if (resultMode is not null)
            modes.Add(resultMode);
        return modes.Count == 1 ? "[Differentiable]" : $"[Differentiable({string.Join(" | ", modes)})]";
    }

    /// <summary>A helper as written, its <c>[Differentiable]</c> line (if it still has one) asking for this program's modes.</summary>
    private string WithModes(string helper) =>
        helper.StartsWith("[Differentiable", StringComparison.Ordinal) && helper.IndexOf('\n') is int end and >= 0 ? HelperAttribute + helper.Substring(end) : helper;

    public const string Namespace = "Fuzz";
    public const string MethodName = "F";

    public string ClassName => ClassNameOf(Seed);

    public string Source
    {
        get
        {
            var body = new StringBuilder();
            if (Statements.Count == 1 && Statements[0].StartsWith("return ", StringComparison.Ordinal))
            {
                // A lone return becomes an expression body, the other form the generator accepts.
                body.Append(" =>\n        ").Append(Statements[0].Substring("return ".Length)).Append('\n');
            }
            else
            {
                body.Append("\n    {\n");
                foreach (string statement in Statements)
                    body.Append("        ").Append(statement.Replace("\n", "\n        ")).Append('\n');
                body.Append("    }\n");
            }
            var text = new StringBuilder();
            if (Fields is not null)
                ModelTwin.Write(text, this, body.ToString());
            else if (Packed is not null)
                StructTwin.Write(text, this, body.ToString());
            else if (Spanned is not null)
                SpanTwin.Write(text, this, body.ToString());
            else if (Gridded is not null)
                GridTwin.Write(text, this, body.ToString());
            else
            {
                FuzzText.OpenStaticMethod(text, this, FuzzText.Keyword(ReturnType) + (Outputs > 0 ? "[]" : ""), MethodName, Parameters.Select(p => p.Declaration)).Append(body);
            }
            foreach (string helper in Helpers ?? Array.Empty<string>())
                text.Append('\n').Append("    ").Append(WithModes(helper).Replace("\n", "\n    ")).Append('\n');
            text.Append("}\n");
            if (Kernels is { Count: > 0 })
            {
                text.Append("\ninternal static class ").Append(KernelsClassName(Seed)).Append("\n{\n");
                text.Append(string.Join("\n", Kernels.Select(k => "    " + k.Replace("\n", "\n    ")))).Append("\n}\n");
            }
            return text.ToString();
        }
    }

    /// <summary>
    /// The file of the twins' stand-ins (<see cref="ModelTwin"/>, <see cref="StructTwin"/>, <see cref="SpanTwin"/>, <see cref="GridTwin"/>): compiled after the generator
    /// ran, since they call what it generates; empty when no program has a twin.
    /// </summary>
    public static string StandIns(IReadOnlyList<FuzzProgram> programs)
    {
        string classes = ModelTwin.StandIns(programs) + StructTwin.StandIns(programs) + SpanTwin.StandIns(programs) + GridTwin.StandIns(programs);
        return classes.Length == 0 ? "" : "using System;\nusing Backprop;\nusing System.Runtime.InteropServices;\n\nnamespace " + Namespace + ";\n\n" + classes;
    }

    /// <summary>Wraps classes in the file they are compiled in.</summary>
    public static string File(IEnumerable<FuzzProgram> programs) =>
        "using System;\nusing Backprop;\n\nnamespace " + Namespace + ";\n\n" + string.Join("\n", programs.Select(p => p.Source));
}

internal static class FuzzText
{
    public static string Keyword(FuzzType type) => type switch
    {
        FuzzType.Double => "double",
        FuzzType.Float => "float",
        FuzzType.DoubleArray => "double[]",
        FuzzType.IntArray => "int[]",
        _ => "int",
    };

    /// <summary>
    /// Opens a program's class and writes its method's attribute and static signature, up to the body: the method of a
    /// plain program, and of the struct, span and grid twins, with their own name, return type and parameters.
    /// </summary>
    public static StringBuilder OpenStaticMethod(StringBuilder text, FuzzProgram program, string returns, string name, IEnumerable<string> parameters) =>
        text.Append("public static partial class ").Append(program.ClassName).Append("\n{\n")
            .Append("    ").Append(program.Attribute).Append('\n')
            .Append("    public static ").Append(returns).Append(' ').Append(name).Append('(').Append(string.Join(", ", parameters)).Append(')');

    /// <summary>The original signature the twins' stand-ins keep: each parameter's type and name.</summary>
    public static string StandInSignature(FuzzProgram program) => string.Join(", ", program.Parameters.Select(p => Keyword(p.Type) + " " + p.Name));

    /// <summary>
    /// A stand-in's parameters that receive a gradient (<paramref name="prefix"/> <c>d</c>) or a Hessian-vector product
    /// (<c>h</c>) of each differentiable parameter: an array to fill, or an <c>out</c> number.
    /// </summary>
    public static IEnumerable<string> Outputs(FuzzProgram program, string prefix) =>
        program.Parameters.Where(p => p.Differentiable).Select(p => p.Type == FuzzType.DoubleArray ? $"double[] {prefix}{p.Name}" : $"out {Keyword(p.Type)} {prefix}{p.Name}");

    /// <summary>A stand-in's direction parameters, one per differentiable parameter (<see cref="Direction"/>).</summary>
    public static string Directions(FuzzProgram program) => string.Join(", ", program.Parameters.Where(p => p.Differentiable).Select(Direction));

    /// <summary>A direction's declaration in a stand-in's signature: <c>double[] dq</c>, <c>float dx</c>.</summary>
    public static string Direction(FuzzParameter parameter) => Keyword(parameter.Type) + " d" + parameter.Name;
}
