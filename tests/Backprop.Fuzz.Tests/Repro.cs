namespace Backprop.Fuzz.Tests;

/// <summary>Checks one hand-written program: FUZZ_REPRO names a file whose first line is the parameter list and the rest the body.</summary>
public class Repro(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void HandWritten()
    {
        if (Environment.GetEnvironmentVariable("FUZZ_REPRO") is not string path)
            return;
        string[] lines = File.ReadAllLines(path);
        var parameters = lines[0].Split(',', StringSplitOptions.TrimEntries).Select(p => p.Split(' ')).Select(p =>
            p[0] == "double[]" ? new FuzzParameter(p[1], FuzzType.DoubleArray, false, 4) : p[0] == "int" ? new FuzzParameter(p[1], FuzzType.Int, false) : new FuzzParameter(p[1], FuzzType.Double, false)).ToArray();
        var program = new FuzzProgram(int.Parse(Environment.GetEnvironmentVariable("FUZZ_REPRO_SEED") ?? "7"), parameters, new[] { string.Join("\n", lines.Skip(1)) }, FuzzType.Double, false,
            new[] { "[Differentiable]\nprivate static double H(double a, double b) => a * b;" });
        CampaignResult result = FuzzCampaign.Run(new[] { program });
        output.WriteLine(result.Report());
        Console.WriteLine(result.Report());
    }
}
