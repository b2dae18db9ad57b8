using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>Turning a statement's graph into expressions and locals: shared by every derivative mode.</summary>
internal static class StatementCode
{
    /// <summary>
    /// Declares a local for each node used twice and each node <paramref name="keep"/> selects, recording
    /// its name in <paramref name="values"/>, and returns the expression for <paramref name="root"/>.
    /// </summary>
    public static Expr StoreValues(List<CodeLine> lines, NameAllocator names, Statement statement, int root, Dictionary<int, string> values, Func<int, bool> keep)
    {
        int[] uses = Uses(statement.Nodes, root);
        for (int id = 0; id < root; id++)
        {
            Node node = statement.Nodes[id];
            bool kept = keep(id);
            if ((uses[id] == 0 && !kept) || node.Op is Op.Constant or Op.Read or Op.Length or Op.ArrayArgument || values.ContainsKey(id))
                continue;
            if (uses[id] > 1 || kept)
            {
                string name = names.Allocate(ForwardExpressions.NameFor(node.Op));
                lines.Add(new DeclareLine(node.Shape.TypeName(node.Type), name, Value(statement, values, id)));
                values[id] = name;
            }
        }
        return Value(statement, values, root);
    }

    /// <summary>The value of <paramref name="node"/>: its local, or its expression with its arguments resolved.</summary>
    public static Expr Value(Statement statement, Dictionary<int, string> values, int node) =>
        values.TryGetValue(node, out string? name)
            ? new NameExpr(name, statement.Nodes[node].Type)
            : Resolve(ForwardExpressions.Of(statement.Nodes[node], statement.Nodes), statement, values);

    /// <summary>Replaces node references with locals, or with the node's expression where it has none; <paramref name="other"/> resolves mode-specific placeholders.</summary>
    public static Expr Resolve(Expr expr, Statement statement, Dictionary<int, string> values, Func<Expr, Expr?>? other = null) =>
        Rewrite(expr, e => e switch
        {
            ValueExpr value when values.TryGetValue(value.Node, out string? name) => new NameExpr(name, value.Type),
            ValueExpr value => Resolve(ForwardExpressions.Of(statement.Nodes[value.Node], statement.Nodes), statement, values, other),
            _ => other?.Invoke(e),
        });

    /// <summary>Rebuilds <paramref name="expr"/> bottom-up, replacing each subexpression for which <paramref name="replace"/> answers.</summary>
    public static Expr Rewrite(Expr expr, Func<Expr, Expr?> replace)
    {
        // Deep expressions: near the end of the stack this throws, and the pipeline reports BP9001 (never a stack overflow).
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return replace(expr) ?? expr switch
        {
            BinaryExpr binary => binary with { Left = Rewrite(binary.Left, replace), Right = Rewrite(binary.Right, replace) },
            NegateExpr negate => new NegateExpr(Rewrite(negate.Operand, replace)),
            NotExpr not => new NotExpr(Rewrite(not.Operand, replace)),
            ComplementExpr complement => new ComplementExpr(Rewrite(complement.Operand, replace)),
            CastExpr cast => cast with { Operand = Rewrite(cast.Operand, replace) },
            CallExpr call => call with { Arguments = call.Arguments.Select(a => Rewrite(a, replace)).ToEquatableArray() },
            MethodCallExpr call => call with { Arguments = call.Arguments.Select(a => Rewrite(a, replace)).ToEquatableArray() },
            ElementExpr element => element with { Index = Rewrite(element.Index, replace) },
            MemberExpr { Index: { } index } member => member with { Index = Rewrite(index, replace) },
            ConditionalExpr conditional => new ConditionalExpr(Rewrite(conditional.Condition, replace), Rewrite(conditional.WhenTrue, replace), Rewrite(conditional.WhenFalse, replace)),
            TupleExpr tuple => tuple with { Elements = tuple.Elements.Select(e => Rewrite(e, replace)).ToEquatableArray() },
            _ => expr,
        };
    }

    /// <summary>Whether <paramref name="expr"/> or any expression inside it passes <paramref name="test"/> (a walk that rebuilds nothing).</summary>
    public static bool Any(Expr expr, Func<Expr, bool> test)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (test(expr))
            return true;
        for (int i = 0; i < expr.OperandCount; i++)
        {
            if (Any(expr.OperandAt(i), test))
                return true;
        }
        return false;
    }

    /// <summary>Every variable (scalar, array or matrix) an expression reads; a share reads, and may set, its gradient and written flag.</summary>
    public static void Names(Expr expr, ISet<string> into)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (expr)
        {
            case NameExpr name:
                into.Add(name.Name);
                break;
            case ElementExpr element:
                into.Add(element.Array);
                break;
            case NotNullExpr notNull:
                into.Add(notNull.Name);
                break;
            case ShareExpr share:
                into.Add(share.Gradient);
                if (share.Written is not null)
                    into.Add(share.Written);
                break;
        }
        for (int i = 0; i < expr.OperandCount; i++)
            Names(expr.OperandAt(i), into);
    }

    /// <summary>Whether an expression reads variable <paramref name="name"/> (or an element of it).</summary>
    public static bool Reads(Expr expr, string name)
    {
        var names = new HashSet<string>();
        Names(expr, names);
        return names.Contains(name);
    }

    /// <summary>Every node an expression reads the value of.</summary>
    public static void References(Expr expr, ISet<int> into)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (expr is ValueExpr value)
            into.Add(value.Node);
        for (int i = 0; i < expr.OperandCount; i++)
            References(expr.OperandAt(i), into);
    }

    public static int[] Uses(EquatableArray<Node> nodes, int root)
    {
        var uses = new int[nodes.Count];
        var live = new bool[nodes.Count];
        live[root] = true;
        for (int id = root; id >= 0; id--)
        {
            if (!live[id])
                continue;
            foreach (int argument in nodes[id].Arguments)
            {
                live[argument] = true;
                uses[argument]++;
            }
        }
        return uses;
    }
}
