using System.Numerics;
using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>
/// Two-dimensional arrays, arrays of arrays and arrays (or spans) of structs differentiated in every mode:
/// <c>FHessian</c>, <c>FHessianVector</c> and <c>FJacobian</c> take them as the numbers they hold, in order.
/// </summary>
public static partial class ArrayShapeFunctions
{
    /// <summary>log(1 + eˣ), with second derivatives, for the functions below to call.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    /// <summary>
    /// Each element of a grid, row after row, through a branch: tanh where it is positive, half of it elsewhere, scaled
    /// by s; then s². As many outputs as inputs, so FJacobian takes forward sweeps.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] SquashGrid(double[,] a, double s)
    {
        var y = new double[a.Length + 1];
        int k = 0;
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                if (a[i, j] > 0)
                    y[k] = s * Math.Tanh(a[i, j]);
                else
                    y[k] = 0.5 * s * a[i, j];
                k++;
            }
        }
        y[k] = s * s;
        return y;
    }

    /// <summary>A float grid's row sums of squares through a call: Softplus of each row's Σ aᵢⱼ², in float; fewer outputs than inputs.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static float[] RowEnergies(float[,] a)
    {
        var y = new float[a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++)
        {
            float sum = 0;
            for (int j = 0; j < a.GetLength(1); j++)
                sum += a[i, j] * a[i, j];
            y[i] = (float)Softplus(sum);
        }
        return y;
    }

    /// <summary>xᵀ A x over the numbers of an array of arrays, row after row, with A a [NoDerivative] matrix: its Hessian is A + Aᵀ.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double RaggedQuadratic(double[][] x, [NoDerivative] double[,] a)
    {
        double sum = 0;
        int k = 0;
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = 0; j < x[i].Length; j++)
            {
                int l = 0;
                foreach (var row in x)
                {
                    foreach (double v in row)
                    {
                        sum += x[i][j] * a[k, l] * v;
                        l++;
                    }
                }
                k++;
            }
        }
        return sum;
    }

    /// <summary>
    /// Rows of different lengths in a loop with a branch, through a call: Σᵢ Σⱼ (positive: Softplus(k·xᵢⱼ), else
    /// xᵢⱼ³) + Πᵢ of each row's first element, so that rows meet in the second derivatives.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double RaggedEnergy(double[][] x, double k)
    {
        double sum = 0, product = 1;
        foreach (var row in x)
        {
            for (int j = 0; j < row.Length; j++)
            {
                if (row[j] > 0)
                    sum += Softplus(k * row[j]);
                else
                    sum += row[j] * row[j] * row[j];
            }
            product *= row[0];
        }
        return sum + product;
    }

    /// <summary>The same as float: Σᵢ Σⱼ (j + 1)·xᵢⱼ²·s + x₀₀·x₁₀.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static float RaggedFloat(float[][] x, float s)
    {
        float sum = 0;
        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < x[i].Length; j++)
                sum += (j + 1) * x[i][j] * x[i][j] * s;
        return sum + x[0][0] * x[1][0];
    }

    /// <summary>Each row's Euclidean norm: fewer outputs than inputs, so FJacobian takes reverse sweeps.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] RowNorms(double[][] x)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double sum = 0;
            foreach (double v in x[i])
                sum += v * v;
            y[i] = Math.Sqrt(sum);
        }
        return y;
    }

    /// <summary>An elementwise map of an array of arrays into one array, row after row: as many outputs as inputs, so forward sweeps.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] RaggedMap(double[][] x)
    {
        int n = 0;
        foreach (var row in x)
            n += row.Length;
        var y = new double[n];
        int k = 0;
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = 0; j < x[i].Length; j++)
            {
                y[k] = x[i][j] < 0 ? -x[i][j] * x[i][j] : Math.Sin(x[i][j]);
                k++;
            }
        }
        return y;
    }

    /// <summary>xᵀ A x over the numbers of an array of Vec3, struct after struct (X, Y, Z): its Hessian is A + Aᵀ.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double PointQuadratic(Vec3[] p, [NoDerivative] double[,] a)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            for (int j = 0; j < p.Length; j++)
            {
                sum += p[i].X * (a[3 * i, 3 * j] * p[j].X + a[3 * i, 3 * j + 1] * p[j].Y + a[3 * i, 3 * j + 2] * p[j].Z);
                sum += p[i].Y * (a[3 * i + 1, 3 * j] * p[j].X + a[3 * i + 1, 3 * j + 1] * p[j].Y + a[3 * i + 1, 3 * j + 2] * p[j].Z);
                sum += p[i].Z * (a[3 * i + 2, 3 * j] * p[j].X + a[3 * i + 2, 3 * j + 1] * p[j].Y + a[3 * i + 2, 3 * j + 2] * p[j].Z);
            }
        }
        return sum;
    }

    /// <summary>
    /// A spring chain's energy over a span of Vec3, in a loop with a branch (slack springs pull less) and through a
    /// call: Σₛ Softplus(k·(|pₛ₊₁ − pₛ| − rest)) or ½(|…| − rest)², plus gravity.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Chain(ReadOnlySpan<Vec3> p, double k, [NoDerivative] double rest)
    {
        double energy = 0;
        for (int s = 0; s + 1 < p.Length; s++)
        {
            double stretch = (p[s + 1] - p[s]).Length() - rest;
            if (stretch > 0)
                energy += Softplus(k * stretch);
            else
                energy += 0.5 * stretch * stretch;
            energy += 0.1 * p[s].Z;
        }
        return energy;
    }

    /// <summary>Σᵢ |vᵢ|²·wᵢ + v₀·v₁ over an array of System.Numerics.Vector3 (floats).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static float FloatPoints(Vector3[] v, float[] w)
    {
        float sum = 0;
        for (int i = 0; i < v.Length; i++)
            sum += v[i].LengthSquared() * w[i];
        return sum + Vector3.Dot(v[0], v[1]);
    }

    /// <summary>
    /// A struct holding arrays, in a loop with a branch and through a call: (b + Σᵢ W[order[i]]·xᵢ)² where positive (else
    /// Softplus of it) + 0.1·|W|².
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double LayerLoss(Layer layer, double[] x)
    {
        double s = layer.B;
        for (int i = 0; i < layer.Order.Length; i++)
            s += layer.W[layer.Order[i]] * x[i];
        double loss = s > 0 ? s * s : Softplus(s);
        foreach (double w in layer.W)
            loss += 0.1 * w * w;
        return loss;
    }

    /// <summary>A struct holding arrays mapped elementwise: yᵢ = tanh(W[order[i]]·xᵢ + b), then y₍ₙ₊ᵢ₎ = b·xᵢ.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] LayerOutputs(Layer layer, double[] x)
    {
        var y = new double[2 * x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Math.Tanh(layer.W[layer.Order[i]] * x[i] + layer.B);
            y[x.Length + i] = layer.B * x[i];
        }
        return y;
    }

    /// <summary>Each point's distance from the origin: fewer outputs than inputs (reverse sweeps).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] Distances(Vec3[] p)
    {
        var y = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
            y[i] = p[i].Length();
        return y;
    }

    /// <summary>Each number of a span of Vec3 scaled by s, X, Y, Z point after point: more outputs than inputs (forward sweeps).</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Jacobian)]
    public static double[] ScaledPoints(ReadOnlySpan<Vec3> p, double s)
    {
        var y = new double[3 * p.Length + 1];
        for (int i = 0; i < p.Length; i++)
        {
            y[3 * i] = s * p[i].X;
            y[3 * i + 1] = s * p[i].Y * p[i].Y;
            y[3 * i + 2] = s * Math.Exp(p[i].Z);
        }
        y[3 * p.Length] = s;
        return y;
    }
}
