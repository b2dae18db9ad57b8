using System.Globalization;

namespace Backprop.Generator.Tests;

/// <summary>The generated text must not depend on the culture the compiler happens to run in.</summary>
public class CultureTests
{
    /// <summary>Literals of every shape, negative constants, float and double, overloads (hint names) and non-ASCII names.</summary>
    private const string Source = """
        using System;
        using Backprop;
        namespace Démo;
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, float y, int n)
            {
                const double tiny = 1.5e-20, huge = -2.5e300;
                double a = -0.1 * x + 12345.678 * y - tiny * huge, a2 = a * a;
                float b = -1.25f * y + 3.4028235e38f / 1e30f;
                a = Math.Pow(a, -3.5) + Math.Clamp(x, -1.5, 2.5) - n * 1e-7;
                a *= Math.Log(x, 10) + Math.Max(a2, -0.001) + Math.PI;
                return a - b + a * a - Math.Sin(a) * Math.Sin(a);
            }

            [Differentiable] public static double F(double x) => -x * 0.5 - Math.E;
            [Differentiable] public static float Ünïcode(float α, float β) => MathF.Cbrt(α * β - 1e-3f);
        }
        """;

    [Theory]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    [InlineData("sv-SE")]
    [InlineData("fa-IR")]
    [InlineData("tr-TR")]
    public void GeneratedTextIsTheSameInEveryCulture(string name)
    {
        var culture = CultureInfo.GetCultureInfo(name);
        Dictionary<string, string> invariant = GenerateIn(CultureInfo.InvariantCulture);
        Dictionary<string, string> local = GenerateIn(culture);
        Assert.Equal(3, invariant.Count);
        Assert.Equal(invariant, local);
    }

    /// <summary>Guards against a vacuous test: under ICU these cultures really do print numbers differently.</summary>
    [Fact]
    public void TheCulturesReallyDiffer() =>
        Assert.NotEqual((-1.5).ToString(CultureInfo.InvariantCulture), (-1.5).ToString(CultureInfo.GetCultureInfo("sv-SE")));

    private static Dictionary<string, string> GenerateIn(CultureInfo culture)
    {
        CultureInfo culture0 = CultureInfo.CurrentCulture, uiCulture0 = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            var (result, generator, output) = GeneratorRunner.Run(Source);
            Assert.Empty(generator);
            Assert.Empty(output.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
            return result.Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = culture0;
            CultureInfo.CurrentUICulture = uiCulture0;
        }
    }
}
