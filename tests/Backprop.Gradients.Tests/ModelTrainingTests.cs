using Backprop.Data;
using Backprop.Training;
using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>Optimizers, model files and gradient checks taking a model through its walk.</summary>
public sealed class ModelTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("model-training-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly Matrix<double> X = Random(5, 6, 10), T = OneHot(5, 4, 11);

    private static double[] Values(TwoLayerModel model) => new[] { model.W1, model.b1, model.W2, model.b2 }.SelectMany(m => m.Span.ToArray()).ToArray();

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void AnOptimizerOverAModelStepsAsTheSameOptimizerOverItsPairs(string name)
    {
        var byModel = new TwoLayerModel(6, 8, 4, 1);
        var byPairs = new TwoLayerModel(6, 8, 4, 1);
        var modelGradients = TwoLayerModel.Gradients.For(byModel);
        var pairGradients = TwoLayerModel.Gradients.For(byPairs);
        var modelOptimizer = Optimizers.Create(name, byModel, modelGradients, 0.05);
        var pairOptimizer = Optimizers.Create(name, [(byPairs.W1, pairGradients.W1), (byPairs.b1, pairGradients.b1), (byPairs.W2, pairGradients.W2), (byPairs.b2, pairGradients.b2)], 0.05);

        for (int step = 0; step < 10; step++)
        {
            byModel.LossGradient(X, T, modelGradients);
            modelOptimizer.Step();
            byPairs.LossGradient(X, T, pairGradients);
            pairOptimizer.Step();
        }

        Assert.Equal(Values(byPairs), Values(byModel));
        Assert.Equal(4, modelOptimizer.ParameterCount);
        Assert.Same(byModel, modelOptimizer.Model);
        Assert.Same(modelGradients, modelOptimizer.ModelGradients);
    }

    [Fact]
    public void ScalarsArraysAndStacksAreUpdatedInPlace()
    {
        var model = new PolynomialModel();
        var gradients = PolynomialModel.Gradients.For(model);
        double[] c = model.C.ToArray();
        double k = model.K;
        var sgd = new Sgd<double>(model, gradients, 0.1);

        model.ValueGradient(0.7, gradients, out _);
        sgd.Step();

        Assert.Equal(k - 0.1 * gradients.K, model.K);
        Assert.Equal(c.Zip(gradients.C, (v, g) => v - 0.1 * g), model.C);

        var stack = new StackModel(6, 4, 4, 2, 7);
        var stackGradients = StackModel.Gradients.For(stack);
        double temperature = stack.Temperature, w = stack.W[1][0, 0];
        var stackSgd = new Sgd<double>(stack, stackGradients, 0.5);
        stack.LossGradient(0.2, X, T, stackGradients, out _);
        stackSgd.Step();

        Assert.Equal(temperature - 0.5 * stackGradients.Temperature, stack.Temperature);
        Assert.Equal(w - 0.5 * stackGradients.W[1][0, 0], stack.W[1][0, 0]);
        Assert.Equal(5, stackSgd.ParameterCount);
    }

    [Fact]
    public void AnOptimizerRefusesAModelItCannotTrainInPlace()
    {
        var record = new RecordModel(Random(2, 2, 1), 0.5, 2);
        var quadratic = new QuadraticModel { A = 1, B = 2 };

        var readOnly = Assert.Throws<ArgumentException>(() => new Adam<double>(record, RecordModel.Gradients.For(record), 0.1));
        var copied = Assert.Throws<ArgumentException>(() => new Sgd<double>(quadratic, QuadraticModel.Gradients.For(quadratic), 0.1));

        Assert.StartsWith("Adam writes the model's parameters in place, and 'Bias' cannot be written: it is an init-only property", readOnly.Message);
        Assert.Contains("'A' cannot be written: it is in the struct 'QuadraticModel', which is walked as a copy", copied.Message);
    }

    [Fact]
    public void AnOptimizerRefusesGradientsOfAnotherShape()
    {
        var model = new TwoLayerModel(6, 8, 4, 1);
        var gradients = TwoLayerModel.Gradients.For(model);
        gradients.b2 = new Matrix<double>(4, 1);

        var error = Assert.Throws<ArgumentException>(() => new Momentum<double>(model, gradients, 0.1));

        Assert.StartsWith("TwoLayerModel: the gradient 'gradients.b2' is 4×1 but field 'b2' is 1×4", error.Message);
    }

    [Fact]
    public void AStepNoticesAParameterReplacedByOneOfAnotherShape()
    {
        var model = new TwoLayerModel(6, 8, 4, 1);
        var gradients = TwoLayerModel.Gradients.For(model);
        var adam = new Adam<double>(model, gradients, 0.1);
        (model.b2, gradients.b2) = (new Matrix<double>(1, 5), new Matrix<double>(1, 5));

        var error = Assert.Throws<ArgumentException>(() => adam.Step());

        Assert.Equal("Adam: parameter 'b2' was 1×4 when the optimizer was built, but now has 5 values and its gradient 5. (Parameter 'parameter')", error.Message);
    }

    [Fact]
    public void AModelFileRoundTripsEveryParameterExactly()
    {
        string path = Path.Combine(_directory, "stack.bpm");
        var saved = new StackModel(3, 4, 2, 3, 7) { Temperature = 0.3 };
        var loaded = new StackModel(3, 4, 2, 3, 99) { Temperature = 5 };

        ModelFile.Save(path, saved);
        ModelFile.LoadInto(path, loaded);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(saved.W[i].Span.ToArray(), loaded.W[i].Span.ToArray());
            Assert.Equal(saved.b[i].Span.ToArray(), loaded.b[i].Span.ToArray());
        }
        Assert.Equal(0.3, loaded.Temperature);
    }

    [Fact]
    public void TensorsOfCopiesEachParameterUnderItsPathAndCopyIntoPutsThemBackInAnotherModel()
    {
        var saved = new StackModel(3, 4, 2, 3, 7) { Temperature = 0.3 };
        var loaded = new StackModel(3, 4, 2, 3, 99) { Temperature = 5 };

        var tensors = ModelFile.TensorsOf(saved);
        saved.W[0][0, 0] = 42;
        ModelFile.CopyInto(tensors, loaded, "memory");

        Assert.Equal(["W[0]", "W[1]", "W[2]", "b[0]", "b[1]", "b[2]", "Temperature"], tensors.Select(t => t.Name));
        Assert.NotEqual(42, tensors[0].Values[0, 0]);
        Assert.Equal(tensors[0].Values.Span.ToArray(), loaded.W[0].Span.ToArray());
        Assert.Equal(saved.b[2].Span.ToArray(), loaded.b[2].Span.ToArray());
        Assert.Equal(0.3, loaded.Temperature);
    }

    [Fact]
    public void CopyIntoRefusesATensorTheModelDoesNotHaveNamingItsSourceAndCopiesNothing()
    {
        var model = new TwoLayerModel(6, 8, 4, 1);
        double[] before = Values(model);
        var tensors = ModelFile.TensorsOf(new TwoLayerModel(6, 8, 4, 2)).Append(("dataset=mnist", new Matrix<double>(1, 1))).ToArray();

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.CopyInto(tensors, model, "model.bpm"));

        Assert.Equal("model.bpm: the file has tensors the model does not: 'dataset=mnist'.", error.Message);
        Assert.Equal(before, Values(model));
    }

    [Fact]
    public void AFloatModelsFileIsTheFormatMatricesAreSavedIn()
    {
        string path = Path.Combine(_directory, "float.bpm");
        var model = new FloatModel();

        ModelFile.Save(path, model);

        var tensors = ModelFile.Load(path);
        Assert.Equal(["W"], tensors.Select(t => t.Name));
        Assert.Equal(model.W.Span.ToArray(), tensors[0].Values.Span.ToArray());
    }

    [Fact]
    public void AFileOfAnotherModelIsRefusedNamingTheParameterAndBothShapesAndNothingIsCopied()
    {
        string path = Path.Combine(_directory, "two-layer.bpm");
        ModelFile.Save(path, new TwoLayerModel(6, 8, 4, 1));
        var narrower = new TwoLayerModel(6, 5, 4, 2);
        double[] before = Values(narrower);

        var shape = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto(path, narrower));
        var names = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto(path, new LayeredModel(6, 8, 4, 1)));
        var element = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto(path, new FloatModel()));

        Assert.Equal($"{path}: tensor 'W1' is 6×8 in the file but 6×5 in the model.", shape.Message);
        Assert.Equal(before, Values(narrower));
        Assert.StartsWith($"{path}: the model needs a tensor 'Hidden.W' (6×8), which the file does not have; it has 'W1' (6×8), 'b1' (1×8), 'W2' (8×4), 'b2' (1×4)", names.Message);
        Assert.Equal($"{path}: the file holds float64 values, and the model float32; load it into a model of double matrices.", element.Message);
    }

    [Fact]
    public void AGradientCheckTakesAModelAndNamesItsParameters()
    {
        var model = new StackModel(4, 5, 3, 2, 3);
        var gradients = StackModel.Gradients.For(model);
        Matrix<double> x = Random(3, 4, 40), t = OneHot(3, 3, 41);
        model.LossGradient(0.4, x, t, gradients, out _);

        GradientCheckResult result = GradientCheck.Run(() => model.Loss(0.4, x, t), model, gradients, epsilon: 1e-6);

        Assert.Equal(["W[0]", "W[1]", "b[0]", "b[1]", "Temperature"], result.Parameters.Select(p => p.Name));
        Assert.True(result.IsWithin(1e-6, 1e-9), result.ToString());
        Assert.Equal(model.W[0].Length, result.Parameters[0].CoordinatesChecked);

        gradients.Temperature *= 1.01;
        var spoiled = GradientCheck.Run(() => model.Loss(0.4, x, t), model, gradients, epsilon: 1e-6);
        Assert.False(spoiled.Parameters[^1].IsWithin(1e-6, 1e-9), spoiled.ToString());
        Assert.True(spoiled.Parameters[0].IsWithin(1e-6, 1e-9));
    }
}
