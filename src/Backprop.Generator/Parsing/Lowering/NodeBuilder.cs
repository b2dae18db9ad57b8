using System;
using System.Collections.Generic;
using Backprop.Generator.Model;

namespace Backprop.Generator.Parsing;

/// <summary>Builds one statement's expression graph, sharing equal subexpressions.</summary>
internal sealed class NodeBuilder
{
    private readonly List<Node> _nodes = new();
    private readonly Dictionary<NodeKey, int> _existing = new();

    public ScalarType TypeOf(int node) => _nodes[node].Type;

    public ValueShape ShapeOf(int node) => _nodes[node].Shape;

    public EquatableArray<Node> ToNodes() => _nodes.ToEquatableArray();

    public int Add(Op op, ScalarType type, params int[] arguments) => Add(op, type, arguments, 0, null, null);

    public int Add(Op op, ScalarType type, int[]? arguments, double value, string? name, CallTarget? call, ValueShape shape = ValueShape.Scalar)
    {
        var key = new NodeKey(op, type, new EquatableArray<int>(arguments ?? Array.Empty<int>()), value, name, call, shape);
        if (_existing.TryGetValue(key, out int id))
            return id;
        id = _nodes.Count;
        _nodes.Add(new Node(id, op, type, key.Arguments, value, name, call, shape));
        _existing[key] = id;
        return id;
    }

    public int Constant(double value, ScalarType type) => Add(Op.Constant, type, null, ConvertConstant(value, type), null, null);

    public int Read(string variable, ScalarType type, ValueShape shape = ValueShape.Scalar) => Add(Op.Read, type, null, 0, variable, null, shape);

    /// <summary>Converts to <paramref name="type"/>, folding constants.</summary>
    public int Convert(int node, ScalarType type)
    {
        Node source = _nodes[node];
        if (source.Type == type)
            return node;
        return source.Op == Op.Constant ? Constant(source.Value, type) : Add(Op.Convert, type, node);
    }

    public static double ConvertConstant(double value, ScalarType type) => type switch
    {
        ScalarType.Float => (float)value,
        ScalarType.Int => (int)value,
        ScalarType.Long => (long)value,
        // An integer wrapped into a byte, as C#'s unchecked (byte) cast does.
        ScalarType.Byte => unchecked((byte)(long)value),
        _ => value,
    };

    private readonly record struct NodeKey(Op Op, ScalarType Type, EquatableArray<int> Arguments, double Value, string? Name, CallTarget? Call, ValueShape Shape);
}
