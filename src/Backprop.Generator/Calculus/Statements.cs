using System.Collections.Generic;
using Backprop.Generator.Model;

namespace Backprop.Generator.Calculus;

internal static class Statements
{
    /// <summary>Every statement in <paramref name="block"/>, nested ones included, in source order.</summary>
    public static IEnumerable<Statement> All(Block block)
    {
        foreach (Statement statement in block.Statements)
        {
            yield return statement;
            IEnumerable<Statement> children = statement switch
            {
                IfStatement branch => Concat(All(branch.Then), All(branch.Else)),
                LoopStatement loop => All(loop.Body),
                _ => System.Array.Empty<Statement>(),
            };
            foreach (Statement child in children)
                yield return child;
        }
    }

    private static IEnumerable<Statement> Concat(IEnumerable<Statement> first, IEnumerable<Statement> second)
    {
        foreach (Statement s in first)
            yield return s;
        foreach (Statement s in second)
            yield return s;
    }

    /// <summary>An assignment of an array to a local array variable (<c>a = b</c>, <c>var t = a</c>, <c>s = Step(s, p)</c>): a reference, not elements.</summary>
    public static bool IsRebind(Statement statement, IReadOnlyDictionary<string, VariableSpec> variables) =>
        statement is AssignStatement assign && variables[assign.Target].IsArray;

    /// <summary>The variable a statement writes and the node it writes, for assignments and stores.</summary>
    public static (string Target, int Value)? Write(Statement statement) => statement switch
    {
        AssignStatement assign => (assign.Target, assign.Value),
        StoreStatement store => (store.Array, store.Value),
        _ => null,
    };
}
