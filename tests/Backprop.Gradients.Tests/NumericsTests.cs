using System.Numerics;
using System.Reflection;
using N = Backprop.Gradients.Tests.NumericsFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>
/// System.Numerics members as differentiable structs: each function of <see cref="NumericsFunctions"/> against central
/// finite differences (in double for Complex; in float, extrapolated, for the float structs), its tangent against its
/// gradient, and closed forms, Jacobians, Hessian-vector products and edge points.
/// </summary>
public class NumericsTests
{
    /// <summary>
    /// Members whose .NET implementation rounds otherwise than their rule (vector instructions, or another formula): the
    /// derivative methods' value is theirs to within a few units in the last place, not bit for bit.
    /// </summary>
    private static readonly HashSet<string> s_roundsOtherwise = new() { "QMultiply", "QDivide", "QConcatenate", "QLerp", "QTransform", "QTransform2", "CPow" };

    public static TheoryData<string> Items() => new(ItemNames());

    private static IEnumerable<string> ItemNames() => typeof(N).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name.Length > 2 && m.Name[0] is 'V' or 'Q' or 'C' && char.IsDigit(m.Name[1]) || m.Name[0] is 'Q' or 'C' && char.IsUpper(m.Name[1]))
        .Where(m => !m.Name.EndsWith("Gradient") && !m.Name.EndsWith("Tangent") && m.Name is not ("ComplexExp" or "ComplexMix"))
        .Select(m => m.Name).Distinct().Order();

    [Fact]
    public void EveryGroupHasItems() => Assert.True(ItemNames().Count() >= 40, string.Join(", ", ItemNames()));

    [Theory]
    [MemberData(nameof(Items))]
    public void GradientMatchesFiniteDifferencesAndTangentMatchesGradient(string name)
    {
        MethodInfo function = typeof(N).GetMethod(name)!;
        MethodInfo gradient = typeof(N).GetMethod(name + "Gradient")!;
        MethodInfo tangent = typeof(N).GetMethod(name + "Tangent")!;
        Type[] types = function.GetParameters().Select(p => p.ParameterType).ToArray();
        bool single = types.Any(t => t != typeof(Complex) && t != typeof(double));
        // A fixed seed per item (string.GetHashCode differs from run to run).
        var random = new Random(name.Aggregate(17, (hash, c) => unchecked(hash * 31 + c)));
        for (int sample = 0; sample < 6; sample++)
        {
            double[] p = Point(random, types.Sum(Size));
            // Quaternion.Lerp switches to the other arc where the quaternions' dot product changes sign: no difference
            // quotient across that jump.
            while (name == "QLerp" && Math.Abs(p[0] * p[4] + p[1] * p[5] + p[2] * p[6] + p[3] * p[7]) < 0.2)
                p = Point(random, p.Length);
            double F(double[] x) => (double)function.Invoke(null, Unflatten(types, x))!;
            var arguments = Unflatten(types, p).Concat(new object?[types.Length]).ToArray();
            double value = (double)gradient.Invoke(null, arguments)!;
            double[] g = Flatten(arguments.Skip(types.Length));
            SameValue(name, F(p), value);
            for (int i = 0; i < p.Length; i++)
            {
                double numerical = single ? Extrapolated(F, p, i) : FiniteDifferences.Central(F, p, i);
                double allowed = (single ? 5e-3 : 1e-6) * Math.Max(1, Math.Abs(numerical));
                Assert.True(Math.Abs(g[i] - numerical) <= allowed, $"{name}: ∂f/∂p{i} at ({string.Join(", ", p)}): generated {g[i]:R}, finite differences {numerical:R}");
            }
            double[] v = Point(random, p.Length);
            var (tangentValue, derivative) = ((double, double))tangent.Invoke(null, Unflatten(types, p).Concat(Unflatten(types, v)).ToArray())!;
            SameValue(name, F(p), tangentValue);
            double expected = g.Zip(v, (a, b) => a * b).Sum();
            Assert.True(Math.Abs(derivative - expected) <= (single ? 1e-4 : 1e-10) * Math.Max(1, Math.Abs(expected)), $"{name}: tangent {derivative:R}, gradient·v {expected:R}");
        }
    }

    private void SameValue(string name, double expected, double actual)
    {
        if (s_roundsOtherwise.Contains(name))
            Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{name}: {actual:R} for {expected:R}");
        else
            Assert.Equal(expected, actual);
    }

    /// <summary>Coordinates between 0.3 and 1.5 in magnitude, either sign: away from zero divisors and from the axes.</summary>
    private static double[] Point(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => (random.Next(2) * 2 - 1) * (0.3 + 1.2 * random.NextDouble())).Select(x => (double)(float)x).ToArray();

    /// <summary>A central difference of a function computed in float, Richardson-extrapolated from steps h and h/2.</summary>
    private static double Extrapolated(Func<double[], double> f, double[] p, int i)
    {
        double Step(double h)
        {
            double[] up = (double[])p.Clone(), down = (double[])p.Clone();
            up[i] = (float)(p[i] + h);
            down[i] = (float)(p[i] - h);
            return (f(up) - f(down)) / (up[i] - down[i]);
        }
        double step = 1e-2 * Math.Max(1, Math.Abs(p[i]));
        return (4 * Step(step / 2) - Step(step)) / 3;
    }

    private static int Size(Type type) => type == typeof(Vector2) || type == typeof(Complex) ? 2 : type == typeof(Vector3) ? 3 : type == typeof(Vector4) || type == typeof(Quaternion) ? 4 : 1;

    private static object[] Unflatten(Type[] types, double[] x)
    {
        var values = new object[types.Length];
        for (int k = 0, at = 0; k < types.Length; at += Size(types[k]), k++)
        {
            float F(int i) => (float)x[at + i];
            values[k] = types[k] == typeof(Vector2) ? new Vector2(F(0), F(1))
                : types[k] == typeof(Vector3) ? new Vector3(F(0), F(1), F(2))
                : types[k] == typeof(Vector4) ? new Vector4(F(0), F(1), F(2), F(3))
                : types[k] == typeof(Quaternion) ? new Quaternion(F(0), F(1), F(2), F(3))
                : types[k] == typeof(Complex) ? new Complex(x[at], x[at + 1])
                : types[k] == typeof(float) ? (object)F(0)
                : (object)x[at];
        }
        return values;
    }

    private static double[] Flatten(IEnumerable<object?> values) => values.SelectMany(value => value switch
    {
        Vector2 v => new double[] { v.X, v.Y },
        Vector3 v => new double[] { v.X, v.Y, v.Z },
        Vector4 v => new double[] { v.X, v.Y, v.Z, v.W },
        Quaternion q => new double[] { q.X, q.Y, q.Z, q.W },
        Complex z => new[] { z.Real, z.Imaginary },
        float f => new double[] { f },
        double d => new[] { d },
        _ => throw new ArgumentException($"{value}"),
    }).ToArray();

    // Closed forms.

    private static readonly Vector3 s_w = new(1, 2, -3);

    [Fact]
    public void VectorGradientsAreTheClosedForms()
    {
        var a = new Vector3(0.7f, -1.1f, 0.4f);
        var b = new Vector3(-0.3f, 0.9f, 1.3f);
        N.V3DotGradient(a, b, 1, out Vector3 da, out Vector3 db, out _);
        Assert.Equal(b, da);
        Assert.Equal(a, db);
        N.V3CrossGradient(a, b, 1, out da, out db, out _);
        Close(Vector3.Cross(b, s_w), da);
        Close(Vector3.Cross(s_w, a), db);
        N.V3LengthGradient(a, b, 1, out da, out _, out _);
        Close(a / a.Length(), da);
        N.V3NormalizeGradient(a, b, 1, out da, out _, out _);
        Vector3 n = Vector3.Normalize(a);
        Close((s_w - Vector3.Dot(n, s_w) * n) / a.Length(), da);
        N.V3LerpGradient(a, b, 0.25f, out da, out db, out float dt);
        Close(0.75f * s_w, da);
        Close(0.25f * s_w, db);
        Assert.Equal(Vector3.Dot(b - a, s_w), dt, 5);
    }

    [Fact]
    public void RotationGradientIsTheTransposedRotation()
    {
        Quaternion q = Quaternion.CreateFromAxisAngle(Vector3.Normalize(new Vector3(1, -2, 0.5f)), 0.9f);
        var v = new Vector3(0.4f, 1.2f, -0.8f);
        N.QTransformGradient(q, q, v, 1, out _, out _, out Vector3 dv, out _);
        // w·R v = (Rᵀ w)·v, and Rᵀ is the rotation by the conjugate.
        Close(Vector3.Transform(s_w, Quaternion.Conjugate(q)), dv);
    }

    private static void Close(Vector3 expected, Vector3 actual)
    {
        Assert.Equal(expected.X, actual.X, 5);
        Assert.Equal(expected.Y, actual.Y, 5);
        Assert.Equal(expected.Z, actual.Z, 5);
    }

    /// <summary>For W(f(z)) = Re f − 2 Im f of a holomorphic f: ∂/∂x = Re f′ − 2 Im f′, ∂/∂y = −Im f′ − 2 Re f′.</summary>
    private static void Holomorphic(Complex derivative, Complex gradient)
    {
        Assert.Equal(derivative.Real - 2 * derivative.Imaginary, gradient.Real, 12);
        Assert.Equal(-derivative.Imaginary - 2 * derivative.Real, gradient.Imaginary, 12);
    }

    [Theory]
    [InlineData(0.8, 0.6)]
    [InlineData(-1.3, 0.4)]
    [InlineData(-0.9, -1.7)]
    public void ComplexGradientsAreTheClosedForms(double re, double im)
    {
        var z = new Complex(re, im);
        var w = new Complex(0.7, -0.45);
        N.CExpGradient(z, w, 0, out Complex dz, out _, out _);
        Holomorphic(Complex.Exp(z), dz);
        N.CLogGradient(z, w, 0, out dz, out _, out _);
        Holomorphic(1 / z, dz);
        N.CSqrtGradient(z, w, 0, out dz, out _, out _);
        Holomorphic(1 / (2 * Complex.Sqrt(z)), dz);
        N.CPowGradient(z, w, 2.5, out dz, out Complex dw, out double ds);
        Holomorphic(w * Complex.Pow(z, w - 1) + 0.5 * 2.5 * Complex.Pow(z, 1.5), dz);
        Holomorphic(Complex.Pow(z, w) * Complex.Log(z), dw);
        Complex zs = 0.5 * Complex.Pow(z, 2.5) * Complex.Log(z);
        Assert.Equal(zs.Real - 2 * zs.Imaginary, ds, 12);
        N.CAbsGradient(z, w, 0, out dz, out _, out _);
        Assert.Equal(re / z.Magnitude, dz.Real, 12);
        Assert.Equal(im / z.Magnitude, dz.Imaginary, 12);
        N.CPhaseGradient(z, w, 0, out dz, out _, out _);
        Assert.Equal(-im / (re * re + im * im), dz.Real, 12);
        Assert.Equal(re / (re * re + im * im), dz.Imaginary, 12);
    }

    // The rigid-body rotation and the transfer function.

    private static readonly Vector3[] s_points = { new(1, 0, 0), new(0.5f, 1.5f, -0.5f), new(-1, 0.3f, 0.8f), new(2, -1, 1) };
    private static readonly Vector3[] s_targets = { new(0.2f, 1, 0.1f), new(-1, 0.8f, 0), new(0.5f, -0.4f, 1.2f), new(-0.5f, 2.5f, -1) };
    private static float[] Numbers(Vector3[] vectors) => vectors.SelectMany(v => new[] { v.X, v.Y, v.Z }).ToArray();

    private static double Energy(double[] p) => N.RotationEnergy(new Vector3((float)p[0], (float)p[1], (float)p[2]), (float)p[3], new Vector3((float)p[4], (float)p[5], (float)p[6]), s_points, s_targets);

    private static double[] EnergyGradient(double[] p)
    {
        N.RotationEnergyOfNumbersGradient(new Vector3((float)p[0], (float)p[1], (float)p[2]), (float)p[3], new Vector3((float)p[4], (float)p[5], (float)p[6]), Numbers(s_points), Numbers(s_targets),
            out Vector3 daxis, out float dangle, out Vector3 doffset);
        return new double[] { daxis.X, daxis.Y, daxis.Z, dangle, doffset.X, doffset.Y, doffset.Z };
    }

    [Fact]
    public void RigidBodyRotationMatchesFiniteDifferencesInEveryMode()
    {
        double[] p = { 0.3, -0.8, 1.1, 1.2, 0.1, 0.4, -0.2 };
        double value = N.RotationEnergyGradient(new Vector3(0.3f, -0.8f, 1.1f), 1.2f, new Vector3(0.1f, 0.4f, -0.2f), s_points, s_targets, out Vector3 daxis, out float dangle, out Vector3 doffset);
        // Vector3.Transform rounds otherwise than its rule (see s_roundsOtherwise).
        Assert.Equal(Energy(p), value, 1e-5);
        double[] g = { daxis.X, daxis.Y, daxis.Z, dangle, doffset.X, doffset.Y, doffset.Z };
        Assert.Equal(g, EnergyGradient(p));
        for (int i = 0; i < p.Length; i++)
            Assert.Equal(Extrapolated(Energy, p, i), g[i], 2);
        // The axis is normalized: moving along it changes nothing.
        Assert.Equal(0, Vector3.Dot(daxis, new Vector3(0.3f, -0.8f, 1.1f)), 4);

        double[] v = { 0.5, 0.2, -0.4, 1, -0.3, 0.6, 0.25 };
        var (tangentValue, derivative) = N.RotationEnergyTangent(new Vector3(0.3f, -0.8f, 1.1f), 1.2f, new Vector3(0.1f, 0.4f, -0.2f), s_points, s_targets,
            new Vector3(0.5f, 0.2f, -0.4f), 1, new Vector3(-0.3f, 0.6f, 0.25f));
        Assert.Equal(value, tangentValue);
        Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), derivative, 4);

        N.RotationEnergyOfNumbersHessianVector(new Vector3(0.3f, -0.8f, 1.1f), 1.2f, new Vector3(0.1f, 0.4f, -0.2f), Numbers(s_points), Numbers(s_targets),
            new Vector3(0.5f, 0.2f, -0.4f), 1, new Vector3(-0.3f, 0.6f, 0.25f), out Vector3 haxis, out float hangle, out Vector3 hoffset);
        double[] product = { haxis.X, haxis.Y, haxis.Z, hangle, hoffset.X, hoffset.Y, hoffset.Z };
        double[] expected = FiniteDifferences.GradientAlong(EnergyGradient, p, v, step: 1e-2);
        for (int i = 0; i < p.Length; i++)
            Assert.True(Math.Abs(expected[i] - product[i]) <= 2e-2 * Math.Max(1, Math.Abs(expected[i])), $"H·v[{i}]: {product[i]} for {expected[i]}");
    }

    [Fact]
    public void AnArrayOfVector3HasAVector3ArrayGradient()
    {
        Vector3[] path = { new(0, 0, 0), new(1, 0.5f, -0.2f), new(1.5f, 1.5f, 0.3f), new(0.5f, 2, 1) };
        Quaternion turn = Quaternion.CreateFromAxisAngle(Vector3.UnitZ, 0.3f);
        double[] p = path.SelectMany(v => new double[] { v.X, v.Y, v.Z }).Concat(new double[] { turn.X, turn.Y, turn.Z, turn.W }).ToArray();
        static Vector3[] Path(double[] x) => Enumerable.Range(0, 4).Select(k => new Vector3((float)x[3 * k], (float)x[3 * k + 1], (float)x[3 * k + 2])).ToArray();
        static Quaternion Turn(double[] x) => new((float)x[12], (float)x[13], (float)x[14], (float)x[15]);
        var dpath = new Vector3[4];
        double value = N.PathLengthGradient(path, turn, dpath, out Quaternion dturn);
        Assert.Equal(N.PathLength(path, turn), value, 1e-5);
        double[] g = dpath.SelectMany(v => new double[] { v.X, v.Y, v.Z }).Concat(new double[] { dturn.X, dturn.Y, dturn.Z, dturn.W }).ToArray();
        for (int i = 0; i < p.Length; i++)
            Assert.True(Math.Abs(Extrapolated(x => N.PathLength(Path(x), Turn(x)), p, i) - g[i]) <= 5e-3 * Math.Max(1, Math.Abs(g[i])), $"∂/∂p{i}: {g[i]}");
        var direction = new Vector3[] { new(1, 0, 0), new(0, 1, 0), new(0, 0, 1), new(1, 1, 1) };
        var (tangentValue, derivative) = N.PathLengthTangent(path, turn, direction, default);
        Assert.Equal(value, tangentValue);
        Assert.Equal(dpath.Zip(direction, Vector3.Dot).Sum(), derivative, 4);
        Assert.Throws<ArgumentException>(() => N.PathLengthGradient(path, turn, new Vector3[3], out _));
    }

    private static readonly double[] s_omegas = { 0.1, 0.5, 0.9, 1.3, 2.0, 4.0 };

    private static double TransferClosedForm(double[] c) => s_omegas.Sum(w =>
        (c[0] * c[0] + c[1] * c[1] * w * w) / ((c[2] - w * w) * (c[2] - w * w) + c[3] * c[3] * w * w));

    [Fact]
    public void TransferFunctionPowerIsTheClosedFormInEveryMode()
    {
        double[][] points = { new[] { 1.0, 0.5, 1.2, 0.4 }, new[] { -0.3, 2.0, 0.8, 1.5 } };
        FiniteDifferences.Check(c => N.TransferPower(c[0], c[1], c[2], c[3], s_omegas), (c, g) =>
        {
            double value = N.TransferPowerGradient(c[0], c[1], c[2], c[3], s_omegas, out g[0], out g[1], out g[2], out g[3]);
            return value;
        }, points);
        foreach (double[] c in points)
        {
            Assert.Equal(TransferClosedForm(c), N.TransferPower(c[0], c[1], c[2], c[3], s_omegas), 12);
            var g = new double[4];
            N.TransferPowerGradient(c[0], c[1], c[2], c[3], s_omegas, out g[0], out g[1], out g[2], out g[3]);
            for (int i = 0; i < 4; i++)
                Assert.Equal(FiniteDifferences.Central(TransferClosedForm, c, i), g[i], 6);
            double[] v = { 0.3, -0.7, 0.2, 0.5 };
            var (value, derivative) = N.TransferPowerTangent(c[0], c[1], c[2], c[3], s_omegas, v[0], v[1], v[2], v[3]);
            Assert.Equal(N.TransferPower(c[0], c[1], c[2], c[3], s_omegas), value);
            Assert.Equal(g.Zip(v, (a, b) => a * b).Sum(), derivative, 12);
            var hessian = new double[4, 4];
            N.TransferPowerHessian(c[0], c[1], c[2], c[3], s_omegas, hessian);
            double[] expected = FiniteDifferences.GradientAlong(x =>
            {
                var d = new double[4];
                N.TransferPowerGradient(x[0], x[1], x[2], x[3], s_omegas, out d[0], out d[1], out d[2], out d[3]);
                return d;
            }, c, v);
            for (int i = 0; i < 4; i++)
                Assert.Equal(expected[i], Enumerable.Range(0, 4).Sum(j => hessian[i, j] * v[j]), 5);
        }
    }

    [Fact]
    public void TransferPowerAndPhaseThroughAHelperMatchesFiniteDifferences()
    {
        double[][] points = { new[] { 1.0, 0.5, 1.2, 0.4 }, new[] { -0.3, 2.0, 0.8, 1.5 } };
        FiniteDifferences.Check(c => N.TransferPowerAndPhase(new Complex(c[0], c[1]), new Complex(c[2], c[3]), 0.7), (c, g) =>
        {
            double value = N.TransferPowerAndPhaseGradient(new Complex(c[0], c[1]), new Complex(c[2], c[3]), 0.7, out Complex db, out Complex da);
            (g[0], g[1], g[2], g[3]) = (db.Real, db.Imaginary, da.Real, da.Imaginary);
            return value;
        }, points);
    }

    // Struct results.

    [Fact]
    public void RotationJacobianIsTheRotationMatrixAndMatchesFiniteDifferences()
    {
        var v = new Vector3(0.4f, 1.2f, -0.8f);
        Quaternion q = Quaternion.CreateFromAxisAngle(Vector3.Normalize(new Vector3(1, -2, 0.5f)), 0.9f);
        var jacobian = new double[3, 7];
        Vector3 value = N.RotateJacobian(v, q, jacobian);
        Assert.Equal(Vector3.Transform(v, q).X, value.X, 5);
        Matrix4x4 rotation = Matrix4x4.CreateFromQuaternion(q);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(j switch { 0 => i switch { 0 => rotation.M11, 1 => rotation.M12, _ => rotation.M13 }, 1 => i switch { 0 => rotation.M21, 1 => rotation.M22, _ => rotation.M23 }, _ => i switch { 0 => rotation.M31, 1 => rotation.M32, _ => rotation.M33 } },
                    jacobian[i, j], 5);
        double[] p = { v.X, v.Y, v.Z, q.X, q.Y, q.Z, q.W };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 7; j++)
            {
                int row = i;
                double numerical = Extrapolated(x =>
                {
                    Vector3 r = N.Rotate(new Vector3((float)x[0], (float)x[1], (float)x[2]), new Quaternion((float)x[3], (float)x[4], (float)x[5], (float)x[6]));
                    return row switch { 0 => r.X, 1 => r.Y, _ => r.Z };
                }, p, j);
                Assert.True(Math.Abs(numerical - jacobian[i, j]) <= 5e-3 * Math.Max(1, Math.Abs(numerical)), $"J[{i},{j}]: {jacobian[i, j]} for {numerical}");
            }
        var (tangentValue, derivative) = N.RotateTangent(v, q, new Vector3(1, 0, 0), default);
        Close(value, tangentValue);
        Assert.Equal(jacobian[1, 0], derivative.Y, 5);
        N.RotateVectorJacobian(v, q, new Vector3(0, 0, 1), out Vector3 dv, out _);
        Assert.Equal(jacobian[2, 1], dv.Y, 5);
    }

    [Fact]
    public void ComplexExponentialJacobianIsCauchyRiemann()
    {
        var z = new Complex(0.3, -1.1);
        var jacobian = new double[2, 2];
        Complex value = N.ComplexExpJacobian(z, jacobian);
        Assert.Equal(Complex.Exp(z), value);
        Complex e = Complex.Exp(z);
        Assert.Equal(e.Real, jacobian[0, 0], 14);
        Assert.Equal(-e.Imaginary, jacobian[0, 1], 14);
        Assert.Equal(e.Imaginary, jacobian[1, 0], 14);
        Assert.Equal(e.Real, jacobian[1, 1], 14);
        N.ComplexExpVectorJacobian(z, new Complex(1, 0), out Complex dz);
        Assert.Equal(new Complex(e.Real, -e.Imaginary), dz);
    }

    [Fact]
    public void ComplexHessianMatchesFiniteDifferencesOfTheGradient()
    {
        double[] p = { 0.8, 0.6, 0.7, -0.45 };
        double[] v = { 0.3, -0.2, 0.5, 0.1 };
        double[] Gradient(double[] x)
        {
            N.ComplexMixGradient(new Complex(x[0], x[1]), new Complex(x[2], x[3]), out Complex dz, out Complex dw);
            return new[] { dz.Real, dz.Imaginary, dw.Real, dw.Imaginary };
        }
        FiniteDifferences.Check(x => N.ComplexMix(new Complex(x[0], x[1]), new Complex(x[2], x[3])), (x, g) => { Gradient(x).CopyTo(g, 0); return N.ComplexMixGradient(new Complex(x[0], x[1]), new Complex(x[2], x[3]), out _, out _); }, new[] { p });
        N.ComplexMixHessianVector(new Complex(p[0], p[1]), new Complex(p[2], p[3]), new Complex(v[0], v[1]), new Complex(v[2], v[3]), out Complex hz, out Complex hw);
        double[] expected = FiniteDifferences.GradientAlong(Gradient, p, v);
        double[] product = { hz.Real, hz.Imaginary, hw.Real, hw.Imaginary };
        for (int i = 0; i < 4; i++)
            Assert.Equal(expected[i], product[i], 6);
    }

    [Fact]
    public void AStructHoldingNumericsStructsHasTheirGradients()
    {
        double[] p = { 0.3, -0.4, 1.2, 0.8, -0.5, 1.5, 0.2, 0.9, -0.7 };
        static Wave Make(double[] x) => new() { Position = new Vector3((float)x[0], (float)x[1], (float)x[2]), Amplitude = new Complex(x[3], x[4]), Mass = (float)x[5] };
        static Vector3 At(double[] x) => new((float)x[6], (float)x[7], (float)x[8]);
        double value = N.WaveEnergyGradient(Make(p), At(p), out Wave dwave, out Vector3 dat);
        Assert.Equal(N.WaveEnergy(Make(p), At(p)), value);
        double[] g = { dwave.Position.X, dwave.Position.Y, dwave.Position.Z, dwave.Amplitude.Real, dwave.Amplitude.Imaginary, dwave.Mass, dat.X, dat.Y, dat.Z };
        for (int i = 0; i < p.Length; i++)
            Assert.Equal(Extrapolated(x => N.WaveEnergy(Make(x), At(x)), p, i), g[i], 3);
        // The position and the point enter through their distance only.
        Assert.Equal(-dwave.Position.X, dat.X, 6);
    }

    // Edge points: the derivative methods give the member's value, and NaN where there is no derivative.

    [Fact]
    public void NormalizeOfZeroIsNaNAsItsValue()
    {
        double value = N.V3NormalizeGradient(Vector3.Zero, Vector3.One, 1, out Vector3 da, out _, out _);
        Assert.True(double.IsNaN(value) && double.IsNaN(N.V3Normalize(Vector3.Zero, Vector3.One, 1)));
        Assert.True(float.IsNaN(da.X) && float.IsNaN(da.Y) && float.IsNaN(da.Z));
    }

    [Fact]
    public void AbsAndPhaseAtZeroHaveNoDerivative()
    {
        Assert.Equal(0, N.CAbsGradient(Complex.Zero, Complex.One, 0, out Complex dz, out _, out _) - 0.5);
        Assert.True(double.IsNaN(dz.Real) && double.IsNaN(dz.Imaginary));
        Assert.Equal(0, N.CPhaseGradient(Complex.Zero, Complex.One, 0, out dz, out _, out _));
        Assert.True(double.IsNaN(dz.Real) && double.IsNaN(dz.Imaginary));
    }

    [Fact]
    public void PowerOfZeroIsTheMembersValueWithNoDerivative()
    {
        var w = new Complex(1, 0);
        double value = N.CPowGradient(Complex.Zero, w, 2.0, out Complex dz, out Complex dw, out double ds);
        Assert.Equal(N.CPow(Complex.Zero, w, 2.0), value);
        Assert.Equal(0, value);
        Assert.True(double.IsNaN(dz.Real) && double.IsNaN(dz.Imaginary));
        Assert.Equal(Complex.Zero, dw);
        Assert.Equal(0, ds);
        // z⁰ = 1, also at z = 0, as .NET gives it; away from zero the derivative along the power is log z.
        Assert.Equal(W(Complex.One) + 0.5 * W(Complex.Pow(Complex.Zero, 0.0)), N.CPowGradient(Complex.Zero, Complex.Zero, 0.0, out _, out _, out _));
        var z = new Complex(0.6, -0.8);
        N.CPowGradient(z, Complex.Zero, 0.0, out dz, out dw, out _);
        Holomorphic(Complex.Log(z), dw);
        Holomorphic(Complex.Zero, dz);
    }

    private static double W(Complex z) => z.Real - 2.0 * z.Imaginary;

    [Fact]
    public void SquareRootAndLogarithmOnTheNegativeRealAxisAreOneSided()
    {
        var z = new Complex(-4, 0);
        double value = N.CSqrtGradient(z, Complex.One, 0, out Complex dz, out _, out _);
        Assert.Equal(N.CSqrt(z, Complex.One, 0), value);
        Assert.Equal(W(Complex.Sqrt(z)), value);
        // From above the cut: √z → 2i, and its derivative 1/(2√z) = −i/4.
        Holomorphic(new Complex(0, -0.25), dz);
        value = N.CLogGradient(z, Complex.One, 0, out dz, out _, out _);
        Assert.Equal(W(Complex.Log(z)), value);
        Holomorphic(1 / z, dz);
    }
}
