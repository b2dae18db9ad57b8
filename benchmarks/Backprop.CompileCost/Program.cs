using System.Diagnostics;
using System.Globalization;
using Backprop.CompileCost;
using Backprop.Generator;
using Backprop.Generator.Parsing;
using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

// The generator's compile-time cost, driven in-process (Roslyn 4.8.0, the version the generator builds against):
// each figure is a median over paired runs (with --fastest, the fastest), and each ratio compares measurements of the same run.
//   dotnet run -c Release --project benchmarks/Backprop.CompileCost -- [--methods 100,1000] [--runs 5] [--stress-runs 3]
//       [--depths 125,250,500] [--statements 500,1000,2000] [--no-project] [--no-stress] [--dump DIRECTORY]
//       [--fastest] (the fastest run's times and their ratios, not medians) [--per-file 10] (marked methods in each file of the synthetic project)
//       [--shapes loop,branches,blocks,sum,calls,modes,elements,layers,parameters --sizes 250,500,1000] (more stress shapes, see StressShapes)
var options = Options.Parse(args);
Harness.Fastest = options.Fastest;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
Console.WriteLine($"Backprop compile-time cost: Roslyn {typeof(CSharpCompilation).Assembly.GetName().Version}, .NET {Environment.Version}, {Environment.ProcessorCount} cores, {options.Runs} paired runs, {(options.Fastest ? "fastest" : "median")} of each");
if (options.Project)
    foreach (int methods in options.Methods)
        Harness.Project(methods, options.Runs, options.Dump, options.PerFile);
if (options.Stress)
{
    Harness.Stress("expression nesting depth", options.Depths, SyntheticProject.Nested, options.StressRuns);
    Harness.Stress("statements in one method", options.Statements, SyntheticProject.Long, options.StressRuns);
}
foreach (string shape in options.Shapes)
    Harness.StressOrSay($"{shape}: {StressShapes.All[shape].What}", options.Sizes, StressShapes.All[shape].Source, options.StressRuns,
        options.Dump is null ? null : Path.Combine(options.Dump, shape));

internal sealed record Options(int[] Methods, int Runs, int StressRuns, int[] Depths, int[] Statements, bool Project, bool Stress, string? Dump = null)
{
    public string[] Shapes { get; init; } = Array.Empty<string>();
    public int[] Sizes { get; init; } = new[] { 250, 500, 1000 };
    public int PerFile { get; init; } = SyntheticProject.DefaultMethodsPerFile;
    public bool Fastest { get; init; }

    public static Options Parse(string[] args)
    {
        var options = new Options(new[] { 100, 1000 }, 5, 3, new[] { 125, 250, 500 }, new[] { 500, 1000, 2000 }, true, true);
        for (int i = 0; i < args.Length; i++)
        {
            int[] List() => args[++i].Split(',').Select(int.Parse).ToArray();
            options = args[i] switch
            {
                "--methods" => options with { Methods = List() },
                "--runs" => options with { Runs = int.Parse(args[++i]) },
                "--stress-runs" => options with { StressRuns = int.Parse(args[++i]) },
                "--depths" => options with { Depths = List() },
                "--statements" => options with { Statements = List() },
                "--no-project" => options with { Project = false },
                "--no-stress" => options with { Stress = false },
                "--dump" => options with { Dump = args[++i] },
                "--shapes" => options with { Shapes = args[++i].Split(',').Select(s => StressShapes.All.ContainsKey(s) ? s : throw new ArgumentException($"unknown shape {s}")).ToArray() },
                "--sizes" => options with { Sizes = List() },
                "--fastest" => options with { Fastest = true },
                "--per-file" => options with { PerFile = int.Parse(args[++i]) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return options;
    }
}

/// <summary>A wall-clock and CPU time.</summary>
internal readonly record struct Cost(double Wall, double Cpu)
{
    public static (Cost Cost, T Result) Measure<T>(Func<T> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        T result = work();
        double wall = clock.Elapsed.TotalSeconds;
        return (new Cost(wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds), result);
    }
}

/// <summary>What one edit made the driver do: its time, the files it regenerated, and the files whose text changed.</summary>
/// <param name="Parsed">Marked methods whose attribute transform ran again (a lookup in the generator's cache of parse results, or a parse).</param>
/// <param name="Reused">Of those, the parse results the cache gave back (the rest were bound and lowered again).</param>
/// <param name="Differentiated">Files whose differentiation and emission ran again (the Generate steps not Cached).</param>
/// <param name="Readded">Outputs given a new or modified value (the compiler takes their text again).</param>
/// <param name="Changed">Generated files whose text changed, or that came or went.</param>
internal readonly record struct EditRun(Cost Cost, int Parsed, int Reused, int Differentiated, int Readded, int Changed);

internal static class Harness
{
    private static readonly CSharpParseOptions ParseOptions = TestCompilation.ParseOptions;

    private static CSharpCompilation Fresh(IEnumerable<SyntaxTree> trees) =>
        CSharpCompilation.Create("Synthetic", trees, TestCompilation.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));

    private static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static List<SyntaxTree> Parse(IEnumerable<string> files) =>
        files.Select((text, i) => CSharpSyntaxTree.ParseText(text, ParseOptions, path: $"Group{i}.cs")).ToList();

    /// <summary>A compile without the generator: binding, lowering and emitting every method.</summary>
    private static Cost Compile(IReadOnlyList<SyntaxTree> trees)
    {
        var (cost, result) = Cost.Measure(() => Fresh(trees).Emit(Stream.Null));
        if (!result.Success)
            throw new InvalidOperationException("the compile failed: " + result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error));
        return cost;
    }

    private static (Cost Cost, GeneratorDriver Driver, CSharpCompilation Compilation) Generate(IReadOnlyList<SyntaxTree> trees)
    {
        CSharpCompilation compilation = Fresh(trees);
        var (cost, driver) = Cost.Measure(() => Driver().RunGenerators(compilation));
        return (cost, driver, compilation);
    }

    /// <param name="dump">A directory to write the synthetic project and what the generator makes of it into, for reading.</param>
    public static void Project(int methods, int runs, string? dump, int perFile)
    {
        var project = new SyntheticProject(methods, perFile: perFile);
        List<SyntaxTree> trees = Parse(project.Files);
        int middle = project.Files.Count / 2;
        var edits = new (string Name, Func<CSharpCompilation, CSharpCompilation> Apply)[]
        {
            ("a comment line in one body", c => Edit(c, middle, text => InBody(text, project.ScalarMethods[middle], "double k = 0.5;", "// tuned\n        double k = 0.5;"))),
            ("an edit inside one body", c => Edit(c, middle, text => InBody(text, project.ScalarMethods[middle], "double k = 0.5;", "double k = 0.25;"))),
            ("an ordinary method above the marked ones", c => Edit(c, middle, text => text.Replace("public static int Count(int n) => n + 1;",
                "public static int Count(int n)\n    {\n        return n * 2 + 1;\n    }"))),
            ("a new unrelated file", c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public static class Unrelated { public static int G() => 1; }", ParseOptions, path: "Unrelated.cs"))),
        };

        // Once, unmeasured: the generated code compiles and the generator reports nothing.
        var (_, check, checkInput) = Generate(trees);
        GeneratorDriverRunResult checkResult = check.GetRunResult();
        List<SyntaxTree> generated = checkResult.GeneratedTrees.ToList();
        var errors = Fresh(trees.Concat(generated)).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (checkResult.Diagnostics.Length > 0 || errors.Count > 0)
            throw new InvalidOperationException($"{checkResult.Diagnostics.Length} generator diagnostics ({checkResult.Diagnostics.FirstOrDefault()}), {errors.Count} errors ({errors.FirstOrDefault()})");
        // Warm-up, unmeasured: the JIT has compiled the compiler's and the generator's paths before the first timing.
        Compile(trees);
        Compile(trees.Concat(generated).ToList());
        foreach (var edit in edits)
            EditOnce(check, checkInput, edit.Apply);
        // What the generator allocates, unlike its time, does not depend on what else the machine is doing.
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Generate(trees);
        double allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / 1e6;
        double inputAllocated = Allocated(() => Compile(trees));
        double bothAllocated = Allocated(() => Compile(trees.Concat(generated).ToList()));
        if (dump is not null)
        {
            Directory.CreateDirectory(dump);
            foreach (SyntaxTree tree in trees.Concat(generated))
                File.WriteAllText(Path.Combine(dump, Path.GetFileName(tree.FilePath)), tree.GetText().ToString());
        }

        var compile = new List<Cost>();
        var generate = new List<Cost>();
        var timed = new List<double>();
        var compileBoth = new List<Cost>();
        var compileInput = new List<Cost>();
        var perEdit = edits.Select(_ => new List<EditRun>()).ToList();
        for (int run = 0; run < runs; run++)
        {
            // Alternate which goes first, so neither always meets a warmer (or colder) machine.
            (Cost Cost, GeneratorDriver Driver, CSharpCompilation Compilation) full;
            if (run % 2 == 0)
            {
                compile.Add(Compile(trees));
                full = Generate(trees);
            }
            else
            {
                full = Generate(trees);
                compile.Add(Compile(trees));
            }
            generate.Add(full.Cost);
            timed.Add(full.Driver.GetTimingInfo().ElapsedTime.TotalSeconds);
            for (int e = 0; e < edits.Length; e++)
                perEdit[e].Add(EditOnce(full.Driver, full.Compilation, edits[e].Apply));
            if (run % 2 == 0)
            {
                compileInput.Add(Compile(trees));
                compileBoth.Add(Compile(trees.Concat(generated).ToList()));
            }
            else
            {
                compileBoth.Add(Compile(trees.Concat(generated).ToList()));
                compileInput.Add(Compile(trees));
            }
        }

        long inputChars = project.Files.Sum(f => (long)f.Length);
        long inputLines = project.Files.Sum(f => (long)f.Count(c => c == '\n'));
        long outputChars = generated.Sum(t => (long)t.GetText().Length);
        long outputLines = generated.Sum(t => (long)t.GetText().Lines.Count);
        Console.WriteLine();
        Console.WriteLine($"## {methods} methods in {project.Files.Count} files; {generated.Count} generated files");
        Console.WriteLine();
        Console.WriteLine("| measurement | wall s | CPU s | wall ratio | CPU ratio |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Row("compile without the generator", compile, compile, "1.00");
        Row("generator, full run", generate, compile, null);
        for (int e = 0; e < edits.Length; e++)
            Row($"generator after {edits[e].Name}", perEdit[e].Select(r => r.Cost).ToList(), compile, null);
        Console.WriteLine();
        Console.WriteLine($"The driver's own timing of the generator's full run (GeneratorDriver.GetTimingInfo): median {Median(timed):F3} s ({string.Join(", ", timed.Select(t => t.ToString("F3")))}); it allocates {allocated:F0} MB.");
        Console.WriteLine();
        Console.WriteLine("| edit | attribute transforms run again | parse results reused | files differentiated again | outputs re-added | files whose text changed | share of a full run (wall) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int e = 0; e < edits.Length; e++)
        {
            EditRun first = perEdit[e][0];
            Console.WriteLine($"| {edits[e].Name} | {first.Parsed} | {first.Reused} | {first.Differentiated} | {first.Readded} | {first.Changed} | {Ratio(perEdit[e].Select(r => r.Cost.Wall).ToList(), generate.Select(g => g.Wall).ToList()):F3} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Generated: {outputChars:N0} characters, {outputLines:N0} lines ({(double)outputChars / inputChars:F2}× the input's {inputChars:N0} characters, {(double)outputLines / Math.Max(1, methods):F0} lines per method; input {inputLines:N0} lines).");
        var shapes = generated.GroupBy(t => Shape(Path.GetFileName(t.FilePath)))
            .Select(g => $"{g.Key} {g.Count()} files, {g.Sum(t => t.GetText().Lines.Count) / g.Count()} lines each").OrderBy(s => s, StringComparer.Ordinal);
        Console.WriteLine($"Generated files by shape: {string.Join("; ", shapes)}.");
        Console.WriteLine($"Compile of input + generated against input alone: {Ratio(compileBoth.Select(c => c.Wall).ToList(), compileInput.Select(c => c.Wall).ToList()):F2}× wall, {Ratio(compileBoth.Select(c => c.Cpu).ToList(), compileInput.Select(c => c.Cpu).ToList()):F2}× CPU ({Statistic} {Typical(compileBoth.Select(c => c.Wall)):F2} s against {Typical(compileInput.Select(c => c.Wall)):F2} s); it allocates {bothAllocated / inputAllocated:F2}× as much ({bothAllocated:F0} MB against {inputAllocated:F0} MB).");
    }

    /// <summary>The shape a generated file comes from: its method's name without the numbers (Smooth, Hinge, Chain, Net, Unit, Soft).</summary>
    private static string Shape(string hintName)
    {
        string method = hintName.Replace(".g.cs", "").Split('.').Last();
        return new string(method.TakeWhile(char.IsLetter).ToArray());
    }

    private static void Row(string name, List<Cost> costs, List<Cost> baseline, string? ratio)
    {
        string wallRatio = ratio ?? Ratio(costs.Select(c => c.Wall).ToList(), baseline.Select(c => c.Wall).ToList()).ToString("F2");
        string cpuRatio = ratio ?? Ratio(costs.Select(c => c.Cpu).ToList(), baseline.Select(c => c.Cpu).ToList()).ToString("F2");
        Console.WriteLine($"| {name} | {Typical(costs.Select(c => c.Wall)):F3} | {Typical(costs.Select(c => c.Cpu)):F3} | {wallRatio} | {cpuRatio} |");
    }

    /// <summary>Runs the driver that ran on <paramref name="before"/> again on the edited compilation.</summary>
    private static EditRun EditOnce(GeneratorDriver driver, CSharpCompilation before, Func<CSharpCompilation, CSharpCompilation> edit)
    {
        CSharpCompilation after = edit(before);
        // The driver runs the generator on this thread, where the cache counts what it reuses.
        int reusedBefore = LoweringCache.ReusedOnThisThread;
        var (cost, next) = Cost.Measure(() => driver.RunGenerators(after));
        int reused = LoweringCache.ReusedOnThisThread - reusedBefore;
        GeneratorRunResult result = next.GetRunResult().Results.Single();
        int Ran(params string[] steps) => steps.Sum(step => result.TrackedSteps.TryGetValue(step, out var runs)
            ? runs.SelectMany(s => s.Outputs).Count(o => o.Reason != IncrementalStepRunReason.Cached) : 0);
        int readded = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .Count(o => o.Reason is IncrementalStepRunReason.New or IncrementalStepRunReason.Modified);
        var old = driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        int changed = result.GeneratedSources.Count(s => !old.TryGetValue(s.HintName, out string? text) || text != s.SourceText.ToString())
            + old.Keys.Count(hint => result.GeneratedSources.All(s => s.HintName != hint));
        // The tracking names are the generator's own (TrackingNames): Parse, Generate, GenerateHelpers.
        return new EditRun(cost, Ran("Parse"), reused, Ran("Generate", "GenerateHelpers"), readded, changed);
    }

    private static CSharpCompilation Edit(CSharpCompilation compilation, int file, Func<string, string> change)
    {
        SyntaxTree old = compilation.SyntaxTrees[file];
        string text = old.GetText().ToString();
        string edited = change(text);
        if (edited == text)
            throw new InvalidOperationException("the edit changed nothing");
        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(SourceText.From(edited)));
    }

    /// <summary>Replaces the first <paramref name="find"/> after the declaration of <paramref name="method"/>.</summary>
    private static string InBody(string text, string method, string find, string replacement)
    {
        int start = text.IndexOf(" " + method + "(", StringComparison.Ordinal);
        int at = text.IndexOf(find, start, StringComparison.Ordinal);
        return text.Substring(0, at) + replacement + text.Substring(at + find.Length);
    }

    /// <summary>A stress case that may fail at some size (a diagnostic, an error): said, and the next case runs.</summary>
    public static void StressOrSay(string what, int[] sizes, Func<int, string> source, int runs, string? dump)
    {
        try
        {
            Stress(what, sizes, source, runs, dump);
        }
        catch (InvalidOperationException exception)
        {
            Console.WriteLine($"stopped: {exception.Message}");
        }
    }

    /// <summary>One method at several sizes: the generator's time against the compile of the same input, and how it grows.</summary>
    /// <param name="dump">A directory to write each size's method and what the generator makes of it into, for reading.</param>
    public static void Stress(string what, int[] sizes, Func<int, string> source, int runs, string? dump = null)
    {
        Console.WriteLine();
        Console.WriteLine($"## Stress: {what}");
        Console.WriteLine();
        Console.WriteLine("| size | compile s | generator s | generator / compile | growth exponent (generator) | generator CPU s | growth exponent (CPU) | allocated MB | growth exponent (allocated) | compile allocated MB | generated lines | generated characters |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        double? previousCpu = null;
        double? previousAllocated = null;
        double? previousTime = null;
        int previousSize = 0;
        foreach (int size in sizes)
        {
            List<SyntaxTree> trees = new() { CSharpSyntaxTree.ParseText(source(size), ParseOptions, path: "Stress.cs") };
            var compile = new List<Cost>();
            var generate = new List<Cost>();
            int lines = 0;
            long characters = 0;
            Compile(trees);
            var (_, first, _) = Generate(trees);
            if (dump is not null)
            {
                Directory.CreateDirectory(dump);
                File.WriteAllText(Path.Combine(dump, $"Stress{size}.cs"), trees[0].GetText().ToString());
                foreach (SyntaxTree tree in first.GetRunResult().GeneratedTrees)
                    File.WriteAllText(Path.Combine(dump, $"Stress{size}.{Path.GetFileName(tree.FilePath)}"), tree.GetText().ToString());
            }
            // What the generator allocates, unlike its time, does not depend on what else the machine is doing.
            long before = GC.GetTotalAllocatedBytes(precise: true);
            Generate(trees);
            double allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / 1e6;
            before = GC.GetTotalAllocatedBytes(precise: true);
            Compile(trees);
            double compileAllocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / 1e6;
            for (int run = 0; run < runs; run++)
            {
                compile.Add(Compile(trees));
                var full = Generate(trees);
                generate.Add(full.Cost);
                GeneratorDriverRunResult result = full.Driver.GetRunResult();
                if (result.Diagnostics.Length > 0)
                    throw new InvalidOperationException($"{what} {size}: {result.Diagnostics[0]}");
                lines = result.GeneratedTrees.Sum(t => t.GetText().Lines.Count);
                characters = result.GeneratedTrees.Sum(t => (long)t.GetText().Length);
            }
            double time = Typical(generate.Select(c => c.Wall));
            double cpu = Typical(generate.Select(c => c.Cpu));
            string exponent = previousTime is double p ? (Math.Log(time / p) / Math.Log((double)size / previousSize)).ToString("F2") : "";
            string cpuExponent = previousCpu is double c ? (Math.Log(cpu / c) / Math.Log((double)size / previousSize)).ToString("F2") : "";
            string allocatedExponent = previousAllocated is double a ? (Math.Log(allocated / a) / Math.Log((double)size / previousSize)).ToString("F2") : "";
            Console.WriteLine($"| {size} | {Typical(compile.Select(c => c.Wall)):F3} | {time:F3} | {Ratio(generate.Select(g => g.Wall).ToList(), compile.Select(c => c.Wall).ToList()):F2} | {exponent} | {cpu:F3} | {cpuExponent} | {allocated:F0} | {allocatedExponent} | {compileAllocated:F0} | {lines:N0} | {characters:N0} |");
            previousTime = time;
            previousCpu = cpu;
            previousAllocated = allocated;
            previousSize = size;
        }
    }

    /// <summary>Megabytes allocated by <paramref name="work"/> on every thread: unlike its time, independent of the machine's load.</summary>
    private static double Allocated(Action work)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        work();
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / 1e6;
    }

    /// <summary>Times and their ratios as the fastest of the runs (<c>--fastest</c>), or else the median.</summary>
    public static bool Fastest { get; set; }

    private static string Statistic => Fastest ? "fastest" : "medians";

    private static double Typical(IEnumerable<double> values) => Fastest ? values.Min() : Median(values);

    /// <summary>The fastest of <paramref name="times"/> against the fastest of <paramref name="baseline"/>, or the median of the paired ratios.</summary>
    private static double Ratio(IReadOnlyList<double> times, IReadOnlyList<double> baseline) =>
        Fastest ? times.Min() / baseline.Min() : Median(times.Select((t, i) => t / baseline[i]));

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
