using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

public static partial class MatrixOps
{
    /// <summary>
    /// A bias per channel: <c>y[b, c, p] = x[b, c, p] + bias[c]</c>, where each row of <paramref name="x"/> holds
    /// <c>bias.Columns</c> channels of <c>x.Columns / bias.Columns</c> values each (channels first, as
    /// <see cref="Conv2D{T}(Matrix{T}, Matrix{T}, Conv2DGeometry)"/> writes them).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="bias"/> is not one row, or the channels do not divide the columns of <paramref name="x"/>.</exception>
    public static Matrix<T> AddChannelBias<T>(Matrix<T> x, Matrix<T> bias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var destination = new Matrix<T>(x.Rows, x.Columns);
        AddChannelBias(x, bias, destination);
        return destination;
    }

    /// <summary><c>destination = AddChannelBias(x, bias)</c>; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">The bias does not fit <paramref name="x"/> (see <see cref="AddChannelBias{T}(Matrix{T}, Matrix{T})"/>), or <paramref name="destination"/> differs in shape from it.</exception>
    public static void AddChannelBias<T>(Matrix<T> x, Matrix<T> bias, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = ChannelPositions(x, bias, nameof(AddChannelBias));
        RequireSameShape(x, destination, nameof(AddChannelBias));
        ReadOnlySpan<T> source = x.Span, channels = bias.Span;
        Span<T> target = destination.Span;
        for (int start = 0, channel = 0; start < source.Length; start += positions, channel = (channel + 1) % channels.Length)
            TensorPrimitives.Add(source.Slice(start, positions), channels[channel], target.Slice(start, positions));
    }

    /// <summary>
    /// Pullback of <see cref="AddChannelBias{T}(Matrix{T}, Matrix{T})"/>: <c>dX = dResult</c>, and
    /// <c>dBias[c] = Σ_b Σ_p dResult[b, c, p]</c>, the channel's gradient summed over the batch and its positions.
    /// </summary>
    [DerivativeOf(nameof(AddChannelBias))]
    public static void AddChannelBiasPullback<T>(Matrix<T> x, Matrix<T> bias, Matrix<T> result, Matrix<T> dResult, Matrix<T>? dX, Matrix<T>? dBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = ChannelPositions(x, bias, nameof(AddChannelBiasPullback));
        RequireSameShape(x, dResult, nameof(AddChannelBiasPullback));
        if (dBias is not null)
        {
            RequireSameShape(bias, dBias, nameof(AddChannelBiasPullback));
            RequireDistinct(dBias, dResult, nameof(AddChannelBiasPullback), nameof(dBias), nameof(dResult));
            Span<T> sums = dBias.Span;
            sums.Clear();
            ReadOnlySpan<T> gradient = dResult.Span;
            for (int start = 0, channel = 0; start < gradient.Length; start += positions, channel = (channel + 1) % sums.Length)
                sums[channel] += TensorPrimitives.Sum(gradient.Slice(start, positions));
        }
        CopyToGradient(dResult, dX);
    }

    /// <summary>Tangent of <see cref="AddChannelBias{T}(Matrix{T}, Matrix{T})"/>: <c>dResult = AddChannelBias(dX, dBias)</c>.</summary>
    [TangentOf(nameof(AddChannelBias))]
    public static void AddChannelBiasTangent<T>(Matrix<T> x, Matrix<T> bias, Matrix<T> result, Matrix<T>? dX, Matrix<T>? dBias, Matrix<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LinearTangent(dX, dBias, result, dResult, AddChannelBias, nameof(AddChannelBiasTangent));

    /// <summary>Tangent of <see cref="AddChannelBiasPullback{T}"/>, linear in <c>dResult</c> alone: the pullback of <paramref name="dResultTangent"/>.</summary>
    [TangentOf(nameof(AddChannelBiasPullback))]
    public static void AddChannelBiasPullbackTangent<T>(Matrix<T> x, Matrix<T> bias, Matrix<T> result, Matrix<T> dResult,
        Matrix<T>? xTangent, Matrix<T>? biasTangent, Matrix<T>? resultTangent, Matrix<T>? dResultTangent, Matrix<T>? dXTangent, Matrix<T>? dBiasTangent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsZeroTangent(dResultTangent, dXTangent, dBiasTangent))
            AddChannelBiasPullback(x, bias, result, dResultTangent, dXTangent, dBiasTangent);
    }

    /// <summary>The values per channel in a row of <paramref name="x"/>, after checking that <paramref name="bias"/> is a row of channels that divides it.</summary>
    private static int ChannelPositions<T>(Matrix<T> x, Matrix<T> bias, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (bias.Rows != 1 || bias.Columns == 0 || x.Columns % bias.Columns != 0)
            throw new ArgumentException($"{operation}: ({x.Shape}) + ({bias.Shape}) — the bias must be one row of channels whose count divides the {x.Columns} columns.");
        return x.Columns / bias.Columns;
    }
}
