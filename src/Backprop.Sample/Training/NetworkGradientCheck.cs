using Backprop.Sample.Model;
using Backprop.Training;
using static Backprop.MatrixOps;

namespace Backprop.Sample.Training;

/// <summary>
/// Checks a network's generated <c>LossGradient</c> (the gradient of the model: every parameter its walk names) against
/// central differences of its loss on one batch.
/// A central difference across a ReLU's kink (or a max pool's switch between two inputs) measures neither side's
/// slope, so each network is checked on a copy whose biases are moved away from the kinks
/// (<see cref="AwayFromKinks(Mlp, Matrix{float})"/>, <see cref="AwayFromKinks(Cnn)"/>), and:
/// <list type="bullet">
/// <item>the MLP's differences are of its float32 loss, with ε large enough (1e-2) that rounding in the loss stays
/// small beside its change, and its kinks are all moved out of reach;</item>
/// <item>the CNN has far too many kinks to move (every stroke's edge, every pooling window), and at ε = 1e-2 the
/// differences cross enough of them to be off by tens of percent. Its differences are therefore of the same
/// network evaluated in double (<see cref="CnnLossInDouble"/>) at ε = 1e-6, which crosses almost none and
/// rounds far below the tolerance. The generator cannot differentiate one generic loss for both element types
/// (BP0007), so that double forward pass is written out once more here.</item>
/// </list>
/// </summary>
public static class NetworkGradientCheck
{
    /// <summary>The relative error under which a parameter passes.</summary>
    public const double RelativeTolerance = 1e-2;

    /// <summary>The absolute error under which a parameter passes even with a larger relative error (tiny derivatives).</summary>
    public const double AbsoluteTolerance = 1e-4;

    /// <summary>The perturbation of a float32 loss (the MLP's).</summary>
    public const double Epsilon = 1e-2;

    /// <summary>The perturbation of a loss evaluated in double (the CNN's).</summary>
    public const double DoubleEpsilon = 1e-6;

    /// <summary>Compares <paramref name="samplesPerParameter"/> coordinates of each parameter, chosen by <paramref name="seed"/>.</summary>
    public static GradientCheckResult Run(INetwork model, Matrix<float> x, ReadOnlySpan<int> labels, int samplesPerParameter = 30, int seed = 0)
    {
        model = model switch
        {
            Mlp mlp => AwayFromKinks(mlp, x),
            Cnn cnn => AwayFromKinks(cnn),
            _ => model,
        };
        Matrix<float> t = new OneHotTargets(model.Classes).For(labels);
        IModelGradients<float> gradients = model.CreateGradients();
        model.LossGradient(x, t, gradients);

        // The check perturbs double copies of the parameters, named and ordered by the model's walk.
        var copier = new DoubleCopier([]);
        model.VisitParameters(ref copier, gradients);
        var checkedParameters = copier.Parameters;
        if (model is Cnn)
        {
            Matrix<double> x64 = ToDouble(x), t64 = ToDouble(t);
            var p = checkedParameters.Select(c => c.Parameter).ToArray();
            return GradientCheck.Run(() => CnnLossInDouble(p[0], p[1], p[2], p[3], p[4], p[5], x64, t64), checkedParameters, samplesPerParameter, DoubleEpsilon, seed);
        }
        // Each loss evaluation rounds the double copies into a float model.
        INetwork probe = model.ZerosLike();
        double Loss()
        {
            var rounder = new Rounder(checkedParameters);
            probe.VisitParameters(ref rounder);
            return probe.Loss(x, t);
        }
        return GradientCheck.Run(Loss, checkedParameters, samplesPerParameter, Epsilon, seed);
    }

    /// <summary><see cref="Cnn.Loss"/> in double, for the CNN's finite differences.</summary>
    public static double CnnLossInDouble(Matrix<double> K1, Matrix<double> c1, Matrix<double> K2, Matrix<double> c2, Matrix<double> W, Matrix<double> b, Matrix<double> x, Matrix<double> t)
    {
        var h1 = Relu(AddChannelBias(MaxPool2D(Conv2D(x, K1, Cnn.FirstConvolution), Cnn.FirstPooling), c1));
        var h2 = Relu(AddChannelBias(MaxPool2D(Conv2D(h1, K2, Cnn.SecondConvolution), Cnn.SecondPooling), c2));
        return SoftmaxCrossEntropy(MatMul(h2, W) + b, t);
    }

    /// <summary>
    /// A copy of <paramref name="model"/> in which each hidden unit's bias is shifted so that the kink falls in
    /// the middle of the widest gap between the unit's pre-activations <c>x·W1 + b1</c> over the batch: the
    /// unit stays active for some examples and inactive for others, and no perturbation of ε crosses the kink
    /// unless that gap is narrower than 2ε (pixels are at most 1).
    /// </summary>
    public static Mlp AwayFromKinks(Mlp model, Matrix<float> x)
    {
        var copy = (Mlp)model.Copy();
        Matrix<float> preActivations = MatrixOps.MatMul(x, model.W1) + model.b1;
        var column = new float[x.Rows];
        for (int unit = 0; unit < model.Hidden; unit++)
        {
            for (int row = 0; row < x.Rows; row++)
                column[row] = preActivations[row, unit];
            Array.Sort(column);
            // One example has no gap: make the unit active for it.
            float kink = column.Length == 1 ? column[0] - 1 : column[0];
            float widest = -1;
            for (int i = 1; i < column.Length; i++)
            {
                if (column[i] - column[i - 1] > widest)
                {
                    widest = column[i] - column[i - 1];
                    kink = (column[i] + column[i - 1]) / 2;
                }
            }
            copy.b1[0, unit] -= kink;
        }
        return copy;
    }

    /// <summary>The distance from the kink <see cref="AwayFromKinks(Cnn)"/> gives the background's pre-activations: ten times ε.</summary>
    public const float BackgroundMargin = 0.1f;

    /// <summary>
    /// A copy of <paramref name="model"/> whose convolution biases keep the background away from the ReLU's kink.
    /// MNIST's background is exactly 0, so wherever a 5×5 patch is all background the first convolution's
    /// pre-activation is its bias alone, the same for every such patch: at the initial bias of 0 thousands of them
    /// sit on the kink and every perturbation of the bias crosses it. The first biases become
    /// <see cref="BackgroundMargin"/>; then, over the constant image the background becomes after ReLU and pooling,
    /// each second-layer channel's pre-activation is moved to ±<see cref="BackgroundMargin"/> (keeping its side).
    /// Pre-activations over strokes vary continuously and seldom lie within ε of 0.
    /// </summary>
    public static Cnn AwayFromKinks(Cnn model)
    {
        var copy = (Cnn)model.Copy();
        copy.c1.Span.Fill(BackgroundMargin);
        for (int channel = 0; channel < copy.c2.Columns; channel++)
        {
            float background = copy.c2[0, channel];
            for (int row = 0; row < copy.K2.Rows; row++)
                background += BackgroundMargin * copy.K2[row, channel];
            copy.c2[0, channel] += (background >= 0 ? BackgroundMargin : -BackgroundMargin) - background;
        }
        return copy;
    }

    /// <summary>Collects a double copy of each parameter and of its gradient, named by the walk.</summary>
    private readonly struct DoubleCopier(List<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> parameters) : IParameterVisitor<float>
    {
        public List<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> Parameters { get; } = parameters;

        public void Visit(in ModelParameter<float> parameter) =>
            Parameters.Add((parameter.FullName, ToDouble(parameter.Rows, parameter.Columns, parameter.Values), ToDouble(parameter.Rows, parameter.Columns, parameter.Gradient)));
    }

    /// <summary>Rounds the double copies, in the walk's order, into a float model's parameters.</summary>
    private struct Rounder(List<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> parameters) : IParameterVisitor<float>
    {
        private int _next;

        public void Visit(in ModelParameter<float> parameter)
        {
            ReadOnlySpan<double> source = parameters[_next++].Parameter.Span;
            for (int i = 0; i < source.Length; i++)
                parameter.Values[i] = (float)source[i];
        }
    }

    private static Matrix<double> ToDouble(Matrix<float> m) => ToDouble(m.Rows, m.Columns, m.Span);

    private static Matrix<double> ToDouble(int rows, int columns, ReadOnlySpan<float> values)
    {
        var result = new Matrix<double>(rows, columns);
        for (int i = 0; i < values.Length; i++)
            result.Span[i] = values[i];
        return result;
    }
}
