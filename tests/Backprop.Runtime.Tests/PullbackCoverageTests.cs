using System.Reflection;

namespace Backprop.Runtime.Tests;

public class PullbackCoverageTests
{
    /// <summary>A later generator chains pullbacks by name: every operation must bring its <c>{Op}Pullback</c>.</summary>
    [Fact]
    public void EveryOperation_HasAPullback()
    {
        var methods = typeof(MatrixOps).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => !m.IsSpecialName).ToArray();
        var names = methods.Select(m => m.Name).ToHashSet();
        string[] operations = [.. names.Where(name => !name.EndsWith("Pullback", StringComparison.Ordinal))];
        Assert.NotEmpty(operations);
        Assert.All(operations, operation => Assert.Contains(operation + "Pullback", names));
    }
}
