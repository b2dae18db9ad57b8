using Backprop.Data;
using Backprop.Training;
using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests;

/// <summary>
/// <see cref="Matrix{T}.Reuse"/> gives generated workspaces one buffer per slot for every batch size; a matrix
/// reshaped to fewer elements than its storage must behave exactly like a fresh matrix of that shape.
/// </summary>
public class MatrixReuseTests
{
    [Fact]
    public void Reuse_EmptySlot_AllocatesAndStoresTheMatrix()
    {
        Matrix<float>? slot = null;
        var m = Matrix<float>.Reuse(ref slot, 3, 4);
        Assert.Same(slot, m);
        Assert.Equal((3, 4, 12, 12), (m.Rows, m.Columns, m.Length, m.Capacity));
    }

    [Fact]
    public void Reuse_SmallerThenLargerWithinCapacity_ReshapesTheSameMatrixWithoutAllocating()
    {
        Matrix<float>? slot = new Matrix<float>(100, 10);
        var full = slot;
        Matrix<float>.Reuse(ref slot, 37, 10); // warm up the JIT
        Matrix<float>.Reuse(ref slot, 100, 10);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var last = Matrix<float>.Reuse(ref slot, 37, 10);
        (int Rows, int Columns, int Length, int Capacity) lastShape = (last.Rows, last.Columns, last.Length, last.Capacity);
        var next = Matrix<float>.Reuse(ref slot, 100, 10);
        (int Rows, int Columns, int Length, int Capacity) nextShape = (next.Rows, next.Columns, next.Length, next.Capacity);
        var other = Matrix<float>.Reuse(ref slot, 20, 50);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Same(full, last);
        Assert.Same(full, next);
        Assert.Same(full, other);
        Assert.Same(full, slot);
        Assert.Equal((37, 10, 370, 1000), lastShape);
        Assert.Equal((100, 10, 1000, 1000), nextShape);
        Assert.Equal((20, 50), (other.Rows, other.Columns));
    }

    [Fact]
    public void Reuse_BeyondCapacity_AllocatesANewMatrixIntoTheSlot_AndLeavesTheOldOneAlone()
    {
        var old = new Matrix<double>(2, 3);
        Matrix<double>? slot = old;
        var grown = Matrix<double>.Reuse(ref slot, 4, 3);
        Assert.NotSame(old, grown);
        Assert.Same(grown, slot);
        Assert.Equal((4, 3, 12), (grown.Rows, grown.Columns, grown.Capacity));
        Assert.Equal((2, 3), (old.Rows, old.Columns));
    }

    [Fact]
    public void Reuse_NegativeDimension_Throws()
    {
        Matrix<float>? slot = null;
        Assert.Throws<ArgumentOutOfRangeException>(() => Matrix<float>.Reuse(ref slot, -1, 3));
        Assert.Null(slot);
    }

    [Fact]
    public void ReshapedMatrix_EveryMemberSeesOnlyRowsTimesColumns()
    {
        var (m, fresh) = Shrunk(5, 3);
        Assert.Equal(15, m.Span.Length);
        Assert.Equal(15, m.Length);
        Assert.Equal(fresh.Span.ToArray(), m.Span.ToArray());
        Assert.Equal(fresh.Row(4).ToArray(), m.Row(4).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Row(5));
        Assert.Throws<IndexOutOfRangeException>(() => m[5, 0]);
        Assert.Equal(fresh[4, 2], m[4, 2]);
        Assert.Equal("5×3", m.Shape);

        var clone = m.Clone();
        Assert.Equal((5, 3, 15), (clone.Rows, clone.Columns, clone.Capacity));
        Assert.Equal(fresh.Span.ToArray(), clone.Span.ToArray());

        var copy = new Matrix<double>(5, 3);
        m.CopyTo(copy);
        Assert.Equal(fresh.Span.ToArray(), copy.Span.ToArray());
        fresh.CopyTo(m);
        Assert.Equal(fresh.Span.ToArray(), m.Span.ToArray());
        Assert.Throws<ArgumentException>(() => m.CopyTo(new Matrix<double>(7, 3)));
    }

    [Fact]
    public void ReshapedMatrix_OperationsMatchAFreshMatrix()
    {
        var (m, fresh) = Shrunk(5, 3);
        var w = TestData.Normal<double>(3, 4, seed: 3);
        Assert.Equal(MatMul(fresh, w).Span.ToArray(), MatMul(m, w).Span.ToArray());
        Assert.Equal(MatMul(fresh, fresh, transposeA: true).Span.ToArray(), MatMul(m, m, transposeA: true).Span.ToArray());
        Assert.Equal(Transpose(fresh).Span.ToArray(), Transpose(m).Span.ToArray());
        Assert.Equal(Sum(fresh), Sum(m));
        Assert.Equal(Mean(fresh), Mean(m));
        Assert.Equal(ColumnSums(fresh).Span.ToArray(), ColumnSums(m).Span.ToArray());
        Assert.Equal(Softmax(fresh).Span.ToArray(), Softmax(m).Span.ToArray());
        Assert.Equal(SoftmaxCrossEntropy(fresh, [0, 1, 2, 0, 1]), SoftmaxCrossEntropy(m, [0, 1, 2, 0, 1]));
        Assert.Equal(MeanSquaredError(fresh, fresh + fresh), MeanSquaredError(m, m + m));

        Matrix<double>? intoSlot = new Matrix<double>(8, 5);
        var into = Matrix<double>.Reuse(ref intoSlot, 5, 3);
        Add(m, fresh, into);
        Assert.Equal(Add(fresh, fresh).Span.ToArray(), into.Span.ToArray());
    }

    [Fact]
    public void ReshapedMatrices_SaveLoadOptimizeAndGradientCheckLikeFreshOnes()
    {
        Matrix<float>? slot = Matrix<float>.RandomNormal(6, 4, 1, seed: 1);
        var weights = Matrix<float>.Reuse(ref slot, 2, 3);
        weights.Span.Fill(0.5f);
        string path = Path.Combine(Path.GetTempPath(), $"reuse-{Guid.NewGuid():N}.bpmf");
        try
        {
            ModelFile.Save(path, [("w", weights)]);
            var (_, loaded) = Assert.Single(ModelFile.Load(path));
            Assert.Equal((2, 3), (loaded.Rows, loaded.Columns));
            Assert.All(loaded.Span.ToArray(), v => Assert.Equal(0.5f, v));
            ModelFile.LoadInto(path, [("w", weights)]);
        }
        finally
        {
            File.Delete(path);
        }

        Matrix<float>? gradientSlot = Matrix<float>.RandomNormal(5, 5, 1, seed: 2);
        var gradient = Matrix<float>.Reuse(ref gradientSlot, 2, 3);
        gradient.Span.Fill(1);
        var sgd = new Sgd<float>([(weights, gradient)], 0.25);
        sgd.Step();
        Assert.All(weights.Span.ToArray(), v => Assert.Equal(0.25f, v));
        Assert.Equal(1.5f, Sum(weights));

        var (x, _) = Shrunk(5, 3);
        Matrix<double>? dXSlot = new Matrix<double>(6, 5);
        var dX = Matrix<double>.Reuse(ref dXSlot, 5, 3);
        dX.Span.Fill(1);
        var check = GradientCheck.Run(() => Sum(x), [("x", x, dX)]);
        Assert.True(check.MaxRelativeError < 1e-8, check.ToString());
    }

    /// <summary>A 5×3 view made by shrinking a larger random matrix, and a fresh matrix with the same elements.</summary>
    private static (Matrix<double> Reshaped, Matrix<double> Fresh) Shrunk(int rows, int columns)
    {
        Matrix<double>? slot = TestData.Normal<double>(rows + 4, columns + 2, seed: 1);
        var reshaped = Matrix<double>.Reuse(ref slot, rows, columns);
        Assert.True(reshaped.Capacity > reshaped.Length);
        return (reshaped, Matrix<double>.FromArray(rows, columns, reshaped.Span));
    }
}
