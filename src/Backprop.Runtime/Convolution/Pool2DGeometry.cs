namespace Backprop;

/// <summary>
/// The shape of a 2-D pooling over a batch of images stored one per row, channels × height × width (channels
/// first). Each channel is pooled on its own over square windows of <see cref="WindowSize"/>, <see cref="Stride"/>
/// apart, without padding; windows that would run past the edge are dropped (the output size rounds down, as in
/// PyTorch). It carries no derivative: a <see cref="DifferentiableAttribute"/> method passes it through unchanged.
/// </summary>
public readonly record struct Pool2DGeometry
{
    /// <summary>Pooling over windows of <paramref name="windowSize"/>, by default as far apart as they are wide.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the window is larger than the image.</exception>
    public Pool2DGeometry(int channels, int height, int width, int windowSize, int? stride = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowSize);
        if (stride is int given)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(given, nameof(stride));
        if (windowSize > height || windowSize > width)
            throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize, $"Pool2DGeometry: a {windowSize}×{windowSize} window does not fit a {height}×{width} image.");
        Channels = channels;
        Height = height;
        Width = width;
        WindowSize = windowSize;
        Stride = stride ?? windowSize;
    }

    /// <summary>Channels, pooled independently.</summary>
    public int Channels { get; }

    /// <summary>Height of the input image.</summary>
    public int Height { get; }

    /// <summary>Width of the input image.</summary>
    public int Width { get; }

    /// <summary>Height and width of a window.</summary>
    public int WindowSize { get; }

    /// <summary>The step between two neighbouring windows, along both axes.</summary>
    public int Stride { get; }

    /// <summary>Height of the output image; 0 for the default (empty) geometry.</summary>
    public int OutputHeight => Stride == 0 ? 0 : (Height - WindowSize) / Stride + 1;

    /// <summary>Width of the output image; 0 for the default (empty) geometry.</summary>
    public int OutputWidth => Stride == 0 ? 0 : (Width - WindowSize) / Stride + 1;

    /// <summary>Values per input image (columns of the input matrix).</summary>
    public int InputSize => Channels * Height * Width;

    /// <summary>Values per output image (columns of the output matrix).</summary>
    public int OutputSize => Channels * OutputHeight * OutputWidth;

    /// <inheritdoc/>
    public override string ToString() =>
        $"Pool2D {Channels}×{Height}×{Width} → {Channels}×{OutputHeight}×{OutputWidth}, window {WindowSize}, stride {Stride}";
}
