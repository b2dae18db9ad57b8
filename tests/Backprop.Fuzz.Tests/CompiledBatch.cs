using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Backprop.Generator;
using Backprop.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Fuzz.Tests;

/// <summary>
/// Compiles many programs in one compilation through the generator, emits it to memory and loads it in a
/// collectible context. Programs the generator fails on are recorded and left out, so the rest still run.
/// </summary>
internal sealed class CompiledBatch : IDisposable
{
    private readonly AssemblyLoadContext? _context;

    private CompiledBatch(Assembly? assembly, AssemblyLoadContext? context, IReadOnlyList<FuzzProgram> loaded, IReadOnlyList<FuzzFailure> failures)
    {
        Assembly = assembly;
        _context = context;
        Loaded = loaded;
        Failures = failures;
    }

    public Assembly? Assembly { get; }

    /// <summary>The programs whose gradient compiled and is in <see cref="Assembly"/>.</summary>
    public IReadOnlyList<FuzzProgram> Loaded { get; }

    public IReadOnlyList<FuzzFailure> Failures { get; }

    /// <summary>Whether C# itself rejects the programs (before the generator runs): the shrinker's candidates may.</summary>
    public static bool IsValidCSharp(IReadOnlyList<FuzzProgram> programs) =>
        !Parse(programs).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <exception cref="InvalidOperationException">A program is not valid C#: a bug in the program generator.</exception>
    public static CompiledBatch Compile(IReadOnlyList<FuzzProgram> programs)
    {
        var (assembly, context, loaded, failed) = CompileAll(programs, FuzzProgram.File, p => p.ClassName, FuzzProgram.StandIns);
        return new CompiledBatch(assembly, context, loaded, failed.Select(f => new FuzzFailure(f.Program, FailureKind.Generator, f.Detail)).ToList());
    }

    /// <summary>
    /// Compiles programs (each a class named <paramref name="className"/> in the file <paramref name="file"/> writes) in one
    /// compilation and loads them; a program the generator fails on is set aside with the errors charged to it,
    /// and the rest compiled again without it. The file <paramref name="afterGeneration"/> writes, if any, joins the
    /// compilation after the generator ran: code calling what it generates (<see cref="FuzzProgram.StandIns"/>).
    /// </summary>
    public static (Assembly? Assembly, AssemblyLoadContext? Context, List<T> Loaded, List<(T Program, string Detail)> Failed) CompileAll<T>(
        IReadOnlyList<T> programs, Func<IReadOnlyList<T>, string> file, Func<T, string> className, Func<IReadOnlyList<T>, string>? afterGeneration = null)
    {
        var failed = new List<(T, string)>();
        var remaining = programs.ToList();
        while (remaining.Count > 0)
        {
            var (assembly, context, errors) = CompileAndLoad(Parse(file(remaining), "Fuzz" + className(remaining[0])), () => file(remaining), afterGeneration?.Invoke(remaining));
            if (assembly is not null)
                return (assembly, context, remaining, failed);
            foreach (T program in remaining.ToArray())
            {
                string[] details = errors.Where(e => e.ClassName is null || e.ClassName == className(program)).Select(e => e.Detail).ToArray();
                if (details.Length > 0)
                {
                    failed.Add((program, string.Join("\n", details)));
                    remaining.Remove(program);
                }
            }
        }
        return (null, null, remaining, failed);
    }

    /// <summary>
    /// Runs the generator on a compilation of valid C#, emits it and loads it in a collectible context; or returns,
    /// instead, what stopped it, each charged to the class it is about (see <see cref="Blame"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The source is not valid C#: a bug in the program generator, whose source <paramref name="file"/> gives.</exception>
    private static (Assembly? Assembly, AssemblyLoadContext? Context, List<(string? ClassName, string Detail)> Errors) CompileAndLoad(CSharpCompilation compilation, Func<string> file, string? afterGeneration)
    {
        Diagnostic[] sourceErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (sourceErrors.Length > 0)
            throw new InvalidOperationException("The program generator wrote invalid C#:\n" + string.Join("\n", sourceErrors.Take(5)) + "\n" + file());

        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: TestCompilation.ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        var errors = generatorDiagnostics.Select(d => (Blame(d, compilation.SyntaxTrees[0]), "generator reported " + d)).ToList();
        if (errors.Count > 0)
            return (null, null, errors);
        if (afterGeneration is { Length: > 0 })
            output = output.AddSyntaxTrees(CSharpSyntaxTree.ParseText(afterGeneration, TestCompilation.ParseOptions, path: StandInsPath));
        var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(image);
        if (!emitted.Success)
        {
            return (null, null, emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
                .Select(d => (Blame(d, d.Location.SourceTree?.FilePath == StandInsPath ? d.Location.SourceTree : compilation.SyntaxTrees[0]), "generated code does not compile: " + d)).ToList());
        }
        image.Position = 0;
        var context = new AssemblyLoadContext("fuzz", isCollectible: true);
        return (context.LoadFromStream(image), context, errors);
    }

    /// <summary>The path of the file that joins a compilation after the generator ran.</summary>
    private const string StandInsPath = "StandIns.cs";

    private static CSharpCompilation Parse(IReadOnlyList<FuzzProgram> programs) => Parse(FuzzProgram.File(programs), "Fuzz" + programs[0].ClassName);

    /// <summary>The compilation of one fuzz file, before the generator runs.</summary>
    private static CSharpCompilation Parse(string file, string assemblyName) =>
        CSharpCompilation.Create(assemblyName,
            new[] { CSharpSyntaxTree.ParseText(file, TestCompilation.ParseOptions, path: "Fuzz.cs") },
            TestCompilation.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));

    /// <summary>
    /// The program a diagnostic is about, by its class name: the class around its location in the source, or the one
    /// the generated file is named after (<c>Fuzz.P{seed}.F.g.cs</c>); a program's second class
    /// (<c>P{seed}Kernels</c>, and its generated <c>P{seed}KernelsDerivatives</c>) counts as its own. <c>null</c> when it
    /// names none (the generator itself threw): it is then charged to every program, and <see cref="Shrinker"/> or a
    /// rerun alone narrows it down.
    /// </summary>
    private static string? Blame(Diagnostic diagnostic, SyntaxTree source)
    {
        // The generator's diagnostics carry a path and span, not a tree: find the class by path.
        string path = diagnostic.Location.GetLineSpan().Path;
        string? name = path == source.FilePath
            ? source.GetRoot().FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<ClassDeclarationSyntax>()?.Identifier.ValueText
            : Path.GetFileName(path).Split('.').ElementAtOrDefault(1);
        return name is null ? null : Regex.Match(name, @"^[A-Z]\d+").Value is { Length: > 0 } program ? program : name;
    }

    public void Dispose() => _context?.Unload();
}
