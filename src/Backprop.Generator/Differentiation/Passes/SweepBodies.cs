using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>Derivative bodies rewritten to run many times in a row, as the Jacobian's sweeps do.</summary>
internal static class SweepBodies
{
    /// <summary>
    /// The same body with every local array (the result among them) taken from scratch and given back at the end,
    /// so a sweep allocates nothing; what it returns is dropped. Local arrays are allocated only at the top level.
    /// A span allocated on the stack stays there.
    /// </summary>
    public static MethodBody Rented(MethodBody body)
    {
        var allocations = body.Body.OfType<AllocateLine>().Where(allocate => !allocate.OnStack).ToList();
        var lines = body.Body.Select(line => line is AllocateLine { OnStack: false } allocate ? new RentLine(allocate.Type, allocate.Name, allocate.Length) : line)
            .Concat(allocations.Select(allocate => (CodeLine)new ReturnLine(allocate.Name)));
        return body with { Body = lines.ToEquatableArray() };
    }
}
