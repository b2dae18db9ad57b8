using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// The forward code of a statement assigning a matrix, the same in every derivative method: an operation writes its
/// result into the next matrix of the arena through its destination form (allocating nothing), or, without one, returns
/// a new matrix; a read or an element of an array of matrices is a reference copy.
/// </summary>
internal static class MatrixForward
{
    /// <param name="declares">The statement is the variable's first write: it declares it.</param>
    public static IEnumerable<CodeLine> Assignment(AssignStatement assign, VariableSpec target, bool declares, NameAllocator names)
    {
        Node root = assign.Nodes[assign.Value];
        var values = new Dictionary<int, string>();
        Expr Argument(int node) => StatementCode.Value(assign, values, node);
        var targetName = new NameExpr(target.Name, target.Type);
        if (root.Op != Op.Call)
        {
            yield return Write(target, declares, Argument(assign.Value));
            yield break;
        }
        CallTarget call = root.Call!;
        var arguments = root.Arguments.Select(Argument).ToEquatableArray();
        if (call.Into is null)
        {
            yield return Write(target, declares, new MethodCallExpr(call.Method, arguments, target.Type, call.Differentiable, call.Method, call.Tangent));
            yield break;
        }
        // The operation's arguments are read before it writes: one that reads the target's current value (h = Relu(h)) writes into a matrix of its own first.
        bool readsTarget = root.Arguments.Any(a => assign.Nodes[a] is { Op: Op.Read } read && read.Name == target.Name);
        string destination = declares || !readsTarget ? target.Name : names.Allocate(OperationName(call.Method));
        Expr slot = call.Shape is null
            ? new SlotExpr(arguments[root.Arguments.Select((a, i) => (a, i)).First(p => assign.Nodes[p.a].Shape == ValueShape.Matrix).i], null, target.Type)
            : new SlotExpr(null, new MethodCallExpr(call.Shape, arguments, target.Type, EquatableArray<bool>.Empty, call.Shape), target.Type);
        yield return destination == target.Name ? Write(target, declares, slot) : new DeclareLine(target.TypeName, destination, slot);
        yield return new OperationLine(destination, arguments, call);
        if (destination != target.Name)
            yield return new AssignLine(targetName, new NameExpr(destination, target.Type), false);
    }

    private static CodeLine Write(VariableSpec target, bool declares, Expr value) =>
        declares ? new DeclareLine(target.TypeName, target.Name, value) : new AssignLine(new NameExpr(target.Name, target.Type), value, false);

    /// <summary><c>relu</c> for <c>global::Backprop.MatrixOps.Relu&lt;float&gt;</c>.</summary>
    private static string OperationName(string method)
    {
        string name = method.Split('<')[0];
        name = name.Substring(name.LastIndexOf('.') + 1);
        return char.ToLowerInvariant(name[0]) + name.Substring(1);
    }
}
