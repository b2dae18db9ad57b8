using Backprop.Testing;
namespace Backprop.Gradients.Tests;

public class AllocationTests
{
    [Fact]
    public void GradientCallAllocatesNothing()
    {
        SeedExamples.LogisticLossGradient(0.3, -0.1, 2, 1, out _, out _);
        double sink = 0, w = 0.3;
        Assert.Equal(0, SteadyState.Allocated(() =>
        {
            w += 1e-3;
            sink += SeedExamples.LogisticLossGradient(w, -0.1, 2, 1, out double dw, out double db) + dw + db;
        }, calls: 1000));
        Assert.True(double.IsFinite(sink));
    }

    /// <summary>A span the function keeps on the stack is kept there by every derivative method: none allocates.</summary>
    [Fact]
    public void SpanLocalsOnTheStackAllocateNothing()
    {
        double[] x = { 0.3, -0.7, 1.1, 0.5, 1.2 }, v = { 1, 0, -1, 0.5, 2 }, g = new double[5], h = new double[5];
        Assert.Equal(0, Allocated(() => SpanLocalFunctions.RoughnessGradient(x, 0.7, g, out _)));
        Assert.Equal(0, Allocated(() => SpanLocalFunctions.RoughnessTangent(x, 0.7, v, 1)));
        Assert.Equal(0, Allocated(() => SpanLocalFunctions.RoughnessHessianVector(x, 0.7, v, 1, h, out _)));
    }

    /// <summary>Swapped and rotated buffers: every derivative method allocates what the function does (its two buffers), the Jacobian's sweeps included.</summary>
    [Fact]
    public void SwappedArraysAllocateOnlyWhatTheFunctionDoes()
    {
        double[] x = { 0.3, -0.7, 1.1, 0.5 }, v = { 1, 0, -1, 0.5 }, g = new double[4], h = new double[4], y = new double[4];
        long heat = Allocated(() => ReboundArrayFunctions.Heat(x, 0.2, 5));
        Assert.Equal(heat, Allocated(() => ReboundArrayFunctions.HeatGradient(x, 0.2, 5, g, out _)));
        Assert.Equal(heat, Allocated(() => ReboundArrayFunctions.HeatTangent(x, 0.2, 5, v, 1)));
        Assert.Equal(heat, Allocated(() => ReboundArrayFunctions.HeatHessianVector(x, 0.2, 5, v, 1, h, out _)));
        var jacobian = new double[4, 5];
        long relax = Allocated(() => ReboundArrayFunctions.Relax(x, 0.3));
        Assert.Equal(relax, Allocated(() => ReboundArrayFunctions.RelaxJacobian(x, 0.3, jacobian)));
        Assert.Equal(relax, Allocated(() => ReboundArrayFunctions.RelaxTangent(x, 0.3, v, 1, y)));
        Assert.Equal(relax, Allocated(() => ReboundArrayFunctions.RelaxVectorJacobian(x, 0.3, v, g, out _)));
    }

    /// <summary>
    /// A roll-out allocates what its steps do: the function once per step; its gradient once more, in each step's
    /// vector-Jacobian product (which computes the step's result again); its tangent twice more, the step's tangent array
    /// and the value the step's tangent method computes again. The tape and gradient buffers are pooled.
    /// </summary>
    [Fact]
    public void RollOutsAllocateWhatTheirStepsDo()
    {
        double[] s0 = { 0.3, -0.7, 1.1, 0.5 }, ds0 = new double[4], v = { 1, 0, -1, 0.5 };
        long function = Allocated(() => RollOutFunctions.RollOut(s0, 0.9, 0.1, 50));
        Assert.True(function > 0);
        Assert.Equal(2 * function, Allocated(() => RollOutFunctions.RollOutGradient(s0, 0.9, 0.1, 50, ds0, out _, out _)));
        Assert.Equal(3 * function, Allocated(() => RollOutFunctions.RollOutTangent(s0, 0.9, 0.1, 50, v, 1, 0)));
    }

    /// <summary>Bytes allocated by 100 calls, after one to warm up pools and the JIT.</summary>
    /// <summary>Two-dimensional arrays and arrays of arrays are viewed in place, as are their gradients, directions and products: nothing is allocated (FHessian's scratch arrays are pooled).</summary>
    [Fact]
    public void GridsAndRowsAreViewedWithoutAllocating()
    {
        double[,] u = { { 0.1, 0.4, -0.3 }, { 0.7, -0.2, 0.5 }, { 0.0, 0.3, 0.9 } }, target = new double[3, 3], du = new double[3, 3];
        Assert.Equal(0, Allocated(() => GridFunctions.HeatStepLossGradient(u, 0.2, target, du, out _)));
        Assert.Equal(0, Allocated(() => GridFunctions.HeatStepLossTangent(u, 0.2, target, u, 1)));
        var hu = new double[3, 3];
        var hessian = new double[9, 9];
        Assert.Equal(0, Allocated(() => GridFunctions.HeatStepLossHessianVector(u, 0.2, target, u, 1, hu, out _)));
        Assert.Equal(0, Allocated(() => GridFunctions.EnergyHessian(u, hessian)));
        double[][] x = { new[] { 0.3, -0.1 }, new[] { 0.8, 0.4 } }, dx = { new double[2], new double[2] };
        double[] w = { 0.5, -0.6 }, dw = new double[2];
        int[] labels = { 1, 0 };
        Assert.Equal(0, Allocated(() => JaggedFunctions.LogisticLossGradient(x, labels, w, 0.1, dx, dw, out _)));
        Assert.Equal(0, Allocated(() => JaggedFunctions.LogisticLossTangent(x, labels, w, 0.1, x, w, 1)));
    }

    private static long Allocated(Action call) => SteadyState.Allocated(call, calls: 100);

    /// <summary>
    /// For an array result, every derivative method allocates exactly what the function itself does (its result and
    /// local arrays), however many sweeps the Jacobian runs: forward ones (Polar, Curve, Gates) or reverse ones (the rest).
    /// </summary>
    [Fact]
    public void ArrayResultDerivativesAllocateOnlyWhatTheFunctionDoes()
    {
        double[] x = Enumerable.Range(0, 40).Select(i => 0.1 + 0.02 * i).ToArray(), w = x.Reverse().ToArray();
        double[] dx = new double[40], dw = new double[40], y40 = new double[40], y2 = new double[2];

        var polarJacobian = new double[2, 2];
        long polar = Allocated(() => JacobianFunctions.Polar(1.5, 0.3));
        Assert.True(polar > 0);
        Assert.Equal(polar, Allocated(() => JacobianFunctions.PolarJacobian(1.5, 0.3, polarJacobian)));
        Assert.Equal(polar, Allocated(() => JacobianFunctions.PolarTangent(1.5, 0.3, 1, 0, y2)));
        Assert.Equal(polar, Allocated(() => JacobianFunctions.PolarVectorJacobian(1.5, 0.3, y2, out _, out _)));

        var curveJacobian = new double[5, 2];
        Assert.Equal(Allocated(() => JacobianFunctions.Curve(0.5, 0.7)), Allocated(() => JacobianFunctions.CurveJacobian(0.5, 0.7, curveJacobian)));

        var gatesJacobian = new double[3, 1];
        Assert.Equal(Allocated(() => JacobianFunctions.Gates(0.5, 0.7)), Allocated(() => JacobianFunctions.GatesJacobian(0.5, 0.7, gatesJacobian)));

        var softplusJacobian = new double[40, 41];
        long softplus = Allocated(() => JacobianFunctions.SoftplusEach(x, 2));
        Assert.Equal(softplus, Allocated(() => JacobianFunctions.SoftplusEachJacobian(x, 2, softplusJacobian)));
        Assert.Equal(softplus, Allocated(() => JacobianFunctions.SoftplusEachTangent(x, 2, w, 1, y40)));
        Assert.Equal(softplus, Allocated(() => JacobianFunctions.SoftplusEachVectorJacobian(x, 2, w, dx, out _)));

        // Loops, branches, the tape and calls to another method's gradient and tangent.
        var scanJacobian = new double[40, 41];
        long scan = Allocated(() => JacobianFunctions.Scan(x, 0.9, 3));
        Assert.Equal(scan, Allocated(() => JacobianFunctions.ScanJacobian(x, 0.9, 3, scanJacobian)));
        Assert.Equal(scan, Allocated(() => JacobianFunctions.ScanVectorJacobian(x, 0.9, 3, w, dx, out _)));

        var layerJacobian = new double[40, 80];
        long layer = Allocated(() => JacobianFunctions.Layer(x, w));
        Assert.Equal(layer, Allocated(() => JacobianFunctions.LayerJacobian(x, w, layerJacobian)));
        Assert.Equal(layer, Allocated(() => JacobianFunctions.LayerVectorJacobian(x, w, w, dx, dw)));
    }

    /// <summary>A tuple result is a value: its derivative methods allocate nothing, the Jacobian's sweeps included.</summary>
    [Fact]
    public void TupleResultDerivativesAllocateNothing()
    {
        var jacobian = new double[2, 3];
        var spread = new double[3, 1];
        Assert.Equal(0, Allocated(() => JacobianFunctions.OscillatorVectorJacobian(0.5, 0.2, 1.3, (1, -1), out _, out _, out _)));
        Assert.Equal(0, Allocated(() => JacobianFunctions.OscillatorTangent(0.5, 0.2, 1.3, 1, 0, 0)));
        Assert.Equal(0, Allocated(() => JacobianFunctions.OscillatorJacobian(0.5, 0.2, 1.3, jacobian)));
        Assert.Equal(0, Allocated(() => JacobianFunctions.SpreadJacobian(0.4, spread)));
    }
}
