using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Calculus;

/// <summary>
/// Arrays are references: after <c>a = b</c> both names refer to one array, and a write through one is a write to the
/// other; a swap trades two arrays between two names; <c>s = Step(s, p)</c> gives a name a new array. The generated
/// code keeps these references as the source does (with each array's derivative buffer following it), so it is right
/// whatever the names refer to; what reasons by name must treat the names that may share an array as one. This groups
/// them: the variables a plain reassignment or a swap connects, a class per group (union–find over the body's rebinds).
/// </summary>
internal sealed class ArrayAliases
{
    private readonly Dictionary<string, string> _parent = new();
    private readonly Dictionary<string, List<string>> _members = new();
    /// <summary>The classes (by representative) of arrays given another array by an assignment, not only swapped.</summary>
    private readonly HashSet<string> _reassigned = new();

    /// <summary>Per name, the parameter arrays it may refer to: assignments followed in their direction, swaps both ways.</summary>
    private readonly Dictionary<string, HashSet<string>> _parameters = new();

    private ArrayAliases(ForwardProgram program, IReadOnlyDictionary<string, VariableSpec> variables)
    {
        foreach (Statement statement in Statements.All(program.Body))
        {
            if (statement is SwapStatement swap)
                Union(swap.A, swap.B);
            else if (Statements.IsRebind(statement, variables) && statement is AssignStatement assign)
            {
                Union(assign.Target, assign.Target);
                if (assign.Nodes[assign.Value] is { Op: Op.Read } source)
                    Union(assign.Target, source.Name!);
            }
        }
        foreach (AssignStatement assign in Statements.All(program.Body).OfType<AssignStatement>().Where(a => Statements.IsRebind(a, variables)))
            _reassigned.Add(Find(assign.Target));
        foreach (string name in _parent.Keys)
            _parameters[name] = variables[name].Kind == VariableKind.Parameter ? new HashSet<string> { name } : new HashSet<string>();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (Statement statement in Statements.All(program.Body))
            {
                if (statement is SwapStatement swap)
                {
                    grew |= Gain(swap.A, swap.B);
                    grew |= Gain(swap.B, swap.A);
                }
                else if (statement is AssignStatement assign && Statements.IsRebind(assign, variables) && assign.Nodes[assign.Value] is { Op: Op.Read } source)
                    grew |= Gain(assign.Target, source.Name!);
            }
        }
        foreach (string name in _parent.Keys.ToList())
        {
            string root = Find(name);
            if (!_members.TryGetValue(root, out List<string>? members))
                _members[root] = members = new List<string>();
            members.Add(name);
        }
    }

    public static ArrayAliases Of(ForwardProgram program, IReadOnlyDictionary<string, VariableSpec> variables) => new(program, variables);

    /// <summary>Whether any array of the body is reassigned or swapped.</summary>
    public bool Any => _parent.Count > 0;

    /// <summary>The arrays that are reassigned or swapped, or assigned to one that is: what may refer to another's array, or to one made by a call.</summary>
    public IEnumerable<string> Rebound => _parent.Keys;

    public bool IsRebound(string name) => _parent.ContainsKey(name);

    /// <summary>
    /// Whether a name of <paramref name="name"/>'s class is given another array by an assignment (<c>a = b</c>, a call's
    /// result): then a name may stop referring to the array it was allocated with, or two names refer to one array,
    /// where swaps only trade arrays between names.
    /// </summary>
    public bool IsReassigned(string name) => _parent.ContainsKey(name) && _reassigned.Contains(Find(name));

    /// <summary>The parameter arrays <paramref name="name"/> may refer to (after <c>var s = x;</c>, <c>x</c>), which nothing may write.</summary>
    public IEnumerable<string> ParametersReferredTo(string name) =>
        _parameters.TryGetValue(name, out HashSet<string>? parameters) ? parameters.OrderBy(p => p, System.StringComparer.Ordinal) : Enumerable.Empty<string>();

    private bool Gain(string target, string source)
    {
        bool grew = false;
        foreach (string parameter in _parameters[source].ToList())
            grew |= _parameters[target].Add(parameter);
        return grew;
    }

    /// <summary>The variables that may refer to the same array as <paramref name="name"/> at some point (itself included).</summary>
    public IReadOnlyList<string> Members(string name) => _parent.ContainsKey(name) ? _members[Find(name)] : new[] { name };

    /// <summary>One name for all <see cref="Members"/> of a class: where a name stands for what it refers to.</summary>
    public string Representative(string name) => _parent.ContainsKey(name) ? Find(name) : name;

    /// <summary>Adds to <paramref name="set"/> every member of the class of each name in it; whether it grew.</summary>
    public bool Close(HashSet<string> set)
    {
        bool grew = false;
        foreach (string name in set.Where(IsRebound).ToList())
        {
            foreach (string member in Members(name))
                grew |= set.Add(member);
        }
        return grew;
    }

    private string Find(string name)
    {
        while (_parent[name] != name)
            name = _parent[name] = _parent[_parent[name]];
        return name;
    }

    private void Union(string a, string b)
    {
        if (!_parent.ContainsKey(a))
            _parent[a] = a;
        if (!_parent.ContainsKey(b))
            _parent[b] = b;
        string ra = Find(a), rb = Find(b);
        // The earlier name in ordinal order leads, so the classes do not depend on the order of the statements.
        if (ra != rb)
        {
            if (string.CompareOrdinal(ra, rb) < 0)
                _parent[rb] = ra;
            else
                _parent[ra] = rb;
        }
    }
}
