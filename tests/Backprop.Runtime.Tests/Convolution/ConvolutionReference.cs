namespace Backprop.Runtime.Tests.Convolution;

/// <summary>Convolution and pooling written as their definitions, loop by loop in double, to check the kernels against.</summary>
internal static class ConvolutionReference
{
    /// <summary>y[b, f, oy, ox] = Σ x[b, c, oy·S + i − P, ox·S + j − P]·W[(c·K + i)·K + j, f].</summary>
    public static double[] Conv2D(Matrix<double> x, Matrix<double> w, Conv2DGeometry g)
    {
        var y = new double[x.Rows * g.OutputSize];
        ForEachTerm(x.Rows, g, (b, f, c, iy, ix, oy, ox, row) =>
            y[b * g.OutputSize + (f * g.OutputHeight + oy) * g.OutputWidth + ox] += x[b, (c * g.InputHeight + iy) * g.InputWidth + ix] * w[row, f]);
        return y;
    }

    /// <summary>The gradients of Σ Conv2D(x, w) ⊙ dy, term by term.</summary>
    public static (double[] DX, double[] DW) Conv2DGradients(Matrix<double> x, Matrix<double> w, Conv2DGeometry g, Matrix<double> dy)
    {
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        ForEachTerm(x.Rows, g, (b, f, c, iy, ix, oy, ox, row) =>
        {
            double upstream = dy[b, (f * g.OutputHeight + oy) * g.OutputWidth + ox];
            int input = (c * g.InputHeight + iy) * g.InputWidth + ix;
            dx[b * g.InputSize + input] += upstream * w[row, f];
            dw[row * g.OutputChannels + f] += upstream * x[b, input];
        });
        return (dx, dw);
    }

    private delegate void Term(int image, int filter, int channel, int iy, int ix, int oy, int ox, int weightRow);

    private static void ForEachTerm(int batch, Conv2DGeometry g, Term term)
    {
        for (int b = 0; b < batch; b++)
            for (int f = 0; f < g.OutputChannels; f++)
                for (int oy = 0; oy < g.OutputHeight; oy++)
                    for (int ox = 0; ox < g.OutputWidth; ox++)
                        for (int c = 0; c < g.InputChannels; c++)
                            for (int i = 0; i < g.KernelSize; i++)
                                for (int j = 0; j < g.KernelSize; j++)
                                {
                                    int iy = oy * g.Stride + i - g.Padding, ix = ox * g.Stride + j - g.Padding;
                                    if (iy >= 0 && iy < g.InputHeight && ix >= 0 && ix < g.InputWidth)
                                        term(b, f, c, iy, ix, oy, ox, (c * g.KernelSize + i) * g.KernelSize + j);
                                }
    }

    /// <summary>Each window's inputs as (input column, output column) pairs, for every image's every channel.</summary>
    public static IEnumerable<(int Input, int Output, int Window)> Windows(Pool2DGeometry g)
    {
        for (int c = 0; c < g.Channels; c++)
            for (int oy = 0; oy < g.OutputHeight; oy++)
                for (int ox = 0; ox < g.OutputWidth; ox++)
                    for (int i = 0; i < g.WindowSize; i++)
                        for (int j = 0; j < g.WindowSize; j++)
                            yield return (((c * g.Height) + oy * g.Stride + i) * g.Width + ox * g.Stride + j, (c * g.OutputHeight + oy) * g.OutputWidth + ox, (i * g.WindowSize) + j);
    }

    public static double[] MaxPool(Matrix<double> x, Pool2DGeometry g)
    {
        var y = new double[x.Rows * g.OutputSize];
        Array.Fill(y, double.NegativeInfinity);
        for (int b = 0; b < x.Rows; b++)
            foreach (var (input, output, _) in Windows(g))
                y[b * g.OutputSize + output] = Math.Max(y[b * g.OutputSize + output], x[b, input]);
        return y;
    }

    /// <summary>The gradient of Σ MaxPool(x) ⊙ dy: each output's gradient at the first input equal to its maximum.</summary>
    public static double[] MaxPoolGradient(Matrix<double> x, Pool2DGeometry g, Matrix<double> dy)
    {
        double[] y = MaxPool(x, g);
        var dx = new double[x.Length];
        for (int b = 0; b < x.Rows; b++)
        {
            var routed = new bool[g.OutputSize];
            foreach (var (input, output, _) in Windows(g))
            {
                if (!routed[output] && x[b, input] == y[b * g.OutputSize + output])
                {
                    dx[b * g.InputSize + input] += dy[b, output];
                    routed[output] = true;
                }
            }
        }
        return dx;
    }

    public static double[] AvgPool(Matrix<double> x, Pool2DGeometry g)
    {
        var y = new double[x.Rows * g.OutputSize];
        for (int b = 0; b < x.Rows; b++)
            foreach (var (input, output, _) in Windows(g))
                y[b * g.OutputSize + output] += x[b, input] / (g.WindowSize * g.WindowSize);
        return y;
    }
}
