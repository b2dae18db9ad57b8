using Backprop.Generator.Parsing;
using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Tests;

/// <summary>
/// The System.Numerics rules (<see cref="NumericsRules"/>) against their gradient tests: every member with a rule is
/// called in <c>tests/Backprop.Gradients.Tests/NumericsFunctions.cs</c>, whose functions <c>NumericsTests</c> checks
/// against finite differences, and that file differentiates with no diagnostic (so every rule's lines read and lower).
/// </summary>
public class NumericsRuleCoverageTests
{
    private static readonly string[] s_types = { "Vector2", "Vector3", "Vector4", "Quaternion", "Complex" };

    [Fact]
    public void EveryRuleHasAFiniteDifferenceCase()
    {
        // With the test project's implicit usings.
        string source = "using System;\n" + File.ReadAllText(RepositoryPaths.Get("tests", "Backprop.Gradients.Tests", "NumericsFunctions.cs"));
        var (_, generator, output) = GeneratorRunner.Run(source);
        Assert.Empty(generator);
        Assert.Empty(output.Where(d => d.Severity == DiagnosticSeverity.Error));

        var compilation = GeneratorRunner.Compile(source);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SemanticModel model = compilation.GetSemanticModel(tree);
        IOperation[] operations = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax>()
            .Select(m => model.GetOperation(m)).OfType<IOperation>().SelectMany(o => o.DescendantsAndSelf()).ToArray();
        var called = new HashSet<string>(operations.SelectMany(Called).Where(m => m is not null).Select(m => m!.OriginalDefinition.ToDisplayString()));

        var ruled = s_types.Select(name => compilation.GetTypeByMetadataName("System.Numerics." + name)!)
            .SelectMany(type => type.GetMembers().OfType<IMethodSymbol>())
            .Where(m => m.DeclaredAccessibility == Accessibility.Public && NumericsRules.Find(m) is not null)
            .Select(m => m.ToDisplayString()).ToList();
        Assert.True(ruled.Count >= 100, $"{ruled.Count} members with rules");
        string[] untested = ruled.Where(m => !called.Contains(m)).ToArray();
        Assert.True(untested.Length == 0, "No gradient test calls " + string.Join(", ", untested));
    }

    private static IEnumerable<IMethodSymbol?> Called(IOperation operation) => operation switch
    {
        IInvocationOperation call => new[] { call.TargetMethod },
        IBinaryOperation binary => new[] { binary.OperatorMethod },
        IUnaryOperation unary => new[] { unary.OperatorMethod },
        IConversionOperation conversion => new[] { conversion.OperatorMethod },
        ICompoundAssignmentOperation compound => new[] { compound.OperatorMethod },
        IObjectCreationOperation creation => new[] { creation.Constructor },
        IPropertyReferenceOperation property => new[] { property.Property.GetMethod },
        _ => Array.Empty<IMethodSymbol?>(),
    };
}
