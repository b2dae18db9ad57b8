using System.ComponentModel;

namespace Backprop;

/// <summary>
/// Per-iteration storage for generated workspaces: a value computed inside a loop is kept in its iteration's slot
/// of an array, so the backward sweep can read every iteration's value. The array grows (doubling) the first time
/// a loop runs longer than before and is reused from then on, so steady-state calls allocate nothing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WorkspaceSlots
{
    /// <summary>Slot <paramref name="index"/> of <paramref name="slots"/>, growing the array first when it is too short.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public static ref T At<T>(ref T[] slots, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (index >= slots.Length)
            Array.Resize(ref slots, Math.Max(index + 1, Math.Max(4, slots.Length * 2)));
        return ref slots[index];
    }
}
