using static Backprop.MatrixOps;

namespace Backprop.Gradients.Tests;

/// <summary>The seeds' TwoLayerNet as a model: its weights are its fields, and its loss an instance method.</summary>
public partial class TwoLayerModel
{
    public Matrix<double> W1, b1, W2, b2;

    public TwoLayerModel(int inputs, int hidden, int outputs, int seed)
    {
        W1 = MatrixChecks.Random(inputs, hidden, seed, 0.3);
        b1 = MatrixChecks.Random(1, hidden, seed + 1, 0.1);
        W2 = MatrixChecks.Random(hidden, outputs, seed + 2, 0.3);
        b2 = MatrixChecks.Random(1, outputs, seed + 3, 0.1);
    }

    [Differentiable]
    public double Loss([NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t)
    {
        var h = Relu(MatMul(x, W1) + b1);
        return SoftmaxCrossEntropy(MatMul(h, W2) + b2, t);
    }
}

/// <summary>
/// A stack of layers held in <c>Matrix&lt;T&gt;[]</c> fields, a trainable temperature dividing the logits, and an L2
/// weight that is a hyperparameter; the loss also takes a differentiable parameter of its own.
/// </summary>
public partial class StackModel
{
    public Matrix<double>[] W, b;
    public double Temperature = 1.5;
    [NoDerivative] public double Lambda = 0.01;
    /// <summary>A hyperparameter by its type: no gradient, read as a passive number.</summary>
    public int Hidden;

    public StackModel(int inputs, int hidden, int outputs, int layers, int seed)
    {
        Hidden = hidden;
        W = Enumerable.Range(0, layers).Select(i => MatrixChecks.Random(i == 0 ? inputs : hidden, i == layers - 1 ? outputs : hidden, seed + i, 0.4)).ToArray();
        b = Enumerable.Range(0, layers).Select(i => MatrixChecks.Random(1, i == layers - 1 ? outputs : hidden, seed + 100 + i, 0.1)).ToArray();
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public double Loss(double shift, [NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t)
    {
        var h = x;
        double penalty = 0;
        for (int i = 0; i < W.Length; i++)
        {
            var z = MatMul(h, W[i]) + b[i];
            h = i < W.Length - 1 ? Tanh(z) : z;
            penalty += Sum(Multiply(W[i], W[i]));
        }
        return SoftmaxCrossEntropy(h * (1 / Temperature), t) + Lambda * penalty / Hidden + shift * shift * Temperature;
    }
}

/// <summary>A layer: a model that another model holds, whose method the holder calls.</summary>
public partial class DenseLayer
{
    public Matrix<double> W, b;
    /// <summary>Whether the layer applies tanh: a hyperparameter the layer's method reads.</summary>
    [NoDerivative] public bool Activate = true;

    public DenseLayer(int inputs, int outputs, int seed)
    {
        W = MatrixChecks.Random(inputs, outputs, seed, 0.4);
        b = MatrixChecks.Random(1, outputs, seed + 1, 0.1);
    }

    public Matrix<double> Forward(Matrix<double> x)
    {
        var z = MatMul(x, W) + b;
        return Activate ? Tanh(z) : z;
    }
}

/// <summary>A model of layers (nested models) and a gain per output, an array field.</summary>
public partial class LayeredModel
{
    public DenseLayer Hidden, Output;
    public double[] Gains;

    public LayeredModel(int inputs, int hidden, int outputs, int seed)
    {
        Hidden = new DenseLayer(inputs, hidden, seed);
        Output = new DenseLayer(hidden, outputs, seed + 10) { Activate = false };
        Gains = Enumerable.Range(0, outputs).Select(i => 0.5 + 0.25 * i).ToArray();
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public double Loss([NoDerivative] Matrix<double> x, [NoDerivative] Matrix<double> t)
    {
        var y = Output.Forward(Hidden.Forward(x));
        double loss = MeanSquaredError(y, t);
        for (int k = 0; k < Gains.Length; k++)
            loss += Gains[k] * Gains[k] * Mean(Multiply(Output.W, Output.W)) / (k + 1);
        return loss;
    }
}

/// <summary>A positional record holds its parameters in properties; <c>[NoDerivative]</c> on a positional parameter makes its property a hyperparameter.</summary>
public partial record RecordModel(Matrix<double> W, double Bias, [NoDerivative] double Scale)
{
    [Differentiable]
    public double Energy([NoDerivative] Matrix<double> x) => Scale * Sum(Square(MatMul(x, W))) + Bias * Bias;
}

/// <summary>A struct model over numbers alone, whose method also differentiates its own parameter.</summary>
public partial struct QuadraticModel
{
    public double A, B;

    [Differentiable]
    public readonly double Value(double x)
    {
        // A statement kept for its effect reads the model's fields as they are.
        if (double.IsNaN(A + B))
            throw new InvalidOperationException($"The model holds NaN: A = {A}, B = {B}");
        return A * x * x + Math.Sin(B * x);
    }
}

/// <summary>
/// A scalar field that branches add to twice after the return reads it: the reverse sweep sets its gradient's earlier
/// value aside in a local named after the field (dW_later), not after the member (regression, model fuzz seed 1357005).
/// </summary>
public partial class BranchedScaleModel
{
    public double W = 0.75;

    [Differentiable]
    public double Value(double x)
    {
        double y = W * x;
        if (x > 0)
            y += W * W;
        if (x > 1)
            y += 2 * W;
        return y * W;
    }
}

/// <summary>
/// A polynomial's coefficients in an array field, summed in loops the gradient fuses (differentiated along the forward
/// pass, several shares of one coefficient collected in one accumulator), and a scale in a scalar field.
/// </summary>
public partial class PolynomialModel
{
    public double[] C = { 0.5, -1.5, 2.0, 0.25 };
    public double K = 0.3;

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public double Value(double x)
    {
        double s = 0;
        for (int i = 0; i < C.Length; i++)
        {
            s += C[i] * Math.Pow(x, i);
            s += C[i] * C[i] * K;
        }
        return s;
    }
}

/// <summary>Float matrices with a result in double: the derivatives' arena holds the matrices' element type.</summary>
public partial class FloatModel
{
    public Matrix<float> W = Matrix<float>.RandomNormal(3, 2, 1, 7);

    [Differentiable]
    public double Energy([NoDerivative] Matrix<float> x) => 0.5 * Sum(Square(MatMul(x, W)));
}

/// <summary>A scalar held in a struct layer's field, and one in a settable property: the walk writes both in place.</summary>
public partial class PropertyModel
{
    public ScaleLayer Scale = new() { S = 0.5 };
    public double Gain { get; set; } = 1.5;

    [Differentiable]
    public double Value(double x) => Gain * Math.Sin(Scale.S * x);
}

/// <summary>A layer that is a struct.</summary>
public partial struct ScaleLayer
{
    public double S;
}
