using System.Collections.Generic;
using System.Linq;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A set of names whose changes can be taken back to a mark, for passes that walk each branch from what was known
/// before it (<see cref="FirstShares"/>, <see cref="KnownGuards"/>) without a copy of the set per branch, which made a
/// method of many layers quadratic.
/// </summary>
internal sealed class JournaledSet
{
    private readonly HashSet<string> _names = new();
    private readonly List<(string Name, bool Added)> _journal = new();

    public int Mark => _journal.Count;

    public bool Contains(string name) => _names.Contains(name);

    public void Add(string name)
    {
        if (_names.Add(name))
            _journal.Add((name, true));
    }

    public void Remove(string name)
    {
        if (_names.Remove(name))
            _journal.Add((name, false));
    }

    public void RemoveAll(IEnumerable<string> names)
    {
        foreach (string name in names)
            Remove(name);
    }

    /// <summary>Knows nothing any more: after a line of a kind that may write any name.</summary>
    public void Forget()
    {
        if (_names.Count > 0)
            RemoveAll(_names.ToList());
    }

    /// <summary>
    /// Drops every name <paramref name="line"/> (or a line nested in it) mentions, which it may have written, and says
    /// which into <paramref name="mentioned"/>; a line of a kind <see cref="FirstWrites.Mentioned"/> does not know may
    /// write any name, and everything is forgotten.
    /// </summary>
    public void RemoveMentioned(CodeLine line, HashSet<string> mentioned)
    {
        mentioned.Clear();
        if (FirstWrites.Mentioned(line, mentioned))
            RemoveAll(mentioned);
        else
            Forget();
    }

    public void Undo(int mark)
    {
        for (int i = _journal.Count - 1; i >= mark; i--)
        {
            var (name, added) = _journal[i];
            if (added)
                _names.Remove(name);
            else
                _names.Add(name);
        }
        _journal.RemoveRange(mark, _journal.Count - mark);
    }
}
