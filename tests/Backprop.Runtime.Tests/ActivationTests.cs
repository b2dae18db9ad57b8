using System.Numerics;
using static Backprop.MatrixOps;

namespace Backprop.Runtime.Tests;

public class ActivationTests
{
    public static readonly string[] Operations = ["Sigmoid", "Relu", "Tanh", "Exp", "Log", "Square", "Sqrt", "Softmax"];

    public static TheoryData<string, int, int, bool> OperationsShapesAndTypes => TestData.OperationsShapesAndTypes(Operations);

    public static TheoryData<string, int, int> OperationsAndGradientShapes
    {
        get
        {
            var data = new TheoryData<string, int, int>();
            foreach (string operation in Operations)
                foreach (var (rows, columns) in new[] { (1, 1), (3, 7), (17, 33), (100, 10) })
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
        var x = Input<double>(operation, rows, columns);
        var dY = TestData.Normal<double>(rows, columns, seed: 9);
        var dX = new Matrix<double>(rows, columns);
        Pullback(operation, x, Forward(operation, x), dY, dX);
        PullbackCheck.Verify(() => PullbackCheck.Contract(Forward(operation, x), dY), [x], [dX]);
    }

    [Theory]
    [MemberData(nameof(OperationsAndGradientShapes))]
    public void ForwardAndPullback_InPlace_MatchOutOfPlace(string operation, int rows, int columns)
    {
        var x = Input<float>(operation, rows, columns);
        var y = Forward(operation, x);
        var inPlace = x.Clone();
        Forward(operation, inPlace, inPlace);
        Assert.Equal(y.Span.ToArray(), inPlace.Span.ToArray());

        var dY = TestData.Normal<float>(rows, columns, seed: 9);
        var dX = new Matrix<float>(rows, columns);
        Pullback(operation, x, y, dY, dX);
        Pullback(operation, x, y, dY, dY);
        Assert.Equal(dX.Span.ToArray(), dY.Span.ToArray());
    }

    [Fact]
    public void SigmoidPullback_IsDyTimesYTimesOneMinusY()
    {
        var x = TestData.Normal<double>(17, 33, seed: 1);
        var y = Sigmoid(x);
        var dY = TestData.Normal<double>(17, 33, seed: 2);
        var dX = new Matrix<double>(17, 33);
        SigmoidPullback(x, y, dY, dX);
        double[] expected = [.. Enumerable.Range(0, y.Length).Select(i => dY.Span[i] * y.Span[i] * (1 - y.Span[i]))];
        TestData.AssertClose(expected, dX, 1e-15);
    }

    [Fact]
    public void ReluPullback_PassesDyWhereXIsPositive()
    {
        var x = Matrix<float>.FromArray(new float[,] { { -2, 0, 3 }, { 1e-30f, -1e-30f, 5 } });
        var dY = Matrix<float>.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var dX = new Matrix<float>(2, 3);
        ReluPullback(x, Relu(x), dY, dX);
        Assert.Equal([0f, 0f, 3f, 4f, 0f, 6f], dX.Span.ToArray());
    }

    [Fact]
    public void Softmax_LargeLogits_StayFiniteAndSumToOne()
    {
        var probabilities = Softmax(Matrix<float>.FromArray(new float[,] { { 1000, 1001, 999 }, { -1000, -1000, -1000 } }));
        Assert.All(probabilities.Span.ToArray(), p => Assert.True(float.IsFinite(p)));
        Assert.Equal(1, probabilities.Row(0).ToArray().Sum(), 5);
        Assert.Equal(1 / 3f, probabilities[1, 2], 6);
    }

    [Fact]
    public void Relu_ShapeMismatch_NamesBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Relu(new Matrix<float>(3, 4), new Matrix<float>(4, 3)));
        Assert.Equal("Relu: shapes (3×4) and (4×3) differ.", error.Message);
    }

    private static void CheckForward<T>(string operation, int rows, int columns) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = Input<T>(operation, rows, columns);
        double[] input = TestData.ToDoubles(x);
        double[] expected = operation == "Softmax" ? ReferenceSoftmax(input, columns) : [.. input.Select(v => Reference(operation, v))];
        TestData.AssertClose(expected, Forward(operation, x), 30 * TestData.Tolerance<T>(), operation);
    }

    private static Matrix<T> Input<T>(string operation, int rows, int columns) where T : unmanaged, IFloatingPointIeee754<T> =>
        operation is "Log" or "Sqrt" ? TestData.Positive<T>(rows, columns, seed: 4) : TestData.Normal<T>(rows, columns, seed: 4);

    private static double Reference(string operation, double x) => operation switch
    {
        "Sigmoid" => 1 / (1 + Math.Exp(-x)),
        "Relu" => Math.Max(x, 0),
        "Tanh" => Math.Tanh(x),
        "Exp" => Math.Exp(x),
        "Log" => Math.Log(x),
        "Square" => x * x,
        "Sqrt" => Math.Sqrt(x),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    private static double[] ReferenceSoftmax(double[] logits, int columns)
    {
        var result = new double[logits.Length];
        for (int start = 0; start < logits.Length; start += columns)
        {
            var row = logits.AsSpan(start, columns);
            double max = row.ToArray().Max();
            double sum = row.ToArray().Sum(v => Math.Exp(v - max));
            for (int j = 0; j < columns; j++)
                result[start + j] = Math.Exp(row[j] - max) / sum;
        }
        return result;
    }

    private static Matrix<T> Forward<T>(string operation, Matrix<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Matrix<T>(x.Rows, x.Columns);
        Forward(operation, x, y);
        return y;
    }

    private static void Forward<T>(string operation, Matrix<T> x, Matrix<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (operation)
        {
            case "Sigmoid": Sigmoid(x, y); break;
            case "Relu": Relu(x, y); break;
            case "Tanh": Tanh(x, y); break;
            case "Exp": Exp(x, y); break;
            case "Log": Log(x, y); break;
            case "Square": Square(x, y); break;
            case "Sqrt": Sqrt(x, y); break;
            case "Softmax": Softmax(x, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }
    }

    private static void Pullback<T>(string operation, Matrix<T> x, Matrix<T> y, Matrix<T> dY, Matrix<T> dX) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (operation)
        {
            case "Sigmoid": SigmoidPullback(x, y, dY, dX); break;
            case "Relu": ReluPullback(x, y, dY, dX); break;
            case "Tanh": TanhPullback(x, y, dY, dX); break;
            case "Exp": ExpPullback(x, y, dY, dX); break;
            case "Log": LogPullback(x, y, dY, dX); break;
            case "Square": SquarePullback(x, y, dY, dX); break;
            case "Sqrt": SqrtPullback(x, y, dY, dX); break;
            case "Softmax": SoftmaxPullback(x, y, dY, dX); break;
            default: throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }
    }
}
