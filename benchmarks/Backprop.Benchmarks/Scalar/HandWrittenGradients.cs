namespace Backprop.Benchmarks.Scalar;

/// <summary>
/// The gradients of <see cref="ScalarFunctions"/> as a careful human writes them: the calculus done
/// on paper (∂J/∂z = ŷ − t), every exp evaluated once and reused for the value and the derivatives.
/// Same signatures as the generated ones, so the benchmarks compare like with like.
/// </summary>
public static class HandWrittenGradients
{
    /// <summary>The logistic loss and ∂J/∂w = (ŷ − t)·x, ∂J/∂b = ŷ − t.</summary>
    public static double LogisticLoss(double w, double b, double x, double t, out double dw, out double db)
    {
        double z = w * x + b;
        double y = 1 / (1 + Math.Exp(-z));
        double dz = y - t;
        dw = dz * x;
        db = dz;
        return -(t * Math.Log(y) + (1 - t) * Math.Log(1 - y));
    }

    /// <summary>
    /// Σₖ cₖ·xᵏ·eᵏ with eᵏ = exp(−k·y·z): ∂f/∂x = Σₖ k·cₖ·xᵏ⁻¹·eᵏ and, with r = y·z,
    /// ∂f/∂r = −Σₖ k·cₖ·xᵏ·eᵏ, ∂f/∂y = z·∂f/∂r, ∂f/∂z = y·∂f/∂r.
    /// </summary>
    public static double PolyExp(double x, double y, double z, out double dx, out double dy, out double dz)
    {
        double r = y * z;
        double x2 = x * x;
        double x3 = x2 * x;
        double x4 = x3 * x;
        double x5 = x4 * x;
        double x6 = x5 * x;
        double x7 = x6 * x;
        double x8 = x7 * x;
        double x9 = x8 * x;
        double x10 = x9 * x;

        // cₖ·exp(−k·r), shared by the value and both derivatives.
        double a1 = 2.0 * Math.Exp(-r);
        double a2 = -1.5 * Math.Exp(-2 * r);
        double a3 = 1.2 * Math.Exp(-3 * r);
        double a4 = -0.9 * Math.Exp(-4 * r);
        double a5 = 0.7 * Math.Exp(-5 * r);
        double a6 = -0.5 * Math.Exp(-6 * r);
        double a7 = 0.35 * Math.Exp(-7 * r);
        double a8 = -0.25 * Math.Exp(-8 * r);
        double a9 = 0.15 * Math.Exp(-9 * r);
        double a10 = -0.1 * Math.Exp(-10 * r);

        // The terms cₖ·xᵏ·eᵏ.
        double t1 = a1 * x;
        double t2 = a2 * x2;
        double t3 = a3 * x3;
        double t4 = a4 * x4;
        double t5 = a5 * x5;
        double t6 = a6 * x6;
        double t7 = a7 * x7;
        double t8 = a8 * x8;
        double t9 = a9 * x9;
        double t10 = a10 * x10;

        dx = a1 + 2 * a2 * x + 3 * a3 * x2 + 4 * a4 * x3 + 5 * a5 * x4
            + 6 * a6 * x5 + 7 * a7 * x6 + 8 * a8 * x7 + 9 * a9 * x8 + 10 * a10 * x9;
        double dr = -(t1 + 2 * t2 + 3 * t3 + 4 * t4 + 5 * t5 + 6 * t6 + 7 * t7 + 8 * t8 + 9 * t9 + 10 * t10);
        dy = dr * z;
        dz = dr * y;
        return t1 + t2 + t3 + t4 + t5 + t6 + t7 + t8 + t9 + t10;
    }
}
