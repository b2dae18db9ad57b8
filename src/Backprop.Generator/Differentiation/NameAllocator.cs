using System.Collections.Generic;

namespace Backprop.Generator.Differentiation;

/// <summary>Hands out unique local names: the wanted name if free, else <c>name_1</c>, <c>name_2</c>, …</summary>
internal sealed class NameAllocator
{
    private readonly HashSet<string> _taken;

    public NameAllocator(IEnumerable<string> reserved) => _taken = new HashSet<string>(reserved);

    public string Allocate(string wanted)
    {
        string name = wanted;
        for (int suffix = 1; !_taken.Add(name); suffix++)
            name = wanted + "_" + suffix;
        return name;
    }
}
