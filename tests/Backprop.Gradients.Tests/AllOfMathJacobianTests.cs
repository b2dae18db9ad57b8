using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>Functions of the rest of Math, in a loop and both sides of a branch, asking for Jacobians.</summary>
public static partial class AllOfMathFunctions
{
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] Waves(double x, double y)
    {
        var z = new double[3];
        for (int i = 0; i < 3; i++)
        {
            if (x < y)
                z[i] = double.SinPi(x * i) + double.Hypot(x, y * i) + double.RootN(x + i, 3);
            else
                z[i] = double.Exp2(x - y * i) * Math.Asinh(y) + double.MaxMagnitude(x, -y * (i + 1));
        }
        return z;
    }

    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static float[] WavesInFloat(float x, float y)
    {
        var z = new float[3];
        for (int i = 0; i < 3; i++)
        {
            if (x < y)
                z[i] = float.SinPi(x * i) + float.Hypot(x, y * i) + float.RootN(x + i, 3);
            else
                z[i] = float.Exp2(x - y * i) * MathF.Asinh(y) + float.MaxMagnitude(x, -y * (i + 1));
        }
        return z;
    }
}

/// <summary>The Jacobians of <see cref="AllOfMathFunctions"/> against central finite differences, on both sides of the branch, in double and in float.</summary>
public class AllOfMathJacobianTests
{
    [Theory]
    [InlineData(0.3, 0.8)]
    [InlineData(0.9, 0.4)]
    public void JacobianMatchesFiniteDifferences(double x, double y)
    {
        var jacobian = new double[3, 2];
        AllOfMathFunctions.WavesJacobian(x, y, jacobian);
        var floatJacobian = new double[3, 2];
        AllOfMathFunctions.WavesInFloatJacobian((float)x, (float)y, floatJacobian);
        const double h = 1e-6;
        for (int row = 0; row < 3; row++)
        {
            double dx = (AllOfMathFunctions.Waves(x + h, y)[row] - AllOfMathFunctions.Waves(x - h, y)[row]) / (2 * h);
            double dy = (AllOfMathFunctions.Waves(x, y + h)[row] - AllOfMathFunctions.Waves(x, y - h)[row]) / (2 * h);
            Assert.Equal(dx, jacobian[row, 0], 1e-6);
            Assert.Equal(dy, jacobian[row, 1], 1e-6);
            // Float: the same function rounded to float at every step.
            Assert.Equal(dx, floatJacobian[row, 0], 1e-3);
            Assert.Equal(dy, floatJacobian[row, 1], 1e-3);
        }
    }
}
