using static Backprop.MatrixOps;

namespace Backprop.Gradients.Tests;

/// <summary>Matrix methods with branches and loops; their gradients are checked in MatrixFlowGradientTests.</summary>
public static partial class MatrixFlowFunctions
{
    /// <summary>A stack of layers in arrays (tanh between them, none after the last), and an L2 penalty summed in the same loop.</summary>
    [Differentiable]
    public static double DeepLoss(Matrix<double>[] W, Matrix<double>[] b, double lambda, [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t)
    {
        var h = x;
        var penalty = 0.0;
        for (int i = 0; i < W.Length; i++)
        {
            var z = MatMul(h, W[i]) + b[i];
            h = i < W.Length - 1 ? Tanh(z) : z;
            penalty = penalty + Sum(Multiply(W[i], W[i]));
        }
        return SoftmaxCrossEntropy(h, t) + lambda * penalty;
    }

    /// <summary>The ReLU stack of the issue, in float, for the allocation test.</summary>
    [Differentiable]
    public static float ReluStackLoss(Matrix<float>[] W, Matrix<float>[] b, [NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
    {
        var h = x;
        for (int i = 0; i < W.Length; i++)
        {
            var z = MatMul(h, W[i]) + b[i];
            if (i < W.Length - 1)
                h = Relu(z);
            else
                h = z;
        }
        return SoftmaxCrossEntropy(h, t);
    }

    /// <summary>Nested branches on a flag and a [NoDerivative] scalar; both branches assign a matrix and a scalar used afterwards.</summary>
    [Differentiable]
    public static double BranchLoss(Matrix<double> W, Matrix<double> b, double lambda, [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t,
        bool squash, [NoDerivative] double threshold)
    {
        var y = MatMul(x, W) + b;
        var penalty = lambda * Sum(Multiply(W, W));
        if (squash)
        {
            y = Sigmoid(y);
            if (threshold > 0.5)
                penalty = penalty * threshold;
        }
        else
        {
            y = Tanh(y) * 2.0;
            penalty = penalty + lambda;
        }
        return MeanSquaredError(y, t) + penalty;
    }

    /// <summary>A recurrent cell: the same W and U in every step (their gradients collect a share per step), inputs from a [NoDerivative] array, the step count an int.</summary>
    [Differentiable]
    public static double RecurrentLoss(Matrix<double> W, Matrix<double> U, Matrix<double> h0, [NoDerivative] Matrix<double>[] xs, int steps, [NoDerivative] Matrix<double> t)
    {
        var h = h0;
        for (int k = 0; k < steps; k++)
            h = Tanh(MatMul(h, W) + MatMul(xs[k], U));
        return MeanSquaredError(h, t);
    }

    /// <summary>Loops in loops, one of them counting down, and a branch on both counters.</summary>
    [Differentiable]
    public static double NestedLoopsLoss(Matrix<double> W, Matrix<double> V, [NoDerivative] Matrix<double> x, int outer, int inner)
    {
        var h = x;
        var total = 0.0;
        for (int i = 0; i < outer; i++)
        {
            for (int j = inner; j > 0; j--)
            {
                if ((i + j) % 2 == 0)
                    h = Tanh(MatMul(h, W));
                else
                    h = Sigmoid(MatMul(h, V));
            }
            total = total + Mean(h) * Mean(h);
        }
        return total + Sum(h);
    }
}

/// <summary>Layers called in a loop and in a branch, and a branch on a differentiable scalar.</summary>
public static partial class MatrixFlowComposition
{
    /// <summary>The same layer in every iteration (a workspace per iteration), then, only when the loss is large, once more.</summary>
    [Differentiable]
    public static double LayerLoopLoss(Matrix<double>[] W, Matrix<double>[] b, Matrix<double> V, [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t, double threshold)
    {
        var h = x;
        for (int i = 0; i < W.Length; i++)
            h = MatrixComposition.Dense(h, W[i], b[i]);
        var loss = MeanSquaredError(h, t);
        if (loss > threshold)
        {
            var g = MatrixComposition.Dense(h, V, b[0]);
            loss = loss + Mean(g) * loss;
        }
        return loss;
    }
}

/// <summary>A layer whose result is carried by a loop, and a result chosen by <c>?:</c>.</summary>
public static partial class MatrixFlowLayers
{
    /// <summary>A layer that applies W a given number of times: its result is the loop's carried local.</summary>
    [Differentiable]
    public static Matrix<double> Repeat(Matrix<double> W, Matrix<double> x, int times)
    {
        var h = x;
        for (int k = 0; k < times; k++)
            h = Tanh(MatMul(h, W));
        return h;
    }

    /// <summary>The layer with a [NoDerivative] array of inputs, one per iteration, and a result picked by a flag.</summary>
    [Differentiable]
    public static double PickLoss(Matrix<double> W, Matrix<double> V, [NoDerivative] Matrix<double>[] xs, bool second)
    {
        var total = 0.0;
        for (int i = 0; i < xs.Length; i++)
            total = total + Mean(Repeat(W, xs[i], i + 1));
        return second ? total * Sum(V) : total + Sum(Multiply(V, V));
    }
}
