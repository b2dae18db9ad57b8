using static Backprop.MatrixOps;

namespace Backprop.Gradients.Tests;

/// <summary>A float layer: a model another model holds.</summary>
public partial class FloatDense
{
    public Matrix<float> W, b;

    public FloatDense(int inputs, int outputs, int seed)
    {
        W = Matrix<float>.He(inputs, outputs, seed);
        b = Matrix<float>.RandomNormal(1, outputs, 0.01, seed + 1);
    }

    public Matrix<float> Forward(Matrix<float> x) => Relu(MatMul(x, W) + b);
}

/// <summary>The sample's network as a model, trained by its train step: a layer, an output layer, a trainable temperature and a decay.</summary>
public partial class TrainedMlp
{
    public FloatDense Hidden;
    public Matrix<float> W2, b2;
    public float Temperature = 1;
    [NoDerivative] public float Decay = 1e-3f;

    public TrainedMlp(int inputs, int hidden, int classes, int seed)
    {
        Hidden = new FloatDense(inputs, hidden, seed);
        W2 = Matrix<float>.Xavier(hidden, classes, seed + 2);
        b2 = new Matrix<float>(1, classes);
    }

    [Differentiable(Derivatives.Gradient | Derivatives.TrainStep)]
    public float Loss([NoDerivative] Matrix<float> x, [NoDerivative] Matrix<float> t)
    {
        var h = Hidden.Forward(x);
        var y = MatMul(h, W2) + b2;
        return SoftmaxCrossEntropy(y * (1 / Temperature), t) + Decay * Sum(Multiply(W2, W2));
    }
}

/// <summary>
/// Stacks of layers in a loop, an array of gains, a scalar behind a setter, and two parameters of the loss's own that
/// the train step differentiates but has nowhere to put (a number and a matrix): every kind of parameter a train step updates.
/// </summary>
public partial class TrainedStack
{
    public Matrix<double>[] W, b;
    public double[] Gains;
    public double Temperature { get; set; } = 1.2;

    public TrainedStack(int inputs, int hidden, int outputs, int layers, int seed)
    {
        W = Enumerable.Range(0, layers).Select(i => Matrix<double>.RandomNormal(i == 0 ? inputs : hidden, i == layers - 1 ? outputs : hidden, 0.4, seed + i)).ToArray();
        b = Enumerable.Range(0, layers).Select(i => Matrix<double>.RandomNormal(1, i == layers - 1 ? outputs : hidden, 0.1, seed + 100 + i)).ToArray();
        Gains = Enumerable.Range(0, outputs).Select(i => 0.5 + 0.1 * i).ToArray();
    }

    [Differentiable(Derivatives.Gradient | Derivatives.TrainStep)]
    public double Loss(double shift, Matrix<double> x, [NoDerivative] Matrix<double> t)
    {
        var h = x;
        for (int i = 0; i < W.Length; i++)
        {
            var z = MatMul(h, W[i]) + b[i];
            h = i < W.Length - 1 ? Tanh(z) : z;
        }
        double penalty = 0;
        for (int k = 0; k < Gains.Length; k++)
            penalty += Gains[k] * Gains[k];
        return SoftmaxCrossEntropy(h * (1 / Temperature), t) + 0.01 * penalty + shift * shift * Temperature;
    }
}

/// <summary>A model whose loss calls a [Differentiable] static method and a plain one (an implicit helper): the train step calls their gradients.</summary>
public partial class HelperCallingModel
{
    public double A = 0.7, B = -0.3;

    [Differentiable(Derivatives.Gradient | Derivatives.TrainStep)]
    public double Loss(double x) => Softplus(A * x) + Square(B - x);

    [Differentiable]
    public static double Softplus(double z) => Math.Log(1 + Math.Exp(z));

    public static double Square(double z) => z * z;
}

/// <summary>A model asking for the train step alone: it gets no gradient method.</summary>
public partial class TrainStepOnlyModel
{
    public double A = 2;

    [Differentiable(Derivatives.TrainStep)]
    public double Loss(double x) => (A * x - 1) * (A * x - 1);
}
