using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>How one argument of a statement receives its share of the gradient in the backward sweep.</summary>
internal enum Contribution
{
    /// <summary>The first share (in reverse order) of the argument's gradient: written straight into its adjoint.</summary>
    First,
    /// <summary>A later share: written into a scratch buffer, then added to the adjoint (a value used twice collects from both uses).</summary>
    Accumulate,
}

/// <param name="Arguments">Per argument, the value that receives a gradient and how, or <c>null</c> when it takes none.</param>
internal sealed record AdjointStep(TensorStatement Statement, IReadOnlyList<(int Value, Contribution Kind)?> Arguments);

/// <summary>
/// The reverse sweep of a tensor program: the statements whose results reach the returned value, last first,
/// and for each argument whether its gradient starts there or adds to an earlier share. The traversal knows no
/// calculus: pullbacks and <see cref="TensorRules"/> do.
/// </summary>
internal static class TensorBackward
{
    public static List<AdjointStep> Plan(TensorFunctionSpec function, out HashSet<int> reached)
    {
        reached = new HashSet<int> { function.Result };
        var steps = new List<AdjointStep>();
        for (int i = function.Statements.Count - 1; i >= 0; i--)
        {
            TensorStatement statement = function.Statements[i];
            if (statement.Op == TensorOp.Passive || !reached.Contains(statement.Result))
                continue;
            var arguments = new List<(int, Contribution)?>();
            for (int a = 0; a < statement.Arguments.Count; a++)
            {
                if (statement.Arguments[a].Value is int value && function.Values[value].Active && TakesGradient(statement, a))
                    arguments.Add((value, reached.Add(value) ? Contribution.First : Contribution.Accumulate));
                else
                    arguments.Add(null);
            }
            steps.Add(new AdjointStep(statement, arguments));
        }
        return steps;
    }

    private static bool TakesGradient(TensorStatement statement, int argument) =>
        statement.Call is not { } call || call.Pullback is not null && call.Gradients[argument];
}
