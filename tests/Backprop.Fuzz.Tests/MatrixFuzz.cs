using System.Globalization;
using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>What went wrong with one matrix program: the generator failed on it, or its gradient is wrong.</summary>
internal sealed record MatrixFailure(MatrixProgram Program, FailureKind Kind, string Detail)
{
    public override string ToString() => $"seed {Program.Seed} (matrix): {Kind}: {Detail}\n{Program.Source}";
}

/// <summary>The outcome of fuzzing matrix programs.</summary>
internal sealed record MatrixCampaignResult(int Programs, IReadOnlyList<MatrixFailure> Failures, CheckCounts Counts)
{
    public string Summary =>
        $"fuzz (matrix): {Programs} programs, {Failures.Count(f => f.Kind == FailureKind.WrongGradient)} wrong gradients, " +
        $"{Failures.Count(f => f.Kind == FailureKind.Generator)} generator exceptions ({Counts.Checked} gradient components checked, {Counts.Skipped} skipped as unstable)";

    /// <summary>The summary, then every failure with its seed, point and program (not shrunk: the programs are a few lines).</summary>
    public string Report() => string.Join("\n\n", Failures.Select(f => f.ToString()).Prepend(Summary));
}

/// <summary>
/// Fuzzes <see cref="MatrixProgram"/>s: compiled 50 to an assembly, each checked at <see cref="Points"/> random points,
/// every element of every weight (and the scalar) against central differences under the scalar fuzzer's rules
/// (<see cref="GradientChecker.Estimate"/>, double precision). Weights and inputs are drawn uniformly from [−1, 1],
/// targets from [0, 1], labels one-hot per row. The gradient must return F's value and overwrite its buffers.
/// </summary>
internal static class MatrixFuzz
{
    public const int Points = 3;

    public static MatrixCampaignResult Run(IReadOnlyList<int> seeds, Action<string>? progress = null)
    {
        var failures = new List<MatrixFailure>();
        var counts = new CheckCounts();
        foreach (MatrixProgram[] batch in seeds.Select(MatrixProgramGenerator.Generate).Chunk(FuzzCampaign.BatchSize))
        {
            var (assembly, context, loaded, failed) = CompiledBatch.CompileAll(batch, MatrixProgram.File, p => p.ClassName);
            failures.AddRange(failed.Select(f => new MatrixFailure(f.Program, FailureKind.Generator, f.Detail)));
            foreach (MatrixProgram program in loaded)
            {
                var (failure, checkedCounts) = Check(program, assembly!);
                counts += checkedCounts;
                if (failure is not null)
                    failures.Add(new MatrixFailure(program, FailureKind.WrongGradient, failure));
            }
            context?.Unload();
            progress?.Invoke($"matrix seeds {seeds[0]} … {batch[^1].Seed}: {failures.Count} failures");
        }
        return new MatrixCampaignResult(seeds.Count, failures, counts);
    }

    private static (string? Failure, CheckCounts Counts) Check(MatrixProgram program, Assembly assembly)
    {
        Type type = assembly.GetType(FuzzProgram.Namespace + "." + program.ClassName)!;
        MethodInfo function = type.GetMethod(FuzzProgram.MethodName)!;
        if (type.GetMethod(FuzzProgram.MethodName + "Gradient") is not MethodInfo gradient)
            return ("no gradient method was generated, and no diagnostic says why", default);
        var random = new Random(program.Seed);
        var counts = new CheckCounts();
        MatrixParameter[] differentiable = program.Parameters.Where(p => p.Differentiable).ToArray();
        for (int p = 0; p < Points; p++)
        {
            object[] point = program.Parameters.Select(q => RandomValue(q, random)).ToArray();
            string at = $"at ({string.Join(", ", program.Parameters.Zip(point, (q, v) => $"{q.Name} = {Literal(v)}"))})";
            double value = (double)function.Invoke(null, point)!;
            if (!GradientChecker.IsTame(value))
            {
                counts += new CheckCounts(0, differentiable.Sum(q => q.Rows * q.Columns));
                continue;
            }
            // Matrix gradients go into buffers full of garbage, which the method must overwrite; scalars are out parameters.
            object?[] arguments = point.Concat(differentiable.Select(q => q.Role == MatrixRole.Weight ? Filled(q, 12345) : null)).ToArray();
            double returned;
            try
            {
                returned = (double)gradient.Invoke(null, arguments)!;
            }
            catch (TargetInvocationException exception)
            {
                return ($"{at}: the gradient method threw {exception.InnerException!.GetType().Name} where the function returned {value:R}", counts);
            }
            if (!returned.Equals(value))
                return ($"{at}: the gradient method returned {returned:R}, the function {value:R}", counts);

            for (int d = 0; d < differentiable.Length; d++)
            {
                int index = Array.IndexOf(program.Parameters.ToArray(), differentiable[d]);
                object output = arguments[point.Length + d]!;
                for (int e = 0; e < differentiable[d].Rows * differentiable[d].Columns; e++)
                {
                    double generated = output is Matrix<double> buffer ? buffer.Span[e] : (double)output;
                    double x = Element(point[index], e);
                    double? estimate = GradientChecker.Estimate(shifted => (shifted, (double)function.Invoke(null, With(point, index, e, shifted))!),
                        x, Precision.Double.Step * Math.Max(1, Math.Abs(x)), value, Precision.Double);
                    if (estimate is not double expected || !double.IsFinite(generated) || (expected == 0 && generated != 0))
                    {
                        counts += new CheckCounts(0, 1);
                        continue;
                    }
                    counts += new CheckCounts(1, 0);
                    if (Math.Abs(generated - expected) > Precision.Double.Tolerance * Math.Max(1, Math.Abs(expected)))
                        return ($"{at}: ∂F/∂{differentiable[d].Name}[{e}]: generated {generated:R}, finite differences {expected:R}", counts);
                }
            }
        }
        return (null, counts);
    }

    private static object RandomValue(MatrixParameter parameter, Random random)
    {
        if (parameter.Role == MatrixRole.Scalar)
            return random.NextDouble() * 2 - 1;
        var matrix = new Matrix<double>(parameter.Rows, parameter.Columns);
        for (int i = 0; i < matrix.Length; i++)
        {
            matrix.Span[i] = parameter.Role switch
            {
                MatrixRole.Target => random.NextDouble(),
                MatrixRole.Labels => 0,
                _ => random.NextDouble() * 2 - 1,
            };
        }
        if (parameter.Role == MatrixRole.Labels)
        {
            for (int row = 0; row < parameter.Rows; row++)
                matrix.Span[row * parameter.Columns + random.Next(parameter.Columns)] = 1;
        }
        return matrix;
    }

    private static Matrix<double> Filled(MatrixParameter parameter, double value)
    {
        var matrix = new Matrix<double>(parameter.Rows, parameter.Columns);
        matrix.Span.Fill(value);
        return matrix;
    }

    private static double Element(object value, int element) => value is Matrix<double> matrix ? matrix.Span[element] : (double)value;

    /// <summary>The point with one element of parameter <paramref name="index"/> (a copy of its matrix) set to <paramref name="x"/>.</summary>
    private static object[] With(object[] point, int index, int element, double x)
    {
        object[] shifted = (object[])point.Clone();
        if (point[index] is Matrix<double> matrix)
        {
            var copy = new Matrix<double>(matrix.Rows, matrix.Columns);
            matrix.Span.CopyTo(copy.Span);
            copy.Span[element] = x;
            shifted[index] = copy;
        }
        else
        {
            shifted[index] = x;
        }
        return shifted;
    }

    private static string Literal(object value) => value is Matrix<double> matrix
        ? $"{matrix.Rows}×{matrix.Columns} {{ {string.Join(", ", matrix.Span.ToArray().Select(e => e.ToString("R", CultureInfo.InvariantCulture)))} }}"
        : ((double)value).ToString("R", CultureInfo.InvariantCulture);
}
