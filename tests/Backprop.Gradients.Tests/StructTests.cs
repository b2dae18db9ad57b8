using static Backprop.Gradients.Tests.FiniteDifferences;
using S = Backprop.Gradients.Tests.StructFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>Differentiable structs in every mode: against closed forms, finite differences and each other.</summary>
public class StructTests
{
    private static Vec3 V(double[] p, int at) => new(p[at], p[at + 1], p[at + 2]);

    private static double[] Flat(params Vec3[] vectors) => vectors.SelectMany(v => new[] { v.X, v.Y, v.Z }).ToArray();

    private static void Close(Vec3 expected, Vec3 actual)
    {
        Assert.Equal(expected.X, actual.X, 12);
        Assert.Equal(expected.Y, actual.Y, 12);
        Assert.Equal(expected.Z, actual.Z, 12);
    }

    private static readonly double[][] s_springPoints =
    {
        new[] { 0.3, -0.7, 1.1, 1.5, 0.2, -0.4, 2.5 },
        new[] { -1.2, 0.4, 0.9, 0.1, -0.8, 0.6, 0.7 },
    };

    private const double Rest = 0.8;

    private static double Spring(double[] p) => S.Spring(V(p, 0), V(p, 3), p[6], Rest);

    private static double[] SpringGradient(double[] p)
    {
        S.SpringGradient(V(p, 0), V(p, 3), p[6], Rest, out Vec3 da, out Vec3 db, out double dk);
        return Flat(da, db).Append(dk).ToArray();
    }

    [Fact]
    public void SpringGradientIsTheClosedForm()
    {
        Check(Spring, (p, g) =>
        {
            double value = S.SpringGradient(V(p, 0), V(p, 3), p[6], Rest, out Vec3 da, out Vec3 db, out double dk);
            SpringGradient(p).CopyTo(g, 0);
            return value;
        }, s_springPoints);
        foreach (double[] p in s_springPoints)
        {
            Vec3 d = V(p, 0) - V(p, 3);
            double length = d.Length(), stretch = length - Rest, k = p[6];
            double[] gradient = SpringGradient(p);
            double[] expected = Flat(k * stretch / length * d, -(k * stretch / length) * d).Append(0.5 * stretch * stretch).ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], gradient[i], 12);
        }
    }

    [Fact]
    public void SpringTangentHessianVectorProductAndHessianAgree()
    {
        double[] v = { 0.6, -0.35, 0.2, 1.0, -0.5, 0.25, 0.4 };
        foreach (double[] p in s_springPoints)
        {
            var (value, derivative) = S.SpringTangent(V(p, 0), V(p, 3), p[6], Rest, V(v, 0), V(v, 3), v[6]);
            Assert.Equal(Spring(p), value);
            Assert.Equal(SpringGradient(p).Zip(v, (g, d) => g * d).Sum(), derivative, 12);

            double[] expected = GradientAlong(SpringGradient, p, v);
            S.SpringHessianVector(V(p, 0), V(p, 3), p[6], Rest, V(v, 0), V(v, 3), v[6], out Vec3 ha, out Vec3 hb, out double hk);
            double[] product = Flat(ha, hb).Append(hk).ToArray();
            var hessian = new double[7, 7];
            Assert.Equal(Spring(p), S.SpringHessian(V(p, 0), V(p, 3), p[6], Rest, hessian));
            for (int i = 0; i < 7; i++)
            {
                Assert.Equal(expected[i], product[i], 6);
                Assert.Equal(product[i], Enumerable.Range(0, 7).Sum(j => hessian[i, j] * v[j]), 10);
            }
        }
    }

    [Fact]
    public void PassiveAndNoDerivativeMembersGetNoGradient()
    {
        var p = new Particle { Position = new Vec3(0.4, -1.3, 2.2), Mass = 1.7, Id = 4, Charge = 0.9 };
        var v = new Vec3(0.5, -0.25, 1.5);
        double value = S.EnergyGradient(p, v, 9.81, out Particle dp, out Vec3 dv, out double dg);
        Assert.Equal(S.Energy(p, v, 9.81), value);
        Assert.Equal(0.5 * Vec3.Dot(v, v) + 9.81 * p.Position.Z, dp.Mass, 12);
        Close(new Vec3(p.Charge, 0, p.Mass * 9.81), dp.Position);
        Assert.Equal(0, dp.Id);
        Assert.Equal(0, dp.Charge);
        Close(p.Mass * v, dv);
        Assert.Equal(p.Mass * p.Position.Z, dg, 12);

        var direction = new Particle { Position = new Vec3(1, 2, 3), Mass = 0.5, Id = 99, Charge = 7 };
        var (tangentValue, derivative) = S.EnergyTangent(p, v, 9.81, direction, new Vec3(0.1, 0.2, 0.3), -1);
        Assert.Equal(value, tangentValue);
        Assert.Equal(dp.Position.X * 1 + dp.Position.Y * 2 + dp.Position.Z * 3 + dp.Mass * 0.5 + Vec3.Dot(dv, new Vec3(0.1, 0.2, 0.3)) - dg, derivative, 12);
    }

    [Fact]
    public void AStructResultHasItsVectorJacobianProductTangentAndJacobian()
    {
        var a = new Vec3(0.3, -0.7, 1.1);
        var b = new Vec3(1.5, 0.2, -0.4);
        var u = new Vec3(0.6, -0.35, 0.2);
        Vec3 value = S.CrossVectorJacobian(a, b, u, out Vec3 da, out Vec3 db);
        Assert.Equal(a.Cross(b), value);
        Close(b.Cross(u), da);
        Close(u.Cross(a), db);

        var (tangentValue, derivative) = S.CrossTangent(a, b, u, -u);
        Assert.Equal(value, tangentValue);
        Close(u.Cross(b) + a.Cross(-u), derivative);

        var jacobian = new double[3, 6];
        Assert.Equal(value, S.CrossJacobian(a, b, jacobian));
        double[] point = Flat(a, b);
        for (int j = 0; j < 6; j++)
        {
            for (int i = 0; i < 3; i++)
                Assert.Equal(Central(p => Flat(S.Cross(V(p, 0), V(p, 3)))[i], point, j), jacobian[i, j], 8);
        }
    }

    [Fact]
    public void ReadonlyStructsWithAConstructorMatchFiniteDifferencesInEveryMode()
    {
        static double F(double[] p) => S.Power(new Complexish(p[0], p[1]), new Complexish(p[2], p[3]));
        static double[] Gradient(double[] p)
        {
            S.PowerGradient(new Complexish(p[0], p[1]), new Complexish(p[2], p[3]), out Complexish dz, out Complexish dw);
            return new[] { dz.Re, dz.Im, dw.Re, dw.Im };
        }
        double[][] points = { new[] { 0.3, -0.7, 1.1, 0.5 }, new[] { -1.2, 0.4, 0.9, -0.3 } };
        Check(F, (p, g) => { Gradient(p).CopyTo(g, 0); return S.PowerGradient(new Complexish(p[0], p[1]), new Complexish(p[2], p[3]), out _, out _); }, points);
        double[] v = { 0.25, -0.5, 1.0, 0.75 };
        foreach (double[] p in points)
        {
            // |z²w|² = |z|⁴|w|²: ∂/∂w = 2|z|⁴·w.
            double z2 = p[0] * p[0] + p[1] * p[1];
            Assert.Equal(2 * z2 * z2 * p[2], Gradient(p)[2], 10);
            var (_, derivative) = S.PowerTangent(new Complexish(p[0], p[1]), new Complexish(p[2], p[3]), new Complexish(v[0], v[1]), new Complexish(v[2], v[3]));
            Assert.Equal(Gradient(p).Zip(v, (g, d) => g * d).Sum(), derivative, 10);
            S.PowerHessianVector(new Complexish(p[0], p[1]), new Complexish(p[2], p[3]), new Complexish(v[0], v[1]), new Complexish(v[2], v[3]), out Complexish hz, out Complexish hw);
            double[] expected = GradientAlong(Gradient, p, v);
            double[] product = { hz.Re, hz.Im, hw.Re, hw.Im };
            for (int i = 0; i < 4; i++)
                Assert.Equal(expected[i], product[i], 6);
        }
    }

    [Fact]
    public void AStructLocalChangedInALoopWithBranchesMatchesFiniteDifferences()
    {
        static Particle P(double[] p) => new() { Position = V(p, 0), Mass = p[3], Id = 1, Charge = 0.5 };
        static double F(double[] p) => S.Fall(P(p), V(p, 4), p[7], 12);
        double[][] points = { new[] { 0.3, -0.7, 0.35, 1.1, 0.5, 0.2, -0.4, 0.1 }, new[] { -1.2, 0.4, 0.9, 0.8, -0.3, 0.6, 0.1, 0.05 } };
        Check(F, (p, g) =>
        {
            double value = S.FallGradient(P(p), V(p, 4), p[7], 12, out Particle dp, out Vec3 dv, out double ddrag);
            new[] { dp.Position.X, dp.Position.Y, dp.Position.Z, dp.Mass, dv.X, dv.Y, dv.Z, ddrag }.CopyTo(g, 0);
            return value;
        }, points);
        double[] direction = { 0.2, -0.1, 0.3, 0.5, 1.0, -0.5, 0.25, 0.4 };
        foreach (double[] p in points)
        {
            var (value, derivative) = S.FallTangent(P(p), V(p, 4), p[7], 12, P(direction), V(direction, 4), direction[7]);
            Assert.Equal(F(p), value);
            double numerical = (F(p.Zip(direction, (x, d) => x + 1e-6 * d).ToArray()) - F(p.Zip(direction, (x, d) => x - 1e-6 * d).ToArray())) / 2e-6;
            Assert.Equal(numerical, derivative, 6);
        }
    }

    [Fact]
    public void StructsPassedReturnedAndChangedInOneExpressionKeepCSharpsCopies()
    {
        double[][] points = { new[] { 0.3, -0.7 }, new[] { 1.2, 0.4 } };
        Check(p => S.Mutations(p[0], p[1]), (p, g) =>
        {
            double value = S.MutationsGradient(p[0], p[1], out g[0], out g[1]);
            return value;
        }, points);
        foreach (double[] p in points)
        {
            // c = 3x after the first line, sum = 4x; d = 3x + 4x, doubled: 14x; c.Scaled(y) makes c 3xy, read twice.
            double x = p[0], y = p[1];
            Assert.Equal(4 * x * y + 3 * x + 196 * x * x + 2 * y + 9 * x * x * y * y, S.Mutations(x, y), 12);
            var (value, derivative) = S.MutationsTangent(x, y, 1, 0);
            Assert.Equal(S.Mutations(x, y), value);
            Assert.Equal(4 * y + 3 + 392 * x + 18 * x * y * y, derivative, 10);
        }
    }

    [Fact]
    public void MarkedOperatorsGetDerivativesUnderTheirMetadataNames()
    {
        var x = new Dual(0.7, -1.3);
        var y = new Dual(1.1, 0.4);
        var u = new Dual(0.25, -0.5);
        // x·y = (xa·ya, xa·yb + xb·ya): uᵀJ with respect to x is (ua·ya + ub·yb, ub·ya), and to y (ua·xa + ub·xb, ub·xa).
        Dual value = Dual.op_MultiplyVectorJacobian(x, y, u, out Dual dx, out Dual dy);
        Assert.Equal(x * y, value);
        Assert.Equal(u.A * y.A + u.B * y.B, dx.A, 12);
        Assert.Equal(u.B * y.A, dx.B, 12);
        Assert.Equal(u.A * x.A + u.B * x.B, dy.A, 12);
        Assert.Equal(u.B * x.A, dy.B, 12);
        var (tangentValue, derivative) = Dual.op_MultiplyTangent(x, y, u, default);
        Assert.Equal(value, tangentValue);
        Assert.Equal(new Dual(u.A * y.A, u.A * y.B + u.B * y.A), derivative);
        var jacobian = new double[2, 4];
        Assert.Equal(value, Dual.op_MultiplyJacobian(x, y, jacobian));
        Assert.Equal(new double[,] { { y.A, 0, x.A, 0 }, { y.B, y.A, x.B, x.A } }, jacobian);

        Assert.Equal(x % y, Dual.op_ModulusGradient(x, y, out Dual gx, out Dual gy));
        Assert.Equal(new Dual(y.B, -y.A), gx);
        Assert.Equal(new Dual(-x.B, x.A), gy);
        var hessian = new double[4, 4];
        Dual.op_ModulusHessian(x, y, hessian);
        Assert.Equal(new double[,] { { 0, 0, 0, 1 }, { 0, 0, -1, 0 }, { 0, -1, 0, 0 }, { 1, 0, 0, 0 } }, hessian);

        static double Area(double[] p) => S.DualArea(new Dual(p[0], p[1]), new Dual(p[2], p[3]));
        Check(Area, (p, g) =>
        {
            double area = S.DualAreaGradient(new Dual(p[0], p[1]), new Dual(p[2], p[3]), out Dual ga, out Dual gb);
            new[] { ga.A, ga.B, gb.A, gb.B }.CopyTo(g, 0);
            return area;
        }, new[] { new[] { 0.7, -1.3, 1.1, 0.4 }, new[] { -0.2, 0.9, 0.3, -1.5 } });
    }

    [Fact]
    public void SpringMassEnergyOverVec3IsTheClosedFormInEveryMode()
    {
        int[] from = { 0, 1, 2, 0 }, to = { 1, 2, 3, 3 };
        double[] rest = { 1.0, 0.8, 1.2, 1.5 };
        const double k = 2.5, weight = 0.3;
        double[][] points =
        {
            new[] { 0.0, 0.1, 0.2, 1.1, -0.3, 0.4, 1.9, 0.5, -0.2, 0.7, 1.3, 0.6 },
            new[] { -0.5, 0.2, 1.0, 0.8, 0.7, -0.4, 1.5, -0.6, 0.3, 0.1, 1.8, -0.9 },
        };
        double Energy(double[] x) => S.SpringMass(x, from, to, rest, k, weight);
        double[] Gradient(double[] x)
        {
            var g = new double[x.Length];
            S.SpringMassGradient(x, from, to, rest, k, weight, g, out _);
            return g;
        }
        Check(Energy, (x, g) => S.SpringMassGradient(x, from, to, rest, k, weight, g, out _), points);
        double[] v = Enumerable.Range(0, 12).Select(i => Math.Sin(i + 1.0)).ToArray();
        foreach (double[] x in points)
        {
            // Each spring pulls its ends along d/|d| by k(|d| − rest); gravity adds weight to each z; ∂E/∂k = Σ ½(|d| − rest)².
            var expected = new double[12];
            double dk = 0;
            for (int s = 0; s < from.Length; s++)
            {
                Vec3 d = V(x, 3 * from[s]) - V(x, 3 * to[s]);
                double stretch = d.Length() - rest[s];
                dk += 0.5 * stretch * stretch;
                for (int c = 0; c < 3; c++)
                {
                    double pull = k * stretch / d.Length() * Flat(d)[c];
                    expected[3 * from[s] + c] += pull;
                    expected[3 * to[s] + c] -= pull;
                }
            }
            for (int i = 0; i < 4; i++)
                expected[3 * i + 2] += weight;
            double value = S.SpringMassGradient(x, from, to, rest, k, weight, new double[12], out double gk);
            Assert.Equal(Energy(x), value);
            Assert.Equal(dk, gk, 12);
            double[] gradient = Gradient(x);
            for (int i = 0; i < 12; i++)
                Assert.Equal(expected[i], gradient[i], 12);

            var (tangentValue, derivative) = S.SpringMassTangent(x, from, to, rest, k, weight, v, 0.5);
            Assert.Equal(value, tangentValue);
            Assert.Equal(gradient.Zip(v, (g, d) => g * d).Sum() + 0.5 * gk, derivative, 11);

            double[] product = new double[12];
            S.SpringMassHessianVector(x, from, to, rest, k, weight, v, 0, product, out _);
            double[] numerical = GradientAlong(Gradient, x, v);
            for (int i = 0; i < 12; i++)
                Assert.Equal(numerical[i], product[i], 6);
        }
    }

    [Fact]
    public void FloatStructsInALoopMatchTheirClosedForm()
    {
        // v turns a quarter each step, so sum = w·(1·v − 3·v + …) on each axis: for 4 steps, sum = w·(−2·v − 2·v⊥), |sum|² = 8w²|v|².
        var v = new Vec2F(0.6f, -1.2f);
        const float w = 0.7f;
        float value = S.SwirlGradient(v, w, 4, out Vec2F dv, out float dw);
        Assert.Equal(S.Swirl(v, w, 4), value);
        Assert.Equal(8 * w * w * v.Dot(v), value, 4);
        Assert.Equal(16 * w * w * v.X, dv.X, 4);
        Assert.Equal(16 * w * w * v.Y, dv.Y, 4);
        Assert.Equal(16 * w * v.Dot(v), dw, 4);
        var (tangentValue, derivative) = S.SwirlTangent(v, w, 4, new Vec2F(1, 0.5f), 2);
        Assert.Equal(value, tangentValue);
        Assert.Equal(dv.X + 0.5f * dv.Y + 2 * dw, derivative, 3);
    }

    [Fact]
    public void AnArrayOfVec3TakesAGradientArrayOfVec3()
    {
        int[] from = { 0, 1, 2, 0 }, to = { 1, 2, 3, 3 };
        double[] rest = { 1.0, 0.8, 1.2, 1.5 };
        double[] flat = { -0.5, 0.2, 1.0, 0.8, 0.7, -0.4, 1.5, -0.6, 0.3, 0.1, 1.8, -0.9 };
        Vec3[] x = Enumerable.Range(0, 4).Select(i => V(flat, 3 * i)).ToArray();
        var dx = Enumerable.Repeat(new Vec3(double.NaN, double.NaN, double.NaN), 4).ToArray();
        double value = S.NetworkGradient(x, from, to, rest, 2.5, 0.3, dx, out double dk);
        Assert.Equal(S.Network(x, from, to, rest, 2.5, 0.3), value);
        Assert.Equal(S.SpringMass(flat, from, to, rest, 2.5, 0.3), value, 12);
        double[] expected = new double[12];
        S.SpringMassGradient(flat, from, to, rest, 2.5, 0.3, expected, out double expectedK);
        Assert.Equal(expected, Flat(dx), new ToleranceComparer(1e-12));
        Assert.Equal(expectedK, dk, 12);

        Vec3[] v = Enumerable.Range(0, 4).Select(i => new Vec3(Math.Sin(i), Math.Cos(i), 0.5 * i)).ToArray();
        var (tangentValue, derivative) = S.NetworkTangent(x, from, to, rest, 2.5, 0.3, v, -1);
        Assert.Equal(value, tangentValue);
        Assert.Equal(Flat(dx).Zip(Flat(v), (g, d) => g * d).Sum() - dk, derivative, 11);
        Assert.Throws<ArgumentException>(() => S.NetworkGradient(x, from, to, rest, 2.5, 0.3, new Vec3[3], out _));
    }

    [Fact]
    public void ASpanOfStructsIsDifferentiatedAsItsNumbers()
    {
        Vec3[] p = { new(0.5, -1, 2), new(1.5, 0.25, -0.75) };
        double[] w = { 0.3, -1.2 };
        var dp = new Vec3[2];
        var dw = new double[2];
        double value = S.WeightedGradient(p, w, dp, dw);
        Assert.Equal(S.Weighted(p, w), value);
        for (int i = 0; i < 2; i++)
        {
            Close(2 * w[i] * p[i], dp[i]);
            Assert.Equal(p[i].LengthSquared, dw[i], 12);
        }
        var (_, derivative) = S.WeightedTangent(p, w, new Vec3[] { new(1, 0, 0), new(0, 0, 1) }, new double[] { 0, 0 });
        Assert.Equal(dp[0].X + dp[1].Z, derivative, 12);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a));

        public int GetHashCode(double value) => 0;
    }

    [Fact]
    public void ARecordStructDeconstructsIntoItsMembers()
    {
        var v = new Vec3(0.5, -1.5, 2.0);
        Assert.Equal(S.Deconstructed(v), S.DeconstructedGradient(v, out Vec3 dv));
        Close(new Vec3(v.Y * v.Z, v.X * v.Z, v.X * v.Y), dv);
    }

    [Fact]
    public void AMutableStructResultCarriesItsPassiveMembersAndDifferentiatesTheOthers()
    {
        var p = new Particle { Position = new Vec3(0.5, -1, 2), Mass = 2.5, Id = 7, Charge = 0.25 };
        var impulse = new Vec3(1, 0.5, -2);
        Particle value = S.KickVectorJacobian(p, impulse, new Particle { Position = new Vec3(1, 2, 3), Mass = 0.5, Id = 100, Charge = 9 }, out Particle dp, out Vec3 dimpulse);
        Particle expected = S.Kick(p, impulse);
        Assert.Equal(expected.Position, value.Position);
        Assert.Equal((8, 1.25), (value.Id, value.Charge));
        // uᵀJ: position passes through; mass gets u·(−impulse/m²) + its own 0.5; the impulse u/m; charge and id nothing.
        Close(new Vec3(1, 2, 3), dp.Position);
        Assert.Equal(-(1 * 1 + 2 * 0.5 + 3 * -2) / (2.5 * 2.5) + 0.5, dp.Mass, 12);
        Assert.Equal((0, 0.0), (dp.Id, dp.Charge));
        Close(new Vec3(1 / 2.5, 2 / 2.5, 3 / 2.5), dimpulse);

        var (tangentValue, derivative) = S.KickTangent(p, impulse, new Particle { Mass = 1, Charge = 5 }, default);
        Assert.Equal(value.Position, tangentValue.Position);
        Close(-(1 / (2.5 * 2.5)) * impulse, derivative.Position);
        Assert.Equal((1.0, 0.0, 0), (derivative.Mass, derivative.Charge, derivative.Id));

        var jacobian = new double[4, 7];
        S.KickJacobian(p, impulse, jacobian);
        // Rows: position X, Y, Z, mass; columns: position X, Y, Z, mass, impulse X, Y, Z.
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(1, jacobian[i, i]);
            Assert.Equal(-Flat(impulse)[i] / (2.5 * 2.5), jacobian[i, 3], 12);
            Assert.Equal(1 / 2.5, jacobian[i, 4 + i], 12);
        }
        Assert.Equal(new[] { 0, 0, 0, 1.0, 0, 0, 0 }, Enumerable.Range(0, 7).Select(j => jacobian[3, j]));
    }

    [Fact]
    public void MembersSwappedByATupleAndAGuardSeeTheirCurrentValues()
    {
        // A' = B, B' = B·A: the result B·(B·A) + C = B²A + C.
        var p = new Triple { A = 0.5, B = 1.5, C = -2, N = 7 };
        double value = S.SwappedGradient(p, out Triple dp);
        Assert.Equal(1.5 * 1.5 * 0.5 - 2, value, 12);
        Assert.Equal((1.5 * 1.5, 2 * 1.5 * 0.5, 1.0, 0), (dp.A, dp.B, dp.C, dp.N));
        Assert.Throws<ArgumentOutOfRangeException>(() => S.SwappedGradient(p with { N = 4 }, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => S.SwappedHessianVector(p with { N = 4 }, default, out _));
    }

    [Fact]
    public void AModelReadsItsStructFieldWholeAndTakesAStructParameter()
    {
        var model = new Tethered { Pin = new Anchor(0.5, -1), Stiffness = 2 };
        var p = new Vec3(1.5, 0.5, -0.5);
        var gradients = Tethered.Gradients.For(model);
        double value = model.EnergyGradient(p, gradients, out Vec3 dp);
        Assert.Equal(model.Energy(p), value);
        // E = ½k(dx² + dy² + z²), dx = 1, dy = 1.5, z = −0.5.
        Assert.Equal(0.5 * (1 + 2.25 + 0.25), gradients.Stiffness, 12);
        Assert.Equal((-2 * 1.0, -2 * 1.5), (gradients.Pin.X, gradients.Pin.Y));
        Close(new Vec3(2, 3, -1), dp);
    }

    [Fact]
    public void AStructHoldingArraysGetsAGradientOfTheSameShape()
    {
        var layer = new Layer { W = new[] { 0.5, -1.5, 2.0 }, B = 0.25, Order = new[] { 2, 0, 1 } };
        double[] x = { 1.0, -0.5, 0.75 };
        double value = S.AffineGradient(layer, x, out Layer dlayer, new double[3]);
        Assert.Equal(S.Affine(layer, x), value);
        double s = 0.25 + 2.0 * 1.0 + 0.5 * -0.5 + -1.5 * 0.75;
        // ∂/∂W[order[i]] = 2s·xᵢ + 0.2·W; ∂/∂b = 2s; the indices get nothing.
        Assert.Equal(new[] { 2 * s * -0.5 + 0.1, 2 * s * 0.75 - 0.3, 2 * s * 1.0 + 0.4 }, dlayer.W, new ToleranceComparer(1e-12));
        Assert.Equal(2 * s, dlayer.B, 12);
        Assert.Null(dlayer.Order);
        var dx = new double[3];
        S.AffineGradient(layer, x, out _, dx);
        Assert.Equal(new[] { 2 * s * 2.0, 2 * s * 0.5, 2 * s * -1.5 }, dx, new ToleranceComparer(1e-12));

        var direction = new Layer { W = new[] { 1.0, 0, 0 }, B = 1 };
        var (_, derivative) = S.AffineTangent(layer, x, direction, new double[3]);
        Assert.Equal(dlayer.W[0] + dlayer.B, derivative, 12);
        Assert.Throws<ArgumentException>(() => S.AffineTangent(layer, x, new Layer { W = new double[2] }, new double[3]));
    }
}
