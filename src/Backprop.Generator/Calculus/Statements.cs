using System.Collections.Generic;
using Backprop.Generator.Model;

namespace Backprop.Generator.Calculus;

internal static class Statements
{
    /// <summary>Every statement in <paramref name="block"/>, nested ones included, in source order.</summary>
    /// <remarks>
    /// One enumerator per open block on an explicit stack: nested iterators would hand each statement up through
    /// every enclosing level, which makes ifs nested n deep cost n² to enumerate.
    /// </remarks>
    public static IEnumerable<Statement> All(Block block)
    {
        var open = new Stack<IEnumerator<Statement>>();
        open.Push(Enumerate(block));
        while (open.Count > 0)
        {
            IEnumerator<Statement> top = open.Peek();
            if (!top.MoveNext())
            {
                open.Pop();
                continue;
            }
            Statement statement = top.Current;
            yield return statement;
            switch (statement)
            {
                case IfStatement branch:
                    open.Push(Enumerate(branch.Else));
                    open.Push(Enumerate(branch.Then));
                    break;
                case LoopStatement loop:
                    open.Push(Enumerate(loop.Body));
                    break;
            }
        }
    }

    private static IEnumerator<Statement> Enumerate(Block block) => ((IEnumerable<Statement>)block.Statements).GetEnumerator();

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
