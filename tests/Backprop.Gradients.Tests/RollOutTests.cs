using static Backprop.Gradients.Tests.FiniteDifferences;
using O = Backprop.Gradients.Tests.RollOutFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Roll-outs of array-valued step functions: the steps' vector-Jacobian products chained, against closed forms and finite differences.</summary>
public class RollOutTests
{
    private const int Steps = 100;

    private static readonly double[][] s_points =
    {
        new[] { 0.3, -0.7, 1.1, 0.5, 0.97, 0.02 },
        new[] { -0.4, 0.9, -0.2, 1.3, 0.95, -0.03 },
    };

    private static double RollOut(double[] p) => O.RollOut(p[..4], p[4], p[5], Steps);

    private static double[] Gradient(double[] p)
    {
        double[] ds0 = new double[4];
        O.RollOutGradient(p[..4], p[4], p[5], Steps, ds0, out double dp, out double dq);
        return ds0.Append(dp).Append(dq).ToArray();
    }

    [Fact]
    public void HundredStepRollOutHasTheClosedFormGradient()
    {
        Check(RollOut, (p, g) =>
        {
            double[] ds0 = new double[4];
            double value = O.RollOutGradient(p[..4], p[4], p[5], Steps, ds0, out g[4], out g[5]);
            ds0.CopyTo(g, 0);
            return value;
        }, s_points, tolerance: 1e-5);
        foreach (double[] p in s_points)
        {
            double a = p[4], q = p[5], power = Math.Pow(a, Steps);
            double geometric = (1 - power) / (1 - a);
            double dGeometric = (-Steps * Math.Pow(a, Steps - 1) * (1 - a) + (1 - power)) / ((1 - a) * (1 - a));
            Assert.Equal(p[..4].Sum(s => power * s + q * geometric), RollOut(p), 10);
            double[] gradient = Gradient(p);
            for (int i = 0; i < 4; i++)
                Assert.Equal(power, gradient[i], 12);
            Assert.Equal(p[..4].Sum(s => Steps * Math.Pow(a, Steps - 1) * s) + 4 * q * dGeometric, gradient[4], 10);
            Assert.Equal(4 * geometric, gradient[5], 10);
        }
    }

    [Fact]
    public void HundredStepRollOutTangentIsTheGradientAlongTheDirection()
    {
        double[] v = { 0.6, -0.35, 0.2, 1.0, -0.5, 0.25 };
        foreach (double[] p in s_points)
        {
            var (value, derivative) = O.RollOutTangent(p[..4], p[4], p[5], Steps, v[..4], v[4], v[5]);
            Assert.Equal(RollOut(p), value);
            Assert.Equal(Gradient(p).Zip(v, (g, d) => g * d).Sum(), derivative, 10);
        }
    }

    [Fact]
    public void ZeroStepsGiveTheStartingState()
    {
        double[] s0 = { 0.3, -0.7 }, ds0 = { double.NaN, double.NaN };
        Assert.Equal(-0.4, O.RollOutGradient(s0, 0.9, 0.1, 0, ds0, out double dp, out double dq), 12);
        Assert.Equal(new[] { 1.0, 1.0 }, ds0);
        Assert.Equal(0, dp);
        Assert.Equal(0, dq);
    }

    [Fact]
    public void SimulationWithStepsInBranchesHasTheFiniteDifferenceJacobian()
    {
        double[] state = { 0.4, -0.3, 0.2, 0.1 };
        const double k = 1.3;
        foreach (int steps in new[] { 0, 1, 7 })
        {
            var jacobian = new double[4, 5];
            double[] value = O.SimulateJacobian(state, k, steps, jacobian);
            Assert.Equal(O.Simulate(state, k, steps), value);
            double[] point = state.Append(k).ToArray();
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 5; j++)
                    Assert.Equal(Central(p => O.Simulate(p[..4], p[4], steps)[i], point, j), jacobian[i, j], 8);
            }
            double[] cotangent = { 1, -0.5, 0.25, 2 }, dstate = new double[4];
            O.SimulateVectorJacobian(state, k, steps, cotangent, dstate, out double dk);
            for (int j = 0; j < 4; j++)
                Assert.Equal(Enumerable.Range(0, 4).Sum(i => cotangent[i] * jacobian[i, j]), dstate[j], 12);
            Assert.Equal(Enumerable.Range(0, 4).Sum(i => cotangent[i] * jacobian[i, 4]), dk, 12);
            double[] direction = { 0.6, -0.35, 0.2, 1.0 }, tangent = new double[4];
            O.SimulateTangent(state, k, steps, direction, -0.5, tangent);
            for (int i = 0; i < 4; i++)
                Assert.Equal(Enumerable.Range(0, 4).Sum(j => jacobian[i, j] * direction[j]) - 0.5 * jacobian[i, 4], tangent[i], 12);
        }
    }

    [Fact]
    public void GenericRollOutWorksForDoubleAndFloat()
    {
        double[] s0 = { 0.3, -0.7, 1.1 }, ds0 = new double[3];
        const double p = 0.9;
        double value = O.DecayedGradient(s0, p, 10, ds0, out double dp);
        Assert.Equal(Math.Pow(p, 10) * s0.Sum(), value, 12);
        Assert.All(ds0, d => Assert.Equal(Math.Pow(p, 10), d, 12));
        Assert.Equal(10 * Math.Pow(p, 9) * s0.Sum(), dp, 12);
        Assert.Equal(Math.Pow(p, 10) * 0.5 + 10 * Math.Pow(p, 9) * s0.Sum(), O.DecayedTangent(s0, p, 10, new[] { 0.5, 0, 0 }, 1.0).Derivative, 12);
        float[] sf = { 0.3f, -0.7f, 1.1f }, dsf = new float[3];
        O.DecayedGradient(sf, 0.9f, 10, dsf, out float dpf);
        Assert.All(dsf, d => Assert.Equal(Math.Pow(0.9, 10), d, 5));
        Assert.Equal(10 * Math.Pow(0.9, 9) * sf.Sum(), dpf, 4);
    }

    [Fact]
    public void FloatRollOutMatchesFiniteDifferences()
    {
        float[] s0 = { 0.3f, -0.7f, 1.1f };
        const float p = 0.8f;
        const int steps = 20;
        float[] ds0 = new float[3];
        float value = O.MixedLossGradient(s0, p, steps, ds0, out float dp);
        Assert.Equal(O.MixedLoss(s0, p, steps), value);
        double F(double[] q) => O.MixedLoss(q[..3].Select(v => (float)v).ToArray(), (float)q[3], steps);
        double[] point = { s0[0], s0[1], s0[2], p };
        double[] gradient = ds0.Select(v => (double)v).Append(dp).ToArray();
        for (int i = 0; i < 4; i++)
        {
            double numerical = Central(F, point, i, 1e-3);
            Assert.True(Math.Abs(gradient[i] - numerical) <= 2e-3 * Math.Max(1, Math.Abs(numerical)), $"∂/∂{i}: {gradient[i]} vs {numerical}");
        }
        float[] v = { 0.5f, -1f, 0.25f };
        var (tangentValue, derivative) = O.MixedLossTangent(s0, p, steps, v, 2f);
        Assert.Equal(value, tangentValue);
        Assert.Equal(gradient.Zip(v.Select(x => (double)x).Append(2), (g, d) => g * d).Sum(), derivative, 3);
    }
}
