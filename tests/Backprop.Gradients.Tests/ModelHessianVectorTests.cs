using static Backprop.Gradients.Tests.MatrixChecks;

namespace Backprop.Gradients.Tests;

/// <summary>
/// A model's Hessian-vector product, <c>{Method}GradientHessianVector(…, direction, gradients, product, …)</c>, each of
/// the model's <c>Gradients</c> type: against central differences of the model's gradient along the direction, and
/// against a closed form.
/// </summary>
public class ModelHessianVectorTests
{
    private static void Fill(Matrix<double> destination, int seed) => Random(destination.Rows, destination.Columns, seed).CopyTo(destination);

    [Fact]
    public void ALayeredModelsProductIsTheDerivativeOfItsGradientAlongTheDirection()
    {
        var model = new LayeredModel(4, 5, 3, 7);
        Matrix<double> x = Random(6, 4, 8), t = Random(6, 3, 9);
        var direction = LayeredModel.Gradients.For(model);
        Fill(direction.Hidden.W, 60);
        Fill(direction.Hidden.b, 61);
        Fill(direction.Output.W, 62);
        Fill(direction.Output.b, 63);
        direction.Gains = [0.2, -0.5, 0.9];
        var gradients = LayeredModel.Gradients.For(model);
        var product = LayeredModel.Gradients.For(model);

        double value = model.LossGradientHessianVector(x, t, direction, gradients, product);

        Assert.Equal(model.Loss(x, t), value, 12);
        var expectedGradients = LayeredModel.Gradients.For(model);
        model.LossGradient(x, t, expectedGradients);
        Assert.Equal(expectedGradients.Output.W.Span.ToArray(), gradients.Output.W.Span.ToArray());
        Assert.Equal(expectedGradients.Gains, gradients.Gains);
        // (∇L(p + h·v) − ∇L(p − h·v)) / 2h, member by member.
        const double h = 1e-5;
        LayeredModel.Gradients At(double s)
        {
            LayeredModel moved = ModelTangentTests.Moved(model, direction, s);
            var g = LayeredModel.Gradients.For(moved);
            moved.LossGradient(x, t, g);
            return g;
        }
        LayeredModel.Gradients plus = At(h), minus = At(-h);
        foreach (var (p, m, actual) in new[]
                 {
                     (plus.Hidden.W, minus.Hidden.W, product.Hidden.W), (plus.Hidden.b, minus.Hidden.b, product.Hidden.b),
                     (plus.Output.W, minus.Output.W, product.Output.W), (plus.Output.b, minus.Output.b, product.Output.b),
                 })
        {
            for (int i = 0; i < actual.Length; i++)
                Assert.Equal((p.Span[i] - m.Span[i]) / (2 * h), actual.Span[i], 1e-7);
        }
        for (int k = 0; k < 3; k++)
            Assert.Equal((plus.Gains[k] - minus.Gains[k]) / (2 * h), product.Gains[k], 1e-7);
    }

    [Fact]
    public void APolynomialModelsProductIsItsClosedForm()
    {
        var model = new PolynomialModel();
        var direction = PolynomialModel.Gradients.For(model);
        direction.C = [0.1, -0.2, 0.3, 0.4];
        direction.K = -0.7;
        var gradients = PolynomialModel.Gradients.For(model);
        var product = PolynomialModel.Gradients.For(model);
        const double x = 1.3, dx = 0.25;

        model.ValueGradientHessianVector(x, direction, dx, gradients, out double gx, product, out double hx);

        // L = Σᵢ cᵢxⁱ + cᵢ²k: ∂L/∂cᵢ = xⁱ + 2cᵢk, ∂L/∂k = Σᵢ cᵢ², ∂L/∂x = Σᵢ i·cᵢxⁱ⁻¹; the product is their derivative along (ċ, k̇, ẋ).
        double[] c = model.C, dc = direction.C;
        double k = model.K, dk = direction.K;
        double productK = 0, productX = 0;
        for (int i = 0; i < c.Length; i++)
        {
            double productC = (i == 0 ? 0 : i * Math.Pow(x, i - 1) * dx) + 2 * dc[i] * k + 2 * c[i] * dk;
            Assert.Equal(productC, product.C[i], 12);
            Assert.Equal(Math.Pow(x, i) + 2 * c[i] * k, gradients.C[i], 12);
            productK += 2 * c[i] * dc[i];
            if (i >= 1)
                productX += i * dc[i] * Math.Pow(x, i - 1) + (i >= 2 ? i * (i - 1) * c[i] * Math.Pow(x, i - 2) * dx : 0);
        }
        Assert.Equal(productK, product.K, 12);
        Assert.Equal(productX, hx, 12);
    }

    [Fact]
    public void AProductOfAnotherShapeIsRefusedNamingTheMember()
    {
        var model = new LayeredModel(4, 5, 3, 7);
        var product = LayeredModel.Gradients.For(model);
        product.Hidden.b = new Matrix<double>(1, 4);

        var error = Assert.Throws<ArgumentException>(() => model.LossGradientHessianVector(Random(2, 4, 1), Random(2, 3, 2),
            LayeredModel.Gradients.For(model), LayeredModel.Gradients.For(model), product));

        Assert.StartsWith("LossGradientHessianVector: the product 'product.Hidden.b' is 1×4 but field 'Hidden.b' is 1×5; allocate the product with Gradients.For(model).", error.Message);
        Assert.Equal("product", error.ParamName);
    }
}
