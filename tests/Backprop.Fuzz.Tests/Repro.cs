using Backprop.Generator;
using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Checks one hand-written program, for triage: <c>FUZZ_REPRO</c> names a file whose first line is the parameter list
/// (<c>double x, float y, int n, double[] q</c>; arrays get 4 elements) and the rest the body of a double <c>F</c>, checked
/// with the float step and tolerance if it mentions float anywhere. The class also has <c>H(a, b) => a * b</c>, or seed <c>FUZZ_REPRO_HELPERS</c>'s helpers; <c>FUZZ_REPRO_DUMP=1</c> prints the
/// generated code, <c>FUZZ_REPRO_TANGENT=1</c> asks for FTangent too, <c>FUZZ_REPRO_HESSIAN=1</c> for FHessianVector. Without FUZZ_REPRO it checks nothing.
/// </summary>
public class Repro(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void HandWritten()
    {
        if (Environment.GetEnvironmentVariable("FUZZ_REPRO") is not string path)
            return;
        string[] lines = File.ReadAllLines(path);
        FuzzParameter[] parameters = lines[0].Split(',', StringSplitOptions.TrimEntries).Select(p => p.Split(' ')).Select(p => p[0] switch
        {
            "double[]" => new FuzzParameter(p[1], FuzzType.DoubleArray, false, 4),
            "int" => new FuzzParameter(p[1], FuzzType.Int, false),
            "float" => new FuzzParameter(p[1], FuzzType.Float, false),
            _ => new FuzzParameter(p[1], FuzzType.Double, false),
        }).ToArray();
        string[] helpers = Environment.GetEnvironmentVariable("FUZZ_REPRO_HELPERS") is string seed
            ? ProgramGenerator.Generate(int.Parse(seed)).Helpers!.ToArray()
            : new[] { "[Differentiable]\nprivate static double H(double a, double b) => a * b;" };
        var program = new FuzzProgram(7, parameters, new[] { string.Join("\n", lines.Skip(1)) }, FuzzType.Double,
            UsesFloat: parameters.Any(p => p.Type == FuzzType.Float) || lines.Any(l => l.Contains("float")), helpers,
            Tangent: Environment.GetEnvironmentVariable("FUZZ_REPRO_TANGENT") is not null,
            Hessian: Environment.GetEnvironmentVariable("FUZZ_REPRO_HESSIAN") is not null);
        if (Environment.GetEnvironmentVariable("FUZZ_REPRO_DUMP") is not null)
            Dump(FuzzProgram.File(new[] { program }));
        string report = FuzzCampaign.Run(new[] { program }).Report();
        output.WriteLine(report);
        Console.WriteLine(report);
    }

    /// <summary>
    /// Checks a hand-written matrix program, for triage: <c>FUZZ_MATRIX_REPRO</c> names a file holding the members of the
    /// class (a layer, a helper, any C#), a line <c>---</c>, then the body of <c>F</c>; <c>F</c> takes the parameters of
    /// matrix seed <c>FUZZ_MATRIX_REPRO_SEED</c>, asks for the derivatives they allow (<see cref="MatrixProgram.Derivatives"/>:
    /// a user's matrix function needs its <c>[TangentOf]</c> rules) and is checked at that seed's points.
    /// <c>FUZZ_REPRO_DUMP=1</c> prints the generated code. Without FUZZ_MATRIX_REPRO it checks nothing.
    /// </summary>
    [Fact]
    public void HandWrittenMatrix()
    {
        if (Environment.GetEnvironmentVariable("FUZZ_MATRIX_REPRO") is not string path)
            return;
        string[] lines = File.ReadAllLines(path);
        int separator = Array.IndexOf(lines, "---");
        MatrixProgram seed = MatrixProgramGenerator.Generate(int.Parse(Environment.GetEnvironmentVariable("FUZZ_MATRIX_REPRO_SEED") ?? "1"));
        var program = seed with
        {
            Members = separator > 0 ? new[] { string.Join("\n", lines.Take(separator)) } : Array.Empty<string>(),
            Statements = new[] { string.Join("\n", lines.Skip(separator + 1)) },
        };
        if (Environment.GetEnvironmentVariable("FUZZ_REPRO_DUMP") is not null)
            Dump(MatrixProgram.File(new[] { program }));
        string report = MatrixFuzz.Run(new[] { program }).Report();
        output.WriteLine(report);
        Console.WriteLine(report);
    }

    /// <summary>Prints the code the generator writes for a file.</summary>
    private static void Dump(string file)
    {
        var compilation = CSharpCompilation.Create("Repro",
            new[] { CSharpSyntaxTree.ParseText(file, TestCompilation.ParseOptions) },
            TestCompilation.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: TestCompilation.ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out _);
        foreach (SyntaxTree tree in generated.SyntaxTrees.Skip(1))
            Console.WriteLine(tree);
    }
}
