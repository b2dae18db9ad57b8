using Backprop;

namespace Backprop.Gradients.Tests.Block
{
    internal partial struct Geometry
    {
        [Differentiable]
        public static double Distance(double x, double y) => Math.Sqrt(x * x + y * y);
    }
}
