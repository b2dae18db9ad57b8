using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Backprop.CodeFixes;

/// <summary>
/// The text of a pullback stub in the convention of <c>Backprop.DerivativeOfAttribute</c>: every parameter of the
/// method, its result and the result's gradient, then one gradient per differentiable parameter. Names are fully
/// qualified for the simplifier to shorten where the document's usings allow.
/// </summary>
internal static class PullbackStub
{
    private const string MatrixDefinition = "Backprop.Matrix<T>";
    private const string NoDerivativeAttribute = "Backprop.NoDerivativeAttribute";

    /// <summary>
    /// The stub throws rather than setting its gradients to zero: a zero gradient compiles, runs and trains nothing
    /// without a word, while the exception names the stub the first time a gradient needs it.
    /// </summary>
    public static string Write(IMethodSymbol method, string methodName, SemanticModel model, int position)
    {
        string Type(ITypeSymbol type) => type.ToMinimalDisplayString(model, position);
        string result = Type(method.ReturnType);
        var parameters = method.Parameters.Select(p => $"{Type(p.Type)} {p.Name}").Concat(new[] { $"{result} result", $"{result} dResult" }).ToList();
        var gradients = new List<(string Name, IParameterSymbol Parameter)>();
        foreach (IParameterSymbol parameter in method.Parameters.Where(IsDifferentiable))
        {
            string gradient = "d" + char.ToUpperInvariant(parameter.Name[0]) + parameter.Name.Substring(1);
            gradients.Add((gradient, parameter));
            parameters.Add(IsMatrix(parameter.Type) ? $"{Type(parameter.Type)}? {gradient}" : $"out {Type(parameter.Type)} {gradient}");
        }

        var text = new StringBuilder();
        text.Append("[global::Backprop.DerivativeOf(nameof(").Append(methodName).Append("))]\n");
        text.Append("internal static void ").Append(methodName).Append("Pullback(").Append(string.Join(", ", parameters)).Append(")\n{\n");
        foreach (var (gradient, parameter) in gradients)
        {
            text.Append(IsMatrix(parameter.Type)
                ? $"// TODO: overwrite {gradient} (when not null) with dResult pulled back through ∂{methodName}/∂{parameter.Name}.\n"
                : $"// TODO: {gradient} = dResult * ∂{methodName}/∂{parameter.Name}, at these arguments (result is {methodName}'s value there).\n");
        }
        text.Append("throw new global::System.NotImplementedException(\"The pullback of ").Append(methodName).Append(" is not written yet.\");\n}\n");
        return text.ToString();
    }

    private static bool IsMatrix(ITypeSymbol type) => type is INamedTypeSymbol named && named.OriginalDefinition.ToDisplayString() == MatrixDefinition;

    /// <summary>As the generator decides: a float, double, type parameter or matrix, unless [NoDerivative].</summary>
    private static bool IsDifferentiable(IParameterSymbol parameter) =>
        (IsMatrix(parameter.Type) || parameter.Type.SpecialType is SpecialType.System_Single or SpecialType.System_Double || parameter.Type is ITypeParameterSymbol)
        && !parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NoDerivativeAttribute);
}
