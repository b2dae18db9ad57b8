namespace Backprop.Gradients.Tests;

public class AllocationTests
{
    [Fact]
    public void GradientCallAllocatesNothing()
    {
        SeedExamples.LogisticLossGradient(0.3, -0.1, 2, 1, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        double sink = 0;
        for (int i = 0; i < 1000; i++)
            sink += SeedExamples.LogisticLossGradient(0.3 + i * 1e-3, -0.1, 2, 1, out double dw, out double db) + dw + db;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsFinite(sink));
    }
}
