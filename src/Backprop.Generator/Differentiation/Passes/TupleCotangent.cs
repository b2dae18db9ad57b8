using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// The reverse sweep of a tuple or struct result differentiates one number: Σₖ dresult.Itemₖ · resultₖ (for a struct,
/// over its differentiable leaves: dresult.X · result_X + …), the cotangent given for the result times the result,
/// computed after the body. Its gradient is the cotangent times the Jacobian, uᵀJ, which is what <c>FVectorJacobian</c>
/// returns; the method still returns the result itself.
/// </summary>
internal static class TupleCotangent
{
    public static FunctionSpec Seeded(FunctionSpec function)
    {
        if (function.ResultStruct is not { } result)
            return function;
        ForwardProgram program = function.Body;
        ScalarType type = function.ReturnType;
        string product = NameAllocator.ForDerivativesOf(function).Allocate("result");

        var nodes = new List<Node>();
        int Add(Op op, EquatableArray<int> arguments, string? name = null)
        {
            nodes.Add(new Node(nodes.Count, op, type, arguments, Name: name));
            return nodes.Count - 1;
        }
        int? sum = null;
        foreach (var (leaf, k) in result.Differentiable)
        {
            int cotangent = Add(Op.Member, EquatableArray<int>.Empty, $"{Naming.ResultDerivative}.{leaf.Code}");
            int element = Add(Op.Read, EquatableArray<int>.Empty, program.ResultElements[k]);
            int term = Add(Op.Multiply, new EquatableArray<int>(new[] { cotangent, element }));
            sum = sum is int before ? Add(Op.Add, new EquatableArray<int>(new[] { before, term })) : term;
        }
        var seed = new AssignStatement(result.IsTuple
            ? $"(the cotangent given times the result: Σₖ {Naming.ResultDerivative}.Itemₖ · resultₖ)"
            : $"(the cotangent given times the result: Σ {Naming.ResultDerivative}.m · result.m over its differentiable members m)",
            nodes.ToEquatableArray(), product, sum!.Value, Declares: true);
        var seeded = new ForwardProgram(
            program.Variables.Append(new VariableSpec(product, type, ValueShape.Scalar, VariableKind.Synthetic)).ToEquatableArray(),
            new Block(program.Body.Statements.Append(seed).ToEquatableArray()).Numbered(),
            product,
            program.ResultElements);
        return function with { Body = seeded };
    }
}
