namespace Backprop.Runtime.Tests;

/// <summary>The per-iteration slots of generated workspaces, and the checks and zeroing of arrays of gradient buffers.</summary>
public class WorkspaceSlotsTests
{
    [Fact]
    public void ASlotPastTheEndGrowsTheArrayKeepingEarlierSlotsAndLaterCallsReuseIt()
    {
        int[] slots = Array.Empty<int>();
        for (int i = 0; i < 9; i++)
            WorkspaceSlots.At(ref slots, i) = i * 10;
        int[] grown = slots;

        Assert.True(slots.Length >= 9);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => i * 10), slots.Take(9));
        WorkspaceSlots.At(ref slots, 3) = 7;
        Assert.Same(grown, slots);
        Assert.Equal(7, slots[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkspaceSlots.At(ref slots, -1));
    }

    [Fact]
    public void ArraysOfGradientBuffersAreCheckedPerIndexAndZeroedWhole()
    {
        Matrix<float>[] values = { new(2, 3), new(3, 1) };
        Matrix<float>[] gradients = { new(2, 3), new(3, 1) };
        GradientBuffers.Require(values, gradients, "FGradient", "dW");

        var shape = Assert.Throws<ArgumentException>(() => GradientBuffers.Require(values, new Matrix<float>[] { new(2, 3), new(1, 3) }, "FGradient", "dW"));
        Assert.Equal("FGradient: the gradient buffer 'dW[1]' is 1×3 but parameter 'W[1]' is 3×1; pass a buffer of the parameter's shape. (Parameter 'dW')", shape.Message);
        Assert.Throws<ArgumentException>(() => GradientBuffers.Require(values, new Matrix<float>[] { new(2, 3) }, "FGradient", "dW"));
        Assert.Throws<ArgumentNullException>(() => GradientBuffers.Require(values, new Matrix<float>[] { new(2, 3), null! }, "FGradient", "dW"));

        gradients[0].Span.Fill(1);
        gradients[1].Span.Fill(2);
        GradientBuffers.Clear(gradients);
        Assert.All(gradients.SelectMany(g => g.Span.ToArray()), g => Assert.Equal(0, g));
        GradientBuffers.Clear<float>(null);
    }
}
