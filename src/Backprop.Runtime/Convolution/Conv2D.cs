using System.Numerics;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>
    /// The 2-D convolution (cross-correlation, as in PyTorch) of every image in <paramref name="x"/> with
    /// <paramref name="weights"/>: <c>y[b, f, oy, ox] = Σ_{c,i,j} x[b, c, oy·S + i − P, ox·S + j − P] · W[(c·K + i)·K + j, f]</c>,
    /// zero outside the image. One image per row, channels × height × width in the columns (see <see cref="Conv2DGeometry"/>).
    /// Add a bias per output channel with <see cref="AddChannelBias{T}(Matrix{T}, Matrix{T})"/>.
    /// </summary>
    /// <param name="x">The images, batch × <see cref="Conv2DGeometry.InputSize"/>.</param>
    /// <param name="weights">The filters, <see cref="Conv2DGeometry.PatchSize"/> × <see cref="Conv2DGeometry.OutputChannels"/>.</param>
    /// <param name="geometry">The sizes; carries no derivative.</param>
    /// <returns>batch × <see cref="Conv2DGeometry.OutputSize"/>.</returns>
    /// <exception cref="ArgumentException">The input or the weights do not have the geometry's shape.</exception>
    public static Matrix<T> Conv2D<T>(Matrix<T> x, Matrix<T> weights, Conv2DGeometry geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, columns) = Conv2DShape(x, weights, geometry);
        var destination = new Matrix<T>(rows, columns);
        Conv2D(x, weights, geometry, destination);
        return destination;
    }

    /// <summary>The shape of <see cref="Conv2D{T}(Matrix{T}, Matrix{T}, Conv2DGeometry)"/>: one row per image, <see cref="Conv2DGeometry.OutputSize"/> columns.</summary>
    public static (int Rows, int Columns) Conv2DShape<T>(Matrix<T> x, Matrix<T> weights, Conv2DGeometry geometry)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (x.Rows, geometry.OutputSize);

    /// <summary>
    /// <c>destination = Conv2D(x, weights, geometry)</c>, allocating nothing in steady state. A large batch
    /// (from <see cref="ParallelThreshold"/> multiply-adds) is split by images across up to
    /// <see cref="MaxDegreeOfParallelism"/> threads.
    /// </summary>
    /// <exception cref="ArgumentException">A shape does not match the geometry, or <paramref name="destination"/> is an input.</exception>
    public static unsafe void Conv2D<T>(Matrix<T> x, Matrix<T> weights, Conv2DGeometry geometry, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireConvolutionShapes(x, weights, geometry, nameof(Conv2D));
        RequireShape(destination, x.Rows, geometry.OutputSize, nameof(Conv2D), nameof(destination));
        RequireDistinct(destination, x, nameof(Conv2D), nameof(destination), nameof(x));
        RequireDistinct(destination, weights, nameof(Conv2D), nameof(destination), nameof(weights));
        fixed (T* px = x.Span, pw = weights.Span, py = destination.Span)
            ConvolutionKernel<T>.Forward(geometry, px, pw, py, x.Rows, ConvolutionThreads(geometry, x.Rows));
    }

    /// <summary>
    /// Pullback of <see cref="Conv2D{T}(Matrix{T}, Matrix{T}, Conv2DGeometry)"/>: per image,
    /// <c>dWeights += patches·dResultᵀ</c> and <c>dX = fold(weights·dResult)</c>, where <c>patches</c> is the image
    /// unrolled into one column per output position (im2col) and fold adds each patch entry back onto the pixel it
    /// read (col2im). Both gradients are overwritten; the geometry gets none.
    /// </summary>
    [DerivativeOf(nameof(Conv2D), Shape = nameof(Conv2DShape))]
    public static unsafe void Conv2DPullback<T>(Matrix<T> x, Matrix<T> weights, Conv2DGeometry geometry, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX, Matrix<T>? dWeights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireConvolutionShapes(x, weights, geometry, nameof(Conv2DPullback));
        RequireShape(dResult, x.Rows, geometry.OutputSize, nameof(Conv2DPullback), nameof(dResult));
        RequireDistinctGradients(dX, dWeights, nameof(Conv2DPullback), x, weights, dResult);
        if (dX is not null)
            RequireShape(dX, x.Rows, x.Columns, nameof(Conv2DPullback), nameof(dX));
        if (dWeights is not null)
            RequireShape(dWeights, weights.Rows, weights.Columns, nameof(Conv2DPullback), nameof(dWeights));
        if (dX is null && dWeights is null)
            return;
        fixed (T* px = x.Span, pw = weights.Span, pdy = dResult.Span, pdx = dX is null ? default : dX.Span, pdw = dWeights is null ? default : dWeights.Span)
            ConvolutionKernel<T>.Backward(geometry, px, pw, pdy, pdx, pdw, x.Rows, ConvolutionThreads(geometry, x.Rows));
    }

    /// <summary>
    /// Tangent of <see cref="Conv2D{T}(Matrix{T}, Matrix{T}, Conv2DGeometry)"/>, bilinear in the images and the weights:
    /// <c>dResult = Conv2D(dX, weights) + Conv2D(x, dWeights)</c>, the second computed into a per-thread scratch matrix
    /// and added.
    /// </summary>
    [TangentOf(nameof(Conv2D))]
    public static void Conv2DTangent<T>(Matrix<T> x, Matrix<T> weights, Conv2DGeometry geometry, Matrix<T> result, Matrix<T>? dX, Matrix<T>? dWeights, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dX is null && IsZeroDirection(dWeights, result, dResult, nameof(Conv2DTangent)))
            return;
        if (dX is not null)
            Conv2D(dX, weights, geometry, dResult);
        if (dWeights is null)
            return;
        if (dX is null)
        {
            Conv2D(x, dWeights, geometry, dResult);
            return;
        }
        var second = TangentScratch<T>.First(dResult.Rows, dResult.Columns);
        Conv2D(x, dWeights, geometry, second);
        AddInto(second, dResult);
    }

    /// <summary>
    /// Tangent of <see cref="Conv2DPullback{T}"/>, bilinear in the inputs and <c>dResult</c>:
    /// <c>d(dX) = fold(weights·ḋResult) + fold(ẇeights·dResult)</c> and <c>d(dWeights) = Σ patches(x)·ḋResultᵀ + Σ patches(ẋ)·dResultᵀ</c>.
    /// The terms in <c>ḋResult</c> are the pullback of <c>ḋResult</c>; the others are one more pullback, of
    /// <c>dResult</c> at <c>(ẋ, ẇeights)</c>, into per-thread scratch matrices, then added.
    /// </summary>
    [TangentOf(nameof(Conv2DPullback))]
    public static void Conv2DPullbackTangent<T>(Matrix<T> x, Matrix<T> weights, Conv2DGeometry geometry, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? weightsTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent, Matrix<T>? dWeightsTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dXTangent is null && dWeightsTangent is null)
            return;
        if (dResultTangent is not null)
            Conv2DPullback(x, weights, geometry, result, dResultTangent, dXTangent, dWeightsTangent);
        else
        {
            if (dXTangent is not null)
                ClearGradient(x, dXTangent, nameof(Conv2DPullbackTangent));
            if (dWeightsTangent is not null)
                ClearGradient(weights, dWeightsTangent, nameof(Conv2DPullbackTangent));
        }
        var fromWeights = dXTangent is null || weightsTangent is null ? null : TangentScratch<T>.First(x.Rows, x.Columns);
        var fromImages = dWeightsTangent is null || xTangent is null ? null : TangentScratch<T>.Second(weights.Rows, weights.Columns);
        if (fromWeights is null && fromImages is null)
            return;
        Conv2DPullback(xTangent ?? x, weightsTangent ?? weights, geometry, result, dResult, fromWeights, fromImages);
        if (fromWeights is not null)
            AddInto(fromWeights, dXTangent!);
        if (fromImages is not null)
            AddInto(fromImages, dWeightsTangent!);
    }

    private static int ConvolutionThreads(in Conv2DGeometry geometry, int batch) =>
        (long)batch * geometry.OutputSize * geometry.PatchSize >= ParallelThreshold ? Math.Min(MaxDegreeOfParallelism, batch) : 1;

    private static void RequireConvolutionShapes<T>(Matrix<T> x, Matrix<T> weights, in Conv2DGeometry geometry, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (geometry.InputSize == 0)
            throw new ArgumentException($"{operation}: the geometry is empty (default); build it with the Conv2DGeometry constructor.", nameof(geometry));
        if (x.Columns != geometry.InputSize)
            throw new ArgumentException($"{operation}: x is ({x.Shape}) but {geometry} needs {geometry.InputSize} columns per image.", nameof(x));
        if (weights.Rows != geometry.PatchSize || weights.Columns != geometry.OutputChannels)
            throw new ArgumentException($"{operation}: weights are ({weights.Shape}) but {geometry} needs ({geometry.PatchSize}×{geometry.OutputChannels}).", nameof(weights));
    }
}
