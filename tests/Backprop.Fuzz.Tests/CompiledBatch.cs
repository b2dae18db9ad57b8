using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
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
        var failures = new List<FuzzFailure>();
        var remaining = programs.ToList();
        while (remaining.Count > 0)
        {
            CSharpCompilation compilation = Parse(remaining);
            Diagnostic[] sourceErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            if (sourceErrors.Length > 0)
                throw new InvalidOperationException("The program generator wrote invalid C#:\n" + string.Join("\n", sourceErrors.Take(5)) + "\n" + FuzzProgram.File(remaining));

            GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: TestCompilation.ParseOptions);
            driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
            var culprits = new Dictionary<FuzzProgram, string>();
            foreach (Diagnostic diagnostic in generatorDiagnostics)
                Blame(diagnostic, compilation.SyntaxTrees[0], remaining, culprits, "generator reported ");

            if (culprits.Count == 0)
            {
                var image = new MemoryStream();
                Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(image);
                if (emitted.Success)
                {
                    image.Position = 0;
                    var context = new AssemblyLoadContext("fuzz", isCollectible: true);
                    return new CompiledBatch(context.LoadFromStream(image), context, remaining, failures);
                }
                foreach (Diagnostic diagnostic in emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
                    Blame(diagnostic, compilation.SyntaxTrees[0], remaining, culprits, "generated code does not compile: ");
            }
            foreach (var (program, detail) in culprits)
            {
                failures.Add(new FuzzFailure(program, FailureKind.Generator, detail));
                remaining.Remove(program);
            }
        }
        return new CompiledBatch(null, null, remaining, failures);
    }

    private static CSharpCompilation Parse(IReadOnlyList<FuzzProgram> programs) =>
        CSharpCompilation.Create("Fuzz" + programs[0].Seed,
            new[] { CSharpSyntaxTree.ParseText(FuzzProgram.File(programs), TestCompilation.ParseOptions, path: "Fuzz.cs") },
            TestCompilation.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));

    /// <summary>
    /// Charges a diagnostic to the program it is about: by the class around its location in the source, or by the
    /// generated file's name (<c>Fuzz.P{seed}.F.g.cs</c>). One that names no program (the generator itself threw)
    /// is charged to every program, and <see cref="Shrinker"/> or a rerun alone narrows it down.
    /// </summary>
    private static void Blame(Diagnostic diagnostic, SyntaxTree source, List<FuzzProgram> programs, Dictionary<FuzzProgram, string> culprits, string prefix)
    {
        // The generator's diagnostics carry a path and span, not a tree: find the class by path.
        string path = diagnostic.Location.GetLineSpan().Path;
        string? className = path == source.FilePath
            ? source.GetRoot().FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<ClassDeclarationSyntax>()?.Identifier.ValueText
            : Path.GetFileName(path).Split('.').FirstOrDefault(part => part.StartsWith('P'));
        foreach (FuzzProgram program in programs.Where(p => className is null || p.ClassName == className))
        {
            if (!culprits.ContainsKey(program))
                culprits[program] = prefix + diagnostic;
        }
    }

    public void Dispose() => _context?.Unload();
}
