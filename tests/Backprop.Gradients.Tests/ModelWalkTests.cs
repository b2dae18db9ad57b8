using Backprop.Training;
using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>The walk the generator writes into every model (<see cref="IModel{T}"/>): names, order, shapes, places, checks.</summary>
public class ModelWalkTests
{
    private readonly record struct Seen(string Name, ModelParameterKind Kind, string Shape, bool HasGradient, string? ReadOnlyReason);

    private struct Recorder<T>() : IParameterVisitor<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        public List<Seen> Seen { get; } = new();

        public void Visit(in ModelParameter<T> parameter) =>
            Seen.Add(new Seen(parameter.FullName, parameter.Kind, parameter.Shape, parameter.HasGradient, parameter.ReadOnlyReason));
    }

    private static List<Seen> Walk<T>(IModel<T> model, IModelGradients<T>? gradients = null) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var recorder = new Recorder<T>();
        model.VisitParameters(ref recorder, gradients);
        return recorder.Seen;
    }

    [Fact]
    public void LayersParametersComeWhereTheLayerIsDeclaredNamedByTheirPath()
    {
        var model = new LayeredModel(3, 4, 2, 1);

        var seen = Walk(model, LayeredModel.Gradients.For(model));

        Assert.Equal(["Hidden.W", "Hidden.b", "Output.W", "Output.b", "Gains"], seen.Select(s => s.Name));
        Assert.Equal(["3×4", "1×4", "4×2", "1×2", "1×2"], seen.Select(s => s.Shape));
        Assert.Equal(ModelParameterKind.Array, seen[4].Kind);
        Assert.All(seen, s => Assert.True(s.HasGradient));
    }

    [Fact]
    public void EachMatrixOfAStackAndEachScalarIsAParameterOfItsOwn()
    {
        var model = new StackModel(5, 6, 3, 3, 20);

        var seen = Walk(model);

        Assert.Equal(["W[0]", "W[1]", "W[2]", "b[0]", "b[1]", "b[2]", "Temperature"], seen.Select(s => s.Name));
        Assert.Equal([ModelParameterKind.StackMatrix, ModelParameterKind.Scalar], seen.Select(s => s.Kind).Distinct());
        Assert.Equal("1×1", seen[^1].Shape);
        Assert.All(seen, s => Assert.False(s.HasGradient));
    }

    /// <summary>Spans handed to the visitor are the parameters and gradients themselves: a write through them lands in the model.</summary>
    private struct Doubler : IParameterVisitor<double>
    {
        public void Visit(in ModelParameter<double> parameter)
        {
            foreach (ref double value in parameter.Values)
                value *= 2;
            parameter.Gradient.Fill(parameter.Values.Length);
        }
    }

    [Fact]
    public void TheVisitorWritesTheModelAndItsGradientsInPlace()
    {
        var model = new StackModel(2, 3, 2, 2, 5);
        var gradients = StackModel.Gradients.For(model);
        double temperature = model.Temperature, w = model.W[1][0, 0];
        var doubler = new Doubler();

        ((IModel<double>)model).VisitParameters(ref doubler, gradients);

        Assert.Equal(2 * temperature, model.Temperature);
        Assert.Equal(2 * w, model.W[1][0, 0]);
        Assert.Equal(1, gradients.Temperature);
        Assert.Equal(6, gradients.W[1][0, 0]);
    }

    [Fact]
    public void AScalarThatCannotBeWrittenInPlaceIsHandedOverAsACopyThatSaysWhy()
    {
        var record = new RecordModel(Random(2, 2, 1), 0.5, 2);
        var quadratic = new QuadraticModel { A = 1, B = 2 };

        Assert.Equal([null, "it is an init-only property; give it a setter, make it a field, or mark it [NoDerivative]"], Walk(record).Select(s => s.ReadOnlyReason));
        Assert.All(Walk(quadratic), s => Assert.Contains("it is in the struct 'QuadraticModel', which is walked as a copy", s.ReadOnlyReason));
    }

    [Fact]
    public void GradientsOfAnotherModelOrShapeAreRefusedNamingThem()
    {
        var model = new TwoLayerModel(3, 4, 2, 1);
        var other = TwoLayerModel.Gradients.For(new TwoLayerModel(3, 5, 2, 1));

        var wrongType = Assert.Throws<ArgumentException>(() => Walk(model, StackModel.Gradients.For(new StackModel(2, 2, 2, 1, 1))));
        var wrongShape = Assert.Throws<ArgumentException>(() => Walk(model, other));

        Assert.Equal("gradients", wrongType.ParamName);
        Assert.Contains("StackModel+Gradients", wrongType.Message);
        Assert.Contains("TwoLayerModel+Gradients", wrongType.Message);
        Assert.StartsWith("TwoLayerModel: the gradient 'gradients.W1' is 3×5 but field 'W1' is 3×4", wrongShape.Message);
    }

    [Fact]
    public void ANullFieldOrLayerIsNamed()
    {
        var model = new LayeredModel(3, 4, 2, 1) { Output = null! };
        var stack = new StackModel(2, 2, 2, 1, 1) { b = null! };

        Assert.Equal("LayeredModel: the model's field 'Output' is null; give it its layer first.", Assert.Throws<InvalidOperationException>(() => Walk(model)).Message);
        Assert.Equal("StackModel: the model's field 'b' is null; give it its matrices first.", Assert.Throws<InvalidOperationException>(() => Walk(stack)).Message);
    }

    [Fact]
    public void AStructLayersFieldAndASettablePropertyAreWrittenInPlace()
    {
        var model = new PropertyModel();
        var gradients = PropertyModel.Gradients.For(model);
        model.ValueGradient(0.3, gradients, out _);
        var doubler = new Doubler();

        ((IModel<double>)model).VisitParameters(ref doubler, gradients);

        Assert.Equal(["Scale.S", "Gain"], Walk(model).Select(s => s.Name));
        Assert.Equal(1.0, model.Scale.S);
        Assert.Equal(3.0, model.Gain);
        Assert.Equal(1, gradients.Scale.S);
    }
}
