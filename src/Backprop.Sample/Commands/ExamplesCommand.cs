namespace Backprop.Sample.Commands;

/// <summary><c>examples</c>: the seeds' scalar worked examples, each with its generated gradient beside the value worked out by hand.</summary>
public static class ExamplesCommand
{
    /// <summary>Prints the examples; returns the exit code.</summary>
    public static int Run(TextWriter output)
    {
        output.WriteLine("Backprop: the seeds' worked examples with their generated gradients\n");

        double z = SeedExamples.SquaredSumGradient(1.5, 2.0, out double dx, out double dy);
        output.WriteLine($"z = (x + y)^2 at x = 1.5, y = 2:        z = {z}, dz/dx = {dx}, dz/dy = {dy}  (2(x + y) = {2 * (1.5 + 2.0)})");

        double total = SeedExamples.ApplePriceGradient(100, 2, 1.1, out double dPrice, out double dCount, out double dTax);
        output.WriteLine($"apples: price 100, count 2, tax 1.1:   total = {total:G6}, d/dprice = {dPrice:G6}, d/dcount = {dCount:G6}, d/dtax = {dTax:G6}");

        double y = SeedExamples.SigmoidGradient(0.5, out double dSigmoid);
        output.WriteLine($"sigmoid at x = 0.5:                     y = {y:G6}, dy/dx = {dSigmoid:G6}  (y(1 - y) = {y * (1 - y):G6})");

        double w = 0.3, b = -0.1, x = 2.0, t = 1.0;
        double loss = SeedExamples.LogisticLossGradient(w, b, x, t, out double dw, out double db);
        double prediction = 1 / (1 + Math.Exp(-(w * x + b)));
        output.WriteLine($"logistic neuron w = 0.3, b = -0.1, x = 2, t = 1: J = {loss:G6}, dJ/dw = {dw:G6}, dJ/db = {db:G6}  ((y - t)x = {(prediction - t) * x:G6}, y - t = {prediction - t:G6})");
        return ExitCodes.Success;
    }
}
