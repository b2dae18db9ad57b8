using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;

namespace Backprop;

/// <summary>
/// The two row-broadcast kernels of a bias: adding a 1×n row to every row of an m×n matrix, and its adjoint, the
/// column sums. Both walk the matrix in memory order with whole vectors of columns and keep no per-row calls, so a
/// short row (a 10-class output, a 100-unit hidden layer) costs a few vector instructions rather than a library
/// call with its own vector tail.
/// </summary>
internal static class RowBroadcast
{
    /// <summary><c>destination[i·n + j] = a[i·n + j] + row[j]</c> for m = <c>a.Length / row.Length</c> rows; <paramref name="destination"/> may be <paramref name="a"/>.</summary>
    public static void AddRow<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> row, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int columns = row.Length;
        var (rows, vectorColumns) = Layout<T>(a.Length, columns);
        ref T source = ref MemoryMarshal.GetReference(a);
        ref T bias = ref MemoryMarshal.GetReference(row);
        ref T target = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < rows; i++)
        {
            nuint start = (nuint)(i * columns);
            int j = 0;
            for (; j < vectorColumns; j += Vector<T>.Count)
                (Vector.LoadUnsafe(ref source, start + (nuint)j) + Vector.LoadUnsafe(ref bias, (nuint)j)).StoreUnsafe(ref target, start + (nuint)j);
            for (; j < columns; j++)
                Unsafe.Add(ref target, start + (nuint)j) = Unsafe.Add(ref source, start + (nuint)j) + Unsafe.Add(ref bias, j);
        }
    }

    /// <summary>
    /// <c>sums[j] = Σᵢ a[i·n + j]</c> with n = <c>sums.Length</c>. Rows are added into the sums in memory order, each
    /// with its own vector loop: summing a vector of columns down all rows in one register would be a chain of
    /// dependent additions and would read a tall matrix across its rows (measured 5.7× slower at 4096×4096).
    /// </summary>
    public static void ColumnSums<T>(ReadOnlySpan<T> a, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int columns = sums.Length;
        var (rows, vectorColumns) = Layout<T>(a.Length, columns);
        ref T source = ref MemoryMarshal.GetReference(a);
        ref T target = ref MemoryMarshal.GetReference(sums);
        sums.Clear();
        for (int i = 0; i < rows; i++)
        {
            nuint start = (nuint)(i * columns);
            int j = 0;
            for (; j < vectorColumns; j += Vector<T>.Count)
                (Vector.LoadUnsafe(ref target, (nuint)j) + Vector.LoadUnsafe(ref source, start + (nuint)j)).StoreUnsafe(ref target, (nuint)j);
            for (; j < columns; j++)
                Unsafe.Add(ref target, j) += Unsafe.Add(ref source, start + (nuint)j);
        }
    }

    /// <summary>The rows of a matrix of <paramref name="length"/> elements and <paramref name="columns"/> columns (none when it has no columns), and how many leading columns whole vectors cover (0 without vector hardware).</summary>
    private static (int Rows, int VectorColumns) Layout<T>(int length, int columns)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (columns == 0 ? 0 : length / columns,
         Vector.IsHardwareAccelerated && Vector<T>.IsSupported ? columns - columns % Vector<T>.Count : 0);
}
