using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Backprop.Generator.Calculus;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Emission;
using Backprop.Generator.Model;
using Backprop.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator;

/// <summary>The incremental pipeline: find <c>[Differentiable]</c> methods, parse each to a model, generate, report.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Parse results kept from run to run: one cache per generator instance, that is per host.
        var cache = new LoweringCache();
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Symbols.DifferentiableAttribute,
                static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax or OperatorDeclarationSyntax or ConversionOperatorDeclarationSyntax
                    or AccessorDeclarationSyntax or DestructorDeclarationSyntax or ParenthesizedLambdaExpressionSyntax,
                (context, cancellationToken) => Guarded(context.TargetNode, () => FunctionParser.Parse(context, cancellationToken, cache)))
            .WithTrackingName(TrackingNames.Parse);
        // Diagnostics at current positions, from every parse; what is generated depends on the model alone.
        context.RegisterSourceOutput(parsed.Select(static (parsed, _) => parsed.Diagnostics).WithTrackingName(TrackingNames.Diagnostics), Report);
        IncrementalValuesProvider<ParseResult> models = parsed
            .Select(static (parsed, _) => parsed.ForGeneration())
            .WithTrackingName(TrackingNames.Model);
        IncrementalValuesProvider<GeneratedFile> files = models
            .Select(static (model, _) => GeneratedFile.From(model))
            .WithTrackingName(TrackingNames.Generate);
        // An internal error while generating is reported at the method, wherever it is now.
        IncrementalValueProvider<EquatableArray<DiagnosticInfo>> generationErrors = files
            .Where(static file => file.Diagnostics.Count > 0)
            .Collect()
            .Combine(parsed.Select(static (parsed, _) => new MethodLocation(parsed.HintName, parsed.Location)).Collect())
            .Select(static (pair, _) => GeneratedFile.Place(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.GenerationErrors);
        context.RegisterSourceOutput(generationErrors, Report);
        // Each implicit helper once, however many methods reach it, with every derivative they need.
        IncrementalValuesProvider<GeneratedFile> helperFiles = models
            .SelectMany(static (parsed, _) => parsed.Helpers)
            .Collect()
            .SelectMany(static (helpers, _) => ImplicitHelpers.Merge(helpers))
            .WithTrackingName(TrackingNames.Helpers)
            .Select(static (helper, _) => GeneratedFile.FromHelper(helper))
            .WithTrackingName(TrackingNames.GenerateHelpers);
        // What several methods share (helpers, model types) is reported once, however many reach it.
        IncrementalValueProvider<EquatableArray<DiagnosticInfo>> sharedDiagnostics = parsed
            .SelectMany(static (parsed, _) => parsed.SharedDiagnostics)
            .Collect()
            .Select(static (diagnostics, _) => diagnostics.Distinct().ToEquatableArray())
            .WithTrackingName(TrackingNames.SharedDiagnostics);
        context.RegisterSourceOutput(sharedDiagnostics, Report);
        // Each model's Gradients type once, however many of its methods (or of the models holding it) are marked.
        IncrementalValuesProvider<GeneratedFile> modelFiles = models
            .SelectMany(static (parsed, _) => parsed.Models)
            .Collect()
            .SelectMany(static (models, _) => ModelEmitter.Distinct(models))
            .WithTrackingName(TrackingNames.Models)
            .Select(static (model, _) => GeneratedFile.FromModel(model))
            .WithTrackingName(TrackingNames.GenerateModels);

        IncrementalValuesProvider<DiagnosticInfo> pullbackErrors = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Pullbacks.DerivativeOfAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (context, cancellationToken) => Pullbacks.Check(context, cancellationToken))
            .Where(static diagnostic => diagnostic is not null)
            .Select(static (diagnostic, _) => diagnostic!)
            .WithTrackingName(TrackingNames.Pullbacks);
        context.RegisterSourceOutput(pullbackErrors, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));

        context.RegisterSourceOutput(files, static (output, file) => Output(output, file, reportDiagnostics: false));
        context.RegisterSourceOutput(helperFiles, static (output, file) => Output(output, file, reportDiagnostics: true));
        context.RegisterSourceOutput(modelFiles, static (output, file) => Output(output, file, reportDiagnostics: true));
    }

    private static void Output(SourceProductionContext output, GeneratedFile file, bool reportDiagnostics)
    {
        if (reportDiagnostics)
            Report(output, file.Diagnostics);
        if (file.Source is not null)
            output.AddSource(file.HintName!, file.Source);
    }

    private static void Report(SourceProductionContext output, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo diagnostic in diagnostics)
            output.ReportDiagnostic(diagnostic.ToDiagnostic());
    }

    /// <summary>An exception from parsing becomes BP9001 on the method, so one bad method never breaks the build.</summary>
    private static ParseResult Guarded(SyntaxNode target, Func<ParseResult> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var (location, name) = FunctionParser.Describe(target);
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[]
            {
                DiagnosticInfo.Create(Diagnostics.InternalError, location, name, exception.Message),
            }));
        }
    }
}

/// <summary>Where a method's file's diagnostics without a position of their own go: the method's name, now.</summary>
internal sealed record MethodLocation(string? HintName, SourceSpan? Location);

/// <summary>What the pipeline outputs for one method: a source file, or diagnostics, or both absent.</summary>
/// <param name="Method">The hint name of the method generated from (also when no file is), to place <paramref name="Diagnostics"/> without a location at it.</param>
internal sealed record GeneratedFile(string? HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics, string? Method = null)
{
    /// <summary>The files' diagnostics, those without a location put at their method's current location.</summary>
    public static EquatableArray<DiagnosticInfo> Place(ImmutableArray<GeneratedFile> files, ImmutableArray<MethodLocation> methods)
    {
        if (files.IsEmpty)
            return EquatableArray<DiagnosticInfo>.Empty;
        var locations = new Dictionary<string, SourceSpan?>(System.StringComparer.Ordinal);
        foreach (MethodLocation method in methods)
        {
            if (method.HintName is not null)
                locations[method.HintName] = method.Location;
        }
        return files.SelectMany(file => file.Diagnostics.Select(diagnostic =>
                diagnostic.Location is null && file.Method is not null && locations.TryGetValue(file.Method, out SourceSpan? at) ? diagnostic with { Location = at } : diagnostic))
            .ToEquatableArray();
    }

    public static GeneratedFile From(ParseResult parsed) => Generate(parsed) with { Method = parsed.HintName };

    private static GeneratedFile Generate(ParseResult parsed)
    {
        if (parsed.Function is not FunctionSpec function)
            return new GeneratedFile(null, null, parsed.Diagnostics);
        return Guarded(parsed, function.Name, () => WithoutCollisions(parsed, function.Name, FromScalar(parsed, function)));
    }

    /// <summary>A file whose members would collide with the user's is not added: BP0012 at the user's member says why.</summary>
    private static GeneratedFile WithoutCollisions(ParseResult parsed, string method, GeneratedFile file)
    {
        if (file.Source is null)
            return file;
        EquatableArray<DiagnosticInfo> collisions = MemberCollisions.Find(file.Source, method, parsed.Namesakes);
        return collisions.Count == 0 ? file : new GeneratedFile(null, null, file.Diagnostics.Concat(collisions).ToEquatableArray());
    }

    /// <summary>A model's <c>Gradients</c> type; its methods reported anything wrong with it already.</summary>
    public static GeneratedFile FromModel(ModelSpec model)
    {
        try
        {
            return new GeneratedFile(model.HintName, ModelEmitter.Emit(model), EquatableArray<DiagnosticInfo>.Empty);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new GeneratedFile(null, null, new EquatableArray<DiagnosticInfo>(new[]
            {
                DiagnosticInfo.Create(Generator.Diagnostics.InternalError, null, model.TypeName + "." + Naming.GradientsType, exception.Message),
            }));
        }
    }

    /// <summary>An implicit helper's derivatives; its callers reported anything wrong with its body already.</summary>
    public static GeneratedFile FromHelper(FunctionSpec helper) =>
        Guarded(new ParseResult(helper, EquatableArray<DiagnosticInfo>.Empty), helper.Name, () => FromScalar(new ParseResult(helper, EquatableArray<DiagnosticInfo>.Empty), helper));

    private static GeneratedFile FromScalar(ParseResult parsed, FunctionSpec function)
    {
        // BP1009, reported from the parse step (FunctionParser.Parse), where the arguments' positions are current.
        if (LostDerivatives.Find(function).Count > 0)
            return new GeneratedFile(null, null, parsed.Diagnostics);
        // The Jacobian runs both sweeps; the Hessian-vector product is built from the gradient, and its forward pass
        // takes the values of the [Differentiable] methods it calls from their tangent methods.
        bool Wants(DerivativeKinds kinds) => (function.Derivatives & kinds) != 0;
        MethodBody? gradient = Wants(DerivativeKinds.Gradient | DerivativeKinds.Hessian | DerivativeKinds.Jacobian | DerivativeKinds.TrainStep) ? GradientBuilder.Build(TupleCotangent.Seeded(function)) : null;
        MethodBody? tangent = Wants(DerivativeKinds.Tangent | DerivativeKinds.Hessian | DerivativeKinds.Jacobian) ? TangentBuilder.Build(function) : null;
        if (gradient is null && tangent is null)
            return new GeneratedFile(null, null, parsed.Diagnostics);
        HessianVectorBody? hessian = Wants(DerivativeKinds.Hessian) ? HessianVectorBuilder.Build(function, gradient!) : null;
        // The gradient's code as emitted writes a matrix's first share straight into its gradient, and drops the guards
        // that then always hold; the Hessian-vector product differentiates the shares as built.
        MethodBody? emitted = gradient is not null && function.UsesMatrices ? KnownGuards.Apply(FirstShares.Apply(gradient)) : gradient;
        // The train step is the gradient's code with the optimizer's updates placed in its reverse sweep.
        MethodBody? trainStep = Wants(DerivativeKinds.TrainStep) ? FusedUpdates.Apply(function, emitted!) : null;
        return new GeneratedFile(function.HintName, DerivativeEmitter.Emit(function, emitted, tangent, hessian, trainStep), parsed.Diagnostics);
    }

    /// <summary>An exception while generating becomes BP9001 on the method, so one bad method never breaks the build.</summary>
    private static GeneratedFile Guarded(ParseResult parsed, string name, Func<GeneratedFile> generate)
    {
        try
        {
            return generate();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new GeneratedFile(null, null, new EquatableArray<DiagnosticInfo>(new[]
            {
                DiagnosticInfo.Create(Generator.Diagnostics.InternalError, parsed.Location?.ToLocation(), name, exception.Message),
            }));
        }
    }
}

/// <summary>Names of the pipeline's steps, for caching tests.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Generate = nameof(Generate);
    public const string Pullbacks = nameof(Pullbacks);
    public const string Helpers = nameof(Helpers);
    public const string GenerateHelpers = nameof(GenerateHelpers);
    public const string Model = nameof(Model);
    public const string Diagnostics = nameof(Diagnostics);
    public const string GenerationErrors = nameof(GenerationErrors);
    public const string SharedDiagnostics = nameof(SharedDiagnostics);
    public const string Models = nameof(Models);
    public const string GenerateModels = nameof(GenerateModels);
}
