using System.Collections.Generic;
using System.Linq;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A peephole on reverse code: an adjoint starts at zero and only ever accumulates, but when its first
/// mention is an unconditional <c>dz += v</c> at the top level, that is simply <c>double dz = v</c>.
/// Straight-line code then reads as plain assignments, and the JIT need not add to a zero (which it may
/// not fold away: 0.0 + −0.0 is +0.0) or store an out parameter twice.
/// </summary>
internal static class FirstWrites
{
    public static (List<CodeLine> Initial, List<CodeLine> Reverse) Apply(List<CodeLine> initial, List<CodeLine> reverse)
    {
        var keptInitial = new List<CodeLine>();
        var replaced = new Dictionary<int, CodeLine>();
        foreach (CodeLine line in initial)
        {
            (string name, bool declares) = line switch
            {
                DeclareLine { Value: ConstantExpr { Value: 0 } } declare => (declare.Name, true),
                AssignLine { Target: NameExpr target, Value: ConstantExpr { Value: 0 }, Accumulate: false } => (target.Name, false),
                _ => ("", false),
            };
            int first = name.Length == 0 ? -1 : reverse.FindIndex(l => Mentions(l, name));
            if (first >= 0 && !replaced.ContainsKey(first) && reverse[first] is AssignLine { Accumulate: true, Target: NameExpr written } add
                && written.Name == name && !Reads(add.Value, name))
            {
                replaced[first] = declares ? new DeclareLine(((DeclareLine)line).Type, name, add.Value) : add with { Accumulate = false };
                continue;
            }
            keptInitial.Add(line);
        }
        return (keptInitial, reverse.Select((l, i) => replaced.TryGetValue(i, out CodeLine? r) ? r : l).ToList());
    }

    /// <summary>Whether a line (or anything nested in it) reads or writes <paramref name="name"/>.</summary>
    public static bool Mentions(CodeLine line, string name) => line switch
    {
        DeclareLine declare => declare.Name == name || Reads(declare.Value, name),
        AssignLine assign => Reads(assign.Target, name) || Reads(assign.Value, name),
        PushLine push => Reads(push.Value, name),
        IfLine branch => Reads(branch.Condition, name) || branch.Then.Any(l => Mentions(l, name)) || branch.Else.Any(l => Mentions(l, name)),
        WhileLine loop => Reads(loop.Condition, name) || loop.Body.Any(l => Mentions(l, name)),
        CountdownLine countdown => Reads(countdown.Count, name) || countdown.Body.Any(l => Mentions(l, name)),
        CallGradientLine call => call.Arguments.Any(a => Reads(a, name)) || call.Outputs.Contains(name),
        CallTangentLine call => call.Arguments.Any(a => Reads(a, name)) || call.Derivative == name,
        AddScaledLine add => add.Target == name || add.Source == name || Reads(add.Scale, name),
        CommentLine or BlankLine => false,
        _ => true,
    };

    private static bool Reads(Expr expr, string name) => StatementCode.Reads(expr, name);
}
