using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>
/// A model's tangent, <c>{Method}Tangent(…, {Model}.Gradients direction, …)</c>: the derivative along a direction given
/// for every field, against the model's gradient dotted with the direction and against central differences along it.
/// </summary>
public class ModelTangentTests
{
    /// <summary>A copy of <paramref name="model"/> moved by <paramref name="s"/> along <paramref name="direction"/>: every parameter p + s·v.</summary>
    internal static LayeredModel Moved(LayeredModel model, LayeredModel.Gradients direction, double s)
    {
        var moved = new LayeredModel(model.Hidden.W.Rows, model.Hidden.W.Columns, model.Output.W.Columns, 0);
        moved.Hidden.W = model.Hidden.W + direction.Hidden.W * s;
        moved.Hidden.b = model.Hidden.b + direction.Hidden.b * s;
        moved.Output.W = model.Output.W + direction.Output.W * s;
        moved.Output.b = model.Output.b + direction.Output.b * s;
        moved.Gains = model.Gains.Zip(direction.Gains, (g, d) => g + s * d).ToArray();
        return moved;
    }

    /// <summary>The fourth-order central difference of <paramref name="loss"/> at 0.</summary>
    private static double Slope(Func<double, double> loss, double h = 1e-4) =>
        (-loss(2 * h) + 8 * loss(h) - 8 * loss(-h) + loss(-2 * h)) / (12 * h);

    [Fact]
    public void AStackModelsTangentIsItsGradientAlongTheDirectionOfEveryFieldAndParameter()
    {
        var model = new StackModel(5, 6, 3, 3, 20);
        Matrix<double> x = Random(4, 5, 30), t = OneHot(4, 3, 31);
        var direction = StackModel.Gradients.For(model);
        for (int i = 0; i < 3; i++)
        {
            direction.W[i] = Random(model.W[i].Rows, model.W[i].Columns, 40 + i);
            direction.b[i] = Random(1, model.b[i].Columns, 50 + i);
        }
        direction.Temperature = 0.3;
        const double shift = 0.7, dshift = -0.4;

        var (value, derivative) = model.LossTangent(shift, x, t, direction, dshift);

        Assert.Equal(model.Loss(shift, x, t), value, 12);
        var gradients = StackModel.Gradients.For(model);
        model.LossGradient(shift, x, t, gradients, out double gshift);
        double alongGradient = gshift * dshift + gradients.Temperature * direction.Temperature;
        for (int i = 0; i < 3; i++)
            alongGradient += Dot(gradients.W[i], direction.W[i]) + Dot(gradients.b[i], direction.b[i]);
        Assert.Equal(alongGradient, derivative, 1e-10);
        double Moved(double s)
        {
            var moved = new StackModel(5, 6, 3, 3, 20) { Temperature = model.Temperature + s * direction.Temperature };
            for (int i = 0; i < 3; i++)
            {
                moved.W[i] = model.W[i] + direction.W[i] * s;
                moved.b[i] = model.b[i] + direction.b[i] * s;
            }
            return moved.Loss(shift + s * dshift, x, t);
        }
        Assert.Equal(Slope(Moved), derivative, 1e-8);
    }

    [Fact]
    public void ALayeredModelsTangentMovesTheLayersFieldsAndTheArrayField()
    {
        var model = new LayeredModel(4, 5, 3, 7);
        Matrix<double> x = Random(6, 4, 8), t = Random(6, 3, 9);
        var direction = LayeredModel.Gradients.For(model);
        direction.Hidden.W = Random(4, 5, 60);
        direction.Hidden.b = Random(1, 5, 61);
        direction.Output.W = Random(5, 3, 62);
        direction.Output.b = Random(1, 3, 63);
        direction.Gains = [0.2, -0.5, 0.9];

        var (value, derivative) = model.LossTangent(x, t, direction);

        Assert.Equal(model.Loss(x, t), value, 12);
        Assert.Equal(Slope(s => Moved(model, direction, s).Loss(x, t)), derivative, 1e-8);
    }

    [Fact]
    public void AnArrayAndAScalarFieldReadInLoopsMoveAsTheClosedFormSays()
    {
        var model = new PolynomialModel();
        var direction = PolynomialModel.Gradients.For(model);
        direction.C = [0.1, -0.2, 0.3, 0.4];
        direction.K = -0.7;
        const double x = 1.3, dx = 0.25;

        var (value, derivative) = model.ValueTangent(x, direction, dx);

        // Σᵢ cᵢxⁱ + cᵢ²k moves by Σᵢ ċᵢxⁱ + i·cᵢxⁱ⁻¹ẋ + 2cᵢċᵢk + cᵢ²k̇.
        double expected = 0;
        for (int i = 0; i < model.C.Length; i++)
            expected += direction.C[i] * Math.Pow(x, i) + (i == 0 ? 0 : i * model.C[i] * Math.Pow(x, i - 1) * dx)
                        + 2 * model.C[i] * direction.C[i] * model.K + model.C[i] * model.C[i] * direction.K;
        Assert.Equal(model.Value(x), value, 12);
        Assert.Equal(expected, derivative, 12);
    }

    [Fact]
    public void ADirectionOfAnotherShapeIsRefusedNamingTheMemberAndTheField()
    {
        var model = new LayeredModel(4, 5, 3, 7);
        var direction = LayeredModel.Gradients.For(model);
        direction.Output.W = new Matrix<double>(3, 5);

        var error = Assert.Throws<ArgumentException>(() => model.LossTangent(Random(2, 4, 1), Random(2, 3, 2), direction));

        Assert.StartsWith("LossTangent: the direction 'direction.Output.W' is 3×5 but field 'Output.W' is 5×3; allocate the direction with Gradients.For(model).", error.Message);
        Assert.Equal("direction", error.ParamName);
    }
}
