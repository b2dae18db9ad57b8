using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// From a forward program to a <see cref="GradientProgram"/>: activity analysis, the reverse sweep,
/// then the choice of which forward values get a local (those used twice, those the reverse pass
/// reads, and variables) and the names of every local. A pure function of the model.
/// </summary>
internal sealed class GradientBuilder
{
    private readonly FunctionSpec _function;
    private readonly EquatableArray<Node> _nodes;
    private readonly Dictionary<int, string> _valueNames = new();
    private readonly Dictionary<int, string> _adjointNames = new();
    private NameAllocator _names = null!;

    private GradientBuilder(FunctionSpec function)
    {
        _function = function;
        _nodes = function.Body.Nodes;
    }

    public static GradientProgram Build(FunctionSpec function) => new GradientBuilder(function).Build();

    private GradientProgram Build()
    {
        ForwardProgram program = _function.Body;
        var returned = (ReturnStatement)program.Statements[program.Statements.Count - 1];
        int result = returned.Value;
        Activity activity = Activity.Analyze(_function, result);
        var (reverseBlocks, declared) = ReverseSweep.Run(program, activity, result);

        bool[] kept = KeptValues(activity, result, reverseBlocks.SelectMany(b => b.Lines));
        NameValues(program, kept, result);
        NameAdjoints(reverseBlocks);

        var forward = new List<CodeBlock>();
        foreach (Statement statement in program.Statements)
        {
            var lines = new List<CodeLine>();
            for (int id = statement.FirstNode; id < statement.EndNode; id++)
            {
                if (kept[id])
                    lines.Add(new DeclareLine(_nodes[id].Type, _valueNames[id], Resolve(ForwardExpressions.Of(_nodes[id], _nodes))));
            }
            if (lines.Count > 0)
                forward.Add(new CodeBlock(statement.Source, lines.ToEquatableArray()));
        }

        var reverse = new List<CodeBlock>();
        foreach (var (statement, lines) in reverseBlocks)
        {
            if (lines.Count > 0)
                reverse.Add(new CodeBlock(statement.Source, lines.Select(ResolveLine).ToEquatableArray()));
        }

        var unused = _function.Parameters
            .Where(p => p.Role != ParameterRole.Passive && !declared.Contains(ParameterNode(p.Name)))
            .Select(p => p.GradientName);
        return new GradientProgram(forward.ToEquatableArray(), reverse.ToEquatableArray(), unused.ToEquatableArray(), Resolve(new ValueExpr(result, _nodes[result].Type)));
    }

    /// <summary>Forward values that get a local: variables, values used more than once, values the reverse pass reads, and the result.</summary>
    private bool[] KeptValues(Activity activity, int result, IEnumerable<CodeLine> reverseLines)
    {
        var kept = new bool[_nodes.Count];
        foreach (Statement statement in _function.Body.Statements)
        {
            if (statement is AssignStatement assign)
            {
                foreach (Binding binding in assign.Bindings)
                    kept[binding.Node] = true;
            }
        }
        for (int id = 0; id < _nodes.Count; id++)
            kept[id] |= activity.Uses[id] > 1;
        kept[result] = true;
        foreach (CodeLine line in reverseLines)
            MarkValues(((AdjointLine)line).Value, kept);
        for (int id = 0; id < _nodes.Count; id++)
            kept[id] &= activity.Live[id] && _nodes[id].Op is not (Op.Constant or Op.Parameter);
        return kept;
    }

    private static void MarkValues(Expr expr, bool[] kept)
    {
        switch (expr)
        {
            case ValueExpr value:
                kept[value.Node] = true;
                break;
            case BinaryExpr binary:
                MarkValues(binary.Left, kept);
                MarkValues(binary.Right, kept);
                break;
            case NegateExpr negate:
                MarkValues(negate.Operand, kept);
                break;
            case CastExpr cast:
                MarkValues(cast.Operand, kept);
                break;
            case CallExpr call:
                foreach (Expr argument in call.Arguments)
                    MarkValues(argument, kept);
                break;
            case ConditionalExpr conditional:
                MarkValues(conditional.Condition, kept);
                MarkValues(conditional.WhenTrue, kept);
                MarkValues(conditional.WhenFalse, kept);
                break;
        }
    }

    private void NameValues(ForwardProgram program, bool[] kept, int result)
    {
        var reserved = new List<string>();
        foreach (ParameterSpec parameter in _function.Parameters)
        {
            reserved.Add(parameter.Name);
            if (parameter.Role != ParameterRole.Passive)
                reserved.Add(parameter.GradientName);
        }
        _names = new NameAllocator(reserved);

        var variableOf = new Dictionary<int, string>();
        foreach (Statement statement in program.Statements)
        {
            if (statement is AssignStatement assign)
            {
                foreach (Binding binding in assign.Bindings)
                {
                    if (!variableOf.ContainsKey(binding.Node))
                        variableOf[binding.Node] = binding.Variable;
                }
            }
        }

        foreach (Node node in _nodes)
        {
            if (node.Op == Op.Parameter)
                _valueNames[node.Id] = node.Name!;
            else if (kept[node.Id])
                _valueNames[node.Id] = _names.Allocate(variableOf.TryGetValue(node.Id, out string? variable) ? variable
                    : node.Id == result ? "result"
                    : ForwardExpressions.NameFor(node.Op));
        }
    }

    private void NameAdjoints(List<(Statement Statement, List<CodeLine> Lines)> blocks)
    {
        foreach (ParameterSpec parameter in _function.Parameters)
        {
            if (parameter.Role != ParameterRole.Passive)
                _adjointNames[ParameterNode(parameter.Name)] = parameter.GradientName;
        }
        foreach (CodeLine line in blocks.SelectMany(b => b.Lines))
        {
            int node = ((AdjointLine)line).Node;
            if (!_adjointNames.ContainsKey(node))
                _adjointNames[node] = _names.Allocate("d" + (_valueNames.TryGetValue(node, out string? name) ? name : ForwardExpressions.NameFor(_nodes[node].Op)));
        }
    }

    private int ParameterNode(string name)
    {
        foreach (Node node in _nodes)
        {
            if (node.Op == Op.Parameter && node.Name == name)
                return node.Id;
        }
        return -1;
    }

    private CodeLine ResolveLine(CodeLine line)
    {
        var adjoint = (AdjointLine)line;
        string name = _adjointNames[adjoint.Node];
        Expr value = Resolve(adjoint.Value);
        bool isParameter = _nodes[adjoint.Node].Op == Op.Parameter;
        return adjoint.Accumulate || isParameter
            ? new AssignLine(name, value, adjoint.Accumulate)
            : new DeclareLine(_nodes[adjoint.Node].Type, name, value);
    }

    /// <summary>Replaces node references with names, or with the node's own expression where it has no local.</summary>
    private Expr Resolve(Expr expr) => expr switch
    {
        ValueExpr value when _valueNames.TryGetValue(value.Node, out string? name) => new NameExpr(name, value.Type),
        ValueExpr value => Resolve(ForwardExpressions.Of(_nodes[value.Node], _nodes)),
        AdjointExpr adjoint => new NameExpr(_adjointNames[adjoint.Node], adjoint.Type),
        BinaryExpr binary => binary with { Left = Resolve(binary.Left), Right = Resolve(binary.Right) },
        NegateExpr negate => new NegateExpr(Resolve(negate.Operand)),
        CastExpr cast => cast with { Operand = Resolve(cast.Operand) },
        CallExpr call => call with { Arguments = call.Arguments.Select(Resolve).ToEquatableArray() },
        ConditionalExpr conditional => new ConditionalExpr(Resolve(conditional.Condition), Resolve(conditional.WhenTrue), Resolve(conditional.WhenFalse)),
        ConstantExpr or NameExpr => expr,
        _ => throw new InvalidOperationException($"Unexpected expression {expr.GetType().Name}."),
    };
}
