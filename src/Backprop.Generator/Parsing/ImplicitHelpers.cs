using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Implicit helpers: a static method whose source is in the compilation, called from differentiable code without being
/// marked <c>[Differentiable]</c>, is differentiated as if it were. Its derivative methods go into its own type when
/// that type (and every type around it) is partial, or else into a generated <c>{Type}Derivatives</c> class of its
/// namespace; they are never public. One instance serves the parse of one <c>[Differentiable]</c> method and collects the
/// helpers it reaches, through chains of helpers; the pipeline merges the helpers of every method and emits each once.
/// </summary>
internal sealed class ImplicitHelpers
{
    private readonly IMethodSymbol _caller;
    private readonly Compilation _compilation;
    private readonly CancellationToken _cancellationToken;
    /// <summary>The helpers lowered so far: each method, as it is and with every parameter differentiated.</summary>
    private readonly Dictionary<(IMethodSymbol Method, bool EveryParameter), Helper> _helpers = new(new HelperKeyComparer());
    private readonly List<IMethodSymbol> _chain = new();

    /// <summary>
    /// A helper as a call site needs it: per parameter whether its derivatives differentiate it, the derivatives it has,
    /// and where they are when not beside it (<see cref="CallTarget.DerivativesAt"/>); or why it has none.
    /// </summary>
    public sealed record Helper(bool[]? Differentiable, DerivativeKinds Derivatives, string? DerivativesAt, DiagnosticInfo? Failure);

    public ImplicitHelpers(IMethodSymbol caller, Compilation compilation, CancellationToken cancellationToken)
    {
        _caller = caller;
        _compilation = compilation;
        _cancellationToken = cancellationToken;
        _chain.Add(caller);
    }

    /// <summary>Every helper reached so far, lowered, with the derivatives its callers need.</summary>
    public List<FunctionSpec> Specs { get; } = new();

    /// <summary>
    /// The other methods whose bodies lowering has read (helpers, tuple-returning callees): the parse result depends on
    /// their text (<see cref="LoweringCache"/>). Whatever reads another method's body must add it here.
    /// </summary>
    public List<MethodDeclarationSyntax> BodiesRead { get; } = new();

    /// <summary>A static method of this compilation, with a body, returning a float or double from values and arrays the forward program passes.</summary>
    public bool IsCandidate(IMethodSymbol method) =>
        method is { IsStatic: true, MethodKind: MethodKind.Ordinary, IsGenericMethod: false, IsExtern: false, IsAbstract: false }
        && method.ContainingType is { IsGenericType: false } type && !IsInGenericType(type)
        && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _compilation.Assembly)
        && method.ReturnType.SpecialType is SpecialType.System_Double or SpecialType.System_Single
        && method.Parameters.All(p => p.RefKind == RefKind.None && p.Type.TypeKind != TypeKind.Enum
            && (Symbols.ToScalarType(p.Type) is not null || p.Type is IArrayTypeSymbol { Rank: 1, ElementType: var element } && Symbols.ToScalarType(element) is not null
                || Symbols.SpanElement(p.Type) is not null))
        && Declaration(method) is not null;

    /// <summary>Whether <paramref name="method"/> is on the chain of calls being lowered (so calling it again would recurse).</summary>
    public bool IsBeingLowered(IMethodSymbol method) => _chain.Any(m => SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, method.OriginalDefinition));

    /// <summary>The helper <paramref name="method"/>, lowered once per parse, with at least the derivatives <paramref name="derivatives"/>.</summary>
    public Helper Resolve(IMethodSymbol method, DerivativeKinds derivatives) => Resolve(method, derivatives, everyParameter: false);

    /// <summary>
    /// For a <c>[Differentiable]</c> method or a helper with <c>[NoDerivative]</c> parameters: derivatives that
    /// differentiate those too, as overloads beside its own with one more gradient (or direction) per such parameter,
    /// never public. A method of another assembly, or without a body here, keeps its own derivatives (and BP1009 for
    /// what they leave out).
    /// </summary>
    public Helper ResolveWithEveryParameter(IMethodSymbol method, DerivativeKinds derivatives) =>
        SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _compilation.Assembly) && Declaration(method) is not null
            ? Resolve(method, derivatives, everyParameter: true)
            : new Helper(null, 0, null, null);

    private Helper Resolve(IMethodSymbol method, DerivativeKinds derivatives, bool everyParameter)
    {
        var key = (method, everyParameter);
        if (_helpers.TryGetValue(key, out Helper? known) && (known.Differentiable is null || (known.Derivatives & derivatives) == derivatives))
            return known;
        Helper helper = Lower(method, derivatives | (known?.Derivatives ?? 0), everyParameter);
        _helpers[key] = helper;
        return helper;
    }

    private Helper Lower(IMethodSymbol method, DerivativeKinds derivatives, bool everyParameter)
    {
        MethodDeclarationSyntax declaration = Declaration(method)!;
        BodiesRead.Add(declaration);
        SemanticModel model = _compilation.GetSemanticModel(declaration.SyntaxTree);
        var diagnostics = new List<DiagnosticInfo>();
        if (FunctionParser.HasSyntaxErrors(declaration) || model.GetOperation(declaration, _cancellationToken) is not { } body)
            return new Helper(null, 0, null, null);

        var parameters = method.Parameters.Select(p => FunctionParser.ParseParameter(p, method, diagnostics)).ToList();
        if (everyParameter)
            parameters = parameters.Select(p => p is { Role: ParameterRole.Passive, Type: ScalarType type } && type.IsFloatingPoint()
                ? p with { Role = p.IsArray ? ParameterRole.Array : ParameterRole.Scalar } : p).ToList();
        _chain.Add(method);
        ForwardProgram? program = BodyLowering.Lower(method, derivatives, body, diagnostics, _cancellationToken, this);
        _chain.RemoveAt(_chain.Count - 1);
        if (program is null || diagnostics.Count > 0)
            return new Helper(null, 0, null, Failure(method, diagnostics.FirstOrDefault()));

        var (containingTypes, derivativesAt) = Home(method);
        if (derivativesAt is not null && Symbols.FirstUnreachableMember(body, _compilation, _compilation.Assembly) is { } hidden)
            return new Helper(null, 0, null, Failure(method, DiagnosticInfo.Create(Diagnostics.UnsupportedExpression, hidden.Reference.Syntax.GetLocation(),
                $"Using '{hidden.Member.Name}', which is {hidden.Member.DeclaredAccessibility.ToString().ToLowerInvariant()} to '{method.ContainingType.Name}', in a helper of a type that is not partial,",
                $"make '{method.ContainingType.Name}' partial (its derivatives then go beside the helper), or make '{hidden.Member.Name}' internal")));
        string accessibility = method.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal ? "internal" : "private";
        var spec = new FunctionSpec(FunctionParser.Namespace(method), containingTypes, method.Name, accessibility,
            Symbols.ToScalarType(method.ReturnType)!.Value, false, parameters.ToEquatableArray(), program, derivatives,
            everyParameter ? FunctionParser.HintName(method).Replace(".g.cs", ".EveryParameter.g.cs") : FunctionParser.HintName(method), ForCallers: true);
        Specs.RemoveAll(s => s.HintName == spec.HintName);
        Specs.Add(spec);
        return new Helper(parameters.Select(p => p.Role != ParameterRole.Passive).ToArray(), derivatives, derivativesAt, null);
    }

    /// <summary>
    /// Where a helper's derivatives go: its own types, reopened, when each is partial; else a generated
    /// <c>{Type}Derivatives</c> class of its namespace, whose methods the call sites then name.
    /// </summary>
    private (EquatableArray<TypeDeclarationSpec> Types, string? DerivativesAt) Home(IMethodSymbol method)
    {
        var types = new List<TypeDeclarationSpec>();
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.IsFileLocal || FunctionParser.FindPartialDeclaration(type, _cancellationToken) is not { } partial)
            {
                string generated = method.ContainingType.Name + "Derivatives";
                string ns = method.ContainingNamespace.IsGlobalNamespace ? "global::" : "global::" + method.ContainingNamespace.ToDisplayString() + ".";
                return (new EquatableArray<TypeDeclarationSpec>(new[] { new TypeDeclarationSpec("class", generated) }), ns + generated + "." + Naming.Identifier(method.Name));
            }
            types.Insert(0, new TypeDeclarationSpec(FunctionParser.TypeKeyword(partial), partial.Identifier.Text + partial.TypeParameterList));
        }
        return (types.ToEquatableArray(), null);
    }

    /// <summary>BP1010 at the construct that stops the helper, naming the helper and the chain of calls that reached it.</summary>
    /// <summary>
    /// BP1010 for a helper whose body cannot be differentiated, naming it, the chain of calls that reached it and
    /// <paramref name="cause"/>; the cause itself when it already says so (a BP1010 further down, a recursion).
    /// </summary>
    public DiagnosticInfo? Failure(IMethodSymbol method, DiagnosticInfo? cause)
    {
        if (cause is null)
            return null;
        // A helper further down the chain already said which construct and which chain, and a recursion says itself.
        if (cause.Id == Diagnostics.HelperNotDifferentiable.Id || cause.Id == Diagnostics.Recursion.Id)
            return cause;
        string chain = string.Join(" → ", _chain.Select(m => m.Name).Append(method.Name));
        string message = cause.ToDiagnostic().GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        // A pullback differentiates a helper returning a number; one returning a tuple is inlined, and has none.
        string advice = Symbols.ToScalarType(method.ReturnType) is not null
            ? $"rewrite that part of '{method.Name}', give '{method.Name}' a [DerivativeOf] pullback, or compute its result outside and pass it in"
            : $"rewrite that part of '{method.Name}', or compute its result outside and pass it in";
        return new DiagnosticInfo(Diagnostics.HelperNotDifferentiable.Id, cause.Location,
            new EquatableArray<string>(new[] { method.Name, _caller.Name, chain, cause.Id, message, advice }));
    }

    private static MethodDeclarationSyntax? Declaration(IMethodSymbol method) =>
        method.DeclaringSyntaxReferences.Length == 1 && method.DeclaringSyntaxReferences[0].GetSyntax() is MethodDeclarationSyntax { Body: not null } or MethodDeclarationSyntax { ExpressionBody: not null }
            ? (MethodDeclarationSyntax)method.DeclaringSyntaxReferences[0].GetSyntax()
            : null;

    private static bool IsInGenericType(INamedTypeSymbol type) => type.ContainingType is { } outer && (outer.IsGenericType || IsInGenericType(outer));

    /// <summary>One spec per helper from every method's parse, each with the union of the derivatives its callers need.</summary>
    public static ImmutableArray<FunctionSpec> Merge(ImmutableArray<FunctionSpec> specs) =>
        specs.GroupBy(s => s.HintName)
            .Select(group => group.First() with { Derivatives = group.Aggregate((DerivativeKinds)0, (kinds, s) => kinds | s.Derivatives) })
            .OrderBy(s => s.HintName, System.StringComparer.Ordinal)
            .ToImmutableArray();

    private sealed class HelperKeyComparer : IEqualityComparer<(IMethodSymbol Method, bool EveryParameter)>
    {
        public bool Equals((IMethodSymbol Method, bool EveryParameter) x, (IMethodSymbol Method, bool EveryParameter) y) =>
            x.EveryParameter == y.EveryParameter && SymbolEqualityComparer.Default.Equals(x.Method, y.Method);

        public int GetHashCode((IMethodSymbol Method, bool EveryParameter) key) =>
            SymbolEqualityComparer.Default.GetHashCode(key.Method) * 2 + (key.EveryParameter ? 1 : 0);
    }
}
