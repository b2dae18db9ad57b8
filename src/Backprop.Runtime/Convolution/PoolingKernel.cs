using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop;

/// <summary>
/// The loops of max and average pooling over images stored one per row, channels × height × width. Every
/// channel of every image is one plane, and the whole batch is one run of planes, walked in memory order. The
/// geometry is read into locals once (its output sizes are computed properties), and the windows are read
/// through references without bounds checks: the loops are the cost of pooling, which is otherwise a few
/// comparisons per input.
/// </summary>
internal static class PoolingKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The sizes of one call, read once from the geometry.</summary>
    private readonly struct Plan(in Pool2DGeometry g, int length)
    {
        public readonly int Width = g.Width, Window = g.WindowSize, Stride = g.Stride;
        public readonly int OutputHeight = g.OutputHeight, OutputWidth = g.OutputWidth;
        public readonly int PlaneSize = g.Height * g.Width, OutputPlaneSize = g.OutputHeight * g.OutputWidth;
        public readonly int Planes = length / (g.Height * g.Width);

        /// <summary>The plane offset of the top-left input of window (<paramref name="oy"/>, <paramref name="ox"/>).</summary>
        public int Corner(int oy, int ox) => oy * Stride * Width + ox * Stride;
    }

    /// <summary>The work of one split call, over raw storage, shared by every part; lives on the caller's stack.</summary>
    private unsafe struct Job
    {
        public Pool2DGeometry Geometry;
        public T* X, Y, DY, DX;
        public int Images;
        public int Parts;
    }

    /// <summary><c>y = MaxPool(x)</c>, split by images across <paramref name="parts"/> threads.</summary>
    public static unsafe void MaxForward(in Pool2DGeometry g, ReadOnlySpan<T> x, Span<T> y, int parts)
    {
        if (parts == 1)
        {
            MaxForward(g, x, y);
            return;
        }
        fixed (T* px = x, py = y)
        {
            var job = new Job { Geometry = g, X = px, Y = py, Images = x.Length / g.InputSize, Parts = parts };
            HelperThreads.Run(&MaxForwardPart, &job, parts);
        }
    }

    /// <summary>The pullback's <c>dx</c> from <c>x</c> and <c>dy</c>, split by images across <paramref name="parts"/> threads.</summary>
    public static unsafe void MaxBackward(in Pool2DGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, int parts)
    {
        if (parts == 1)
        {
            MaxBackward(g, x, dy, dx);
            return;
        }
        fixed (T* px = x, pdy = dy, pdx = dx)
        {
            var job = new Job { Geometry = g, X = px, DY = pdy, DX = pdx, Images = x.Length / g.InputSize, Parts = parts };
            HelperThreads.Run(&MaxBackwardPart, &job, parts);
        }
    }

    private static unsafe void MaxForwardPart(void* state, int part)
    {
        ref readonly Job job = ref Unsafe.AsRef<Job>(state);
        var (first, end) = Gemm<T>.Share(job.Images, job.Parts, part);
        int inputSize = job.Geometry.InputSize, outputSize = job.Geometry.OutputSize, images = end - first;
        MaxForward(job.Geometry, new ReadOnlySpan<T>(job.X + (nint)first * inputSize, images * inputSize),
            new Span<T>(job.Y + (nint)first * outputSize, images * outputSize));
    }

    private static unsafe void MaxBackwardPart(void* state, int part)
    {
        ref readonly Job job = ref Unsafe.AsRef<Job>(state);
        var (first, end) = Gemm<T>.Share(job.Images, job.Parts, part);
        int inputSize = job.Geometry.InputSize, outputSize = job.Geometry.OutputSize, images = end - first;
        MaxBackward(job.Geometry, new ReadOnlySpan<T>(job.X + (nint)first * inputSize, images * inputSize),
            new ReadOnlySpan<T>(job.DY + (nint)first * outputSize, images * outputSize),
            new Span<T>(job.DX + (nint)first * inputSize, images * inputSize));
    }

    /// <summary><c>y = MaxPool(x)</c> on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxForward(in Pool2DGeometry g, ReadOnlySpan<T> x, Span<T> y)
    {
        var plan = new Plan(g, x.Length);
        if (plan.Window == 2 && plan.Stride == 2)
        {
            MaxForwardTwoByTwo(plan, x, y);
            return;
        }
        MaxGather(plan, x, x, y);
    }

    /// <summary>
    /// The tangent of max pooling: <c>dy[o] = dx[the largest input of window o]</c>, the same input (the first on
    /// ties) that <see cref="MaxBackward(in Pool2DGeometry, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/> gives the gradient to.
    /// </summary>
    public static void MaxTangent(in Pool2DGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dx, Span<T> dy) =>
        MaxGather(new Plan(g, x.Length), x, dx, dy);

    /// <summary><c>y[o] = values[i]</c> where <c>x[i]</c> is the largest input of window o.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxGather(in Plan plan, ReadOnlySpan<T> x, ReadOnlySpan<T> values, Span<T> y)
    {
        ref T input = ref MemoryMarshal.GetReference(x);
        ref T gathered = ref MemoryMarshal.GetReference(values);
        ref T output = ref MemoryMarshal.GetReference(y);
        for (int plane = 0; plane < plan.Planes; plane++)
        {
            ref T source = ref Unsafe.Add(ref input, plane * plan.PlaneSize);
            ref T value = ref Unsafe.Add(ref gathered, plane * plan.PlaneSize);
            ref T target = ref Unsafe.Add(ref output, plane * plan.OutputPlaneSize);
            for (int oy = 0, o = 0; oy < plan.OutputHeight; oy++)
                for (int ox = 0; ox < plan.OutputWidth; ox++, o++)
                    Unsafe.Add(ref target, o) = Unsafe.Add(ref value, ArgMax(plan, ref source, plan.Corner(oy, ox)));
        }
    }

    /// <summary>Clears <paramref name="dx"/>, then adds each output's gradient at its window's largest input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxBackward(in Pool2DGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
    {
        var plan = new Plan(g, x.Length);
        if (plan.Window == 2 && plan.Stride == 2)
        {
            MaxBackwardTwoByTwo(plan, x, dy, dx);
            return;
        }
        dx.Clear();
        ref T input = ref MemoryMarshal.GetReference(x);
        ref T outputGradient = ref MemoryMarshal.GetReference(dy);
        ref T inputGradient = ref MemoryMarshal.GetReference(dx);
        for (int plane = 0; plane < plan.Planes; plane++)
        {
            ref T source = ref Unsafe.Add(ref input, plane * plan.PlaneSize);
            ref T upstream = ref Unsafe.Add(ref outputGradient, plane * plan.OutputPlaneSize);
            ref T target = ref Unsafe.Add(ref inputGradient, plane * plan.PlaneSize);
            for (int oy = 0, o = 0; oy < plan.OutputHeight; oy++)
                for (int ox = 0; ox < plan.OutputWidth; ox++, o++)
                    Unsafe.Add(ref target, ArgMax(plan, ref source, plan.Corner(oy, ox))) += Unsafe.Add(ref upstream, o);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageForward(in Pool2DGeometry g, ReadOnlySpan<T> x, Span<T> y)
    {
        var plan = new Plan(g, x.Length);
        T scale = T.One / T.CreateChecked(plan.Window * plan.Window);
        ref T input = ref MemoryMarshal.GetReference(x);
        ref T output = ref MemoryMarshal.GetReference(y);
        for (int plane = 0; plane < plan.Planes; plane++)
        {
            ref T source = ref Unsafe.Add(ref input, plane * plan.PlaneSize);
            ref T target = ref Unsafe.Add(ref output, plane * plan.OutputPlaneSize);
            for (int oy = 0, o = 0; oy < plan.OutputHeight; oy++)
            {
                for (int ox = 0; ox < plan.OutputWidth; ox++, o++)
                {
                    T sum = T.Zero;
                    for (int i = 0, row = plan.Corner(oy, ox); i < plan.Window; i++, row += plan.Width)
                        for (int j = 0; j < plan.Window; j++)
                            sum += Unsafe.Add(ref source, row + j);
                    Unsafe.Add(ref target, o) = sum * scale;
                }
            }
        }
    }

    /// <summary>Clears <paramref name="dx"/>, then adds each output's gradient, divided by the window's area, to every input of its window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageBackward(in Pool2DGeometry g, ReadOnlySpan<T> dy, Span<T> dx)
    {
        dx.Clear();
        var plan = new Plan(g, dx.Length);
        T scale = T.One / T.CreateChecked(plan.Window * plan.Window);
        ref T outputGradient = ref MemoryMarshal.GetReference(dy);
        ref T inputGradient = ref MemoryMarshal.GetReference(dx);
        for (int plane = 0; plane < plan.Planes; plane++)
        {
            ref T upstream = ref Unsafe.Add(ref outputGradient, plane * plan.OutputPlaneSize);
            ref T target = ref Unsafe.Add(ref inputGradient, plane * plan.PlaneSize);
            for (int oy = 0, o = 0; oy < plan.OutputHeight; oy++)
            {
                for (int ox = 0; ox < plan.OutputWidth; ox++, o++)
                {
                    T share = Unsafe.Add(ref upstream, o) * scale;
                    for (int i = 0, row = plan.Corner(oy, ox); i < plan.Window; i++, row += plan.Width)
                        for (int j = 0; j < plan.Window; j++)
                            Unsafe.Add(ref target, row + j) += share;
                }
            }
        }
    }

    /// <summary>
    /// 2×2 windows 2 apart, the pooling of most networks: the window's four inputs are named rather than looped
    /// over, the largest is found without branches, and the output rows of all planes are one loop.
    /// </summary>
    private static void MaxForwardTwoByTwo(in Plan plan, ReadOnlySpan<T> x, Span<T> y)
    {
        ref T input = ref MemoryMarshal.GetReference(x);
        ref T output = ref MemoryMarshal.GetReference(y);
        int width = plan.Width, outputWidth = plan.OutputWidth;
        bool vectors = typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated;
        for (int plane = 0; plane < plan.Planes; plane++)
        {
            for (int oy = 0; oy < plan.OutputHeight; oy++)
            {
                ref T top = ref Unsafe.Add(ref input, plane * plan.PlaneSize + 2 * oy * width);
                ref T bottom = ref Unsafe.Add(ref top, width);
                ref T target = ref Unsafe.Add(ref output, plane * plan.OutputPlaneSize + oy * outputWidth);
                int ox = 0;
                if (vectors)
                {
                    for (; ox + 4 <= outputWidth; ox += 4)
                    {
                        Vector256<float> pairs = Vector256.Max(Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref top, 2 * ox))),
                            Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref bottom, 2 * ox))));
                        // Each window's largest in both of its lanes, then the even lanes gathered into the low half.
                        Vector256<float> largest = Vector256.Max(pairs, SwapPairs(pairs));
                        Vector256.Shuffle(largest, Vector256.Create(0, 2, 4, 6, 0, 2, 4, 6)).GetLower()
                            .StoreUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref target, ox)));
                    }
                }
                for (; ox < outputWidth; ox++)
                {
                    // T.Max returns NaN when either input is NaN, as the general loop does.
                    T upper = T.Max(Unsafe.Add(ref top, 2 * ox), Unsafe.Add(ref top, 2 * ox + 1));
                    T lower = T.Max(Unsafe.Add(ref bottom, 2 * ox), Unsafe.Add(ref bottom, 2 * ox + 1));
                    Unsafe.Add(ref target, ox) = T.Max(upper, lower);
                }
            }
        }
    }

    /// <summary>
    /// The 2×2, stride-2 case of <see cref="MaxBackward(in Pool2DGeometry, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>. The windows do not overlap, so each writes its four
    /// gradients outright (the output's gradient at the largest, 0 at the others) instead of adding into a cleared
    /// buffer; only a last odd row or column, in no window, is cleared.
    /// </summary>
    private static void MaxBackwardTwoByTwo(in Plan plan, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
    {
        if (plan.Width != 2 * plan.OutputWidth || plan.PlaneSize != 2 * plan.OutputHeight * plan.Width)
            dx.Clear();
        ref T input = ref MemoryMarshal.GetReference(x);
        ref T outputGradient = ref MemoryMarshal.GetReference(dy);
        ref T inputGradient = ref MemoryMarshal.GetReference(dx);
        int width = plan.Width, outputWidth = plan.OutputWidth;
        bool vectors = typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated;
        for (int plane = 0; plane < plan.Planes; plane++)
        {
            for (int oy = 0; oy < plan.OutputHeight; oy++)
            {
                int corner = plane * plan.PlaneSize + 2 * oy * width;
                ref T upstream = ref Unsafe.Add(ref outputGradient, plane * plan.OutputPlaneSize + oy * outputWidth);
                int ox = 0;
                if (vectors)
                {
                    for (; ox + 4 <= outputWidth; ox += 4, corner += 8)
                    {
                        ref float top = ref Unsafe.As<T, float>(ref Unsafe.Add(ref input, corner));
                        ref float targetTop = ref Unsafe.As<T, float>(ref Unsafe.Add(ref inputGradient, corner));
                        var (upper, lower) = FourWindowGradients(Vector256.LoadUnsafe(ref top), Vector256.LoadUnsafe(ref Unsafe.Add(ref top, width)),
                            Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref upstream, ox))));
                        upper.StoreUnsafe(ref targetTop);
                        lower.StoreUnsafe(ref Unsafe.Add(ref targetTop, width));
                    }
                }
                for (; ox < outputWidth; ox++, corner += 2)
                {
                    ref T top = ref Unsafe.Add(ref input, corner);
                    ref T bottom = ref Unsafe.Add(ref top, width);
                    T a = top, b = Unsafe.Add(ref top, 1), c = bottom, d = Unsafe.Add(ref bottom, 1);
                    T largest = T.Max(T.Max(a, b), T.Max(c, d));
                    // The first of the four (reading rows left to right) that is the largest, as ArgMax picks it, as
                    // 0/1 flags multiplied in: which input wins is data, and branching on it mispredicted about once a
                    // window (3 ms of a 4 ms pullback for the MNIST network's first pooling).
                    int isA = Is(a, largest), isB = Is(b, largest), isC = Is(c, largest);
                    int first = isA, second = isB & ~isA, third = isC & ~isA & ~isB, fourth = 1 - (first | second | third);
                    T gradient = Unsafe.Add(ref upstream, ox);
                    ref T targetTop = ref Unsafe.Add(ref inputGradient, corner);
                    ref T targetBottom = ref Unsafe.Add(ref targetTop, width);
                    targetTop = gradient * T.CreateTruncating(first);
                    Unsafe.Add(ref targetTop, 1) = gradient * T.CreateTruncating(second);
                    targetBottom = gradient * T.CreateTruncating(third);
                    Unsafe.Add(ref targetBottom, 1) = gradient * T.CreateTruncating(fourth);
                }
            }
        }
    }

    /// <summary>
    /// The gradients of four neighbouring 2×2 windows, vectorised: <paramref name="top"/> and <paramref name="bottom"/>
    /// hold the windows' rows (a b a b …, c d c d …), <paramref name="gradients"/> their four output gradients. Each
    /// window's gradient goes where the scalar loop sends it: to the first of a, b, c that is the largest (or NaN),
    /// else to d. With the loads and stores, about a tenth of the scalar loop's time on the MNIST network's first pooling.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Top, Vector256<float> Bottom) FourWindowGradients(Vector256<float> top, Vector256<float> bottom, Vector128<float> gradients)
    {
        // Vector256.Max returns NaN when either input is NaN, as T.Max does, so a window with a NaN has NaN as its largest.
        Vector256<float> pairs = Vector256.Max(top, bottom);
        Vector256<float> largest = Vector256.Max(pairs, SwapPairs(pairs));
        Vector256<float> topWins = Vector256.Equals(top, largest) | Vector256.IsNaN(top);
        Vector256<float> bottomWins = Vector256.Equals(bottom, largest) | Vector256.IsNaN(bottom);
        Vector256<float> oddLanes = Vector256.Create(0, -1, 0, -1, 0, -1, 0, -1).AsSingle();
        Vector256<float> topWinsInWindow = topWins | SwapPairs(topWins);
        // a (even lane) when it wins; b (odd lane) when it wins and a does not.
        Vector256<float> topGets = Vector256.AndNot(topWins, SwapPairs(topWins) & oddLanes);
        // c when it wins and neither a nor b does; d when none of a, b, c does.
        Vector256<float> bottomGets = Vector256.AndNot(Vector256.ConditionalSelect(oddLanes, ~SwapPairs(bottomWins), bottomWins), topWinsInWindow);
        Vector256<float> spread = Vector256.Shuffle(gradients.ToVector256Unsafe(), Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3));
        return (spread & topGets, spread & bottomGets);
    }

    /// <summary>Lanes 0 1 2 3 … as 1 0 3 2 …: each lane beside its window neighbour.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SwapPairs(Vector256<float> v) => Vector256.Shuffle(v, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6));

    /// <summary>1 when <paramref name="value"/> is the window's <paramref name="largest"/> (or NaN, which makes the largest NaN), else 0, without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Is(T value, T largest)
    {
        bool equal = value == largest, nan = T.IsNaN(value);
        return Unsafe.As<bool, byte>(ref equal) | Unsafe.As<bool, byte>(ref nan);
    }

    /// <summary>The plane offset of the largest input of the window at <paramref name="corner"/>, the first on ties; NaN wins, so it propagates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ArgMax(in Plan plan, ref T plane, int corner)
    {
        int best = corner;
        T largest = Unsafe.Add(ref plane, corner);
        for (int i = 0, row = corner; i < plan.Window; i++, row += plan.Width)
        {
            for (int j = 0; j < plan.Window; j++)
            {
                T value = Unsafe.Add(ref plane, row + j);
                if (value > largest || (T.IsNaN(value) && !T.IsNaN(largest)))
                {
                    best = row + j;
                    largest = value;
                }
            }
        }
        return best;
    }
}
