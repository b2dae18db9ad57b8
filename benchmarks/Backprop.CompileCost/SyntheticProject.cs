using System.Globalization;
using System.Text;

namespace Backprop.CompileCost;

/// <summary>
/// A seeded, deterministic project of <c>[Differentiable]</c> methods in the shapes users write: straight-line scalar
/// losses, loops over arrays with branches, calls to marked methods and to plain helpers, matrix networks. Each file is
/// one partial class: an ordinary method first (the "edit above" target), a small marked method the others call, a
/// plain helper (an implicit helper), then the marked methods, 12–25 statements each.
/// </summary>
internal sealed class SyntheticProject
{
    /// <summary>Marked methods in a file unless told otherwise.</summary>
    public const int DefaultMethodsPerFile = 10;

    /// <summary>The text of each file, <c>Group{n}.cs</c>.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>For each file, the name of one straight-line scalar method (the target of the body edits).</summary>
    public IReadOnlyList<string> ScalarMethods { get; }

    public SyntheticProject(int methods, int seed = 19, int perFile = DefaultMethodsPerFile)
    {
        var random = new Random(seed);
        var files = new List<string>();
        var scalar = new List<string>();
        for (int file = 0; file * perFile < methods; file++)
        {
            int count = Math.Min(perFile, methods - file * perFile);
            var (text, target) = File(file, count, random);
            files.Add(text);
            scalar.Add(target);
        }
        Files = files;
        ScalarMethods = scalar;
    }

    private static (string Text, string ScalarMethod) File(int file, int methods, Random random)
    {
        var text = new StringBuilder();
        text.Append("using System;\nusing Backprop;\nusing static Backprop.MatrixOps;\n\nnamespace Synthetic;\n\n");
        text.Append($"public static partial class Group{file}\n{{\n");
        text.Append("    public static int Count(int n) => n + 1;\n\n");
        text.Append($"    [Differentiable]\n    public static double Unit{file}(double v) => v / (1.0 + Math.Abs(v));\n\n");
        text.Append($"    public static double Soft{file}(double v) => Math.Log(1.0 + Math.Exp(v));\n");
        string? target = null;
        // The first marked method is Unit{file}; the rest cycle through the shapes, in a seeded order.
        for (int i = 1; i < methods; i++)
        {
            string name;
            int shape = i == 1 ? 0 : random.Next(4);
            text.Append('\n');
            switch (shape)
            {
                case 0:
                    name = $"Smooth{file}_{i}";
                    target ??= name;
                    Smooth(text, name, random);
                    break;
                case 1:
                    name = $"Hinge{file}_{i}";
                    Hinge(text, name, random);
                    break;
                case 2:
                    name = $"Chain{file}_{i}";
                    Chain(text, name, file, random);
                    break;
                default:
                    name = $"Net{file}_{i}";
                    Net(text, name, random);
                    break;
            }
        }
        text.Append("}\n");
        return (text.ToString(), target ?? $"Unit{file}");
    }

    private static string C(Random random) => (0.1 + random.Next(1, 90) / 100.0).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Straight-line: a smooth loss of three parameters and a target.</summary>
    private static void Smooth(StringBuilder text, string name, Random random)
    {
        text.Append($"    [Differentiable]\n    public static double {name}(double x, double y, double z, [NoDerivative] double t)\n    {{\n");
        text.Append("        double k = 0.5;\n");
        text.Append($"        double a = x * {C(random)} + y * {C(random)};\n");
        text.Append("        double b = Math.Tanh(a) * k;\n");
        text.Append("        double e = Math.Exp(-b * b);\n");
        text.Append("        double s = Math.Sqrt(1.0 + z * z);\n");
        text.Append("        double u = a * e + s;\n");
        int extra = random.Next(5, 17);
        string previous = "u";
        for (int j = 0; j < extra; j++)
        {
            string next = "v" + j;
            text.Append((j % 4) switch
            {
                0 => $"        double {next} = {previous} * {C(random)} + Math.Sin(x * {C(random)});\n",
                1 => $"        double {next} = {previous} - Math.Log(1.0 + {previous} * {previous}) * y;\n",
                2 => $"        double {next} = Math.Cos({previous}) * z + {C(random)} * e;\n",
                _ => $"        double {next} = {previous} / (1.0 + Math.Exp(-{previous} * k));\n",
            });
            previous = next;
        }
        text.Append($"        double diff = {previous} - t;\n");
        text.Append("        double penalty = k * (x * x + y * y + z * z);\n");
        text.Append("        return diff * diff + penalty + Math.Log(1.0 + e);\n    }\n");
    }

    /// <summary>Loops over arrays, with a branch in the loop and a conditional after it.</summary>
    private static void Hinge(StringBuilder text, string name, Random random)
    {
        text.Append($"    [Differentiable]\n    public static double {name}(double[] w, double b, [NoDerivative] double[] x, [NoDerivative] double label)\n    {{\n");
        text.Append("        double k = 0.5;\n        double dot = b;\n");
        text.Append("        for (int j = 0; j < w.Length; j++)\n        {\n");
        text.Append("            double p = w[j] * x[j];\n");
        text.Append("            if (p > 0)\n                dot += p;\n            else\n                dot += k * p;\n        }\n");
        text.Append("        double margin = 1.0 - label * dot;\n");
        text.Append("        double loss = margin > 0 ? margin : 0.0;\n");
        text.Append("        double reg = 0.0;\n");
        text.Append("        for (int j = 0; j < w.Length; j++)\n            reg += w[j] * w[j];\n");
        int extra = random.Next(2, 10);
        for (int j = 0; j < extra; j++)
            text.Append((j % 3) switch
            {
                0 => $"        loss += {C(random)} * Math.Tanh(dot * {C(random)});\n",
                1 => $"        reg = reg * {C(random)} + b * b;\n",
                _ => "        if (loss > 1.0)\n            loss = Math.Sqrt(loss);\n",
            });
        text.Append($"        return loss + {C(random)} * reg;\n    }}\n");
    }

    /// <summary>Calls: a marked method of the class and a plain helper, in a loop with an early exit.</summary>
    private static void Chain(StringBuilder text, string name, int file, Random random)
    {
        text.Append($"    [Differentiable]\n    public static double {name}(double x, double y)\n    {{\n");
        text.Append("        double k = 0.5;\n");
        text.Append($"        double a = Unit{file}(x) + k * y;\n");
        text.Append($"        double b = Soft{file}(a - y);\n");
        text.Append("        double total = 0.0;\n");
        text.Append($"        for (int s = 0; s < {random.Next(3, 8)}; s++)\n        {{\n");
        text.Append($"            total += Unit{file}(a * s) * b;\n");
        text.Append("            if (total > 10.0)\n                break;\n        }\n");
        int extra = random.Next(3, 12);
        for (int j = 0; j < extra; j++)
            text.Append((j % 3) switch
            {
                0 => $"        total = total * {C(random)} + Soft{file}(b * {C(random)});\n",
                1 => $"        b = b + Unit{file}(total - x) * k;\n",
                _ => $"        total += a > 0 ? a * b : -a * {C(random)};\n",
            });
        text.Append("        return total + Math.Atan2(a, 1.0 + b * b);\n    }\n");
    }

    /// <summary>A matrix network: layers, a branch, a penalty, a loss.</summary>
    private static void Net(StringBuilder text, string name, Random random)
    {
        text.Append($"    [Differentiable]\n    public static float {name}(Matrix<float> W1, Matrix<float> b1, Matrix<float> W2, Matrix<float> b2, float lambda, [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t, bool deep)\n    {{\n");
        text.Append("        var h = Relu(MatMul(x, W1) + b1);\n");
        int extra = random.Next(3, 10);
        for (int j = 0; j < extra; j++)
            text.Append((j % 3) switch
            {
                0 => "        h = Tanh(h);\n",
                1 => "        h = Multiply(h, Sigmoid(h));\n",
                _ => "        if (deep)\n            h = Relu(h);\n",
            });
        text.Append("        var y = MatMul(h, W2) + b2;\n");
        text.Append("        var penalty = lambda * (Sum(Multiply(W1, W1)) + Sum(Multiply(W2, W2)));\n");
        text.Append("        return SoftmaxCrossEntropy(y, t) + penalty;\n    }\n");
    }

    /// <summary>One method whose body is an expression nested <paramref name="depth"/> deep.</summary>
    public static string Nested(int depth)
    {
        var expression = new StringBuilder();
        for (int i = 0; i < depth; i++)
            expression.Append(i % 3 == 0 ? "Math.Sin(x * (" : i % 3 == 1 ? "1.0 + x * (" : "x - (");
        expression.Append('x');
        for (int i = 0; i < depth; i++)
            expression.Append(i % 3 == 0 ? "))" : ")");
        return "using System;\nusing Backprop;\n\npublic static partial class Stress\n{\n    [Differentiable]\n    public static double F(double x) => "
            + expression + ";\n}\n";
    }

    /// <summary>
    /// One method of <paramref name="statements"/> straight-line statements: a new local from the two before it, with
    /// every fourth statement updating a parameter instead, so that adjoints are many and each is written several times.
    /// </summary>
    public static string Long(int statements)
    {
        var body = new StringBuilder("        double v0 = x * y;\n        double v1 = x + y;\n");
        for (int i = 2; i < statements; i++)
            body.Append(i % 4 == 0
                ? $"        x = x * 0.999 + Math.Sin(v{i - 1});\n        double v{i} = x;\n"
                : $"        double v{i} = v{i - 1} * 0.5 + Math.Sin(v{i - 2}) * y;\n");
        return "using System;\nusing Backprop;\n\npublic static partial class Stress\n{\n    [Differentiable]\n    public static double F(double x, double y)\n    {\n"
            + body + $"        return v{statements - 1} + x;\n    }}\n}}\n";
    }
}
