using System.Numerics;
using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests;

public class ElementwiseTests
{
    public static readonly string[] Operations = ["Add", "Subtract", "Multiply", "Divide"];

    public static TheoryData<string, int, int, bool> OperationsShapesAndTypes => TestData.OperationsShapesAndTypes(Operations);

    public static TheoryData<string, int, int> OperationsAndGradientShapes
    {
        get
        {
            var data = new TheoryData<string, int, int>();
            foreach (string operation in Operations)
                foreach (var (rows, columns) in new[] { (1, 1), (3, 7), (33, 17), (100, 10) })
                    data.Add(operation, rows, columns);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(OperationsShapesAndTypes))]
    public void Forward_MatchesReference(string operation, int rows, int columns, bool single)
    {
        if (single)
            CheckForward<float>(operation, rows, columns);
        else
            CheckForward<double>(operation, rows, columns);
    }

    [Theory]
    [MemberData(nameof(OperationsAndGradientShapes))]
    public void Pullback_MatchesFiniteDifferences(string operation, int rows, int columns)
    {
        var a = TestData.Normal<double>(rows, columns, seed: 1);
        var b = TestData.Positive<double>(rows, columns, seed: 2);
        var dY = TestData.Normal<double>(rows, columns, seed: 3);
        var (dA, dB) = (new Matrix<double>(rows, columns), new Matrix<double>(rows, columns));
        var y = Forward(operation, a, b);
        switch (operation)
        {
            case "Add": AddPullback(a, b, y, dY, dA, dB); break;
            case "Subtract": SubtractPullback(a, b, y, dY, dA, dB); break;
            case "Multiply": MultiplyPullback(a, b, y, dY, dA, dB); break;
            case "Divide": DividePullback(a, b, y, dY, dA, dB); break;
        }
        PullbackCheck.Verify(() => PullbackCheck.Contract(Forward(operation, a, b), dY), [a, b], [dA, dB]);
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Subtract")]
    [InlineData("Multiply")]
    [InlineData("Divide")]
    public void Forward_InPlace_MatchesOutOfPlace(string operation)
    {
        var a = TestData.Normal<float>(17, 33, seed: 1);
        var b = TestData.Positive<float>(17, 33, seed: 2);
        var expected = Forward(operation, a, b).Span.ToArray();
        var intoA = a.Clone();
        Forward(operation, intoA, b, intoA);
        var intoB = b.Clone();
        Forward(operation, a, intoB, intoB);
        Assert.Equal(expected, intoA.Span.ToArray());
        Assert.Equal(expected, intoB.Span.ToArray());
    }

    [Fact]
    public void Add_ShapesDiffer_NamesBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Add(new Matrix<float>(3, 4), new Matrix<float>(4, 3)));
        Assert.Equal("Add: shapes (3×4) and (4×3) differ.", error.Message);
    }

    [Fact]
    public void TwoDestinationPullbacks_RejectDestinationsThatAreInputs()
    {
        var a = TestData.Normal<float>(3, 3, seed: 1);
        var b = TestData.Normal<float>(3, 3, seed: 2);
        var dY = TestData.Normal<float>(3, 3, seed: 3);
        var dA = new Matrix<float>(3, 3);
        var product = Multiply(a, b);
        var quotient = Divide(a, b);
        Assert.Throws<ArgumentException>(() => MultiplyPullback(a, b, product, dY, dY, null));
        Assert.Throws<ArgumentException>(() => MultiplyPullback(a, b, product, dY, a, null));
        Assert.Throws<ArgumentException>(() => MultiplyPullback(a, b, product, dY, dA, dA));
        Assert.Throws<ArgumentException>(() => DividePullback(a, b, quotient, dY, null, b));
        Assert.Throws<ArgumentException>(() => DividePullback(a, b, quotient, dY, quotient, null));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(100, 10)]
    public void ScaleAndAddScalar_Pullbacks_MatchFiniteDifferences_IncludingTheScalar(int rows, int columns)
    {
        var a = TestData.Normal<double>(rows, columns, seed: 1);
        var dY = TestData.Normal<double>(rows, columns, seed: 2);
        var scalar = Matrix<double>.FromArray(1, 1, [1.7]);
        var (dA, dScalar) = (new Matrix<double>(rows, columns), new Matrix<double>(1, 1));

        ScalePullback(a, scalar[0, 0], Scale(a, scalar[0, 0]), dY, dA, out dScalar[0, 0]);
        PullbackCheck.Verify(() => PullbackCheck.Contract(Scale(a, scalar[0, 0]), dY), [a, scalar], [dA, dScalar]);

        AddScalarPullback(a, scalar[0, 0], AddScalar(a, scalar[0, 0]), dY, dA, out dScalar[0, 0]);
        PullbackCheck.Verify(() => PullbackCheck.Contract(AddScalar(a, scalar[0, 0]), dY), [a, scalar], [dA, dScalar]);
    }

    [Theory]
    [MemberData(nameof(TestData.Shapes), MemberType = typeof(TestData))]
    public void AddRowVector_AddsTheRowToEveryRow(int rows, int columns)
    {
        var a = TestData.Normal<float>(rows, columns, seed: 1);
        var bias = TestData.Normal<float>(1, columns, seed: 2);
        var sum = AddRowVector(a, bias);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                Assert.Equal(a[i, j] + bias[0, j], sum[i, j]);
    }

    [Theory]
    [InlineData(3, 35)]
    [InlineData(100, 100)]
    public void AddRowVector_InPlace_AddsTheRowToEveryRow(int rows, int columns)
    {
        var a = TestData.Normal<float>(rows, columns, seed: 1);
        var bias = TestData.Normal<float>(1, columns, seed: 2);
        var expected = AddRowVector(a, bias);
        AddRowVector(a, bias, a);
        Assert.Equal(expected.Span.ToArray(), a.Span.ToArray());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(100, 10)]
    public void AddRowVectorPullback_GivesDyAndItsColumnSums(int rows, int columns)
    {
        var a = TestData.Normal<double>(rows, columns, seed: 1);
        var bias = TestData.Normal<double>(1, columns, seed: 2);
        var dY = TestData.Normal<double>(rows, columns, seed: 3);
        var (dA, dBias) = (new Matrix<double>(rows, columns), new Matrix<double>(1, columns));
        AddRowVectorPullback(a, bias, AddRowVector(a, bias), dY, dA, dBias);
        PullbackCheck.Verify(() => PullbackCheck.Contract(AddRowVector(a, bias), dY), [a, bias], [dA, dBias]);
    }

    [Fact]
    public void AddRowVector_WrongRow_NamesBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => AddRowVector(new Matrix<float>(100, 10), new Matrix<float>(1, 9)));
        Assert.Equal("AddRowVector: (100×10) + (1×9) — the row vector must be 1×10", error.Message);
    }

    [Fact]
    public void Operators_ReadLikeMath()
    {
        var x = TestData.Normal<double>(4, 3, seed: 1);
        var y = TestData.Normal<double>(4, 3, seed: 2);
        var bias = TestData.Normal<double>(1, 3, seed: 3);
        Assert.Equal(Add(x, y).Span.ToArray(), (x + y).Span.ToArray());
        Assert.Equal(AddRowVector(x, bias).Span.ToArray(), (x + bias).Span.ToArray());
        Assert.Equal(Subtract(x, y).Span.ToArray(), (x - y).Span.ToArray());
        Assert.Equal(Scale(x, -1.0).Span.ToArray(), (-x).Span.ToArray());
        Assert.Equal(Scale(x, 2.5).Span.ToArray(), (2.5 * x).Span.ToArray());
        Assert.Equal(Scale(x, 2.5).Span.ToArray(), (x * 2.5).Span.ToArray());
        Assert.Throws<ArgumentException>(() => x + Transpose(y));
    }

    private static void CheckForward<T>(string operation, int rows, int columns) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = TestData.Normal<T>(rows, columns, seed: 1);
        var b = TestData.Positive<T>(rows, columns, seed: 2);
        double[] left = TestData.ToDoubles(a), right = TestData.ToDoubles(b);
        double[] expected = [.. left.Zip(right, (x, y) => operation switch
        {
            "Add" => x + y,
            "Subtract" => x - y,
            "Multiply" => x * y,
            _ => x / y,
        })];
        TestData.AssertClose(expected, Forward(operation, a, b), TestData.Tolerance<T>(), operation);
    }

    private static Matrix<T> Forward<T>(string operation, Matrix<T> a, Matrix<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(a.Rows, a.Columns);
        Forward(operation, a, b, destination);
        return destination;
    }

    private static void Forward<T>(string operation, Matrix<T> a, Matrix<T> b, Matrix<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (operation)
        {
            case "Add": Add(a, b, destination); break;
            case "Subtract": Subtract(a, b, destination); break;
            case "Multiply": Multiply(a, b, destination); break;
            case "Divide": Divide(a, b, destination); break;
            default: throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }
    }
}
