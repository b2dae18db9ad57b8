using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Calls lowered where they are made. Local functions whose body is one expression (<c>double Sq(double v) =&gt; v * v;</c>, or a block holding one
/// <c>return</c>): each call is lowered as that expression, its parameters standing for the call's arguments, so it is
/// differentiated where it is used, reading the variables it captures as they are at the call. Recursion is BP1004.
/// A static method returning a tuple literal (<c>=&gt; (r, theta)</c>) is lowered the same way, element by element.
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>While a local function's expression is lowered: its parameters, as the nodes of the arguments passed.</summary>
    private readonly Dictionary<IParameterSymbol, int> _inlinedArguments = new(SymbolEqualityComparer.Default);
    private readonly List<IMethodSymbol> _inlining = new();

    private int? LowerLocalFunctionCall(IInvocationOperation invocation, ScalarType type)
    {
        IMethodSymbol local = invocation.TargetMethod;
        if (_inlining.Any(m => SymbolEqualityComparer.Default.Equals(m, local.OriginalDefinition)))
            return Report(Diagnostics.Recursion, invocation.Syntax, local.Name);
        if (local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not LocalFunctionStatementSyntax declaration
            || ResultExpression(declaration) is not ExpressionSyntax result
            || invocation.SemanticModel?.GetOperation(result, _cancellationToken) is not { } body)
            return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, $"Calling the local function '{local.Name}', whose body is more than one expression,",
                "write its body as one expression, or make it a static method of the type (it is then differentiated as an implicit helper)");

        return LowerInlined(local, invocation.Arguments, body, type);
    }

    /// <summary>
    /// <paramref name="body"/>, an expression of <paramref name="method"/>, lowered where the call is, each parameter
    /// standing for the node of its argument.
    /// </summary>
    private int? LowerInlined(IMethodSymbol method, IReadOnlyList<IArgumentOperation> invocationArguments, IOperation body, ScalarType type)
    {
        var arguments = new List<(IParameterSymbol Parameter, int Node)>();
        foreach (IArgumentOperation argument in invocationArguments)
        {
            if (argument.Parameter is not { RefKind: RefKind.None } parameter || ValueType(parameter.Type) is not ScalarType parameterType)
                return Report(Diagnostics.UnsupportedExpression, argument.Syntax, $"Passing '{argument.Syntax}' to '{method.Name}'",
                    "pass numbers, or make it a static method of the type (an implicit helper)");
            if (LowerValue(argument.Value) is not int value)
                return null;
            arguments.Add((parameter, _nodes.Convert(value, parameterType)));
        }
        foreach (var (parameter, node) in arguments)
            _inlinedArguments[parameter] = node;
        _inlining.Add(method.OriginalDefinition);
        int? lowered = LowerValue(body);
        _inlining.RemoveAt(_inlining.Count - 1);
        foreach (var (parameter, _) in arguments)
            _inlinedArguments.Remove(parameter);
        return lowered is int r ? _nodes.Convert(r, type) : null;
    }

    /// <summary>The one expression a local function returns: its expression body, or the value of the one <c>return</c> of its block.</summary>
    private static ExpressionSyntax? ResultExpression(SyntaxNode declaration) => declaration switch
    {
        LocalFunctionStatementSyntax local => ResultExpression(local.ExpressionBody, local.Body),
        MethodDeclarationSyntax method => ResultExpression(method.ExpressionBody, method.Body),
        _ => null,
    };

    private static ExpressionSyntax? ResultExpression(ArrowExpressionClauseSyntax? arrow, BlockSyntax? block) =>
        arrow?.Expression ?? (block is { Statements.Count: 1 } && block.Statements[0] is ReturnStatementSyntax { Expression: { } returned } ? returned : null);
}
