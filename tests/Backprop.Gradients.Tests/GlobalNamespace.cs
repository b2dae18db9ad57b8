using Backprop;

public static partial class GlobalFunctions
{
    [Differentiable]
    public static double Square(double x) => x * x;
}
