using J = Backprop.Gradients.Tests.JacobianFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>
/// Methods returning arrays: <c>FJacobian</c> against central finite differences and closed forms, <c>FTangent</c>
/// against J·v, <c>FVectorJacobian</c> against uᵀJ, and forward against reverse sweeps, at several points each.
/// </summary>
public class JacobianTests
{
    /// <summary>A method seen through one flat vector of its differentiable inputs (parameters in order, arrays element by element).</summary>
    public sealed record Case(
        string Name,
        int Inputs,
        double Low,
        double High,
        Func<double[], double[]> Value,
        Func<double[], double[,], double[]> Jacobian,
        Func<double[], double[], double[], (double[] Value, double[] Derivative)> Tangent,
        Func<double[], double[], double[], double[]> VectorJacobian);

    private static double[] Slice(double[] p, int start, int length) => p.AsSpan(start, length).ToArray();

    private static double[] Array2((double, double) tuple) => new[] { tuple.Item1, tuple.Item2 };

    private static double[] Array3((double, double, double) tuple) => new[] { tuple.Item1, tuple.Item2, tuple.Item3 };

    /// <summary>A tuple tangent as the framework's arrays: the derivative written into the buffer given.</summary>
    private static (double[] Value, double[] Derivative) Fill(((double, double) Value, (double, double) Derivative) tangent, double[] buffer)
    {
        (buffer[0], buffer[1]) = tangent.Derivative;
        return (Array2(tangent.Value), buffer);
    }

    private static readonly Case[] s_cases =
    {
        new("Polar", 2, 0.2, 2.0,
            p => J.Polar(p[0], p[1]),
            (p, jacobian) => J.PolarJacobian(p[0], p[1], jacobian),
            (p, v, d) => J.PolarTangent(p[0], p[1], v[0], v[1], d),
            (p, u, g) => { double[] y = J.PolarVectorJacobian(p[0], p[1], u, out g[0], out g[1]); return y; }),
        new("Curve", 2, 0.3, 1.3,
            p => J.Curve(p[0], p[1]),
            (p, jacobian) => J.CurveJacobian(p[0], p[1], jacobian),
            (p, v, d) => J.CurveTangent(p[0], p[1], v[0], v[1], d),
            (p, u, g) => J.CurveVectorJacobian(p[0], p[1], u, out g[0], out g[1])),
        new("Summaries", 7, -1.0, 1.0,
            p => J.Summaries(Slice(p, 0, 6), p[6]),
            (p, jacobian) => J.SummariesJacobian(Slice(p, 0, 6), p[6], jacobian),
            (p, v, d) => J.SummariesTangent(Slice(p, 0, 6), p[6], Slice(v, 0, 6), v[6], d),
            (p, u, g) => { var dx = new double[6]; double[] y = J.SummariesVectorJacobian(Slice(p, 0, 6), p[6], u, dx, out g[6]); dx.CopyTo(g, 0); return y; }),
        new("Moments", 5, -1.0, 1.0,
            J.Moments,
            J.MomentsJacobian,
            (p, v, d) => J.MomentsTangent(p, v, d),
            (p, u, g) => J.MomentsVectorJacobian(p, u, g)),
        new("SoftplusEach", 6, 0.3, 1.3,
            p => J.SoftplusEach(Slice(p, 0, 5), p[5]),
            (p, jacobian) => J.SoftplusEachJacobian(Slice(p, 0, 5), p[5], jacobian),
            (p, v, d) => J.SoftplusEachTangent(Slice(p, 0, 5), p[5], Slice(v, 0, 5), v[5], d),
            (p, u, g) => { var dx = new double[5]; double[] y = J.SoftplusEachVectorJacobian(Slice(p, 0, 5), p[5], u, dx, out g[5]); dx.CopyTo(g, 0); return y; }),
        new("Scan", 7, -1.0, 1.0,
            p => J.Scan(Slice(p, 0, 6), p[6], 3),
            (p, jacobian) => J.ScanJacobian(Slice(p, 0, 6), p[6], 3, jacobian),
            (p, v, d) => J.ScanTangent(Slice(p, 0, 6), p[6], 3, Slice(v, 0, 6), v[6], d),
            (p, u, g) => { var dx = new double[6]; double[] y = J.ScanVectorJacobian(Slice(p, 0, 6), p[6], 3, u, dx, out g[6]); dx.CopyTo(g, 0); return y; }),
        new("Products", 5, 0.5, 1.5,
            J.Products,
            J.ProductsJacobian,
            (p, v, d) => J.ProductsTangent(p, v, d),
            (p, u, g) => J.ProductsVectorJacobian(p, u, g)),
        new("Gates", 1, -1.0, 1.0,
            p => J.Gates(p[0], 0.7),
            (p, jacobian) => J.GatesJacobian(p[0], 0.7, jacobian),
            (p, v, d) => J.GatesTangent(p[0], 0.7, v[0], d),
            (p, u, g) => J.GatesVectorJacobian(p[0], 0.7, u, out g[0])),
        new("Layer", 8, -1.0, 1.0,
            p => J.Layer(Slice(p, 0, 4), Slice(p, 4, 4)),
            (p, jacobian) => J.LayerJacobian(Slice(p, 0, 4), Slice(p, 4, 4), jacobian),
            (p, v, d) => J.LayerTangent(Slice(p, 0, 4), Slice(p, 4, 4), Slice(v, 0, 4), Slice(v, 4, 4), d),
            (p, u, g) => { var dx = new double[4]; var dw = new double[4]; double[] y = J.LayerVectorJacobian(Slice(p, 0, 4), Slice(p, 4, 4), u, dx, dw); dx.CopyTo(g, 0); dw.CopyTo(g, 4); return y; }),
        new("ToCartesian", 2, 0.2, 2.0,
            p => Array2(J.ToCartesian(p[0], p[1])),
            (p, jacobian) => Array2(J.ToCartesianJacobian(p[0], p[1], jacobian)),
            (p, v, d) => Fill(J.ToCartesianTangent(p[0], p[1], v[0], v[1]), d),
            (p, u, g) => Array2(J.ToCartesianVectorJacobian(p[0], p[1], (u[0], u[1]), out g[0], out g[1]))),
        new("Oscillator", 3, 0.3, 1.3,
            p => Array2(J.Oscillator(p[0], p[1], p[2])),
            (p, jacobian) => Array2(J.OscillatorJacobian(p[0], p[1], p[2], jacobian)),
            (p, v, d) => Fill(J.OscillatorTangent(p[0], p[1], p[2], v[0], v[1], v[2]), d),
            (p, u, g) => Array2(J.OscillatorVectorJacobian(p[0], p[1], p[2], (u[0], u[1]), out g[0], out g[1], out g[2]))),
        new("Recurrence", 1, -1.0, 1.0,
            p => Array2(J.Recurrence(p[0], 0.5, 4)),
            (p, jacobian) => Array2(J.RecurrenceJacobian(p[0], 0.5, 4, jacobian)),
            (p, v, d) => Fill(J.RecurrenceTangent(p[0], 0.5, 4, v[0]), d),
            (p, u, g) => Array2(J.RecurrenceVectorJacobian(p[0], 0.5, 4, (u[0], u[1]), out g[0]))),
        new("Spread", 1, -1.0, 1.0,
            p => Array3(J.Spread(p[0])),
            (p, jacobian) => Array3(J.SpreadJacobian(p[0], jacobian)),
            (p, v, d) => { var (value, derivative) = J.SpreadTangent(p[0], v[0]); (d[0], d[1], d[2]) = derivative; return (Array3(value), d); },
            (p, u, g) => Array3(J.SpreadVectorJacobian(p[0], (u[0], u[1], u[2]), out g[0]))),
        new("CustomCalls", 2, 0.3, 1.3,
            p => J.CustomCalls(p[0], p[1]),
            (p, jacobian) => J.CustomCallsJacobian(p[0], p[1], jacobian),
            (p, v, d) => J.CustomCallsTangent(p[0], p[1], v[0], v[1], d),
            (p, u, g) => J.CustomCallsVectorJacobian(p[0], p[1], u, out g[0], out g[1])),
    };

    public static IEnumerable<object[]> Points() =>
        s_cases.SelectMany(c => new[] { 1, 2, 3 }.Select(seed => new object[] { c.Name, seed }));

    private static Case Find(string name) => s_cases.Single(c => c.Name == name);

    private static double[] Point(Case c, int seed) => Vector(c.Inputs, seed * 7919 + c.Name.Length, c.Low, c.High);

    private static double[] Vector(int length, int seed, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => low + (high - low) * random.NextDouble()).ToArray();
    }

    /// <summary>Column j: (F(p + h·eⱼ) − F(p − h·eⱼ)) / 2h, h = 10⁻⁶·max(1, |pⱼ|).</summary>
    private static double[,] FiniteDifferenceJacobian(Case c, double[] p)
    {
        int outputs = c.Value(p).Length;
        var jacobian = new double[outputs, p.Length];
        for (int j = 0; j < p.Length; j++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(p[j]));
            double[] up = (double[])p.Clone(), down = (double[])p.Clone();
            up[j] += h;
            down[j] -= h;
            double[] fUp = c.Value(up), fDown = c.Value(down);
            for (int i = 0; i < outputs; i++)
                jacobian[i, j] = (fUp[i] - fDown[i]) / (2 * h);
        }
        return jacobian;
    }

    private static void Near(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    private static double[,] Filled(int rows, int columns)
    {
        var matrix = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                matrix[i, j] = double.NaN;
        return matrix;
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void JacobianMatchesFiniteDifferences(string name, int seed)
    {
        Case c = Find(name);
        double[] p = Point(c, seed), input = (double[])p.Clone();
        double[,] expected = FiniteDifferenceJacobian(c, p);
        double[,] jacobian = Filled(expected.GetLength(0), p.Length);
        double[] value = c.Jacobian(p, jacobian);
        Assert.Equal(input, p);
        Assert.Equal(c.Value(p), value);
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < p.Length; j++)
                Near(expected[i, j], jacobian[i, j], 1e-6, $"{name} J[{i}, {j}]");
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void TangentIsJacobianTimesDirection(string name, int seed)
    {
        Case c = Find(name);
        double[] p = Point(c, seed), v = Vector(p.Length, seed + 50);
        double[,] jacobian = FiniteDifferenceJacobian(c, p);
        double[] buffer = Enumerable.Repeat(double.NaN, jacobian.GetLength(0)).ToArray();
        var (value, derivative) = c.Tangent(p, v, buffer);
        Assert.Same(buffer, derivative);
        Assert.Equal(c.Value(p), value);
        for (int i = 0; i < buffer.Length; i++)
            Near(Enumerable.Range(0, p.Length).Sum(j => jacobian[i, j] * v[j]), derivative[i], 1e-6, $"{name} (J·v)[{i}]");
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void VectorJacobianIsCotangentTimesJacobian(string name, int seed)
    {
        Case c = Find(name);
        double[] p = Point(c, seed);
        double[,] jacobian = FiniteDifferenceJacobian(c, p);
        double[] u = Vector(jacobian.GetLength(0), seed + 90);
        double[] cotangent = (double[])u.Clone();
        double[] gradient = Enumerable.Repeat(double.NaN, p.Length).ToArray();
        double[] value = c.VectorJacobian(p, cotangent, gradient);
        Assert.Equal(u, cotangent);
        Assert.Equal(c.Value(p), value);
        for (int j = 0; j < p.Length; j++)
            Near(Enumerable.Range(0, u.Length).Sum(i => u[i] * jacobian[i, j]), gradient[j], 1e-6, $"{name} (uᵀJ)[{j}]");
    }

    /// <summary>Column by column with tangents, row by row with vector-Jacobian products: both equal FJacobian, whichever sweeps it chose.</summary>
    [Theory]
    [MemberData(nameof(Points))]
    public void ForwardAndReverseSweepsAgree(string name, int seed)
    {
        Case c = Find(name);
        double[] p = Point(c, seed);
        int outputs = c.Value(p).Length;
        var jacobian = new double[outputs, p.Length];
        c.Jacobian(p, jacobian);
        for (int j = 0; j < p.Length; j++)
        {
            double[] unit = new double[p.Length];
            unit[j] = 1;
            double[] column = c.Tangent(p, unit, new double[outputs]).Derivative;
            for (int i = 0; i < outputs; i++)
                Near(jacobian[i, j], column[i], 1e-12, $"{name} column {j}, row {i}");
        }
        for (int i = 0; i < outputs; i++)
        {
            double[] unit = new double[outputs];
            unit[i] = 1;
            double[] row = new double[p.Length];
            c.VectorJacobian(p, unit, row);
            for (int j = 0; j < p.Length; j++)
                Near(jacobian[i, j], row[j], 1e-12, $"{name} row {i}, column {j}");
        }
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(2.0, 0.7)]
    [InlineData(0.5, -2.5)]
    public void PolarJacobianIsTheClosedForm(double r, double theta)
    {
        var jacobian = new double[2, 2];
        double[] value = J.PolarJacobian(r, theta, jacobian);
        Assert.Equal(new[] { r * Math.Cos(theta), r * Math.Sin(theta) }, value);
        Assert.Equal(Math.Cos(theta), jacobian[0, 0], 14);
        Assert.Equal(-r * Math.Sin(theta), jacobian[0, 1], 14);
        Assert.Equal(Math.Sin(theta), jacobian[1, 0], 14);
        Assert.Equal(r * Math.Cos(theta), jacobian[1, 1], 14);
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(2.0, 0.7)]
    [InlineData(0.5, -2.5)]
    public void TupleJacobiansAreTheClosedForm(double r, double theta)
    {
        var jacobian = new double[2, 2];
        var (x, y) = J.ToCartesianJacobian(r, theta, jacobian);
        Assert.Equal((r * Math.Cos(theta), r * Math.Sin(theta)), (x, y));
        Assert.Equal(Math.Cos(theta), jacobian[0, 0], 14);
        Assert.Equal(-r * Math.Sin(theta), jacobian[0, 1], 14);
        Assert.Equal(Math.Sin(theta), jacobian[1, 0], 14);
        Assert.Equal(r * Math.Cos(theta), jacobian[1, 1], 14);

        var single = new double[2, 2];
        var (xs, ys) = J.ToCartesianSingleJacobian((float)r, (float)theta, single);
        Assert.Equal(J.ToCartesianSingle((float)r, (float)theta), (xs, ys));
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                Near(jacobian[i, j], single[i, j], 1e-6, $"float J[{i}, {j}]");
        var (_, derivative) = J.ToCartesianSingleTangent((float)r, (float)theta, 1f, 2f);
        Near(jacobian[0, 0] + 2 * jacobian[0, 1], derivative.X, 1e-6, "float (J·v)[0]");
        Near(jacobian[1, 0] + 2 * jacobian[1, 1], derivative.Y, 1e-6, "float (J·v)[1]");
        J.ToCartesianSingleVectorJacobian((float)r, (float)theta, (1f, -1f), out float dr, out float dtheta);
        Near(jacobian[0, 0] - jacobian[1, 0], dr, 1e-6, "float (uᵀJ)[r]");
        Near(jacobian[0, 1] - jacobian[1, 1], dtheta, 1e-6, "float (uᵀJ)[θ]");
    }

    [Fact]
    public void ArrayResultsCalledFromAnotherMethod()
    {
        double[][] points = { new[] { 0.3, -0.7, 1.1, 0.5, -1.2, 0.8, 0.05 }, new[] { -0.4, 0.9, -0.2, 1.3, 0.6, -0.5, 0.7 } };
        FiniteDifferences.Check(p => J.TwoLayers(p[..3], p[3..6], p[6]), (p, g) =>
        {
            double[] dx = new double[3], dw = new double[3];
            double value = J.TwoLayersGradient(p[..3], p[3..6], p[6], dx, dw, out g[6]);
            dx.CopyTo(g, 0);
            dw.CopyTo(g, 3);
            return value;
        }, points);
        foreach (double[] p in points)
        {
            double[] v = { 0.6, -0.35, 0.2, 1.0, -0.5, 0.25, -0.8 };
            double[] dx = new double[3], dw = new double[3];
            J.TwoLayersGradient(p[..3], p[3..6], p[6], dx, dw, out double db);
            double[] gradient = dx.Concat(dw).Append(db).ToArray();
            var (_, derivative) = J.TwoLayersTangent(p[..3], p[3..6], p[6], v[..3], v[3..6], v[6]);
            Near(gradient.Zip(v, (g, d) => g * d).Sum(), derivative, 1e-12, "tangent");

            double[] expected = FiniteDifferences.GradientAlong(q =>
            {
                double[] gx = new double[3], gw = new double[3];
                J.TwoLayersGradient(q[..3], q[3..6], q[6], gx, gw, out double gb);
                return gx.Concat(gw).Append(gb).ToArray();
            }, p, v);
            double[] hx = new double[3], hw = new double[3];
            J.TwoLayersHessianVector(p[..3], p[3..6], p[6], v[..3], v[3..6], v[6], hx, hw, out double hb);
            double[] product = hx.Concat(hw).Append(hb).ToArray();
            for (int i = 0; i < product.Length; i++)
                Near(expected[i], product[i], 1e-6, $"(H·v)[{i}]");
        }
    }

    [Fact]
    public void SummariesJacobianIsTheClosedForm()
    {
        double[] x = { 0.3, -0.8, 1.1, 0.05 };
        const double w = 1.7;
        var jacobian = new double[2, 5];
        J.SummariesJacobian(x, w, jacobian);
        double normalizer = x.Sum(Math.Exp);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(2 * w * x[i], jacobian[0, i], 12);
            Assert.Equal(Math.Exp(x[i]) / normalizer, jacobian[1, i], 12); // softmax
        }
        Assert.Equal(x.Sum(v => v * v), jacobian[0, 4], 12);
        Assert.Equal(0, jacobian[1, 4]);
    }

    [Fact]
    public void EmptyResultHasAnEmptyJacobian()
    {
        var jacobian = new double[0, 1];
        Assert.Empty(J.ScanJacobian(Array.Empty<double>(), 0.5, 3, jacobian));
    }

    [Theory]
    [InlineData(0.4f)]
    [InlineData(-1.3f)]
    public void FloatJacobiansAreTheClosedForms(float a)
    {
        float[] x = { 0.2f, -0.9f, 1.4f };
        var jacobian = new double[3, 4];
        float[] value = J.SineEachJacobian(x, a, jacobian);
        Assert.Equal(J.SineEach(x, a), value);
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
                Near(i == j ? a * Math.Cos(a * x[i]) : 0, jacobian[i, j], 1e-5, $"J[{i}, {j}]");
            Near(x[i] * Math.Cos(a * x[i]), jacobian[i, 3], 1e-5, $"J[{i}, 3]");
        }

        float r = 1.5f, theta = a;
        var polar = new double[2, 2];
        J.PolarSingleJacobian(r, theta, polar);
        Near(Math.Cos(theta), polar[0, 0], 1e-6, "∂x/∂r");
        Near(-r * Math.Sin(theta), polar[0, 1], 1e-6, "∂x/∂θ");
        Near(Math.Sin(theta), polar[1, 0], 1e-6, "∂y/∂r");
        Near(r * Math.Cos(theta), polar[1, 1], 1e-6, "∂y/∂θ");

        var (_, derivative) = J.PolarSingleTangent(r, theta, 1f, 2f, new float[2]);
        Near(polar[0, 0] + 2 * polar[0, 1], derivative[0], 1e-6, "(J·v)[0]");
        Near(polar[1, 0] + 2 * polar[1, 1], derivative[1], 1e-6, "(J·v)[1]");
        var dx = new float[3];
        J.SineEachVectorJacobian(x, a, new[] { 1f, 0f, -1f }, dx, out float da);
        Near(jacobian[0, 0], dx[0], 1e-6, "(uᵀJ)[0]");
        Near(-jacobian[2, 2], dx[2], 1e-6, "(uᵀJ)[2]");
        Near(jacobian[0, 3] - jacobian[2, 3], da, 1e-5, "(uᵀJ)[a]");
    }

    [Fact]
    public void GradientAloneOnAnArrayResultIsTheVectorJacobianProduct()
    {
        double[] x = { 0.5, -2, 3 };
        var dx = new double[3];
        double[] value = J.SquaresVectorJacobian(x, new[] { 1.0, 10, 100 }, dx);
        Assert.Equal(new[] { 0.25, 4, 9 }, value);
        Assert.Equal(new[] { 1.0, -40, 600 }, dx);
        Assert.Null(typeof(J).GetMethod("SquaresTangent"));
        Assert.Null(typeof(J).GetMethod("SquaresJacobian"));
        Assert.Null(typeof(J).GetMethod("SquaresGradient"));
    }

    [Fact]
    public void WrongSizesAreRefusedNamingBothSizes()
    {
        var jacobian = Assert.Throws<ArgumentException>(() => J.PolarJacobian(1, 2, new double[3, 2]));
        Assert.Equal("jacobian", jacobian.ParamName);
        Assert.Contains("2×2", jacobian.Message);
        Assert.Contains("3×2", jacobian.Message);

        var tangent = Assert.Throws<ArgumentException>(() => J.SoftplusEachTangent(new double[4], 1, new double[4], 0, new double[3]));
        Assert.Equal("dresult", tangent.ParamName);
        Assert.Contains("length 3", tangent.Message);
        Assert.Contains("length 4", tangent.Message);

        var cotangent = Assert.Throws<ArgumentException>(() => J.SoftplusEachVectorJacobian(new double[4], 1, new double[5], new double[4], out _));
        Assert.Equal("dresult", cotangent.ParamName);
        Assert.Contains("length 5", cotangent.Message);
        Assert.Contains("length 4", cotangent.Message);
    }
}
