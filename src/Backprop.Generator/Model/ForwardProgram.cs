namespace Backprop.Generator.Model;

/// <summary>
/// The method body as a graph: <see cref="Nodes"/> in topological order (a node's arguments have smaller
/// ids; a shared subexpression is one node), and the source statements that created them, in order.
/// </summary>
internal sealed record ForwardProgram(EquatableArray<Node> Nodes, EquatableArray<Statement> Statements);

/// <summary>One value of the forward program.</summary>
/// <param name="Value">The constant, for <see cref="Op.Constant"/>.</param>
/// <param name="Name">The parameter, for <see cref="Op.Parameter"/>.</param>
internal sealed record Node(int Id, Op Op, ScalarType Type, EquatableArray<int> Arguments, double Value = 0, string? Name = null);

/// <summary>A source statement: its text (for the comment above its code) and the nodes it created, <c>[FirstNode, EndNode)</c>.</summary>
internal abstract record Statement(string Source, int FirstNode, int EndNode);

/// <summary>Assigns values to variables: a declaration (possibly of several locals), an assignment or a compound assignment.</summary>
internal sealed record AssignStatement(string Source, int FirstNode, int EndNode, EquatableArray<Binding> Bindings)
    : Statement(Source, FirstNode, EndNode);

/// <summary>Returns <see cref="Value"/>.</summary>
internal sealed record ReturnStatement(string Source, int FirstNode, int EndNode, int Value)
    : Statement(Source, FirstNode, EndNode);

/// <summary>After the statement, the variable <see cref="Variable"/> holds node <see cref="Node"/>.</summary>
internal sealed record Binding(string Variable, int Node);
