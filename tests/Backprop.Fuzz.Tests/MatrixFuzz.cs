using System.Reflection;

namespace Backprop.Fuzz.Tests;

/// <summary>What went wrong with one matrix program: the generator failed on it, a derivative is wrong, or its check did not end.</summary>
internal sealed record MatrixFailure(MatrixProgram Program, FailureKind Kind, string Detail)
{
    public override string ToString() => $"seed {Program.Seed} (matrix): {Kind}: {Detail}\n{Program.Source}";
}

/// <summary>The outcome of fuzzing matrix programs.</summary>
internal sealed record MatrixCampaignResult(int Programs, IReadOnlyList<MatrixFailure> Failures, CheckCounts Counts)
{
    public string Summary =>
        $"fuzz (matrix): {Programs} programs, {Failures.Count(f => f.Kind == FailureKind.WrongGradient)} wrong gradients, " +
        $"{Failures.Count(f => f.Kind == FailureKind.Generator)} generator exceptions ({Counts.Checked} gradient components checked, {Counts.Skipped} skipped as unstable; " +
        $"{Counts.ProductsChecked} Hessian-vector components checked, {Counts.ProductsSkipped} skipped" +
        $"{(Failures.Any(f => f.Kind == FailureKind.Hang) ? $"; {Failures.Count(f => f.Kind == FailureKind.Hang)} checks that did not finish" : "")})";

    /// <summary>The summary, then every failure with its seed, point and program (not shrunk: see docs/reliability.md for shrinking by hand).</summary>
    public string Report() => string.Join("\n\n", Failures.Select(f => f.ToString()).Prepend(Summary));
}

/// <summary>
/// Fuzzes <see cref="MatrixProgram"/>s: compiled 50 to an assembly, each checked at <see cref="Points"/> random points
/// (<see cref="MatrixValues.RandomValue"/>), every element of every weight, of every matrix of every array of
/// weights, and the scalar, against central differences under the scalar fuzzer's rules
/// (<see cref="GradientChecker.Estimate"/>, double precision). The gradient method must return F's value and
/// overwrite every element of its garbage-filled buffers. At each point the tangent along a random direction is
/// checked against the gradient (<see cref="MatrixTangentChecker"/>), and where F asks for it the Hessian-vector
/// product against central differences of the gradient (<see cref="MatrixHessianVectorChecker"/>).
/// </summary>
internal static class MatrixFuzz
{
    public const int Points = 3;

    /// <param name="models">Whether to hold each program as a model (<see cref="MatrixProgram.AsModel"/>).</param>
    public static MatrixCampaignResult Run(IReadOnlyList<int> seeds, Action<string>? progress = null, bool models = false) =>
        Run(seeds.Select(MatrixProgramGenerator.Generate).Select(p => models ? p.AsModel() : p).ToArray(), progress);

    /// <summary>Fuzzes the programs, reporting each failure and each batch as it goes.</summary>
    public static MatrixCampaignResult Run(IReadOnlyList<MatrixProgram> programs, Action<string>? progress = null)
    {
        var failures = new List<MatrixFailure>();
        var counts = new CheckCounts();
        foreach (MatrixProgram[] batch in programs.Chunk(FuzzCampaign.BatchSize))
        {
            var (assembly, context, loaded, failed) = CompiledBatch.CompileAll(batch, MatrixProgram.File, p => p.ClassName, MatrixProgram.StandIns);
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
        MethodInfo? gradient = type.GetMethod(FuzzProgram.MethodName + "Gradient");
        MethodInfo? tangent = type.GetMethod(FuzzProgram.MethodName + "Tangent");
        MethodInfo? product = type.GetMethod(FuzzProgram.MethodName + "HessianVector");
        if (gradient is null || (program.Tangent && tangent is null) || (program.Hessian && product is null))
            return ($"no {(gradient is null ? "gradient" : tangent is null ? "tangent" : "Hessian-vector")} method was generated, and no diagnostic says why", default);
        var random = new Random(program.Seed);
        // The directions' own stream, so that the points are where the gradient check alone puts them.
        var directions = new Random(~program.Seed);
        var counts = new CheckCounts();
        MatrixParameter[] parameters = program.Parameters.ToArray();
        (int Parameter, int Element)[] components = Components(program);
        for (int p = 0; p < Points; p++)
        {
            object[] point = parameters.Select(q => MatrixValues.RandomValue(q, random)).ToArray();
            string at = $"at ({MatrixValues.Listed(parameters, point)})";
            double value = (double)function.Invoke(null, point)!;
            if (!GradientChecker.IsTame(value))
            {
                counts += new CheckCounts(0, components.Length);
                continue;
            }
            double returned;
            double[] generated;
            try
            {
                (returned, generated) = InvokeWithBuffers(program, gradient, point);
            }
            catch (TargetInvocationException exception)
            {
                return ($"{at}: the gradient method threw {exception.InnerException!.GetType().Name} where the function returned {value:R}", counts);
            }
            if (!returned.Equals(value))
                return ($"{at}: the gradient method returned {returned:R}, the function {value:R}", counts);
            if (GarbageLeft(generated, "gradient", c => "∂F/∂" + MatrixValues.Label(parameters[components[c].Parameter], components[c].Element)) is string garbage)
                return ($"{at}: {garbage}", counts);

            bool everyComponentTrusted = true;
            for (int c = 0; c < components.Length; c++)
            {
                var (index, e) = components[c];
                double x = MatrixValues.Element(point[index], e);
                double? estimate = GradientChecker.Estimate(shifted => (shifted, At(function, point, index, e, shifted)),
                    x, Precision.Double.Step * Math.Max(1, Math.Abs(x)), value, Precision.Double);
                if (estimate is not double expected || !double.IsFinite(generated[c]) || (expected == 0 && generated[c] != 0))
                {
                    counts += new CheckCounts(0, 1);
                    everyComponentTrusted = false;
                    continue;
                }
                counts += new CheckCounts(1, 0);
                if (Math.Abs(generated[c] - expected) > Precision.Double.Tolerance * Math.Max(1, Math.Abs(expected)))
                    return ($"{at}: ∂F/∂{MatrixValues.Label(parameters[index], e)}: generated {generated[c]:R}, finite differences {expected:R}", counts);
            }

            if (tangent is not null && MatrixTangentChecker.Check(program, tangent, point, value, generated, everyComponentTrusted, directions) is string tangentFailure)
                return ($"{at}: {tangentFailure}", counts);
            if (product is not null)
            {
                var (productFailure, productCounts) = MatrixHessianVectorChecker.Check(program, product, gradient, point, value, generated, directions);
                counts += productCounts;
                if (productFailure is not null)
                    return ($"{at}: {productFailure}", counts);
            }
        }
        return (null, counts);
    }

    /// <summary>Every element that has a derivative: its parameter's index and its number within the parameter (<see cref="MatrixValues.Element"/>).</summary>
    public static (int Parameter, int Element)[] Components(MatrixProgram program) =>
        program.Parameters.SelectMany((q, i) => q.Differentiable ? Enumerable.Range(0, q.Elements).Select(e => (i, e)) : Enumerable.Empty<(int, int)>()).ToArray();

    /// <summary>
    /// Calls a method taking F's parameters, then any <paramref name="inputs"/> of its own (directions), then one output
    /// per differentiable parameter (a buffer full of garbage, or an <c>out</c> scalar); returns its result and the
    /// outputs, element by element in the order of <see cref="Components"/>.
    /// </summary>
    public static (double Returned, double[] Outputs) InvokeWithBuffers(MatrixProgram program, MethodInfo method, object[] point, object[]? inputs = null)
    {
        MatrixParameter[] differentiable = program.Parameters.Where(q => q.Differentiable).ToArray();
        object?[] arguments = point.Concat(inputs ?? Array.Empty<object>()).Concat(differentiable.Select(MatrixValues.Buffer)).ToArray();
        double returned = (double)method.Invoke(null, arguments)!;
        int first = arguments.Length - differentiable.Length;
        return (returned, differentiable.SelectMany((q, d) => MatrixValues.Elements(q, arguments[first + d]!)).ToArray());
    }

    /// <summary>The first output a method left as the garbage its buffer was filled with, named by <paramref name="name"/>: it must overwrite every one.</summary>
    public static string? GarbageLeft(double[] outputs, string method, Func<int, string> name) =>
        Array.IndexOf(outputs, MatrixValues.Garbage) is int c and >= 0
            ? $"the {method} method left {name(c)} as the garbage it was filled with ({MatrixValues.Garbage})"
            : null;

    /// <summary>F at the point with one element of parameter <paramref name="index"/> set to <paramref name="x"/>.</summary>
    private static double At(MethodInfo function, object[] point, int index, int element, double x)
    {
        object[] shifted = (object[])point.Clone();
        shifted[index] = MatrixValues.With(point[index], element, x);
        return (double)function.Invoke(null, shifted)!;
    }
}
