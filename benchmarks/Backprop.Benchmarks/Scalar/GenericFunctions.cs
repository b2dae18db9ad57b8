using System.Numerics;

namespace Backprop.Benchmarks.Scalar;

/// <summary>
/// One loss written twice: generic over <c>T : IFloatingPointIeee754&lt;T&gt;</c> (its constants <c>T.CreateChecked(0.5)</c>
/// and the like) and for double. Instantiated at double, the generic gradient should cost what the double one does.
/// </summary>
public static partial class GenericFunctions
{
    [Differentiable]
    public static T GenericLoss<T>(T[] x, T scale) where T : IFloatingPointIeee754<T>
    {
        T total = T.Zero;
        for (int i = 0; i < x.Length; i++)
        {
            T z = scale * x[i] - T.CreateChecked(0.5);
            total += T.Log(T.One + T.Exp(z)) + T.CreateChecked(0.25) * z * z;
        }
        return total;
    }

    [Differentiable]
    public static double DoubleLoss(double[] x, double scale)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double z = scale * x[i] - 0.5;
            total += Math.Log(1 + Math.Exp(z)) + 0.25 * z * z;
        }
        return total;
    }
}
