namespace Backprop;

/// <summary>
/// The shape of a 2-D convolution over a batch of images stored one per row of a matrix, each row holding
/// channels × height × width values in that order (channels first). It carries no derivative: a
/// <see cref="DifferentiableAttribute"/> method passes it through to <see cref="MatrixOps.Conv2D{T}(Matrix{T}, Matrix{T}, Conv2DGeometry)"/> unchanged.
/// </summary>
/// <remarks>
/// The output of one image is <see cref="OutputChannels"/> × <see cref="OutputHeight"/> × <see cref="OutputWidth"/>,
/// with <c>OutputHeight = (InputHeight + 2·Padding − KernelSize) / Stride + 1</c> (rounded down, as PyTorch does).
/// The weights are a <see cref="PatchSize"/> × <see cref="OutputChannels"/> matrix: one row per (channel, kernel row,
/// kernel column) of a patch, one column per output channel, so that the rows are the fan-in, as in
/// <see cref="Matrix{T}.He"/>, and a convolution is the product of each patch with the weights.
/// </remarks>
public readonly record struct Conv2DGeometry
{
    /// <summary>A convolution with a square kernel of <paramref name="kernelSize"/>, zero padding of <paramref name="padding"/> on every side.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or the stride is not positive, the padding is negative, or the kernel does not fit the padded image.</exception>
    public Conv2DGeometry(int inputChannels, int inputHeight, int inputWidth, int outputChannels, int kernelSize, int stride = 1, int padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (kernelSize > inputHeight + 2 * padding || kernelSize > inputWidth + 2 * padding)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize,
                $"Conv2DGeometry: a {kernelSize}×{kernelSize} kernel does not fit a {inputHeight}×{inputWidth} image padded by {padding}.");
        InputChannels = inputChannels;
        InputHeight = inputHeight;
        InputWidth = inputWidth;
        OutputChannels = outputChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
    }

    /// <summary>Channels of the input image.</summary>
    public int InputChannels { get; }

    /// <summary>Height of the input image.</summary>
    public int InputHeight { get; }

    /// <summary>Width of the input image.</summary>
    public int InputWidth { get; }

    /// <summary>Channels of the output image: the number of filters.</summary>
    public int OutputChannels { get; }

    /// <summary>Height and width of the square kernel.</summary>
    public int KernelSize { get; }

    /// <summary>The step between two neighbouring outputs, in input pixels, along both axes.</summary>
    public int Stride { get; }

    /// <summary>Zeros added on each side of the input, along both axes.</summary>
    public int Padding { get; }

    /// <summary>Height of the output image; 0 for the default (empty) geometry.</summary>
    public int OutputHeight => Stride == 0 ? 0 : (InputHeight + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>Width of the output image; 0 for the default (empty) geometry.</summary>
    public int OutputWidth => Stride == 0 ? 0 : (InputWidth + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>Values per input image (columns of the input matrix): channels × height × width.</summary>
    public int InputSize => InputChannels * InputHeight * InputWidth;

    /// <summary>Values per output image (columns of the output matrix).</summary>
    public int OutputSize => OutputChannels * OutputPositions;

    /// <summary>Output pixels per output channel: height × width.</summary>
    public int OutputPositions => OutputHeight * OutputWidth;

    /// <summary>Values in one patch, the rows of the weights: input channels × kernel size².</summary>
    public int PatchSize => InputChannels * KernelSize * KernelSize;

    /// <inheritdoc/>
    public override string ToString() =>
        $"Conv2D {InputChannels}×{InputHeight}×{InputWidth} → {OutputChannels}×{OutputHeight}×{OutputWidth}, kernel {KernelSize}, stride {Stride}, padding {Padding}";
}
