using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A peephole on reverse code: when several statements in a row add to the same array element
/// (<c>dx[i] += …</c> twice in one loop iteration), they add to a local instead and the element is
/// written once. Each read-modify-write of memory waits for the previous one, so this shortens the
/// chain a loop iteration waits on. A run ends at anything that could change the index or touch the array: for an
/// array that is reassigned or swapped (<c>rebound</c>, where one name may refer to another's array), anything
/// that touches any such array, or gives the name another.
/// </summary>
internal static class ElementAccumulation
{
    public static List<CodeLine> Merge(List<CodeLine> lines, NameAllocator names, ISet<string> rebound)
    {
        var counts = new Dictionary<(string, Expr), int>();
        foreach (CodeLine line in lines)
        {
            if (line is AssignLine { Accumulate: true, Target: ElementExpr element })
                counts[(element.Array, element.Index)] = counts.TryGetValue((element.Array, element.Index), out int n) ? n + 1 : 1;
        }
        if (!counts.Values.Any(n => n > 1))
            return lines;

        var merged = new List<CodeLine>();
        ElementExpr? open = null;
        string? accumulator = null;
        void Flush()
        {
            if (open is not null)
                merged.Add(new AssignLine(open, new NameExpr(accumulator!, open.Type), true));
            open = null;
        }
        foreach (CodeLine line in lines)
        {
            if (line is AssignLine { Accumulate: true, Target: ElementExpr element } add && counts[(element.Array, element.Index)] > 1)
            {
                if (open is not null && open.Equals(element))
                {
                    merged.Add(new AssignLine(new NameExpr(accumulator!, element.Type), add.Value, true));
                    continue;
                }
                Flush();
                open = element;
                accumulator = names.Allocate(Naming.Derivative(Naming.Local(element.Array)) + "_at");
                merged.Add(new DeclareLine(element.Type.Keyword(), accumulator, add.Value));
                continue;
            }
            if (open is not null && Interferes(line, open, rebound))
                Flush();
            merged.Add(line);
        }
        Flush();
        return merged;
    }

    /// <summary>Whether a line could change the open element's index or touch its array.</summary>
    private static bool Interferes(CodeLine line, ElementExpr open, ISet<string> rebound)
    {
        var indexNames = new HashSet<string>();
        Names(open.Index, indexNames);
        switch (line)
        {
            case CommentLine or BlankLine:
                return false;
            case DeclareLine declare:
                return Touches(declare.Value, open.Array) || rebound.Contains(open.Array) && Mentions(declare.Value, rebound);
            case AssignLine assign:
                return (assign.Target is NameExpr target && (indexNames.Contains(target.Name) || target.Name == open.Array)) || Touches(assign.Target, open.Array) || Touches(assign.Value, open.Array)
                    || rebound.Contains(open.Array) && (Mentions(assign.Target, rebound) || Mentions(assign.Value, rebound));
            default:
                return true;
        }
    }

    private static bool Mentions(Expr expr, ISet<string> names)
    {
        var mentioned = new HashSet<string>();
        Names(expr, mentioned);
        mentioned.UnionWith(expr.DescendantsAndSelf().OfType<ElementExpr>().Select(e => e.Array));
        return mentioned.Overlaps(names);
    }

    private static bool Touches(Expr expr, string array) => StatementCode.Any(expr, e => e is ElementExpr { Array: var a } && a == array);

    private static void Names(Expr expr, HashSet<string> into)
    {
        foreach (Expr e in expr.DescendantsAndSelf())
        {
            if (e is NameExpr name)
                into.Add(name.Name);
        }
    }
}
