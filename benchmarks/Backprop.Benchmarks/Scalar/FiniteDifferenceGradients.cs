namespace Backprop.Benchmarks.Scalar;

/// <summary>
/// Central finite differences, (f(p + h) − f(p − h)) / (2h) with h = 10⁻⁶·max(1, |p|):
/// two primal calls per parameter, plus one for the value.
/// </summary>
public static class FiniteDifferenceGradients
{
    private const double RelativeStep = 1e-6;

    /// <summary>The logistic loss and its gradient in w and b by central differences.</summary>
    public static double LogisticLoss(double w, double b, double x, double t, out double dw, out double db)
    {
        (double wUp, double wDown) = Steps(w);
        dw = (ScalarFunctions.LogisticLoss(wUp, b, x, t) - ScalarFunctions.LogisticLoss(wDown, b, x, t)) / (wUp - wDown);
        (double bUp, double bDown) = Steps(b);
        db = (ScalarFunctions.LogisticLoss(w, bUp, x, t) - ScalarFunctions.LogisticLoss(w, bDown, x, t)) / (bUp - bDown);
        return ScalarFunctions.LogisticLoss(w, b, x, t);
    }

    /// <summary>The polynomial-exponential sum and its gradient in x, y and z by central differences.</summary>
    public static double PolyExp(double x, double y, double z, out double dx, out double dy, out double dz)
    {
        (double xUp, double xDown) = Steps(x);
        dx = (ScalarFunctions.PolyExp(xUp, y, z) - ScalarFunctions.PolyExp(xDown, y, z)) / (xUp - xDown);
        (double yUp, double yDown) = Steps(y);
        dy = (ScalarFunctions.PolyExp(x, yUp, z) - ScalarFunctions.PolyExp(x, yDown, z)) / (yUp - yDown);
        (double zUp, double zDown) = Steps(z);
        dz = (ScalarFunctions.PolyExp(x, y, zUp) - ScalarFunctions.PolyExp(x, y, zDown)) / (zUp - zDown);
        return ScalarFunctions.PolyExp(x, y, z);
    }

    /// <summary>p ± h, divided by their actual difference rather than 2h so rounding in p ± h cancels.</summary>
    private static (double Up, double Down) Steps(double p)
    {
        double h = RelativeStep * Math.Max(1.0, Math.Abs(p));
        return (p + h, p - h);
    }
}
