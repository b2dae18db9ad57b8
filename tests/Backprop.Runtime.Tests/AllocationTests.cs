using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests;

/// <summary>The destination-writing forms are for hot loops: after a warm-up call they allocate nothing.</summary>
/// <remarks>Shares a collection with the tests that change <see cref="MaxDegreeOfParallelism"/>, which may start helper threads.</remarks>
[Collection(ThreadCountCollection.Name)]
public class AllocationTests
{
    [Fact]
    public void DestinationForms_AllocateNothing()
    {
        var x = TestData.Normal<float>(100, 784, seed: 1);
        var w = TestData.Normal<float>(784, 100, seed: 2);
        var bias = TestData.Normal<float>(1, 100, seed: 3);
        var h = new Matrix<float>(100, 100);
        var dH = TestData.Normal<float>(100, 100, seed: 4);
        var dX = new Matrix<float>(100, 784);
        var dW = new Matrix<float>(784, 100);
        var dBias = new Matrix<float>(1, 100);
        var dHCopy = new Matrix<float>(100, 100);
        int[] labels = [.. Enumerable.Range(0, 100).Select(i => i % 100)];

        void TrainingStep()
        {
            MatMul(x, w, h);
            AddRowVector(h, bias, h);
            Relu(h, h);
            float loss = SoftmaxCrossEntropy(h, labels);
            SoftmaxCrossEntropyPullback(h, labels, loss, 1f, dH);
            ReluPullback(h, h, dH, dH);
            AddRowVectorPullback(h, bias, h, dH, null, dBias);
            MatMulPullback(x, w, false, false, h, dH, dX, dW);
            MatMul(x, w, h, accumulate: true);
            Sigmoid(h, h);
            SigmoidPullback(h, h, dH, dH);
            Softmax(h, h);
            SoftmaxPullback(h, h, dH, dH);
            Add(h, dH, h);
            Plus(h, bias, h);
            Negate(h, h);
            Scale(0.5f, h, h);
            PlusPullback(h, bias, h, dH, dHCopy, dBias);
            ScalePullback(h, 0.5f, h, dH, dHCopy, out _);
        }

        TrainingStep();
        long before = GC.GetAllocatedBytesForCurrentThread();
        TrainingStep();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

/// <summary>Tests that change or depend on the process-wide thread count run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ThreadCountCollection
{
    public const string Name = "Thread count";
}
