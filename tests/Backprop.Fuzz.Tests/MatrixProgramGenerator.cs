using System.Globalization;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Writes a random matrix program from a seed. <c>F</c> starts with <c>var h0 = MatMul(X, W0);</c> over the input
/// <c>X</c> (1–3 rows, 1–4 columns), then up to five more top-level statements (<see cref="Forms"/>, nested two deep:
/// declarations of a row of <see cref="Steps"/> applied to an earlier value, reassignments, loops, branches, jumps),
/// and returns a loss from <see cref="Losses"/> of the last value that depends on a weight, sometimes plus a penalty
/// or times the scalar <c>s</c>, plus every scalar local of the top level. Weights, arrays of weights, the scalar
/// <c>s</c>, the count <c>n</c> and arrays of inputs are made as needed, in fitting shapes.
/// </summary>
internal sealed partial class MatrixProgramGenerator
{
    /// <param name="Active">Whether it depends on a weight or the scalar on every path (a value a loop or branch reassigns stays so: every reassignment is of an active value).</param>
    /// <param name="Local">Whether it is a local the program may reassign (not a parameter or a foreach variable).</param>
    private sealed record Value(string Name, int Rows, int Columns, bool Active = false, bool Local = false);

    /// <summary>A step: writes an expression from a value (<c>g.SameShape(v)</c> for a second value of the same shape), and gives its shape.</summary>
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
        new("layer", 2, (g, v) =>
        {
            int columns = g.Next(1, 5);
            return ($"{g.Layer()}({g.Weight(v.Columns, columns)}, {v.Name})", v.Rows, columns);
        }),
        new("helper", 1, (g, v) => ($"{g.Helper()}({v.Name}, {g.SameShape(v)})", v.Rows, v.Columns)),
        new("scale by a shape", 1, (g, v) => ($"Scale({v.Name}, 1.0 / {g.Size()})", v.Rows, v.Columns)),
        new("log of sigmoid", 1, (g, v) => ($"Log(Sigmoid({v.Name}))", v.Rows, v.Columns)),
        new("square root of sigmoid", 1, (g, v) => ($"Sqrt(Sigmoid({v.Name}))", v.Rows, v.Columns)),
        new("divide", 1, (g, v) => ($"Divide({v.Name}, AddScalar(Square({g.SameShape(v)}), 1.0))", v.Rows, v.Columns)),
        new("add a scalar", 1, (g, v) => ($"AddScalar({v.Name}, {g.ScalarValue(v)})", v.Rows, v.Columns)),
        new("gram", 1, (g, v) => ($"MatMul({v.Name}, {v.Name}, transposeB: true)", v.Rows, v.Rows)),
        new("matmul of the transposed", 1, (g, v) =>
        {
            int columns = g.Next(1, 5);
            return ($"MatMul({v.Name}, {g.Weight(v.Rows, columns)}, transposeA: true)", v.Columns, columns);
        }),
    };

    /// <summary>
    /// New values of a value's shape that depend on it, each squashed or mixed with a squashed term so that a loop
    /// applying one a few times stays tame: what loops and branches assign to the variables they carry.
    /// </summary>
    private static readonly Step[] Updates =
    {
        new("tanh of a product", 3, (g, v) => g.Shaped(v, $"Tanh(MatMul({v.Name}, {g.Weight(v.Columns, v.Columns)}))")),
        new("tanh of an affine map", 2, (g, v) => g.Shaped(v, $"Tanh(MatMul({v.Name}, {g.Weight(v.Columns, v.Columns)}) + {g.Weight(1, v.Columns)})")),
        new("residual", 1, (g, v) => g.Shaped(v, $"{v.Name} + Tanh(MatMul({v.Name}, {g.Weight(v.Columns, v.Columns)}))")),
        new("sigmoid of a sum", 2, (g, v) => g.Shaped(v, $"Sigmoid({v.Name} + {g.SameShape(v)})")),
        new("half and tanh", 1, (g, v) => g.Shaped(v, $"Scale({v.Name}, 0.5) + Tanh({g.SameShape(v)})")),
        new("gate", 1, (g, v) => g.Shaped(v, $"Multiply({v.Name}, Sigmoid({g.SameShape(v)}))")),
        new("tanh of s times", 1, (g, v) => g.Shaped(v, $"Tanh({g.Scalar()} * {v.Name})")),
        new("negated tanh", 1, (g, v) => g.Shaped(v, $"-Tanh({v.Name})")),
        new("softmax", 1, (g, v) => g.Shaped(v, $"Softmax({v.Name})")),
        new("scale by a shape", 1, (g, v) => g.Shaped(v, $"Scale({v.Name}, 1.0 / {g.Size()})")),
        new("layer", 2, (g, v) => g.Shaped(v, $"{g.Layer()}({g.Weight(v.Columns, v.Columns)}, {v.Name})")),
        new("helper", 2, (g, v) => g.Shaped(v, $"{g.Helper()}({v.Name}, {g.SameShape(v)})")),
        new("local function", 2, (g, v) => g.Shaped(v, g.Cell(v))),
        new("scale by a mean", 1, (g, v) => g.Shaped(v, $"Scale({v.Name}, Mean(Sigmoid({g.SameShape(v)})))")),
        new("tanh of a scalar local times", 1, (g, v) => g.Shaped(v, $"Tanh({g.ScalarValue(v)} * {v.Name})")),
        new("scale by the counter", 1, (g, v) => g.Shaped(v, g._counters.Count > 0 ? $"Scale({v.Name}, 1.0 / ({g._counters[^1]} + 1))" : $"Tanh({v.Name})")),
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
    private readonly List<MatrixParameter> _weightArrays = new();
    private readonly List<MatrixParameter> _data = new();
    private readonly Dictionary<string, int> _names = new();
    private bool _scalar;
    private bool _count;
    private string? _layer;
    private string? _helper;

    /// <summary>The local function <c>Cell</c> of <c>F</c> (capturing a square weight) and the number of columns it takes, once made.</summary>
    private (string Source, int Columns)? _cell;

    /// <summary>Whether the expression being written uses a weight, the scalar or an active value.</summary>
    private bool _active;

    private MatrixProgramGenerator(int seed) => _random = new Random(seed);

    public static MatrixProgram Generate(int seed)
    {
        var g = new MatrixProgramGenerator(seed);
        Value input = new("X", g.Next(1, 4), g.Next(1, 5));
        g._data.Add(new MatrixParameter(input.Name, MatrixRole.Input, input.Rows, input.Columns));
        g._values.Add(input);
        var statements = new List<string>();
        int count = g.Next(1, 7);
        for (int i = 0; i < count; i++)
        {
            // The first step multiplies by a weight, so every program has an active value to return.
            statements.Add(i == 0 ? g.Declare(Steps[0]) : g.Statement(depth: 0));
        }
        statements.Add($"return {g.Loss()};");
        if (g._cell is { } cell)
            statements.Insert(0, cell.Source);
        var parameters = g._weights.Concat(g._weightArrays)
            .Concat(g._scalar ? new[] { new MatrixParameter("s", MatrixRole.Scalar) } : Array.Empty<MatrixParameter>())
            .Concat(g._count ? new[] { new MatrixParameter("n", MatrixRole.Count) } : Array.Empty<MatrixParameter>())
            .Concat(g._data).ToArray();
        string[] members = new[] { g._layer, g._helper }.OfType<string>().ToArray();
        return new MatrixProgram(seed, parameters, statements, members);
    }

    /// <summary>The loss of the last active value of the top level, plus a penalty or times the scalar, plus each scalar local of the top level.</summary>
    private string Loss()
    {
        string loss = Weighted(Losses).Write(this, _values.Last(v => v.Active)).Expression;
        loss += _random.Next(4) switch
        {
            0 => $" + 0.1 * Sum(Square({_weights[0].Name}))",
            1 => $" * {Scalar()}",
            _ => "",
        };
        return loss + string.Concat(_scalars.Select(e => " + " + e));
    }

    /// <summary><c>var h… = step(v);</c> for an earlier value <c>v</c> (the last one, half the time).</summary>
    private string Declare(Step? step = null)
    {
        step ??= Weighted(Steps);
        Value from = _random.Next(2) == 0 ? _values[^1] : _values[_random.Next(_values.Count)];
        _active = from.Active;
        var (expression, rows, columns) = step.Write(this, from);
        string name = NewName("h");
        _values.Add(new Value(name, rows, columns, _active, Local: true));
        return $"var {name} = {expression};";
    }

    /// <summary>A new active value of <paramref name="v"/>'s shape (<see cref="Updates"/>).</summary>
    private string Update(Value v)
    {
        string expression = Weighted(Updates).Write(this, v).Expression;
        _active = true;
        return expression;
    }

    private (string Expression, int Rows, int Columns) Shaped(Value v, string expression) => (expression, v.Rows, v.Columns);

    private int Next(int low, int high) => _random.Next(low, high);

    private string Pick(params string[] choices) => choices[_random.Next(choices.Length)];

    private string NewName(string prefix)
    {
        int number = _names.GetValueOrDefault(prefix);
        _names[prefix] = number + 1;
        return prefix + number.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A new weight of this shape, or, one time in four, one already made of this shape (a weight used twice).</summary>
    private string Weight(int rows, int columns)
    {
        _active = true;
        MatrixParameter[] same = _weights.Where(w => w.Rows == rows && w.Columns == columns).ToArray();
        if (same.Length > 0 && _random.Next(4) == 0)
            return same[_random.Next(same.Length)].Name;
        var weight = new MatrixParameter("W" + _weights.Count, MatrixRole.Weight, rows, columns);
        _weights.Add(weight);
        return weight.Name;
    }

    /// <summary>An array of 1–3 weights of this shape, half the time one already made.</summary>
    private string WeightArray(int rows, int columns)
    {
        _active = true;
        MatrixParameter[] same = _weightArrays.Where(w => w.Rows == rows && w.Columns == columns).ToArray();
        if (same.Length > 0 && _random.Next(2) == 0)
            return same[_random.Next(same.Length)].Name;
        var array = new MatrixParameter("V" + _weightArrays.Count, MatrixRole.WeightArray, rows, columns, _random.Next(1, 4));
        _weightArrays.Add(array);
        return array.Name;
    }

    /// <summary>A new array of 1–3 inputs of this shape.</summary>
    private string InputArray(int rows, int columns)
    {
        var array = new MatrixParameter("Xs" + _data.Count(d => d.Role == MatrixRole.InputArray), MatrixRole.InputArray, rows, columns, _random.Next(1, 4));
        _data.Add(array);
        return array.Name;
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

    /// <summary>A scalar that may carry a derivative: a scalar local, the scalar <c>s</c>, or the mean of a value of <paramref name="v"/>'s shape.</summary>
    private string ScalarValue(Value v) => _random.Next(3) switch
    {
        0 when _scalars.Count > 0 => _scalars[_random.Next(_scalars.Count)],
        2 => $"Mean({SameShape(v)})",
        _ => Scalar(),
    };

    private string Count()
    {
        _count = true;
        return "n";
    }

    /// <summary>A size read from a parameter's shape, at least 1 and at most 4: <c>X.Rows</c>, <c>W0.Columns</c>, <c>V0.Length</c>.</summary>
    private string Size() => _random.Next(4) switch
    {
        0 => "X.Rows",
        1 => "X.Columns",
        2 when _weightArrays.Count > 0 => _weightArrays[_random.Next(_weightArrays.Count)].Name + ".Length",
        _ => _weights[_random.Next(_weights.Count)].Name + Pick(".Rows", ".Columns"),
    };

    /// <summary>The layer's name; its body is drawn at its first call.</summary>
    private string Layer()
    {
        _layer ??= Pick(MatrixMembers.Layers);
        if (_layer.Contains(MatrixMembers.Helper + "(", StringComparison.Ordinal))
            Helper();
        return MatrixMembers.Layer;
    }

    /// <summary>The helper's name; its body is drawn at its first call.</summary>
    private string Helper()
    {
        _helper ??= Pick(MatrixMembers.Helpers);
        return MatrixMembers.Helper;
    }

    /// <summary>
    /// <c>Cell(v)</c>, a call of <c>F</c>'s local function, which multiplies by a square weight it captures (so it takes
    /// the columns of the first value it was made for); for a value of other columns, <c>Tanh(v)</c>.
    /// </summary>
    private string Cell(Value v)
    {
        if (_cell is null)
        {
            string weight = Weight(v.Columns, v.Columns);
            string source = _random.Next(2) == 0
                ? $"Matrix<double> Cell(Matrix<double> cellInput) => Tanh(MatMul(cellInput, {weight}));"
                : $"Matrix<double> Cell(Matrix<double> cellInput)\n{{\n    var cellSum = MatMul(cellInput, {weight});\n    if (Mean(cellSum) > 0.2)\n    {{\n        return Tanh(cellSum);\n    }}\n    return Sigmoid(cellSum) - Scale(cellInput, 0.5);\n}}";
            _cell = (source, v.Columns);
        }
        _active = true;
        return _cell.Value.Columns == v.Columns ? $"Cell({v.Name})" : $"Tanh({v.Name})";
    }

    private string Data(string name, MatrixRole role, Value like)
    {
        _data.Add(new MatrixParameter(name, role, like.Rows, like.Columns));
        return name;
    }

    private Step Weighted(Step[] steps) => ProgramGenerator.Weighted(_random, steps, s => s.Weight);
}
