using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks.Loops;

/// <summary>
/// Rosenbrock on 100 inputs: primal, generated gradient, hand-written gradient, central finite
/// differences, forward mode along one direction, and a Hessian-vector product.
/// </summary>
[MemoryDiagnoser]
public class RosenbrockGradient
{
    private readonly double[] _x = new double[100];
    private readonly double[] _direction = new double[100];
    private readonly double[] _gradient = new double[100];
    private readonly double[] _hessianVector = new double[100];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < _x.Length; i++)
        {
            _x[i] = random.NextDouble() * 2 - 1;
            _direction[i] = random.NextDouble() * 2 - 1;
        }
    }

    [Benchmark]
    public double HessianVector() => LoopFunctions.RosenbrockHessianVector(_x, _direction, _hessianVector) + _hessianVector[0];

    [Benchmark]
    public double Tangent() => LoopFunctions.RosenbrockTangent(_x, _direction).Derivative;

    [Benchmark(Baseline = true)]
    public double Primal() => LoopFunctions.Rosenbrock(_x);

    [Benchmark]
    public double Generated() => LoopFunctions.RosenbrockGradient(_x, _gradient) + _gradient[0];

    [Benchmark]
    public double HandWritten() => LoopFunctions.RosenbrockByHand(_x, _gradient) + _gradient[0];

    [Benchmark]
    public double FiniteDifferences()
    {
        for (int i = 0; i < _x.Length; i++)
        {
            double saved = _x[i], h = 1e-6 * Math.Max(1, Math.Abs(saved));
            _x[i] = saved + h;
            double up = LoopFunctions.Rosenbrock(_x);
            _x[i] = saved - h;
            double down = LoopFunctions.Rosenbrock(_x);
            _x[i] = saved;
            _gradient[i] = (up - down) / (2 * h);
        }
        return _gradient[0];
    }
}

/// <summary>A 1,000-iteration loop carrying its state: primal, generated, hand-written, central finite differences.</summary>
[MemoryDiagnoser]
public class LoopCarriedGradient
{
    private const int Steps = 1000;
    private readonly double[] _states = new double[Steps];

    [Benchmark(Baseline = true)]
    public double Primal() => LoopFunctions.Iterate(0.7, 1.3, Steps);

    [Benchmark]
    public double Generated() => LoopFunctions.IterateGradient(0.7, 1.3, Steps, out double dx, out double drate) + dx + drate;

    [Benchmark]
    public double HandWritten() => LoopFunctions.IterateByHand(0.7, 1.3, Steps, _states, out double dx, out double drate) + dx + drate;

    [Benchmark]
    public double FiniteDifferences()
    {
        const double h = 1e-6;
        double dx = (LoopFunctions.Iterate(0.7 + h, 1.3, Steps) - LoopFunctions.Iterate(0.7 - h, 1.3, Steps)) / (2 * h);
        double drate = (LoopFunctions.Iterate(0.7, 1.3 + h, Steps) - LoopFunctions.Iterate(0.7, 1.3 - h, Steps)) / (2 * h);
        return dx + drate;
    }
}
