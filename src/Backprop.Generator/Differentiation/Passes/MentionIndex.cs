using System.Collections.Generic;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Which lines of a list mention each name (<see cref="FirstWrites.Mentioned"/>), kept up to date as lines are replaced,
/// so that a pass looking for the next line that touches a name visits only those lines, not every line after it.
/// </summary>
internal sealed class MentionIndex
{
    private readonly List<CodeLine?> _lines;
    private readonly Dictionary<string, SortedSet<int>> _byName = new();

    /// <summary>Lines of kinds that may mention any name.</summary>
    private readonly SortedSet<int> _opaque = new();

    private readonly HashSet<string>?[] _names;

    public MentionIndex(List<CodeLine?> lines)
    {
        _lines = lines;
        _names = new HashSet<string>?[lines.Count];
        for (int i = 0; i < lines.Count; i++)
            Add(i);
    }

    /// <summary>Replaces line <paramref name="index"/> of the list (null removes it) and its mentions.</summary>
    public void Replace(int index, CodeLine? line)
    {
        if (_names[index] is { } names)
        {
            foreach (string name in names)
                _byName[name].Remove(index);
        }
        else
            _opaque.Remove(index);
        _names[index] = null;
        _lines[index] = line;
        Add(index);
    }

    /// <summary>The lines from <paramref name="from"/> up to, not including, <paramref name="to"/> that may mention <paramref name="name"/>, in order.</summary>
    public IEnumerable<int> Between(string name, int from, int to) => Merge(name, from, to, descending: false);

    /// <summary>The lines of <see cref="Between"/>, last first.</summary>
    public IEnumerable<int> BetweenDescending(string name, int from, int to) => Merge(name, from, to, descending: true);

    private IEnumerable<int> Merge(string name, int from, int to, bool descending)
    {
        if (from >= to)
            yield break;
        IEnumerable<int> Lines(SortedSet<int> set) => descending ? set.GetViewBetween(from, to - 1).Reverse() : set.GetViewBetween(from, to - 1);
        using IEnumerator<int> named = (_byName.TryGetValue(name, out SortedSet<int>? lines) ? Lines(lines) : new int[0]).GetEnumerator();
        using IEnumerator<int> opaque = Lines(_opaque).GetEnumerator();
        bool hasNamed = named.MoveNext(), hasOpaque = opaque.MoveNext();
        while (hasNamed || hasOpaque)
        {
            if (hasNamed && (!hasOpaque || (descending ? named.Current > opaque.Current : named.Current < opaque.Current)))
            {
                yield return named.Current;
                hasNamed = named.MoveNext();
            }
            else
            {
                yield return opaque.Current;
                hasOpaque = opaque.MoveNext();
            }
        }
    }

    private void Add(int index)
    {
        if (_lines[index] is not CodeLine line)
            return;
        var names = new HashSet<string>();
        if (!FirstWrites.Mentioned(line, names))
        {
            _opaque.Add(index);
            return;
        }
        _names[index] = names;
        foreach (string name in names)
        {
            if (!_byName.TryGetValue(name, out SortedSet<int>? lines))
                _byName[name] = lines = new SortedSet<int>();
            lines.Add(index);
        }
    }
}
