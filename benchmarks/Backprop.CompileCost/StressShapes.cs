using System.Text;

namespace Backprop.CompileCost;

/// <summary>
/// One method grown along one dimension, to find passes that grow faster than the method: each shape stresses a
/// different part of the generator (the tape of a loop, branches, nested blocks, a long sum, calls inlined, every
/// derivative kind). <c>--shapes</c> picks them by name.
/// </summary>
internal static class StressShapes
{
    /// <summary>The extra shapes by name, each with what its size counts.</summary>
    public static readonly IReadOnlyDictionary<string, (string What, Func<int, string> Source)> All =
        new Dictionary<string, (string, Func<int, string>)>(StringComparer.Ordinal)
        {
            ["loop"] = ("statements in a loop's body (a tape entry each)", Loop),
            ["branches"] = ("if/else statements in sequence", Branches),
            ["blocks"] = ("ifs nested in one another", Blocks),
            ["sum"] = ("terms of one sum", Sum),
            ["calls"] = ("calls to a plain helper (inlined)", Calls),
            ["modes"] = ("straight-line statements, with gradient, tangent and Hessian", Modes),
            ["elements"] = ("array elements written (with the Jacobian)", Elements),
            ["layers"] = ("matrix layers in one network", Layers),
            ["parameters"] = ("parameters, each used twice", Parameters),
        };

    private static string Method(string attribute, string signature, StringBuilder body, string extra = "") =>
        "using System;\nusing Backprop;\n\npublic static partial class Stress\n{\n" + extra
        + $"    [{attribute}]\n    public static {signature}\n    {{\n" + body + "    }\n}\n";

    /// <summary>A loop over an array whose body is <paramref name="statements"/> statements.</summary>
    public static string Loop(int statements)
    {
        var body = new StringBuilder("        double s = 0.0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            double v0 = x[i] * y;\n            double v1 = x[i] + y;\n");
        for (int i = 2; i < statements; i++)
            body.Append(i % 4 == 0
                ? $"            s = s * 0.999 + Math.Sin(v{i - 1});\n            double v{i} = s;\n"
                : $"            double v{i} = v{i - 1} * 0.5 + Math.Sin(v{i - 2}) * y;\n");
        body.Append($"            s += v{statements - 1};\n        }}\n        return s;\n");
        return Method("Differentiable", "double F(double[] x, double y)", body);
    }

    /// <summary><paramref name="count"/> if/else statements in sequence, each writing one of two variables.</summary>
    public static string Branches(int count)
    {
        var body = new StringBuilder("        double a = x;\n        double b = y;\n");
        for (int i = 0; i < count; i++)
            body.Append(i % 2 == 0
                ? "        if (a > b)\n            a = a * 0.5 + Math.Sin(b);\n        else\n            b = b * 0.5 + Math.Cos(a);\n"
                : "        if (b > 0.0)\n        {\n            double t = a * b;\n            b = t * 0.25 + b;\n        }\n");
        body.Append("        return a + b;\n");
        return Method("Differentiable", "double F(double x, double y)", body);
    }

    /// <summary><paramref name="depth"/> ifs, each inside the one before.</summary>
    public static string Blocks(int depth)
    {
        var body = new StringBuilder("        double a = x;\n");
        for (int i = 0; i < depth; i++)
            body.Append(new string(' ', 8)).Append($"if (a > {-i}.0)\n        {{\n        a = a * y + Math.Sin(a);\n");
        for (int i = 0; i < depth; i++)
            body.Append("        }\n");
        body.Append("        return a;\n");
        return Method("Differentiable", "double F(double x, double y)", body);
    }

    /// <summary>One sum of <paramref name="terms"/> terms, each a product or a function of the parameters.</summary>
    public static string Sum(int terms)
    {
        var body = new StringBuilder("        return x * y");
        for (int i = 1; i < terms; i++)
            body.Append((i % 3) switch
            {
                0 => $"\n            + Math.Sin(x * {i}.0)",
                1 => $"\n            + x * y * {i}.0",
                _ => $"\n            - Math.Exp(y / {i}.0) * x",
            });
        body.Append(";\n");
        return Method("Differentiable", "double F(double x, double y)", body);
    }

    /// <summary><paramref name="count"/> calls to a plain helper, which is inlined at each.</summary>
    public static string Calls(int count)
    {
        var body = new StringBuilder("        double a = x;\n");
        for (int i = 0; i < count; i++)
            body.Append($"        a = Soft(a * y) + {i}.0 * a;\n");
        body.Append("        return a;\n");
        return Method("Differentiable", "double F(double x, double y)", body,
            "    public static double Soft(double v)\n    {\n        double e = Math.Exp(v);\n        return Math.Log(1.0 + e);\n    }\n\n");
    }

    /// <summary>The straight-line stress method with every derivative a scalar method has.</summary>
    public static string Modes(int statements) =>
        SyntheticProject.Long(statements).Replace("[Differentiable]", "[Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]");

    /// <summary>A method returning an array of <paramref name="count"/> elements, each written from the one before.</summary>
    public static string Elements(int count)
    {
        var body = new StringBuilder($"        var r = new double[{count}];\n        r[0] = x[0] * y;\n");
        for (int i = 1; i < count; i++)
            body.Append($"        r[{i}] = r[{i - 1}] * 0.5 + Math.Sin(x[{i % 4}]) * y;\n");
        body.Append("        return r;\n");
        return Method("Differentiable(Derivatives.Gradient | Derivatives.Jacobian)", "double[] F(double[] x, double y)", body);
    }

    /// <summary>A matrix network of <paramref name="layers"/> layers, each an activation of a product and a sum.</summary>
    public static string Layers(int layers)
    {
        var body = new StringBuilder("        var h = x;\n");
        for (int i = 0; i < layers; i++)
            body.Append((i % 3) switch
            {
                0 => "        h = Tanh(MatMul(h, W) + b);\n",
                1 => "        h = Multiply(h, Sigmoid(h));\n",
                _ => "        h = Relu(h) + MatMul(h, W);\n",
            });
        body.Append("        return Sum(Multiply(h, h));\n");
        return Method("Differentiable", "float F(Matrix<float> W, Matrix<float> b, [NoDerivative] Matrix<float> x)", body).Replace("using Backprop;\n", "using Backprop;\nusing static Backprop.MatrixOps;\n");
    }

    /// <summary>A method of <paramref name="count"/> parameters, each read in two terms.</summary>
    public static string Parameters(int count)
    {
        var body = new StringBuilder("        double s = 0.0;\n");
        for (int i = 0; i < count; i++)
            body.Append($"        s += p{i} * p{(i + 1) % count} + Math.Sin(p{i});\n");
        body.Append("        return s;\n");
        return Method("Differentiable", $"double F({string.Join(", ", Enumerable.Range(0, count).Select(i => $"double p{i}"))})", body);
    }
}
