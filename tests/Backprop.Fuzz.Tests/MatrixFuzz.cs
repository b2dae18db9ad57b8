using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>What went wrong with one matrix program: the generator failed on it, its gradient is wrong, or its check did not end.</summary>
internal sealed record MatrixFailure(MatrixProgram Program, FailureKind Kind, string Detail)
{
    public override string ToString() => $"seed {Program.Seed} (matrix): {Kind}: {Detail}\n{Program.Source}";
}

/// <summary>The outcome of fuzzing matrix programs.</summary>
internal sealed record MatrixCampaignResult(int Programs, IReadOnlyList<MatrixFailure> Failures, CheckCounts Counts)
{
    public string Summary =>
        $"fuzz (matrix): {Programs} programs, {Failures.Count(f => f.Kind == FailureKind.WrongGradient)} wrong gradients, " +
        $"{Failures.Count(f => f.Kind == FailureKind.Generator)} generator exceptions ({Counts.Checked} gradient components checked, {Counts.Skipped} skipped as unstable" +
        $"{(Failures.Any(f => f.Kind == FailureKind.Hang) ? $"; {Failures.Count(f => f.Kind == FailureKind.Hang)} checks that did not finish" : "")})";

    /// <summary>The summary, then every failure with its seed, point and program (not shrunk: see docs/reliability.md for shrinking by hand).</summary>
    public string Report() => string.Join("\n\n", Failures.Select(f => f.ToString()).Prepend(Summary));
}

/// <summary>
/// Fuzzes <see cref="MatrixProgram"/>s: compiled 50 to an assembly, each checked at <see cref="Points"/> random points
/// (<see cref="MatrixValues.RandomValue"/>), every element of every weight, of every matrix of every array of
/// weights, and the scalar, against central differences under the scalar fuzzer's rules
/// (<see cref="GradientChecker.Estimate"/>, double precision). The gradient method must return F's value and
/// overwrite every element of its garbage-filled buffers.
/// </summary>
internal static class MatrixFuzz
{
    public const int Points = 3;

    public static MatrixCampaignResult Run(IReadOnlyList<int> seeds, Action<string>? progress = null) =>
        Run(seeds.Select(MatrixProgramGenerator.Generate).ToArray(), progress);

    /// <summary>Fuzzes the programs, reporting each failure and each batch as it goes.</summary>
    public static MatrixCampaignResult Run(IReadOnlyList<MatrixProgram> programs, Action<string>? progress = null)
    {
        var failures = new List<MatrixFailure>();
        var counts = new CheckCounts();
        foreach (MatrixProgram[] batch in programs.Chunk(FuzzCampaign.BatchSize))
        {
            var (assembly, context, loaded, failed) = CompiledBatch.CompileAll(batch, MatrixProgram.File, p => p.ClassName);
            var found = failed.Select(f => new MatrixFailure(f.Program, FailureKind.Generator, f.Detail)).ToList();
            foreach (MatrixProgram program in loaded)
            {
                // F's loops provably end (LoopBounds); one in the generated code might not.
                var check = Task.Run(() => Check(program, assembly!));
                if (!check.Wait(FuzzCampaign.CheckTimeLimit))
                {
                    found.Add(new MatrixFailure(program, FailureKind.Hang, $"the check did not finish in {FuzzCampaign.CheckTimeLimit.TotalSeconds:F0} s"));
                    continue;
                }
                var (failure, checkedCounts) = check.Result;
                counts += checkedCounts;
                if (failure is not null)
                    found.Add(new MatrixFailure(program, FailureKind.WrongGradient, failure));
            }
            context?.Unload();
            failures.AddRange(found);
            foreach (MatrixFailure failure in found)
                progress?.Invoke(failure.ToString());
            progress?.Invoke($"matrix seeds {batch[0].Seed} … {batch[^1].Seed}: {failures.Count} failures");
        }
        return new MatrixCampaignResult(programs.Count, failures, counts);
    }

    private static (string? Failure, CheckCounts Counts) Check(MatrixProgram program, Assembly assembly)
    {
        Type type = assembly.GetType(FuzzProgram.Namespace + "." + program.ClassName)!;
        MethodInfo function = type.GetMethod(FuzzProgram.MethodName)!;
        if (type.GetMethod(FuzzProgram.MethodName + "Gradient") is not MethodInfo gradient)
            return ("no gradient method was generated, and no diagnostic says why", default);
        var random = new Random(program.Seed);
        var counts = new CheckCounts();
        MatrixParameter[] parameters = program.Parameters.ToArray();
        int[] differentiable = Enumerable.Range(0, parameters.Length).Where(i => parameters[i].Differentiable).ToArray();
        for (int p = 0; p < Points; p++)
        {
            object[] point = parameters.Select(q => MatrixValues.RandomValue(q, random)).ToArray();
            string at = $"at ({string.Join(", ", parameters.Zip(point, (q, v) => $"{q.Name} = {MatrixValues.Literal(v)}"))})";
            double value = (double)function.Invoke(null, point)!;
            if (!GradientChecker.IsTame(value))
            {
                counts += new CheckCounts(0, differentiable.Sum(i => parameters[i].Elements));
                continue;
            }
            // Gradients go into buffers full of garbage, which the method must overwrite; scalars are out parameters.
            object?[] arguments = point.Concat(differentiable.Select(i => MatrixValues.Buffer(parameters[i]))).ToArray();
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
                int index = differentiable[d];
                MatrixParameter parameter = parameters[index];
                object output = arguments[point.Length + d]!;
                for (int e = 0; e < parameter.Elements; e++)
                {
                    string component = "∂F/∂" + MatrixValues.Label(parameter, e);
                    double generated = MatrixValues.Element(output, e);
                    if (generated == MatrixValues.Garbage)
                        return ($"{at}: the gradient method left {component} as the garbage it was filled with ({MatrixValues.Garbage})", counts);
                    double x = MatrixValues.Element(point[index], e);
                    double? estimate = GradientChecker.Estimate(shifted => (shifted, At(function, point, index, e, shifted)),
                        x, Precision.Double.Step * Math.Max(1, Math.Abs(x)), value, Precision.Double);
                    if (estimate is not double expected || !double.IsFinite(generated) || (expected == 0 && generated != 0))
                    {
                        counts += new CheckCounts(0, 1);
                        continue;
                    }
                    counts += new CheckCounts(1, 0);
                    if (Math.Abs(generated - expected) > Precision.Double.Tolerance * Math.Max(1, Math.Abs(expected)))
                        return ($"{at}: {component}: generated {generated:R}, finite differences {expected:R}", counts);
                }
            }
        }
        return (null, counts);
    }

    /// <summary>F at the point with one element of parameter <paramref name="index"/> set to <paramref name="x"/>.</summary>
    private static double At(MethodInfo function, object[] point, int index, int element, double x)
    {
        object[] shifted = (object[])point.Clone();
        shifted[index] = MatrixValues.With(point[index], element, x);
        return (double)function.Invoke(null, shifted)!;
    }
}
