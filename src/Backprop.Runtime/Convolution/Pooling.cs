using System.Numerics;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>
    /// Max pooling: each output is the largest input in its window, channel by channel, for every image (one per
    /// row, channels × height × width; see <see cref="Pool2DGeometry"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The columns of <paramref name="x"/> are not the geometry's input size.</exception>
    public static Matrix<T> MaxPool2D<T>(Matrix<T> x, Pool2DGeometry geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, columns) = MaxPool2DShape(x, geometry);
        var destination = new Matrix<T>(rows, columns);
        MaxPool2D(x, geometry, destination);
        return destination;
    }

    /// <summary>The shape of <see cref="MaxPool2D{T}(Matrix{T}, Pool2DGeometry)"/>: one row per image, <see cref="Pool2DGeometry.OutputSize"/> columns.</summary>
    public static (int Rows, int Columns) MaxPool2DShape<T>(Matrix<T> x, Pool2DGeometry geometry)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (x.Rows, geometry.OutputSize);

    /// <summary><c>destination = MaxPool2D(x, geometry)</c>, allocating nothing.</summary>
    /// <exception cref="ArgumentException">A shape does not match the geometry, or <paramref name="destination"/> is <paramref name="x"/>.</exception>
    public static void MaxPool2D<T>(Matrix<T> x, Pool2DGeometry geometry, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequirePoolShapes(x, geometry, destination, nameof(MaxPool2D), nameof(destination));
        PoolingKernel<T>.MaxForward(geometry, x.Span, destination.Span, PoolingParts(x));
    }

    /// <summary>
    /// Pullback of <see cref="MaxPool2D{T}(Matrix{T}, Pool2DGeometry)"/>: each output's gradient goes to the input
    /// that was the largest in its window (the first one, reading rows left to right, when several tie); every
    /// other input gets 0, and an input that is the largest of several overlapping windows gets the sum.
    /// </summary>
    [DerivativeOf(nameof(MaxPool2D), Shape = nameof(MaxPool2DShape))]
    public static void MaxPool2DPullback<T>(Matrix<T> x, Pool2DGeometry geometry, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dX is null)
            return;
        RequirePoolShapes(x, geometry, dResult, nameof(MaxPool2DPullback), nameof(dResult));
        RequireSameShape(x, dX, nameof(MaxPool2DPullback));
        RequireDistinct(dX, dResult, nameof(MaxPool2DPullback), nameof(dX), nameof(dResult));
        PoolingKernel<T>.MaxBackward(geometry, x.Span, dResult.Span, dX.Span, PoolingParts(x));
    }

    /// <summary>
    /// Tangent of <see cref="MaxPool2D{T}(Matrix{T}, Pool2DGeometry)"/>: each output's tangent is the direction at the
    /// input that was the largest in its window (the first on ties, as the pullback chooses).
    /// </summary>
    [TangentOf(nameof(MaxPool2D))]
    public static void MaxPool2DTangent<T>(Matrix<T> x, Pool2DGeometry geometry, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (IsZeroDirection(dX, result, dResult, nameof(MaxPool2DTangent)))
            return;
        RequirePoolShapes(x, geometry, dResult, nameof(MaxPool2DTangent), nameof(dResult));
        RequireSameShape(x, dX, nameof(MaxPool2DTangent));
        PoolingKernel<T>.MaxTangent(geometry, x.Span, dX.Span, dResult.Span);
    }

    /// <summary>
    /// Tangent of <see cref="MaxPool2DPullback{T}"/>: the pullback of <paramref name="dResultTangent"/>. Max pooling is
    /// piecewise linear: where no window ties, a small change of <c>x</c> moves no maximum, so the term in <c>ẋ</c> is
    /// 0 almost everywhere.
    /// </summary>
    [TangentOf(nameof(MaxPool2DPullback))]
    public static void MaxPool2DPullbackTangent<T>(Matrix<T> x, Pool2DGeometry geometry, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dXTangent))
            MaxPool2DPullback(x, geometry, result, dResultTangent, dXTangent);
    }

    /// <summary>Average pooling: each output is the mean of the inputs in its window, channel by channel (see <see cref="Pool2DGeometry"/>).</summary>
    /// <exception cref="ArgumentException">The columns of <paramref name="x"/> are not the geometry's input size.</exception>
    public static Matrix<T> AvgPool2D<T>(Matrix<T> x, Pool2DGeometry geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, columns) = AvgPool2DShape(x, geometry);
        var destination = new Matrix<T>(rows, columns);
        AvgPool2D(x, geometry, destination);
        return destination;
    }

    /// <summary>The shape of <see cref="AvgPool2D{T}(Matrix{T}, Pool2DGeometry)"/>: one row per image, <see cref="Pool2DGeometry.OutputSize"/> columns.</summary>
    public static (int Rows, int Columns) AvgPool2DShape<T>(Matrix<T> x, Pool2DGeometry geometry)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (x.Rows, geometry.OutputSize);

    /// <summary><c>destination = AvgPool2D(x, geometry)</c>, allocating nothing.</summary>
    /// <exception cref="ArgumentException">A shape does not match the geometry, or <paramref name="destination"/> is <paramref name="x"/>.</exception>
    public static void AvgPool2D<T>(Matrix<T> x, Pool2DGeometry geometry, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequirePoolShapes(x, geometry, destination, nameof(AvgPool2D), nameof(destination));
        PoolingKernel<T>.AverageForward(geometry, x.Span, destination.Span);
    }

    /// <summary>Pullback of <see cref="AvgPool2D{T}(Matrix{T}, Pool2DGeometry)"/>: each output's gradient, divided by the window's size², goes to every input of its window.</summary>
    [DerivativeOf(nameof(AvgPool2D), Shape = nameof(AvgPool2DShape))]
    public static void AvgPool2DPullback<T>(Matrix<T> x, Pool2DGeometry geometry, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dX is null)
            return;
        RequirePoolShapes(x, geometry, dResult, nameof(AvgPool2DPullback), nameof(dResult));
        RequireSameShape(x, dX, nameof(AvgPool2DPullback));
        RequireDistinct(dX, dResult, nameof(AvgPool2DPullback), nameof(dX), nameof(dResult));
        PoolingKernel<T>.AverageBackward(geometry, dResult.Span, dX.Span);
    }

    /// <summary>Tangent of <see cref="AvgPool2D{T}(Matrix{T}, Pool2DGeometry)"/>, which is linear: <c>dResult = AvgPool2D(dX)</c>.</summary>
    [TangentOf(nameof(AvgPool2D))]
    public static void AvgPool2DTangent<T>(Matrix<T> x, Pool2DGeometry geometry, Matrix<T> result, Matrix<T>? dX, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroDirection(dX, result, dResult, nameof(AvgPool2DTangent)))
            AvgPool2D(dX, geometry, dResult);
    }

    /// <summary>Tangent of <see cref="AvgPool2DPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(AvgPool2DPullback))]
    public static void AvgPool2DPullbackTangent<T>(Matrix<T> x, Pool2DGeometry geometry, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dXTangent))
            AvgPool2DPullback(x, geometry, result, dResultTangent, dXTangent);
    }

    /// <summary>Max pooling is split by images across threads from a million inputs (the MNIST network's first pooling has 0.9 million per batch of 100), where it takes a millisecond or more.</summary>
    private static int PoolingParts<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        x.Length >= ParallelThreshold / 4 && x.Rows > 1 ? MaxDegreeOfParallelism : 1;

    private static void RequirePoolShapes<T>(Matrix<T> x, in Pool2DGeometry geometry, Matrix<T> output, string operation, string outputName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (geometry.InputSize == 0)
            throw new ArgumentException($"{operation}: the geometry is empty (default); build it with the Pool2DGeometry constructor.", nameof(geometry));
        if (x.Columns != geometry.InputSize)
            throw new ArgumentException($"{operation}: x is ({x.Shape}) but {geometry} needs {geometry.InputSize} columns per image.", nameof(x));
        RequireShape(output, x.Rows, geometry.OutputSize, operation, outputName);
        RequireDistinct(output, x, operation, outputName, nameof(x));
    }
}
