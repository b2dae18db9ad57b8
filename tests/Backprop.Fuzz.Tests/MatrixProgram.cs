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
internal sealed record MatrixProgram(int Seed, IReadOnlyList<MatrixParameter> Parameters, IReadOnlyList<string> Statements, IReadOnlyList<string> Members)
{
    public string ClassName => "M" + Seed;

    /// <summary>Whether <c>F</c> asks for second derivatives: not when it takes a <c>Matrix&lt;double&gt;[]</c>, whose Hessian is BP0010.</summary>
    public bool Hessian => !Parameters.Any(p => p.Role is MatrixRole.WeightArray or MatrixRole.InputArray);

    /// <summary>What <c>F</c>'s attribute asks for: the gradient, the tangent, and <see cref="Hessian"/> where it may.</summary>
    public string Derivatives => "Derivatives.Gradient | Derivatives.Tangent" + (Hessian ? " | Derivatives.Hessian" : "");

    public string Source
    {
        get
        {
            var text = new StringBuilder();
            text.Append("public static partial class ").Append(ClassName).Append("\n{\n");
            foreach (string member in Members)
                text.Append("    ").Append(member.Replace("\n", "\n    ")).Append("\n\n");
            text.Append("    [Differentiable(").Append(Derivatives).Append(")]\n    public static double ")
                .Append(FuzzProgram.MethodName).Append('(').Append(string.Join(", ", Parameters.Select(p => p.Declaration))).Append(")\n    {\n");
            foreach (string statement in Statements)
                text.Append("        ").Append(statement.Replace("\n", "\n        ")).Append('\n');
            return text.Append("    }\n}\n").ToString();
        }
    }

    public static string File(IEnumerable<MatrixProgram> programs) =>
        "using System;\nusing Backprop;\nusing static Backprop.MatrixOps;\n\nnamespace " + FuzzProgram.Namespace + ";\n\n"
        + string.Join("\n", programs.Select(p => p.Source));

    public override string ToString() => $"seed {Seed}:\n{Source}";
}
