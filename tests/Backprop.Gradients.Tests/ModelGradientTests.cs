using Backprop.Testing;
using System.Reflection;
using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>Models: instance methods differentiated with respect to their model's fields, against central finite differences.</summary>
public class ModelGradientTests
{
    /// <summary>A model's gradients, every member filled with NaN: the gradient method must overwrite all of it.</summary>
    private static void Spoil(Matrix<double> gradient) => gradient.Span.Fill(double.NaN);

    /// <summary>The fourth-order central difference of <paramref name="loss"/> along a number that <paramref name="set"/> changes from <paramref name="value"/>.</summary>
    private static double Derivative(Func<double> loss, Action<double> set, double value, double h = 1e-4)
    {
        double At(double offset)
        {
            set(value + offset);
            return loss();
        }
        double derivative = (-At(2 * h) + 8 * At(h) - 8 * At(-h) + At(-2 * h)) / (12 * h);
        set(value);
        return derivative;
    }

    [Fact]
    public void AModelsMatrixFieldsGetTheGradientsOfTheSameNetworkWrittenWithParameters()
    {
        var model = new TwoLayerModel(6, 8, 4, 1);
        Matrix<double> x = Random(5, 6, 10), t = OneHot(5, 4, 11);
        var gradients = TwoLayerModel.Gradients.For(model);
        foreach (Matrix<double> g in new[] { gradients.W1, gradients.b1, gradients.W2, gradients.b2 })
            Spoil(g);

        double loss = model.LossGradient(x, t, gradients);

        Assert.Equal(model.Loss(x, t), loss);
        // The same network as a static method: the same pipeline, so the same numbers.
        Matrix<double> dW1 = Garbage(model.W1), db1 = Garbage(model.b1), dW2 = Garbage(model.W2), db2 = Garbage(model.b2);
        Assert.Equal(loss, MatrixFunctions.TwoLayerLossGradient(model.W1, model.b1, model.W2, model.b2, x, t, dW1, db1, dW2, db2));
        foreach (var (expected, actual) in new[] { (dW1, gradients.W1), (db1, gradients.b1), (dW2, gradients.W2), (db2, gradients.b2) })
            Assert.Equal(expected.Span.ToArray(), actual.Span.ToArray());
        double Loss() => model.Loss(x, t);
        // A small step keeps the differences off the ReLU's kinks.
        foreach (var (parameter, gradient) in new[] { (model.W1, gradients.W1), (model.b1, gradients.b1), (model.W2, gradients.W2), (model.b2, gradients.b2) })
            Assert.InRange(MaxRelativeError(Loss, parameter, gradient, step: 1e-5), 0, 1e-6);
    }

    [Fact]
    public void AStackOfMatricesAndATrainableTemperaturePassTheGradientCheck()
    {
        var model = new StackModel(5, 6, 3, 3, 20);
        Matrix<double> x = Random(4, 5, 30), t = OneHot(4, 3, 31);
        var gradients = StackModel.Gradients.For(model);
        Assert.Equal(3, gradients.W.Length);
        foreach (Matrix<double> g in gradients.W.Concat(gradients.b))
            Spoil(g);
        gradients.Temperature = double.NaN;

        double loss = model.LossGradient(0.7, x, t, gradients, out double dshift);

        Assert.Equal(model.Loss(0.7, x, t), loss);
        double Loss() => model.Loss(0.7, x, t);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(model.W[i].Rows, gradients.W[i].Rows);
            Assert.InRange(MaxRelativeError(Loss, model.W[i], gradients.W[i]), 0, 1e-7);
            Assert.InRange(MaxRelativeError(Loss, model.b[i], gradients.b[i]), 0, 1e-7);
        }
        double temperature = Derivative(Loss, v => model.Temperature = v, model.Temperature);
        Assert.Equal(temperature, gradients.Temperature, 1e-8);
        // The method's own parameter keeps its out gradient, after the model's.
        Assert.Equal(2 * 0.7 * model.Temperature, dshift, 12);
    }

    [Fact]
    public void AHyperparameterFieldIsReadButHasNoGradient()
    {
        Assert.Null(typeof(StackModel.Gradients).GetField(nameof(StackModel.Lambda)));
        Assert.Null(typeof(StackModel.Gradients).GetField(nameof(StackModel.Hidden)));
        Assert.Equal(new[] { "W", "b", "Temperature" }, typeof(StackModel.Gradients).GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.Name));

        var model = new StackModel(5, 6, 3, 2, 40);
        Matrix<double> x = Random(4, 5, 41), t = OneHot(4, 3, 42);
        var gradients = StackModel.Gradients.For(model);
        double before = model.LossGradient(0.3, x, t, gradients, out _);
        double[] dW0 = gradients.W[0].Span.ToArray();
        double lambdaSlope = Derivative(() => model.Loss(0.3, x, t), v => model.Lambda = v, model.Lambda);
        Assert.True(lambdaSlope > 0, "the loss changes with the hyperparameter");

        model.Lambda = 10;
        double after = model.LossGradient(0.3, x, t, gradients, out _);
        Assert.NotEqual(before, after);
        Assert.Equal(model.Loss(0.3, x, t), after);
        // The penalty's gradient grows with λ: the method reads the field as it is now.
        Assert.NotEqual(dW0, gradients.W[0].Span.ToArray());
        Assert.InRange(MaxRelativeError(() => model.Loss(0.3, x, t), model.W[0], gradients.W[0]), 0, 1e-7);
    }

    [Fact]
    public void NestedLayersGetGradientsOfTheirOwnType()
    {
        var model = new LayeredModel(4, 7, 3, 50);
        Matrix<double> x = Random(6, 4, 51), t = Random(6, 3, 52);
        var gradients = LayeredModel.Gradients.For(model);
        Assert.IsType<DenseLayer.Gradients>(gradients.Hidden);
        Assert.Null(typeof(DenseLayer.Gradients).GetField(nameof(DenseLayer.Activate)));
        foreach (Matrix<double> g in new[] { gradients.Hidden.W, gradients.Hidden.b, gradients.Output.W, gradients.Output.b })
            Spoil(g);
        Array.Fill(gradients.Gains, double.NaN);

        double loss = model.LossGradient(x, t, gradients);

        Assert.Equal(model.Loss(x, t), loss);
        double Loss() => model.Loss(x, t);
        foreach (var (parameter, gradient) in new[] { (model.Hidden.W, gradients.Hidden.W), (model.Hidden.b, gradients.Hidden.b), (model.Output.W, gradients.Output.W), (model.Output.b, gradients.Output.b) })
            Assert.InRange(MaxRelativeError(Loss, parameter, gradient), 0, 1e-7);
        for (int k = 0; k < model.Gains.Length; k++)
            Assert.Equal(Derivative(Loss, v => model.Gains[k] = v, model.Gains[k]), gradients.Gains[k], 1e-8);

        // The hyperparameter of a layer is read where the layer's method reads it.
        model.Output.Activate = true;
        Assert.NotEqual(loss, model.LossGradient(x, t, gradients));
        Assert.InRange(MaxRelativeError(Loss, model.Output.W, gradients.Output.W), 0, 1e-7);
    }

    [Fact]
    public void RecordAndStructModelsDifferentiateTheirPropertiesAndFields()
    {
        var record = new RecordModel(Random(3, 2, 60), 0.4, 1.5);
        Matrix<double> x = Random(4, 3, 61);
        var gradients = RecordModel.Gradients.For(record);
        Assert.Null(typeof(RecordModel.Gradients).GetField(nameof(RecordModel.Scale)));
        Assert.Equal(record.Energy(x), record.EnergyGradient(x, gradients));
        Assert.InRange(MaxRelativeError(() => record.Energy(x), record.W, gradients.W), 0, 1e-8);
        Assert.Equal(2 * 0.4, gradients.Bias, 12);

        var quadratic = new QuadraticModel { A = 0.5, B = -1.25 };
        var g = QuadraticModel.Gradients.For(quadratic);
        double value = quadratic.ValueGradient(0.8, g, out double dx);
        Assert.Equal(quadratic.Value(0.8), value);
        Assert.Equal(0.8 * 0.8, g.A, 12);
        Assert.Equal(0.8 * Math.Cos(-1.25 * 0.8), g.B, 12);
        Assert.Equal(2 * 0.5 * 0.8 - 1.25 * Math.Cos(-1.25 * 0.8), dx, 12);
        var broken = new QuadraticModel { A = double.NaN, B = 1 };
        Assert.Equal("The model holds NaN: A = NaN, B = 1", Assert.Throws<InvalidOperationException>(() => broken.ValueGradient(0.8, g, out _)).Message);
    }

    /// <summary>y·W with y = Wx + W² (x &gt; 0) + 2W (x &gt; 1): at x = 1.5, F = W²x + W³ + 2W², dF/dW = 2Wx + 3W² + 4W, dF/dx = W².</summary>
    [Fact]
    public void AFieldThatBranchesAddToGetsItsWholeGradient()
    {
        var model = new BranchedScaleModel();
        var gradients = BranchedScaleModel.Gradients.For(model);
        double value = model.ValueGradient(1.5, gradients, out double dx);
        double w = model.W;
        Assert.Equal(model.Value(1.5), value);
        Assert.Equal(2 * w * 1.5 + 3 * w * w + 4 * w, gradients.W, 12);
        Assert.Equal(w * w, dx, 12);
    }

    [Fact]
    public void AnArrayFieldSummedInAFusedLoopPassesTheGradientCheck()
    {
        var model = new PolynomialModel();
        var gradients = PolynomialModel.Gradients.For(model);
        Array.Fill(gradients.C, double.NaN);
        double value = model.ValueGradient(0.8, gradients, out double dx);
        Assert.Equal(model.Value(0.8), value);
        for (int i = 0; i < model.C.Length; i++)
            Assert.Equal(Math.Pow(0.8, i) + 2 * model.C[i] * model.K, gradients.C[i], 12);
        Assert.Equal(model.C.Sum(c => c * c), gradients.K, 12);
        Assert.Equal(Enumerable.Range(1, 3).Sum(i => i * model.C[i] * Math.Pow(0.8, i - 1)), dx, 10);
    }

    [Fact]
    public void AResultInDoubleOverFloatMatricesGetsTheClosedForm()
    {
        var model = new FloatModel();
        Matrix<float> x = Matrix<float>.RandomNormal(4, 3, 1, 8);
        var gradients = FloatModel.Gradients.For(model);
        Assert.Equal(model.Energy(x), model.EnergyGradient(x, gradients));
        Matrix<float> expected = MatrixOps.MatMul(x, MatrixOps.MatMul(x, model.W), transposeA: true);   // ∂(½‖xW‖²)/∂W = xᵀxW
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected.Span[i], gradients.W.Span[i], 1e-4f);
    }

    [Fact]
    public void CallingTwiceWithTheSameGradientsOverwritesThem()
    {
        var model = new StackModel(5, 6, 3, 2, 70);
        Matrix<double> x = Random(4, 5, 71), t = OneHot(4, 3, 72);
        var once = StackModel.Gradients.For(model);
        model.LossGradient(0.2, x, t, once, out _);
        var twice = StackModel.Gradients.For(model);
        model.LossGradient(0.2, x, t, twice, out _);
        model.LossGradient(0.2, x, t, twice, out _);

        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(once.W[i].Span.ToArray(), twice.W[i].Span.ToArray());
            Assert.Equal(once.b[i].Span.ToArray(), twice.b[i].Span.ToArray());
        }
        Assert.Equal(once.Temperature, twice.Temperature);

        var layered = new LayeredModel(4, 5, 2, 73);
        Matrix<double> lx = Random(3, 4, 74), lt = Random(3, 2, 75);
        var first = LayeredModel.Gradients.For(layered);
        layered.LossGradient(lx, lt, first);
        var again = LayeredModel.Gradients.For(layered);
        layered.LossGradient(lx, lt, again);
        layered.LossGradient(lx, lt, again);
        Assert.Equal(first.Hidden.W.Span.ToArray(), again.Hidden.W.Span.ToArray());
        Assert.Equal(first.Output.b.Span.ToArray(), again.Output.b.Span.ToArray());
        Assert.Equal(first.Gains, again.Gains);
    }

    [Fact]
    public void AGradientOfTheWrongShapeIsRefusedNamingTheField()
    {
        var model = new TwoLayerModel(6, 8, 4, 80);
        Matrix<double> x = Random(5, 6, 81), t = OneHot(5, 4, 82);
        var gradients = TwoLayerModel.Gradients.For(model);
        gradients.W2 = new Matrix<double>(4, 8);

        var exception = Assert.Throws<ArgumentException>(() => model.LossGradient(x, t, gradients));
        Assert.Equal("gradients", exception.ParamName);
        Assert.Contains("'gradients.W2' is 4×8", exception.Message);
        Assert.Contains("field 'W2' is 8×4", exception.Message);

        var layered = new LayeredModel(4, 5, 2, 83);
        var nested = LayeredModel.Gradients.For(layered);
        nested.Hidden.b = new Matrix<double>(1, 4);
        var inner = Assert.Throws<ArgumentException>(() => layered.LossGradient(Random(3, 4, 84), Random(3, 2, 85), nested));
        Assert.Contains("'gradients.Hidden.b' is 1×4", inner.Message);
        Assert.Contains("field 'Hidden.b' is 1×5", inner.Message);

        var stack = new StackModel(5, 6, 3, 2, 86);
        var stacked = StackModel.Gradients.For(stack);
        stacked.W = stacked.W.Take(1).ToArray();
        Assert.Contains("'gradients.W' holds 1 matrices but field 'W' holds 2", Assert.Throws<ArgumentException>(() => stack.LossGradient(0, Random(4, 5, 87), OneHot(4, 3, 88), stacked, out _)).Message);

        Assert.Throws<ArgumentNullException>(() => model.LossGradient(x, t, null!));
        nested.Hidden = null!;
        Assert.Equal("gradients.Hidden", Assert.Throws<ArgumentNullException>(() => layered.LossGradient(Random(3, 4, 84), Random(3, 2, 85), nested)).ParamName);
    }

    [Fact]
    public void SteadyStateModelGradientCallsAllocateNothing()
    {
        var model = new LayeredModel(20, 16, 4, 90);
        Matrix<double> x = Random(32, 20, 91), t = Random(32, 4, 92), lastX = Random(7, 20, 93), lastT = Random(7, 4, 94);
        var gradients = LayeredModel.Gradients.For(model);
        var stack = new StackModel(20, 16, 4, 3, 95);
        var stackGradients = StackModel.Gradients.For(stack);
        Matrix<double> labels = OneHot(32, 4, 96);
        model.LossGradient(x, t, gradients);
        stack.LossGradient(0.5, x, labels, stackGradients, out _);

        double sink = 0;
        Assert.Equal(0, SteadyState.Allocated(() =>
        {
            sink += model.LossGradient(x, t, gradients);
            sink += model.LossGradient(lastX, lastT, gradients);
            sink += stack.LossGradient(0.5, x, labels, stackGradients, out _);
        }, calls: 5));
        Assert.True(double.IsFinite(sink));
    }
}
