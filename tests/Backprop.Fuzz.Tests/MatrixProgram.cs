using System.Text;

namespace Backprop.Fuzz.Tests;

/// <summary>What a matrix method's parameter is: a weight (differentiable matrix), a scalar, or a [NoDerivative] input, target or one-hot labels.</summary>
internal enum MatrixRole
{
    Weight,
    Scalar,
    Input,
    Target,
    Labels,
}

internal sealed record MatrixParameter(string Name, MatrixRole Role, int Rows = 1, int Columns = 1)
{
    public bool Differentiable => Role is MatrixRole.Weight or MatrixRole.Scalar;

    public string Declaration => Role switch
    {
        MatrixRole.Scalar => "double " + Name,
        MatrixRole.Weight => "Matrix<double> " + Name,
        _ => "[NoDerivative] Matrix<double> " + Name,
    };
}

/// <summary>
/// A random <c>[Differentiable]</c> matrix method <c>F</c> in double, alone in its class <c>M{Seed}</c>: a chain of local
/// matrices (<c>var h0 = …;</c>) and a scalar loss.
/// </summary>
internal sealed record MatrixProgram(int Seed, IReadOnlyList<MatrixParameter> Parameters, IReadOnlyList<string> Statements)
{
    public string ClassName => "M" + Seed;

    public string Source
    {
        get
        {
            var text = new StringBuilder();
            text.Append("public static partial class ").Append(ClassName).Append("\n{\n    [Differentiable]\n    public static double ")
                .Append(FuzzProgram.MethodName).Append('(').Append(string.Join(", ", Parameters.Select(p => p.Declaration))).Append(")\n    {\n");
            foreach (string statement in Statements)
                text.Append("        ").Append(statement).Append('\n');
            return text.Append("    }\n}\n").ToString();
        }
    }

    public static string File(IEnumerable<MatrixProgram> programs) =>
        "using System;\nusing Backprop;\nusing static Backprop.MatrixOps;\n\nnamespace " + FuzzProgram.Namespace + ";\n\n"
        + string.Join("\n", programs.Select(p => p.Source));

    public override string ToString() => $"seed {Seed}:\n{Source}";
}

/// <summary>
/// Writes a random matrix program from a seed: one to six steps over the input <c>X</c> (1–3 rows, 1–4 columns), each a
/// row of <see cref="Steps"/> applied to an earlier value (the last one, half the time), with weights of fitting shapes
/// made as needed; then a loss from <see cref="Losses"/> of the last value that depends on a weight, sometimes plus a penalty or times the scalar <c>s</c>.
/// </summary>
internal sealed class MatrixProgramGenerator
{
    /// <param name="Active">Whether it depends on a weight or the scalar (a loss must: else BP1002).</param>
    private sealed record Value(string Name, int Rows, int Columns, bool Active = false);

    /// <summary>A step: writes an expression from a value (<c>g.Use(v)</c> for a second value of the same shape), and gives its shape.</summary>
    private sealed record Step(string Name, int Weight, Func<MatrixProgramGenerator, Value, (string Expression, int Rows, int Columns)> Write);

    private static readonly Step[] Steps =
    {
        new("matmul", 4, (g, v) =>
        {
            int columns = g.Next(1, 5);
            return ($"MatMul({v.Name}, {g.Weight(v.Columns, columns)})", v.Rows, columns);
        }),
        new("matmul transposed", 1, (g, v) =>
        {
            int columns = g.Next(1, 5);
            return ($"MatMul({v.Name}, {g.Weight(columns, v.Columns)}, transposeB: true)", v.Rows, columns);
        }),
        new("row bias", 3, (g, v) => ($"{v.Name} + {g.Weight(1, v.Columns)}", v.Rows, v.Columns)),
        new("add", 2, (g, v) => ($"{v.Name} + {g.SameShape(v)}", v.Rows, v.Columns)),
        new("subtract", 1, (g, v) => ($"{v.Name} - {g.SameShape(v)}", v.Rows, v.Columns)),
        new("multiply", 1, (g, v) => ($"Multiply({v.Name}, {g.SameShape(v)})", v.Rows, v.Columns)),
        new("relu", 2, (g, v) => ($"Relu({v.Name})", v.Rows, v.Columns)),
        new("sigmoid", 2, (g, v) => ($"Sigmoid({v.Name})", v.Rows, v.Columns)),
        new("tanh", 2, (g, v) => ($"Tanh({v.Name})", v.Rows, v.Columns)),
        new("exp of tanh", 1, (g, v) => ($"Exp(Tanh({v.Name}))", v.Rows, v.Columns)),
        new("scale by s", 1, (g, v) => ($"{g.Scalar()} * {v.Name}", v.Rows, v.Columns)),
        new("scale", 1, (g, v) => ($"Scale({v.Name}, {g.Pick("0.5", "2.0", "-1.5")})", v.Rows, v.Columns)),
        new("square", 1, (g, v) => ($"Square({v.Name})", v.Rows, v.Columns)),
        new("negate", 1, (g, v) => ($"-{v.Name}", v.Rows, v.Columns)),
        new("transpose", 1, (g, v) => ($"Transpose({v.Name})", v.Columns, v.Rows)),
        new("column sums", 1, (g, v) => ($"ColumnSums({v.Name})", 1, v.Columns)),
        new("row sums", 1, (g, v) => ($"RowSums({v.Name})", v.Rows, 1)),
        new("softmax", 1, (g, v) => ($"Softmax({v.Name})", v.Rows, v.Columns)),
    };

    /// <summary>A scalar loss of the last value.</summary>
    private static readonly Step[] Losses =
    {
        new("sum", 2, (g, v) => ($"Sum({v.Name})", 1, 1)),
        new("mean", 1, (g, v) => ($"Mean({v.Name})", 1, 1)),
        new("half sum of squares", 2, (g, v) => ($"0.5 * Sum(Square({v.Name}))", 1, 1)),
        new("softmax cross-entropy", 3, (g, v) => ($"SoftmaxCrossEntropy({v.Name}, {g.Data("T", MatrixRole.Labels, v)})", 1, 1)),
        new("mean squared error", 2, (g, v) => ($"MeanSquaredError({v.Name}, {g.Data("T", MatrixRole.Target, v)})", 1, 1)),
    };

    private readonly Random _random;
    private readonly List<MatrixParameter> _weights = new();
    private readonly List<MatrixParameter> _data = new();
    private readonly List<Value> _values = new();
    private bool _scalar;

    /// <summary>Whether the step being written uses a weight, the scalar or an active value.</summary>
    private bool _active;

    private MatrixProgramGenerator(int seed) => _random = new Random(seed);

    public static MatrixProgram Generate(int seed)
    {
        var g = new MatrixProgramGenerator(seed);
        Value input = new("X", g.Next(1, 4), g.Next(1, 5));
        g._data.Add(new MatrixParameter(input.Name, MatrixRole.Input, input.Rows, input.Columns));
        g._values.Add(input);
        var statements = new List<string>();
        int steps = g.Next(1, 7);
        for (int i = 0; i < steps; i++)
        {
            // The first step multiplies by a weight, so every program has one.
            Step step = i == 0 ? Steps[0] : Weighted(Steps, g._random);
            Value from = g._random.Next(2) == 0 ? g._values[^1] : g._values[g._random.Next(g._values.Count)];
            g._active = from.Active;
            var (expression, rows, columns) = step.Write(g, from);
            statements.Add($"var h{i} = {expression};");
            g._values.Add(new Value("h" + i, rows, columns, g._active));
        }
        string loss = Weighted(Losses, g._random).Write(g, g._values.Last(v => v.Active)).Expression;
        loss += g._random.Next(4) switch
        {
            0 => $" + 0.1 * Sum(Square({g._weights[0].Name}))",
            1 => $" * {g.Scalar()}",
            _ => "",
        };
        statements.Add($"return {loss};");
        var parameters = g._weights.Concat(g._scalar ? new[] { new MatrixParameter("s", MatrixRole.Scalar) } : Array.Empty<MatrixParameter>()).Concat(g._data).ToArray();
        return new MatrixProgram(seed, parameters, statements);
    }

    private int Next(int low, int high) => _random.Next(low, high);

    private string Pick(params string[] choices) => choices[_random.Next(choices.Length)];

    private string Weight(int rows, int columns)
    {
        var weight = new MatrixParameter("W" + _weights.Count, MatrixRole.Weight, rows, columns);
        _weights.Add(weight);
        _active = true;
        return weight.Name;
    }

    /// <summary>Another value of <paramref name="v"/>'s shape (the same one, for a value used twice), or a new weight.</summary>
    private string SameShape(Value v)
    {
        Value[] same = _values.Where(u => u.Rows == v.Rows && u.Columns == v.Columns).ToArray();
        if (_random.Next(3) == 0)
            return Weight(v.Rows, v.Columns);
        Value other = same[_random.Next(same.Length)];
        _active |= other.Active;
        return other.Name;
    }

    private string Scalar()
    {
        _scalar = true;
        _active = true;
        return "s";
    }

    private string Data(string name, MatrixRole role, Value like)
    {
        _data.Add(new MatrixParameter(name, role, like.Rows, like.Columns));
        return name;
    }

    private static Step Weighted(Step[] steps, Random random) => ProgramGenerator.Weighted(random, steps, s => s.Weight);
}
