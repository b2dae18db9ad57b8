using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>Derivative bodies rewritten to run many times in a row, as the Jacobian's sweeps do.</summary>
internal static class SweepBodies
{
    /// <summary>
    /// The same body with every local array (the result among them) taken from scratch and given back at the end,
    /// so a sweep allocates nothing; what it returns is dropped. Local arrays are allocated only at the top level.
    /// A span allocated on the stack stays there. An array whose name is given another array later is rented under a name of
    /// its own, which gives it back.
    /// </summary>
    public static MethodBody Rented(MethodBody body)
    {
        // Given another array (a = b;, a pop), a name may no longer refer to its own at the end; swaps only trade them.
        var reassigned = new HashSet<string>(CodeLine.All(body.Body).OfType<AssignLine>().Where(a => !a.Accumulate).Select(a => a.Target).OfType<NameExpr>().Select(n => n.Name));
        var names = new NameAllocator(Names(body.Body));
        var owners = new List<string>();
        var lines = new List<CodeLine>();
        foreach (CodeLine line in body.Body)
        {
            if (line is not AllocateLine { OnStack: false } allocate)
            {
                lines.Add(line);
                continue;
            }
            if (!reassigned.Contains(allocate.Name))
            {
                lines.Add(new RentLine(allocate.Type, allocate.Name, allocate.Length));
                owners.Add(allocate.Name);
                continue;
            }
            string owner = names.Allocate(allocate.Name + "_rented");
            lines.Add(new RentLine(allocate.Type, owner, allocate.Length));
            lines.Add(new DeclareLine(allocate.Type.Keyword() + "[]", allocate.Name, new NameExpr(owner, allocate.Type)));
            owners.Add(owner);
        }
        lines.AddRange(owners.Select(owner => (CodeLine)new ReturnLine(owner)));
        return body with { Body = lines.ToEquatableArray() };
    }

    /// <summary>Every name the lines declare, at any depth: an owner's name must not be one of them.</summary>
    private static IEnumerable<string> Names(IEnumerable<CodeLine> lines)
    {
        var names = new HashSet<string>();
        foreach (CodeLine line in lines)
            FirstWrites.Mentioned(line, names);
        return names;
    }
}
