using Backprop;

namespace Backprop.Gradients.Tests;

/// <summary>A mutable point of doubles, for writes to members of array elements.</summary>
public struct Point2
{
    public double X, Y;
}

/// <summary>A segment of two points: nested structs in an array element.</summary>
public struct Segment
{
    public Point2 From, To;
}

/// <summary>A mutable point of floats.</summary>
public struct PointF
{
    public float X, Y;
}

/// <summary>Local arrays of structs (<c>new Vec3[n]</c>): written in loops element by element and member by member, read back.</summary>
public static partial class StructArrayLocalFunctions
{
    /// <summary>
    /// A trajectory integrated step by step into a local Vec3[] (each point from the one before), then its energy
    /// Σ |p[i]|² + p[i].Z read back from the array.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent | Derivatives.Hessian)]
    public static double Trajectory(Vec3 start, double[] k, double dt)
    {
        var p = new Vec3[k.Length + 1];
        p[0] = start;
        for (int i = 1; i < p.Length; i++)
        {
            Vec3 q = p[i - 1];
            p[i] = q + dt * new Vec3(-k[i - 1] * q.Y, k[i - 1] * q.X, Math.Sin(q.Z));
        }
        double energy = 0;
        for (int i = 0; i < p.Length; i++)
            energy += p[i].LengthSquared + p[i].Z;
        return energy;
    }

    /// <summary>
    /// Members of elements written (=, +=, *=, -=, nested members and whole nested structs), overwritten in place, and
    /// read back: the length of a polyline through scaled points, its segments kept in a second local array.
    /// </summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static double Polyline(double[] x, double[] y, double s)
    {
        var points = new Point2[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            points[i].X = x[i] * s;
            points[i].Y = y[i];
            points[i].Y += x[i] * points[i].X;
            points[i].X *= 2;
        }
        var segments = new Segment[x.Length - 1];
        for (int i = 0; i + 1 < x.Length; i++)
        {
            segments[i].From = points[i];
            segments[i].To = points[i + 1];
            segments[i].To.Y -= 0.5;
            if (segments[i].To.X < segments[i].From.X)
                segments[i].To.X = segments[i].From.X + 0.25 * s;
        }
        double length = 0;
        for (int i = 0; i < segments.Length; i++)
        {
            Segment g = segments[i];
            double dx = g.To.X - g.From.X, dy = g.To.Y - g.From.Y;
            length += Math.Sqrt(dx * dx + dy * dy);
        }
        return length;
    }

    /// <summary>In float: points made from pairs, moved in place, and summed: Σ (p.X · p.Y) after p.X += p.Y.</summary>
    [Differentiable(Derivatives.Gradient | Derivatives.Tangent)]
    public static float Cloud(float[] xy)
    {
        PointF[] p = new PointF[xy.Length / 2];
        for (int i = 0; i < p.Length; i++)
            p[i] = new PointF { X = xy[2 * i], Y = xy[2 * i + 1] };
        float total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            p[i].X += p[i].Y;
            total += p[i].X * p[i].Y;
        }
        return total;
    }
}
