using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Matrix;

/// <summary>
/// The narrow kernel against the packed one, side by side, on the products of a classifier's output layer in the MNIST
/// network (batch 100, 100 hidden units, 10 classes): the forward H·W2 and the weights' gradient Hᵀ·dY, in float on one
/// thread. Each kernel is called directly, so neither the sparse route's count nor the dispatch enters.
/// </summary>
[MemoryDiagnoser]
public unsafe class NarrowMatMulBenchmarks
{
    private Matrix<float> _a = null!, _b = null!, _c = null!;

    [Params("H·W2", "Hᵀ·dY")]
    public string Shape { get; set; } = null!;

    private bool TransposeA => Shape == "Hᵀ·dY";

    [GlobalSetup]
    public void Setup()
    {
        _a = Matrix<float>.RandomNormal(100, 100, 1, seed: 1);
        _b = Matrix<float>.RandomNormal(100, 10, 1, seed: 2);
        _c = new Matrix<float>(100, 10);
    }

    [Benchmark(Baseline = true)]
    public void Packed()
    {
        fixed (float* a = _a.Span, b = _b.Span, c = _c.Span)
            Gemm<float>.Multiply(a, TransposeA, b, false, c, 100, 10, 100, accumulate: false, parts: 1);
    }

    [Benchmark]
    public bool Narrow()
    {
        fixed (float* a = _a.Span, b = _b.Span, c = _c.Span)
            return NarrowGemm<float>.TryMultiply(a, TransposeA, b, false, c, 100, 10, 100, accumulate: false);
    }
}
