using static Backprop.MatrixOps;

namespace Backprop.Gradients.Tests;

/// <summary>
/// Methods over matrices with the control flow they share with methods over numbers since one pipeline serves both:
/// while loops, early returns, break and continue, foreach over an array of matrices, and a layer with a loop of its own.
/// </summary>
public static partial class MatrixControlFlowFunctions
{
    /// <summary>A layer iterated while a counter held in a local is below the step count.</summary>
    [Differentiable]
    public static double IterateLoss(Matrix<double> W, Matrix<double> b, [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t, int steps)
    {
        var h = x;
        int step = 0;
        while (step < steps)
        {
            h = Tanh(MatMul(h, W) + b);
            step++;
        }
        return MeanSquaredError(h, t);
    }

    /// <summary>A layer iterated until the state's mean passes a bound (a condition computed from the matrices), at most <paramref name="limit"/> times.</summary>
    [Differentiable]
    public static double UntilLoss(Matrix<double> W, [NoDerivative] Matrix<double> x, double bound, int limit)
    {
        var h = x;
        int k = 0;
        do
        {
            h = Sigmoid(MatMul(h, W));
            k++;
        } while (Mean(h) < bound && k < limit);
        return Sum(Square(h)) * k;
    }

    /// <summary>An early return from inside a loop and a branch.</summary>
    [Differentiable]
    public static double EarlyReturnLoss(Matrix<double>[] W, Matrix<double> x, double limit)
    {
        var h = x;
        for (int i = 0; i < W.Length; i++)
        {
            h = Tanh(MatMul(h, W[i]));
            double energy = Mean(Square(h));
            if (energy > limit)
                return energy * (i + 1);
        }
        return Sum(h);
    }

    /// <summary>break and continue in a foreach over an array of matrices.</summary>
    [Differentiable]
    public static double SkipAndStopLoss(Matrix<double>[] W, Matrix<double> x, int skip, int stop)
    {
        var h = x;
        int i = 0;
        foreach (var w in W)
        {
            i++;
            if (i == skip)
                continue;
            if (i == stop)
                break;
            h = Tanh(MatMul(h, w)) + h;
        }
        return Sum(Multiply(h, h));
    }

    /// <summary>A layer with a while loop of its own, called in a loop; its derivative is inlined.</summary>
    [Differentiable]
    public static Matrix<double> Smooth(Matrix<double> W, Matrix<double> x, int passes)
    {
        var h = x;
        while (passes > 0)
        {
            h = Tanh(MatMul(h, W)) * 0.5 + h * 0.5;
            passes--;
        }
        return h;
    }

    [Differentiable]
    public static double SmoothLoss(Matrix<double> W, Matrix<double> V, [NoDerivative] Matrix<double>[] xs)
    {
        var total = 0.0;
        for (int i = 0; i < xs.Length; i++)
            total = total + Mean(Smooth(W, MatMul(xs[i], V), i));
        return total;
    }

    /// <summary>
    /// A number computed from matrices by a call, passed to an operation inside a branch in a loop: its value goes on the
    /// tape for the reverse sweep.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double RescaleLoss(Matrix<double> W, [NoDerivative] Matrix<double> x, int steps)
    {
        var h = MatMul(x, W);
        for (int i = 0; i < steps; i++)
        {
            if (i % 2 == 0)
                h = Scale(Tanh(h), Mean(Square(W)) + 0.5);
            else
                h = AddScalar(h, Sum(h) * 0.1);
        }
        return Sum(Square(h));
    }

    /// <summary>A switch expression choosing among matrices: only the chosen arm is computed and differentiated.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double ChooseLoss(Matrix<double> W, [NoDerivative] Matrix<double> x, int kind)
    {
        var h = MatMul(x, W);
        var a = kind switch
        {
            0 => h,
            1 => Tanh(h),
            > 1 and < 4 => Sigmoid(h) * kind,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return Sum(Multiply(a, h));
    }
}
