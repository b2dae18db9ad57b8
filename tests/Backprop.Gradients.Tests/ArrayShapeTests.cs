using System.Numerics;
using Backprop.Testing;
using static Backprop.Gradients.Tests.FiniteDifferences;
using A = Backprop.Gradients.Tests.ArrayShapeFunctions;

namespace Backprop.Gradients.Tests;

/// <summary>
/// <c>FHessian</c>, <c>FHessianVector</c> and <c>FJacobian</c> of methods taking two-dimensional arrays, arrays of arrays
/// and arrays or spans of structs, against central finite differences (of the value for a Jacobian, of the gradient for
/// second derivatives) and closed forms. Each such parameter is the numbers it holds, in order: row after row, struct after struct.
/// </summary>
public class ArrayShapeTests
{
    // ---- Flat vectors of inputs and the shapes the methods take ----

    private static double[,] Grid(double[] p, int rows, int columns)
    {
        var grid = new double[rows, columns];
        for (int k = 0; k < rows * columns; k++)
            grid[k / columns, k % columns] = p[k];
        return grid;
    }

    private static double[][] Rows(double[] p, int[] lengths, int offset = 0)
    {
        var rows = new double[lengths.Length][];
        for (int i = 0; i < lengths.Length; offset += lengths[i], i++)
            rows[i] = p.AsSpan(offset, lengths[i]).ToArray();
        return rows;
    }

    private static double[] Flat(double[][] rows) => rows.SelectMany(r => r).ToArray();

    private static Vec3[] Points(double[] p, int count) => Enumerable.Range(0, count).Select(i => new Vec3(p[3 * i], p[3 * i + 1], p[3 * i + 2])).ToArray();

    private static double[] Flat(Vec3[] points) => points.SelectMany(v => new[] { v.X, v.Y, v.Z }).ToArray();

    private static double[] Point(int seed, int length, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        // Kept away from 0, where the functions below branch.
        return Enumerable.Range(0, length).Select(_ => (random.Next(2) == 0 ? -1 : 1) * (low + (high - low) * random.NextDouble())).ToArray();
    }

    private static double[,] RandomMatrix(int n, int seed)
    {
        var random = new Random(seed);
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                a[i, j] = Math.Round(random.NextDouble() * 4 - 2, 2);
        return a;
    }

    // ---- The references ----

    /// <summary>Each column of <paramref name="jacobian"/> against central differences of the value along that input.</summary>
    private static void AssertJacobian(Func<double[], double[]> value, double[,] jacobian, double[] point, double tolerance = 1e-6, double step = 1e-6)
    {
        Assert.Equal(point.Length, jacobian.GetLength(1));
        for (int k = 0; k < point.Length; k++)
        {
            double h = step * Math.Max(1, Math.Abs(point[k]));
            double[] up = (double[])point.Clone(), down = (double[])point.Clone();
            up[k] += h;
            down[k] -= h;
            double[] upValue = value(up), downValue = value(down);
            Assert.Equal(upValue.Length, jacobian.GetLength(0));
            for (int i = 0; i < upValue.Length; i++)
            {
                double numerical = (upValue[i] - downValue[i]) / (2 * h);
                Assert.True(Math.Abs(jacobian[i, k] - numerical) <= tolerance * Math.Max(1, Math.Abs(numerical)),
                    $"J[{i}, {k}]: generated {jacobian[i, k]:R}, finite differences {numerical:R}");
            }
        }
    }

    /// <summary>Each column of <paramref name="hessian"/> against central differences of the gradient along that input.</summary>
    private static void AssertHessian(Func<double[], double[]> gradient, double[,] hessian, double[] point, int digits = 6)
    {
        Assert.Equal(point.Length, hessian.GetLength(0));
        for (int k = 0; k < point.Length; k++)
        {
            double[] column = GradientAlong(gradient, point, point.Select((_, l) => l == k ? 1.0 : 0).ToArray());
            for (int l = 0; l < point.Length; l++)
                Assert.Equal(column[l], hessian[l, k], digits);
        }
    }

    /// <summary>A closed form, entry by entry.</summary>
    private static void AssertMatrix(Func<int, int, double> expected, double[,] actual, double tolerance = 1e-12)
    {
        for (int i = 0; i < actual.GetLength(0); i++)
            for (int j = 0; j < actual.GetLength(1); j++)
                Assert.True(Math.Abs(expected(i, j) - actual[i, j]) <= tolerance * Math.Max(1, Math.Abs(expected(i, j))), $"[{i}, {j}]: {actual[i, j]:R}, expected {expected(i, j):R}");
    }

    // ---- Two-dimensional arrays ----

    [Fact]
    public void AGridsJacobianColumnsAreItsElementsRowAfterRowByForwardSweeps()
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            double[] p = Point(seed, 7, 0.1, 1.5);
            double[] Value(double[] q) => A.SquashGrid(Grid(q, 2, 3), q[6]);
            var jacobian = new double[7, 7];
            double[] y = A.SquashGridJacobian(Grid(p, 2, 3), p[6], jacobian);
            Assert.Equal(Value(p), y);
            AssertJacobian(Value, jacobian, p);
            double s = p[6];
            AssertMatrix((i, k) =>
                i == 6 ? (k == 6 ? 2 * s : 0)
                : k == 6 ? y[i] / s
                : i != k ? 0
                : p[k] > 0 ? s * (1 - Math.Tanh(p[k]) * Math.Tanh(p[k])) : 0.5 * s, jacobian);
        }
        var exception = Assert.Throws<ArgumentException>(() => A.SquashGridJacobian(new double[2, 3], 1, new double[7, 6]));
        Assert.Equal("jacobian", exception.ParamName);
    }

    [Fact]
    public void AFloatGridsJacobianThroughACallTakesReverseSweeps()
    {
        double[] p = Point(4, 12, 0.1, 1);
        float[,] Floats(double[] q) => new float[3, 4].Let(g => { for (int k = 0; k < 12; k++) g[k / 4, k % 4] = (float)q[k]; });
        var jacobian = new double[3, 12];
        float[] y = A.RowEnergiesJacobian(Floats(p), jacobian);
        Assert.Equal(A.RowEnergies(Floats(p)), y);
        // Row i is σ(Σⱼ aᵢⱼ²)·2aᵢⱼ over row i's elements, zero elsewhere.
        float[,] a = Floats(p);
        AssertMatrix((i, k) =>
        {
            if (k / 4 != i)
                return 0;
            double sum = Enumerable.Range(0, 4).Sum(j => (double)a[i, j] * a[i, j]);
            return 2 * a[i, k % 4] / (1 + Math.Exp(-sum));
        }, jacobian, 1e-5);
        AssertJacobian(q => A.RowEnergies(Floats(q)).Select(v => (double)v).ToArray(), jacobian, p, tolerance: 2e-2, step: 1e-2);
    }

    // ---- Arrays of arrays ----

    private static readonly int[] s_lengths = { 2, 1, 3 };

    [Fact]
    public void AQuadraticFormOverRowsHasHessianAPlusATransposedRowAfterRow()
    {
        double[,] a = RandomMatrix(6, 5);
        double[] p = Point(6, 6);
        var hessian = new double[6, 6];
        double value = A.RaggedQuadraticHessian(Rows(p, s_lengths), a, hessian);
        Assert.Equal(A.RaggedQuadratic(Rows(p, s_lengths), a), value);
        AssertMatrix((i, j) => a[i, j] + a[j, i], hessian);

        // The product: (A + Aᵀ)·v, in rows of the parameter's lengths.
        double[] v = Point(7, 6);
        double[][] hx = s_lengths.Select(n => new double[n]).ToArray();
        A.RaggedQuadraticHessianVector(Rows(p, s_lengths), a, Rows(v, s_lengths), hx);
        double[] product = Flat(hx);
        for (int i = 0; i < 6; i++)
            Assert.Equal(Enumerable.Range(0, 6).Sum(j => (a[i, j] + a[j, i]) * v[j]), product[i], 12);
    }

    [Fact]
    public void AHessianVectorProductsBuffersMustHaveTheParametersRowLengths()
    {
        double[][] x = Rows(Point(8, 6), s_lengths);
        double[,] a = RandomMatrix(6, 9);
        double[][] direction = s_lengths.Select(n => new double[n]).ToArray();
        var exception = Assert.Throws<ArgumentException>(() => A.RaggedQuadraticHessianVector(x, a, direction, new[] { new double[2], new double[1], new double[2] }));
        Assert.Equal("hx", exception.ParamName);
        Assert.Contains("Row 2", exception.Message);
        Assert.Contains("length 2", exception.Message);
        Assert.Contains("length 3", exception.Message);
        exception = Assert.Throws<ArgumentException>(() => A.RaggedQuadraticHessianVector(x, a, new[] { new double[2], new double[1] }, s_lengths.Select(n => new double[n]).ToArray()));
        Assert.Equal("dx", exception.ParamName);
        Assert.Throws<ArgumentException>(() => A.RaggedQuadraticHessian(x, a, new double[5, 5]));
    }

    [Fact]
    public void SecondDerivativesOverRowsInALoopWithABranchAndACallMatchGradientDifferences()
    {
        int[] lengths = { 3, 2, 4 };
        double[] Gradient(double[] q)
        {
            double[][] dx = lengths.Select(n => new double[n]).ToArray();
            A.RaggedEnergyGradient(Rows(q, lengths), q[^1], dx, out double dk);
            return Flat(dx).Append(dk).ToArray();
        }
        foreach (int seed in new[] { 10, 11 })
        {
            double[] p = Point(seed, 10, 0.2, 1.2);
            Check(q => A.RaggedEnergy(Rows(q, lengths), q[^1]), (q, g) => { Gradient(q).CopyTo(g, 0); return A.RaggedEnergy(Rows(q, lengths), q[^1]); }, new[] { p });
            var hessian = new double[10, 10];
            double value = A.RaggedEnergyHessian(Rows(p, lengths), p[^1], hessian);
            Assert.Equal(A.RaggedEnergy(Rows(p, lengths), p[^1]), value);
            AssertHessian(Gradient, hessian, p);

            double[] v = Point(seed + 100, 10);
            // Garbage in the product: it is overwritten.
            double[][] hx = lengths.Select(n => Enumerable.Repeat(double.NaN, n).ToArray()).ToArray();
            A.RaggedEnergyHessianVector(Rows(p, lengths), p[^1], Rows(v, lengths), v[^1], hx, out double hk);
            double[] expected = GradientAlong(Gradient, p, v);
            double[] product = Flat(hx).Append(hk).ToArray();
            for (int k = 0; k < 10; k++)
                Assert.Equal(expected[k], product[k], 6);
        }
    }

    [Fact]
    public void AFloatHessianOverRowsMatchesItsClosedForm()
    {
        double[] p = Point(12, 6, 0.2, 1.2);
        int[] lengths = { 2, 3 };
        float[][] x = lengths.Select((n, i) => Enumerable.Range(0, n).Select(j => (float)p[(i == 0 ? 0 : 2) + j]).ToArray()).ToArray();
        float s = (float)p[5];
        var hessian = new double[6, 6];
        float value = A.RaggedFloatHessian(x, s, hessian);
        Assert.Equal(A.RaggedFloat(x, s), value);
        // Coordinates: x00, x01, x10, x11, x12, s; column j of a row weighs (j + 1).
        int[] column = { 0, 1, 0, 1, 2 };
        float[] flat = x.SelectMany(r => r).ToArray();
        AssertMatrix((i, j) =>
        {
            if (i == 5 && j == 5)
                return 0;
            if (i == 5 || j == 5)
            {
                int k = Math.Min(i, j);
                return 2 * (column[k] + 1) * flat[k];
            }
            return (i == j ? 2 * (column[i] + 1) * s : 0) + ((i, j) is (0, 2) or (2, 0) ? 1 : 0);
        }, hessian, 1e-5);
    }

    [Fact]
    public void TheJacobianOfRowsTakesTheirElementsRowAfterRowInBothSweeps()
    {
        // Row norms: 3 outputs, 6 inputs (reverse sweeps); row i is x[i]/|x[i]| over row i's elements.
        double[] p = Point(13, 6);
        var norms = new double[3, 6];
        double[] y = A.RowNormsJacobian(Rows(p, s_lengths), norms);
        Assert.Equal(A.RowNorms(Rows(p, s_lengths)), y);
        int[] rowOf = { 0, 0, 1, 2, 2, 2 };
        AssertMatrix((i, k) => rowOf[k] == i ? p[k] / y[i] : 0, norms);
        AssertJacobian(q => A.RowNorms(Rows(q, s_lengths)), norms, p);

        // An elementwise map: as many outputs as inputs (forward sweeps), a diagonal.
        var map = new double[6, 6];
        Assert.Equal(A.RaggedMap(Rows(p, s_lengths)), A.RaggedMapJacobian(Rows(p, s_lengths), map));
        AssertMatrix((i, k) => i != k ? 0 : p[k] < 0 ? -2 * p[k] : Math.Cos(p[k]), map);
        AssertJacobian(q => A.RaggedMap(Rows(q, s_lengths)), map, p);
    }

    // ---- Arrays and spans of structs ----

    [Fact]
    public void AQuadraticFormOverPointsHasHessianAPlusATransposedStructAfterStruct()
    {
        double[,] a = RandomMatrix(9, 14);
        double[] p = Point(15, 9);
        var hessian = new double[9, 9];
        double value = A.PointQuadraticHessian(Points(p, 3), a, hessian);
        Assert.Equal(A.PointQuadratic(Points(p, 3), a), value);
        AssertMatrix((i, j) => a[i, j] + a[j, i], hessian);

        double[] v = Point(16, 9);
        var hp = new Vec3[3];
        A.PointQuadraticHessianVector(Points(p, 3), a, Points(v, 3), hp);
        double[] product = Flat(hp);
        for (int i = 0; i < 9; i++)
            Assert.Equal(Enumerable.Range(0, 9).Sum(j => (a[i, j] + a[j, i]) * v[j]), product[i], 12);
        Assert.Throws<ArgumentException>(() => A.PointQuadraticHessianVector(Points(p, 3), a, Points(v, 3), new Vec3[2]));
    }

    [Fact]
    public void SecondDerivativesOverASpanOfPointsInALoopWithABranchAndACallMatchGradientDifferences()
    {
        // Four points: two springs stretched, one slack.
        double[] p = { 0, 0, 0, 1.4, 0.2, -0.1, 1.9, 0.5, 0.3, 3.2, 0.4, 0.2, 2.0 };
        double[] Gradient(double[] q)
        {
            var dp = new Vec3[4];
            A.ChainGradient(Points(q, 4), q[^1], 1.0, dp, out double dk);
            return Flat(dp).Append(dk).ToArray();
        }
        Check(q => A.Chain(Points(q, 4), q[^1], 1.0), (q, g) => { Gradient(q).CopyTo(g, 0); return A.Chain(Points(q, 4), q[^1], 1.0); }, new[] { p });
        var hessian = new double[13, 13];
        double value = A.ChainHessian(Points(p, 4), p[^1], 1.0, hessian);
        Assert.Equal(A.Chain(Points(p, 4), p[^1], 1.0), value);
        AssertHessian(Gradient, hessian, p);

        double[] v = Point(17, 13);
        var hp = Enumerable.Repeat(new Vec3(double.NaN, double.NaN, double.NaN), 4).ToArray();
        A.ChainHessianVector(Points(p, 4), p[^1], 1.0, Points(v, 4), v[^1], hp, out double hk);
        double[] expected = GradientAlong(Gradient, p, v);
        double[] product = Flat(hp).Append(hk).ToArray();
        for (int k = 0; k < 13; k++)
            Assert.Equal(expected[k], product[k], 6);
    }

    [Fact]
    public void AFloatHessianOverVector3sMatchesItsClosedForm()
    {
        Vector3[] v = { new(0.5f, -1, 0.25f), new(2, 0.75f, -0.5f), new(-1.5f, 0.1f, 1) };
        float[] w = { 0.5f, 2, -1 };
        var hessian = new double[12, 12];
        float value = A.FloatPointsHessian(v, w, hessian);
        Assert.Equal(A.FloatPoints(v, w), value);
        // Coordinates: v₀.X, v₀.Y, v₀.Z, v₁.X, …, v₂.Z, then w₀, w₁, w₂.
        double Coordinate(int k) => k % 3 == 0 ? v[k / 3].X : k % 3 == 1 ? v[k / 3].Y : v[k / 3].Z;
        AssertMatrix((i, j) =>
        {
            if (i >= 9 && j >= 9)
                return 0;
            if (i >= 9 || j >= 9)
            {
                int k = Math.Min(i, j), point = Math.Max(i, j) - 9;
                return k / 3 == point ? 2 * Coordinate(k) : 0;
            }
            return (i == j ? 2 * w[i / 3] : 0) + (Math.Abs(i - j) == 3 && Math.Min(i, j) < 3 ? 1 : 0);
        }, hessian, 1e-6);
    }

    [Fact]
    public void TheJacobianOfPointsTakesTheirNumbersStructAfterStructInBothSweeps()
    {
        // Distances: 3 outputs, 9 inputs (reverse sweeps); row i is pᵢ/|pᵢ| over point i's numbers.
        double[] p = Point(18, 9);
        var distances = new double[3, 9];
        double[] y = A.DistancesJacobian(Points(p, 3), distances);
        Assert.Equal(A.Distances(Points(p, 3)), y);
        AssertMatrix((i, k) => k / 3 == i ? p[k] / y[i] : 0, distances);
        AssertJacobian(q => A.Distances(Points(q, 3)), distances, p);

        // Scaled numbers of a span and s itself: 10 outputs, 10 inputs (forward sweeps).
        double[] q = p.Append(1.5).ToArray();
        double[] Value(double[] r) => A.ScaledPoints(Points(r, 3), r[^1]);
        var scaled = new double[10, 10];
        Assert.Equal(Value(q), A.ScaledPointsJacobian(Points(q, 3), q[^1], scaled));
        double s = q[^1];
        AssertMatrix((i, k) =>
            i == 9 ? (k == 9 ? 1 : 0)
            : k == 9 ? (i % 3 == 0 ? q[i] : i % 3 == 1 ? q[i] * q[i] : Math.Exp(q[i]))
            : i != k ? 0
            : i % 3 == 0 ? s : i % 3 == 1 ? 2 * s * q[i] : s * Math.Exp(q[i]), scaled);
        AssertJacobian(Value, scaled, q);
    }

    // ---- Structs holding arrays ----

    private static readonly int[] s_order = { 2, 0, 2, 1 };

    /// <summary>Coordinates: the layer's W (3 elements), its B, then x (4 elements).</summary>
    private static Layer LayerOf(double[] p) => new() { W = p[..3], B = p[3], Order = s_order };

    [Fact]
    public void SecondDerivativesOfAStructHoldingArraysTakeItsMembersInOrderArraysElementByElement()
    {
        double[] Gradient(double[] q)
        {
            var dx = new double[4];
            A.LayerLossGradient(LayerOf(q), q[4..], out Layer dlayer, dx);
            return dlayer.W.Append(dlayer.B).Concat(dx).ToArray();
        }
        // One point where the sum is positive, one where it is not (the call).
        foreach (double[] p in new[] { new[] { 0.5, -0.3, 0.8, 0.2, 1.1, -0.4, 0.7, 0.9 }, new[] { -0.5, 0.3, -0.8, -0.2, 1.1, -0.4, 0.7, 0.9 } })
        {
            var hessian = new double[8, 8];
            double value = A.LayerLossHessian(LayerOf(p), p[4..], hessian);
            Assert.Equal(A.LayerLoss(LayerOf(p), p[4..]), value);
            AssertHessian(Gradient, hessian, p);

            double[] v = Point(20, 8);
            var hx = Enumerable.Repeat(double.NaN, 4).ToArray();
            A.LayerLossHessianVector(LayerOf(p), p[4..], LayerOf(v), v[4..], out Layer hlayer, hx);
            double[] expected = GradientAlong(Gradient, p, v);
            double[] product = hlayer.W.Append(hlayer.B).Concat(hx).ToArray();
            for (int k = 0; k < 8; k++)
                Assert.Equal(expected[k], product[k], 6);
        }
    }

    [Theory]
    [InlineData(4)] // 8 inputs, 8 outputs: forward sweeps
    [InlineData(2)] // 6 inputs, 4 outputs: reverse sweeps
    public void TheJacobianOfAStructHoldingArraysTakesItsMembersInOrderArraysElementByElement(int n)
    {
        double[] p = new[] { 0.5, -0.3, 0.8, 0.2, 1.1, -0.4, 0.7, 0.9 }[..(4 + n)];
        var jacobian = new double[2 * n, 4 + n];
        double[] y = A.LayerOutputsJacobian(LayerOf(p), p[4..], jacobian);
        Assert.Equal(A.LayerOutputs(LayerOf(p), p[4..]), y);
        // yᵢ = tanh(W[oᵢ]·xᵢ + b): row i has (1 − yᵢ²)·xᵢ at W[oᵢ], (1 − yᵢ²) at b, (1 − yᵢ²)·W[oᵢ] at xᵢ; y₍ₙ₊ᵢ₎ = b·xᵢ: xᵢ at b, b at xᵢ.
        double b = p[3];
        AssertMatrix((i, k) =>
        {
            if (i >= n)
                return k == 3 ? p[4 + i - n] : k - 4 == i - n ? b : 0;
            double slope = 1 - y[i] * y[i];
            return k < 3 ? (k == s_order[i] ? slope * p[4 + i] : 0) : k == 3 ? slope : k - 4 == i ? slope * p[s_order[i]] : 0;
        }, jacobian);
        AssertJacobian(q => A.LayerOutputs(LayerOf(q), q[4..]), jacobian, p);
    }

    /// <summary>FHessian's scratch (directions, gradients, products of each shape) comes from the per-thread pools: once warm, it allocates nothing.</summary>
    [Fact]
    public void HessiansOverRowsAndPointsAllocateNothingOnceWarm()
    {
        int[] lengths = { 3, 2, 4 };
        double[][] x = Rows(Point(19, 9, 0.2, 1.2), lengths);
        var ragged = new double[10, 10];
        Assert.Equal(0, SteadyState.Allocated(() => A.RaggedEnergyHessian(x, 0.7, ragged)));
        Vec3[] points = Points(new double[] { 0, 0, 0, 1.4, 0.2, -0.1, 1.9, 0.5, 0.3 }, 3);
        var chain = new double[10, 10];
        Assert.Equal(0, SteadyState.Allocated(() => A.ChainHessian(points, 2.0, 1.0, chain)));
        var grid = new double[3, 12];
        float[,] a = new float[3, 4];
        // A Jacobian allocates what the method does (its result) and nothing more.
        long once = SteadyState.Allocated(() => A.RowEnergies(a));
        Assert.Equal(once, SteadyState.Allocated(() => A.RowEnergiesJacobian(a, grid)));
    }
}
