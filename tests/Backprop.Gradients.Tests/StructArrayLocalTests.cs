using static Backprop.Gradients.Tests.FiniteDifferences;
using static Backprop.Gradients.Tests.TestArrays;
using S = Backprop.Gradients.Tests.StructArrayLocalFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Local arrays of structs written in loops and read back: gradients, tangents and Hessian-vector products against finite differences and closed forms.</summary>
public class StructArrayLocalTests
{
    /// <summary>The start's X, Y, Z, then k (four steps), then dt.</summary>
    private static double Trajectory(double[] p) => S.Trajectory(new Vec3(p[0], p[1], p[2]), p[3..7], p[7]);

    private static double TrajectoryGradient(double[] p, double[] g)
    {
        var dk = new double[4];
        double value = S.TrajectoryGradient(new Vec3(p[0], p[1], p[2]), p[3..7], p[7], out Vec3 dstart, dk, out double ddt);
        new[] { dstart.X, dstart.Y, dstart.Z }.Concat(dk).Append(ddt).ToArray().CopyTo(g, 0);
        return value;
    }

    [Fact]
    public void TrajectoryWrittenIntoALocalVec3ArrayMatchesFiniteDifferences() =>
        Check(Trajectory, TrajectoryGradient, Points(3, 8, 201));

    [Fact]
    public void TrajectoryWithNoStepsIsTheClosedForm()
    {
        // p = { start }: energy = |start|² + start.Z, gradient 2·start + (0, 0, 1).
        var start = new Vec3(0.5, -1.25, 2.0);
        double value = S.TrajectoryGradient(start, [], 0.1, out Vec3 dstart, [], out double ddt);
        Assert.Equal(start.LengthSquared + start.Z, value);
        Assert.Equal(new Vec3(1.0, -2.5, 5.0), dstart);
        Assert.Equal(0, ddt);
    }

    [Fact]
    public void TrajectoryTangentAndHessianVectorProductMatchTheGradient()
    {
        double[] v = { 0.3, -0.6, 0.9, 1.0, -0.4, 0.2, 0.7, -1.1 };
        foreach (double[] p in Points(2, 8, 202))
        {
            var g = new double[p.Length];
            TrajectoryGradient(p, g);
            var (value, derivative) = S.TrajectoryTangent(new Vec3(p[0], p[1], p[2]), p[3..7], p[7], new Vec3(v[0], v[1], v[2]), v[3..7], v[7]);
            Assert.Equal(Trajectory(p), value);
            Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), derivative, 10);

            double[] expected = GradientAlong(q =>
            {
                var gq = new double[q.Length];
                TrajectoryGradient(q, gq);
                return gq;
            }, p, v);
            var hk = new double[4];
            S.TrajectoryHessianVector(new Vec3(p[0], p[1], p[2]), p[3..7], p[7], new Vec3(v[0], v[1], v[2]), v[3..7], v[7], out Vec3 hstart, hk, out double hdt);
            double[] product = new[] { hstart.X, hstart.Y, hstart.Z }.Concat(hk).Append(hdt).ToArray();
            for (int i = 0; i < product.Length; i++)
                Assert.Equal(expected[i], product[i], 5);
        }
    }

    private const int Count = 5;

    /// <summary>x, then y, then s.</summary>
    private static double Polyline(double[] p) => S.Polyline(p[..Count], p[Count..(2 * Count)], p[^1]);

    private static double PolylineGradient(double[] p, double[] g)
    {
        double[] dx = new double[Count], dy = new double[Count];
        double value = S.PolylineGradient(p[..Count], p[Count..(2 * Count)], p[^1], dx, dy, out double ds);
        dx.Concat(dy).Append(ds).ToArray().CopyTo(g, 0);
        return value;
    }

    [Fact]
    public void PolylineThroughMembersOfElementsMatchesFiniteDifferences()
    {
        double[][] points = Points(4, 2 * Count + 1, 203);
        Check(Polyline, PolylineGradient, points);
        double[] v = Points(1, 2 * Count + 1, 204)[0];
        foreach (double[] p in points)
        {
            var g = new double[p.Length];
            PolylineGradient(p, g);
            var (value, derivative) = S.PolylineTangent(p[..Count], p[Count..(2 * Count)], p[^1], v[..Count], v[Count..(2 * Count)], v[^1]);
            Assert.Equal(Polyline(p), value);
            Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), derivative, 10);
        }
    }

    [Fact]
    public void CloudOfFloatPointsIsTheClosedForm()
    {
        // Per pair (a, b): (a + b)·b, so ∂/∂a = b and ∂/∂b = a + 2b.
        float[] xy = { 0.5f, -1.5f, 2f, 0.25f, -0.75f, 1f };
        var dxy = new float[xy.Length];
        float value = S.CloudGradient(xy, dxy);
        Assert.Equal(S.Cloud(xy), value);
        for (int i = 0; i < xy.Length; i += 2)
        {
            Assert.Equal(xy[i + 1], dxy[i], 5);
            Assert.Equal(xy[i] + 2 * xy[i + 1], dxy[i + 1], 5);
        }
        float[] v = { 1f, 0f, 0f, 2f, -1f, 0.5f };
        var (tangentValue, derivative) = S.CloudTangent(xy, v);
        Assert.Equal(value, tangentValue);
        Assert.Equal(dxy.Zip(v, (a, b) => (double)a * b).Sum(), derivative, 4);
    }
}
