using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Parsing;

/// <summary>The result of parsing one <c>[Differentiable]</c> target: a model to emit, or the diagnostics saying why not.</summary>
/// <param name="Diagnostics">What to report about the method, at current positions (BP1009 among them, with the model still generated from).</param>
/// <param name="Location">Where to report an internal error found while generating from <paramref name="Function"/>.</param>
/// <param name="Namesakes">The user's members of the method's type named as a generated member may be, to check the generated file against.</param>
/// <param name="Helpers">The implicit helpers the method calls, directly or through other helpers, lowered (see <see cref="ImplicitHelpers"/>).</param>
/// <param name="SharedDiagnostics">
/// What is wrong with what the method shares with other methods, reported once however many methods reach it: BP1009 in
/// the helpers it calls, and the problems of the model types it reads (BP0002, BP0016).
/// </param>
/// <param name="Models">For a model's method, the model and the models it holds, whose <c>Gradients</c> types are generated (also when the method itself cannot be differentiated).</param>
internal sealed record ParseResult(FunctionSpec? Function, EquatableArray<DiagnosticInfo> Diagnostics, SourceSpan? Location = null,
    EquatableArray<UserMember> Namesakes = default, EquatableArray<FunctionSpec> Helpers = default, EquatableArray<DiagnosticInfo> SharedDiagnostics = default,
    EquatableArray<ModelSpec> Models = default)
{
    /// <summary>The name of the file generated from the method, which keys its <see cref="Location"/>.</summary>
    public string? HintName => Function?.HintName;

    /// <summary>
    /// What generating depends on, without positions in the file: diagnostics and the method's location are reported
    /// from the parse result, so a method that moves (an edit above it) compares equal and nothing is regenerated.
    /// </summary>
    public ParseResult ForGeneration() =>
        this with { Diagnostics = EquatableArray<DiagnosticInfo>.Empty, Location = null, SharedDiagnostics = EquatableArray<DiagnosticInfo>.Empty };
}

/// <summary>Turns a method marked <c>[Differentiable]</c> into a <see cref="FunctionSpec"/>: checks its shape, then lowers its body.</summary>
internal static class FunctionParser
{
    /// <param name="cache">Results of earlier runs, reused when nothing they were made from changed (see <see cref="LoweringCache"/>).</param>
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken, LoweringCache? cache = null)
    {
        // Two targets that would want the same file, beside the compiler's error: a second method of the same signature
        // (CS0111), or the attribute on both parts of a partial method (CS0579), where the declaring part's target generates.
        if (context.TargetSymbol is IMethodSymbol duplicated && (HasTwin(duplicated) || AttributedTwice(duplicated, context.SemanticModel, cancellationToken)))
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        SourceSpan? location = context.TargetNode is BaseMethodDeclarationSyntax target && IsParsed(target, context.TargetSymbol) ? SourceSpan.From(NameLocation(target)) : null;
        LoweringCache.Slot? slot = cache is null ? null : LoweringCache.SlotOf(context, cancellationToken);
        if (slot is not null && cache!.Find(slot, cancellationToken) is ParseResult kept)
            return kept with { Location = location };
        ImplicitHelpers? helpers = context.TargetSymbol is IMethodSymbol caller ? new ImplicitHelpers(caller, context.SemanticModel.Compilation, cancellationToken) : null;
        ParseResult result = Lower(context, location, helpers, cancellationToken);
        if (slot is not null && context.TargetSymbol is IMethodSymbol marked)
        {
            List<MethodDeclarationSyntax> read = helpers?.BodiesRead ?? new List<MethodDeclarationSyntax>();
            cache!.Store(slot, result, read, marked, BoundBodies(context, read, cancellationToken));
        }
        return result;
    }

    /// <summary>
    /// The bound bodies of the target (its semantic model keeps what the lowering bound) and of the methods its lowering
    /// read (helpers, usually a line or two, bound again when they are in another file). Read only when the result is kept.
    /// </summary>
    private static IEnumerable<IOperation> BoundBodies(GeneratorAttributeSyntaxContext context, IEnumerable<MethodDeclarationSyntax> read, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetOperation(context.TargetNode, cancellationToken) is { } own)
            yield return own;
        foreach (MethodDeclarationSyntax body in read.Distinct())
        {
            SemanticModel model = body.SyntaxTree == context.SemanticModel.SyntaxTree ? context.SemanticModel : context.SemanticModel.Compilation.GetSemanticModel(body.SyntaxTree);
            if (model.GetOperation(body, cancellationToken) is { } operation)
                yield return operation;
        }
    }

    private static ParseResult Lower(GeneratorAttributeSyntaxContext context, SourceSpan? location, ImplicitHelpers? helpers, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var model = new ModelOfMethod();
        FunctionSpec? function = context.TargetNode switch
        {
            MethodDeclarationSyntax { ExplicitInterfaceSpecifier: not null } => NotAMethod(diagnostics, context.TargetNode),
            BaseMethodDeclarationSyntax declaration when context.TargetSymbol is IMethodSymbol method && IsParsed(declaration, method) =>
                ParseMethod(method, declaration, context.SemanticModel, diagnostics, model, helpers!, cancellationToken),
            MethodDeclarationSyntax => null,
            _ => NotAMethod(diagnostics, context.TargetNode),
        };
        bool ok = diagnostics.Count == 0 && model.Diagnostics.Count == 0;
        EquatableArray<FunctionSpec> helperSpecs = ok && helpers is not null ? helpers.Specs.ToEquatableArray() : default;
        // BP1009 is found here, where the arguments' positions are current; generating finds it again and makes no file.
        if (ok && function is not null)
            diagnostics.AddRange(LostDerivatives.Find(function));
        return new ParseResult(ok ? function : null, diagnostics.ToEquatableArray(), location,
            context.TargetSymbol is IMethodSymbol parsed ? UserMembers.Namesakes(parsed) : default,
            helperSpecs, helperSpecs.SelectMany(helper => LostDerivatives.Find(helper)).Concat(model.Diagnostics).ToEquatableArray(),
            (model.Fields?.Models ?? Enumerable.Empty<ModelSpec>()).ToEquatableArray());
    }

    /// <summary>For a model's method, its model as parsed, and what is wrong with it (reported once for all the model's methods).</summary>
    private sealed class ModelOfMethod
    {
        public ModelFields? Fields;
        public List<DiagnosticInfo> Diagnostics { get; } = new();
    }

    /// <summary>Where to report about a target, and what to call it: local functions and operators cannot get a sibling gradient method.</summary>
    public static (Location Location, string Name) Describe(SyntaxNode target) => target switch
    {
        MethodDeclarationSyntax { ExplicitInterfaceSpecifier: { } explicitInterface } method =>
            (method.Identifier.GetLocation(), $"the explicit interface implementation '{explicitInterface.Name}.{method.Identifier.ValueText}'"),
        MethodDeclarationSyntax method => (method.Identifier.GetLocation(), method.Identifier.ValueText),
        LocalFunctionStatementSyntax local => (local.Identifier.GetLocation(), $"local function '{local.Identifier.ValueText}'"),
        OperatorDeclarationSyntax op => (op.OperatorToken.GetLocation(), $"operator '{op.OperatorToken.ValueText}'"),
        ConversionOperatorDeclarationSyntax conversion => (conversion.Type.GetLocation(), $"the conversion operator to '{conversion.Type}'"),
        AccessorDeclarationSyntax accessor => (accessor.Keyword.GetLocation(), $"the '{accessor.Keyword.ValueText}' accessor of '{accessor.Parent?.Parent switch
        {
            PropertyDeclarationSyntax property => property.Identifier.ValueText,
            EventDeclarationSyntax @event => @event.Identifier.ValueText,
            _ => "this[]",
        }}'"),
        DestructorDeclarationSyntax finalizer => (finalizer.Identifier.GetLocation(), $"the finalizer of '{finalizer.Identifier.ValueText}'"),
        ParenthesizedLambdaExpressionSyntax lambda => (lambda.ArrowToken.GetLocation(), "the lambda"),
        _ => (target.GetLocation(), target.Kind().ToString()),
    };

    /// <summary>Whether another method of the type has this one's name and parameter types (the other part of a partial method aside).</summary>
    private static bool HasTwin(IMethodSymbol method) =>
        method.ContainingType?.GetMembers(method.Name).OfType<IMethodSymbol>().Any(other =>
            !SymbolEqualityComparer.Default.Equals(other, method)
            && !SymbolEqualityComparer.Default.Equals(other, method.PartialDefinitionPart)
            && !SymbolEqualityComparer.Default.Equals(other, method.PartialImplementationPart)
            && other.Parameters.Length == method.Parameters.Length
            && other.Parameters.Zip(method.Parameters, (a, b) => a.RefKind == b.RefKind && SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).All(same => same)) == true;

    /// <summary>Whether this is the implementing part of a partial method whose declaring part is marked [Differentiable] too.</summary>
    private static bool AttributedTwice(IMethodSymbol method, SemanticModel semanticModel, CancellationToken cancellationToken) =>
        method.PartialDefinitionPart?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax declaration
        && declaration.AttributeLists.SelectMany(list => list.Attributes).Any(attribute =>
            Symbols.IsNamed(semanticModel.Compilation.GetSemanticModel(attribute.SyntaxTree).GetSymbolInfo(attribute, cancellationToken).Symbol?.ContainingType, Symbols.DifferentiableAttribute));

    private static FunctionSpec? NotAMethod(List<DiagnosticInfo> diagnostics, SyntaxNode target)
    {
        var (location, name) = Describe(target);
        return Report(diagnostics, Diagnostics.NotAMethod, location, name);
    }

    /// <summary>
    /// Whether a target is parsed as a method: a method, or a user-defined operator of a differentiable struct, whose
    /// derivatives take its metadata name (<c>op_Addition</c> → <c>op_AdditionVectorJacobian</c>).
    /// </summary>
    private static bool IsParsed(BaseMethodDeclarationSyntax declaration, ISymbol? symbol) =>
        declaration is MethodDeclarationSyntax || declaration is OperatorDeclarationSyntax && symbol is IMethodSymbol { ContainingType: var type } && StructLayout.IsDifferentiable(type);

    /// <summary>Where to report about a method as a whole: its name, or an operator's symbol.</summary>
    internal static Location NameLocation(BaseMethodDeclarationSyntax declaration) => declaration switch
    {
        MethodDeclarationSyntax method => method.Identifier.GetLocation(),
        OperatorDeclarationSyntax op => op.OperatorToken.GetLocation(),
        _ => declaration.GetLocation(),
    };

    private static TypeSyntax ReturnTypeSyntax(BaseMethodDeclarationSyntax declaration) =>
        declaration is OperatorDeclarationSyntax op ? op.ReturnType : ((MethodDeclarationSyntax)declaration).ReturnType;

    private static FunctionSpec? ParseMethod(IMethodSymbol method, BaseMethodDeclarationSyntax declaration, SemanticModel semanticModel,
        List<DiagnosticInfo> diagnostics, ModelOfMethod model, ImplicitHelpers helpers, CancellationToken cancellationToken)
    {
        Location at = NameLocation(declaration);
        // An instance method of a type whose fields hold parameters is a model's: it differentiates them too.
        bool modelMethod = !method.IsStatic && method.ContainingType is { } owner && ModelParser.IsModel(owner);
        // A method over matrices, or a model's, is not generic: its derivatives take their matrices from an arena of one element type.
        List<TypeDeclarationSpec> containingTypes = CheckDeclaration(method, declaration, Naming.GradientMethod(method.Name), diagnostics, cancellationToken,
            Symbols.TakesOrReturnsMatrices(method) || modelMethod ? null : () => BodyOperation(method, declaration, semanticModel, cancellationToken), modelMethod);
        if (modelMethod)
            model.Fields = ModelParser.Parse(method.ContainingType!, semanticModel.Compilation, model.Diagnostics, cancellationToken);

        bool returnsArray = method.ReturnType is IArrayTypeSymbol { Rank: 1 } returnedArray && Symbols.ToScalarType(returnedArray.ElementType)?.IsFloatingPoint() == true;
        ScalarType? returnedMatrix = Symbols.MatrixType(method.ReturnType) is (var element, ValueShape.Matrix) ? element : null;
        ScalarType? tupleElements = TupleElementType(method.ReturnType);
        StructSpec? resultStruct = tupleElements is ScalarType elementType
            ? StructSpec.Tuple(method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), ((INamedTypeSymbol)method.ReturnType).TupleElements.Select(_ => elementType).ToList())
            : ResultStruct(method, declaration, semanticModel.Compilation, diagnostics);
        ScalarType? returnType = returnedMatrix ?? tupleElements ?? (resultStruct is not null ? resultStruct.Leaves.First(l => l.Differentiable).Type : (ScalarType?)null)
            ?? Symbols.ToScalarType(returnsArray ? ((IArrayTypeSymbol)method.ReturnType).ElementType : method.ReturnType);
        // A generic method's type parameter that is not floating-point: BP0007 or BP0014 says all there is to say; a struct, BP1012.
        if (returnType?.IsFloatingPoint() != true && !(method.IsGenericMethod && diagnostics.Any(d => d.Id is "BP0007" or "BP0014")) && StructLayout.Of(method.ReturnType) is null)
            Report(diagnostics, Diagnostics.UnsupportedReturnType, ReturnTypeSyntax(declaration).GetLocation(), method.Name, method.ReturnType.ToDisplayString());
        DerivativeKinds derivatives = Symbols.DerivativesOf(method);
        if (modelMethod)
            CheckModelMethod(method, derivatives, model.Fields, at, diagnostics);
        else
            CheckModesFitResult(method, returnsArray || resultStruct is not null || returnedMatrix is not null, derivatives, at, diagnostics);
        CheckMatrices(method, derivatives, at, diagnostics, modelMethod ? model : null);

        var parameters = method.Parameters.SelectMany(p => StructLayout.Of(p.Type) is { } layout
            ? StructParameter(p, method, layout, semanticModel.Compilation, diagnostics)
            : StructLayout.ArrayOf(p.Type) is var (element, isSpan)
            ? StructArrayParameter(p, method, element, isSpan, diagnostics)
            : GridElement(p.Type) is ScalarType gridElement
            ? GridParameter(p, method, gridElement, diagnostics)
            : JaggedElement(p.Type) is ScalarType rowElement
            ? JaggedParameter(p, method, rowElement, diagnostics)
            : new[] { ParseParameter(p, method, diagnostics) }).ToList();
        CheckGradientNames(method, parameters, "d", diagnostics);
        if ((derivatives & DerivativeKinds.Hessian) != 0)
            CheckGradientNames(method, parameters, "h", diagnostics);
        if (returnsArray || resultStruct is not null)
            CheckResultDerivativeName(method, parameters, diagnostics);
        EquatableArray<WalkedParameter> trained = (derivatives & DerivativeKinds.TrainStep) != 0
            ? TrainStepRequirements.Check(method, model.Fields, !(returnsArray || tupleElements is not null || returnedMatrix is not null), parameters, AttributeArgument(method) ?? at, diagnostics)
            : default;

        if (Body(method, declaration, semanticModel, diagnostics, cancellationToken) is not IOperation body)
            return null;
        // T mixed with double without a conversion (x * 2.0): the compiler's error says what to write; ours would be noise.
        if (method.IsGenericMethod && GenericMath.HasTypeErrors(body))
            return null;
        if (modelMethod && model.Fields is null)
            return null;
        // The body reads the implementing part's parameters, which are other symbols than the declaring part's.
        var fields = new List<ParameterSpec>();
        ForwardProgram? program = BodyLowering.Lower(method.PartialImplementationPart ?? method, derivatives, body, diagnostics, cancellationToken, helpers, model.Fields, fields);
        if (program is null)
            return null;

        return new FunctionSpec(Namespace(method), containingTypes.ToEquatableArray(), method.Name, Symbols.AccessibilityKeyword(method.DeclaredAccessibility),
            returnType!.Value, returnsArray, parameters.ToEquatableArray(), program, derivatives, HintName(method),
            ResultStruct: resultStruct,
            Operator: (declaration as OperatorDeclarationSyntax)?.OperatorToken.ValueText,
            TypeParameter: method.IsGenericMethod ? Naming.Identifier(method.TypeParameters[0].Name) : null,
            Constraints: method.IsGenericMethod ? GenericMath.Constraints(method.TypeParameters[0]) : null,
            ReturnsMatrix: returnedMatrix is not null,
            Model: modelMethod ? Symbols.TypeName(method.ContainingType!) + "." + Naming.GradientsType : null,
            Fields: fields.ToEquatableArray(),
            ModelParameters: trained);
    }

    /// <summary>
    /// A model's method has the gradient, the tangent, the Hessian-vector product (of a model without stacks of matrices)
    /// and the train step so far, and the model's gradients, direction and product are parameters named
    /// <c>gradients</c>, <c>direction</c> and <c>product</c>, which no parameter of its own may be.
    /// </summary>
    private static void CheckModelMethod(IMethodSymbol method, DerivativeKinds derivatives, ModelFields? model, Location at, List<DiagnosticInfo> diagnostics)
    {
        Location attribute = AttributeArgument(method) ?? at;
        DerivativeKinds others = derivatives & ~(DerivativeKinds.Gradient | DerivativeKinds.TrainStep | DerivativeKinds.Tangent | DerivativeKinds.Hessian);
        if (others != 0)
            Report(diagnostics, Diagnostics.ModeNotForModels, attribute, method.Name, method.ContainingType.Name, others.ToString().Replace(", ", " | Derivatives."),
                "a model's method has the gradient, the tangent, the Hessian-vector product and the train step");
        // Second derivatives through a stack (Matrix<T>[]) are not generated, for a static method's parameter (BP0010) as for a field.
        if ((derivatives & DerivativeKinds.Hessian) != 0 && model?.Parameters.FirstOrDefault(p => p.Role == ParameterRole.MatrixArray) is { } stack)
            Report(diagnostics, Diagnostics.ModeNotForModels, attribute, method.Name, method.ContainingType.Name, nameof(DerivativeKinds.Hessian),
                $"its field '{stack.Path}' is a stack of matrices ({stack.Type.ToDisplayString()}), through which second derivatives are not generated");
        foreach (string name in Naming.ModelParameters(derivatives))
        {
            if (method.Parameters.FirstOrDefault(p => p.Name == name) is { } clash)
                Report(diagnostics, Diagnostics.GradientNameCollision, clash.Locations.FirstOrDefault(), "the model's fields", name, method.Name, name);
        }
    }

    /// <summary>
    /// A method over matrices: its matrices share one element type (their gradients come from one arena), and so far it
    /// has the gradient and the tangent (forward mode), not second derivatives or Jacobians.
    /// </summary>
    /// <param name="model">For a model's method, its model, whose own inconsistencies are reported with it (once for all its methods); <c>null</c> for a static method.</param>
    private static void CheckMatrices(IMethodSymbol method, DerivativeKinds derivatives, Location at, List<DiagnosticInfo> diagnostics, ModelOfMethod? model = null)
    {
        var elements = method.Parameters.Select(p => p.Type).Append(method.ReturnType).Select(Symbols.MatrixType).Where(m => m is not null).Select(m => m!.Value.Element).Distinct().ToList();
        if (model?.Fields is { } fields)
        {
            // A model's matrices, and its method's, share the arena's element type.
            ModelField? first = null;
            foreach (ModelField field in fields.Parameters)
            {
                if (Symbols.MatrixType(field.Type) is not var (element, _))
                    continue;
                if (first is null)
                    first = field;
                else if (element != Symbols.MatrixType(first.Type)!.Value.Element)
                {
                    Report(model.Diagnostics, Diagnostics.ModelNotSupported, field.Member.Locations.FirstOrDefault(l => l.IsInSource) ?? at, fields.Type.Name,
                        $"its field '{field.Path}' is {field.Type.ToDisplayString()} but '{first.Path}' is {first.Type.ToDisplayString()}; every matrix of a model must be Matrix<float>, or every one Matrix<double>");
                    break;
                }
            }
            if (first is not null && elements.Count > 0 && !elements.Contains(Symbols.MatrixType(first.Type)!.Value.Element))
                Report(diagnostics, Diagnostics.ModelNotSupported, at, fields.Type.Name,
                    $"its field '{first.Path}' is {first.Type.ToDisplayString()} but '{method.Name}' uses matrices of {elements[0].Keyword()}; every matrix of a model and of its [Differentiable] methods must be Matrix<float>, or every one Matrix<double>");
        }
        if (elements.Count == 0 && !method.Parameters.Any(p => p.Type is INamedTypeSymbol named && Pullbacks.IsMatrix(named)))
            return;
        if (elements.Count != 1)
            Report(diagnostics, Diagnostics.UnsupportedParameter, at, method.Parameters.FirstOrDefault(p => Symbols.MatrixType(p.Type) is null && p.Type is INamedTypeSymbol named && Pullbacks.IsMatrix(named))?.Name ?? method.Parameters[0].Name, method.Name,
                "every matrix of a [Differentiable] method must be Matrix<float>, or every one Matrix<double>");
        // A model's method has no Jacobian (BP0015, reported with the model's other checks); no method has a Hessian through
        // a stack parameter (a model's stack fields are BP0015 too).
        if (model is null && (derivatives & DerivativeKinds.Jacobian) != 0
            || (derivatives & DerivativeKinds.Hessian) != 0 && method.Parameters.Any(p => Symbols.MatrixType(p.Type) is (_, ValueShape.MatrixArray)))
            Report(diagnostics, Diagnostics.ModeNotForMatrices, at, method.Name);
    }

    /// <summary>For a tuple whose elements are all doubles or all floats, their type.</summary>
    private static ScalarType? TupleElementType(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol { IsTupleType: true, TupleElements: var elements })
            return null;
        var types = elements.Select(e => Symbols.ToScalarType(e.Type)).Distinct().ToList();
        return types.Count == 1 && types[0]?.IsFloatingPoint() == true ? types[0] : null;
    }

    /// <summary>
    /// Checks what every [Differentiable] method needs (static, partial containing types; generic over one floating-point
    /// <c>T</c> when generic at all, for which <paramref name="body"/> gives the body, or <c>null</c> for a matrix method,
    /// which cannot be generic); returns those types, outermost first.
    /// </summary>
    private static List<TypeDeclarationSpec> CheckDeclaration(IMethodSymbol method, BaseMethodDeclarationSyntax baseDeclaration, string gradientName,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken, System.Func<IOperation?>? body = null, bool modelMethod = false)
    {
        Location at = NameLocation(baseDeclaration);
        // Only a method can be generic (an operator never is).
        var declaration = baseDeclaration as MethodDeclarationSyntax;
        if (!method.IsStatic && !modelMethod)
            Report(diagnostics, Diagnostics.MethodNotStatic, at, method.Name, method.ContainingType?.Name ?? "");
        if (method.IsGenericMethod && modelMethod)
            Report(diagnostics, Diagnostics.GenericMethod, declaration!.TypeParameterList!.GetLocation(), method.Name,
                "is generic, and a model's method is not: write it for the number type of the model's parameters");
        else if (method.IsGenericMethod && body is null)
            Report(diagnostics, Diagnostics.GenericMethod, declaration!.TypeParameterList!.GetLocation(), method.Name,
                "is generic, and a method over matrices is not: write it for Matrix<double> or Matrix<float>");
        else if (method.IsGenericMethod)
            GenericMath.Check(method, declaration!, body?.Invoke(), diagnostics);

        var containingTypes = new List<TypeDeclarationSpec>();
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            // A part generated in another file would declare another type.
            if (type.IsFileLocal)
                Report(diagnostics, Diagnostics.NotAMethod, at, $"'{method.Name}' out of the file-local type '{type.Name}' (generated code in another file cannot extend it)");
            TypeDeclarationSyntax? partialDeclaration = FindPartialDeclaration(type, cancellationToken);
            if (partialDeclaration is null)
            {
                Location typeLocation = type.Locations.FirstOrDefault(l => l.IsInSource) ?? at;
                Report(diagnostics, Diagnostics.TypeNotPartial, typeLocation, type.Name, gradientName);
                continue;
            }
            containingTypes.Insert(0, new TypeDeclarationSpec(TypeKeyword(partialDeclaration), partialDeclaration.Identifier.Text + partialDeclaration.TypeParameterList));
        }
        return containingTypes;
    }

    /// <summary>The operation tree of the method's body, or <c>null</c> when there is none to differentiate (reported) or the compiler reports syntax errors.</summary>
    private static IOperation? Body(IMethodSymbol method, BaseMethodDeclarationSyntax declaration, SemanticModel semanticModel,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        Location at = NameLocation(declaration);
        BaseMethodDeclarationSyntax bodySyntax = (BaseMethodDeclarationSyntax?)ImplementationOf(method, cancellationToken) ?? declaration;
        // The compiler reports syntax errors itself; a gradient of its error recovery, or our diagnostics about it, would be noise.
        if (HasSyntaxErrors(declaration) || HasSyntaxErrors(bodySyntax))
            return null;
        if (bodySyntax.Body is null && bodySyntax.ExpressionBody is null)
        {
            Report(diagnostics, Diagnostics.NoBody, at, method.Name);
            return null;
        }
        if (diagnostics.Count > 0)
            return null;
        return BodyOperation(method, declaration, semanticModel, cancellationToken);
    }

    /// <summary>The operation tree of the method's declaration, of its implementing part for a partial method.</summary>
    private static IOperation? BodyOperation(IMethodSymbol method, BaseMethodDeclarationSyntax declaration, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        BaseMethodDeclarationSyntax bodySyntax = (BaseMethodDeclarationSyntax?)ImplementationOf(method, cancellationToken) ?? declaration;
        SemanticModel bodyModel = bodySyntax.SyntaxTree == semanticModel.SyntaxTree
            ? semanticModel
            : semanticModel.Compilation.GetSemanticModel(bodySyntax.SyntaxTree);
        return bodyModel.GetOperation(bodySyntax, cancellationToken);
    }

    internal static string? Namespace(IMethodSymbol method) =>
        method.ContainingNamespace.IsGlobalNamespace ? null : method.ContainingNamespace.ToDisplayString();

    internal static ParameterSpec ParseParameter(IParameterSymbol parameter, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
    {
        Location at = parameter.Locations.FirstOrDefault() ?? Location.None;
        string typeName = parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        RefusedByReference(parameter, method, diagnostics);

        bool noDerivative = Symbols.HasAttribute(parameter, Symbols.NoDerivativeAttribute);
        if (Symbols.MatrixType(parameter.Type) is var (element, shape))
            return new ParameterSpec(parameter.Name, typeName, element, false,
                noDerivative ? ParameterRole.Passive : shape == ValueShape.Matrix ? ParameterRole.Matrix : ParameterRole.MatrixArray);
        if (parameter.Type is IArrayTypeSymbol array)
        {
            if (array.Rank != 1 || Symbols.ToScalarType(array.ElementType) is not ScalarType elementType)
            {
                Report(diagnostics, Diagnostics.UnsupportedParameter, at, parameter.Name, method.Name, UnsupportedArray(array));
                return new ParameterSpec(parameter.Name, typeName, null, true, ParameterRole.Passive);
            }
            // An array of integers or bools is data (labels, indices): read, never differentiated.
            return new ParameterSpec(parameter.Name, typeName, elementType, true, noDerivative || !elementType.IsFloatingPoint() ? ParameterRole.Passive : ParameterRole.Array);
        }
        if (Symbols.SpanElement(parameter.Type) is ScalarType spanElement)
            return new ParameterSpec(parameter.Name, typeName, spanElement, true, noDerivative || !spanElement.IsFloatingPoint() ? ParameterRole.Passive : ParameterRole.Array, IsSpan: true);
        ScalarType? type = Symbols.ToScalarType(parameter.Type);
        bool differentiable = type?.IsFloatingPoint() == true && !noDerivative;
        return new ParameterSpec(parameter.Name, typeName, type, false, differentiable ? ParameterRole.Scalar : ParameterRole.Passive);
    }

    /// <summary>Why an array parameter is refused (BP0004), and what to pass instead.</summary>
    private static string UnsupportedArray(IArrayTypeSymbol array)
    {
        ITypeSymbol innermost = array;
        while (innermost is IArrayTypeSymbol nested)
            innermost = nested.ElementType;
        string element = innermost.ToDisplayString();
        return GridElement(array) is not null || JaggedElement(array) is not null
            ? "a helper called from differentiable code does not take two-dimensional arrays or arrays of arrays yet; read the elements in the [Differentiable] method, or pass a one-dimensional array"
            : Symbols.ToScalarType(innermost) == ScalarType.Generic
            ? $"a generic method's two-dimensional arrays and arrays of arrays are not supported yet; pass a one-dimensional {element}[] indexed i * columns + j"
            : array.Rank > 2 && Symbols.ToScalarType(innermost) is not null
            ? $"'{element}[{new string(',', array.Rank - 1)}]' has {array.Rank} dimensions; pass a two-dimensional {element}[,] or a one-dimensional {element}[] indexed i * columns + j"
            : array.ElementType is IArrayTypeSymbol && Symbols.ToScalarType(innermost) is not null
            ? $"'{array.ToDisplayString()}' nests arrays more than two deep or holds two-dimensional ones; pass a {element}[][] of rows, a {element}[,] or a one-dimensional {element}[] indexed i * columns + j"
            : Symbols.SmallIntegerAlternative(innermost) is string alternative
            ? $"arrays of '{element}' are not read as data yet; pass an array of {alternative}"
            : "arrays of double and float are differentiated (one-dimensional, two-dimensional or arrays of arrays), and arrays of int, long, byte and bool read as data; pass one of those";
    }

    /// <summary>Reports a <c>ref</c>, <c>out</c> or <c>in</c> parameter (BP0004): derivatives take their inputs by value.</summary>
    /// <returns>Whether it was one.</returns>
    private static bool RefusedByReference(IParameterSymbol parameter, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
    {
        if (parameter.RefKind == RefKind.None)
            return false;
        Report(diagnostics, Diagnostics.UnsupportedParameter, parameter.Locations.FirstOrDefault() ?? Location.None, parameter.Name, method.Name,
            $"'{parameter.RefKind.ToString().ToLowerInvariant()}' parameters cannot be differentiated; pass it by value");
        return true;
    }

    /// <summary>
    /// A struct parameter, as the forward program reads it: one parameter per leaf (<c>p_X</c>), each differentiated when
    /// the leaf is a double or float and neither it nor the parameter is marked <c>[NoDerivative]</c>. The derivative
    /// methods take the struct whole, so generated code must read its leaves and make values of it (BP1012 otherwise).
    /// </summary>
    private static IEnumerable<ParameterSpec> StructParameter(IParameterSymbol parameter, IMethodSymbol method, StructLayout layout, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        Location at = parameter.Locations.FirstOrDefault() ?? Location.None;
        RefusedByReference(parameter, method, diagnostics);
        string why = "";
        string? creation = layout.Refusal is null ? layout.Creation(compilation, method.ContainingType, out why) : null;
        if (creation is null)
        {
            Report(diagnostics, Diagnostics.StructNotDifferentiable, at, layout.Type.Name, $"the parameter '{parameter.Name}' of '{method.Name}'", layout.Refusal ?? why);
            return Enumerable.Empty<ParameterSpec>();
        }
        bool noDerivative = Symbols.HasAttribute(parameter, Symbols.NoDerivativeAttribute);
        StructSpec spec = layout.Spec(creation);
        // An array member is an array parameter: its gradient, an array of its length, which the derivative methods allocate.
        return layout.Leaves.Select((leaf, i) => new ParameterSpec(StructLeafName(parameter.Name, leaf.Name), leaf.Type.Keyword() + (leaf.IsArray ? "[]" : ""), leaf.Type, leaf.IsArray,
            leaf.Differentiable && !noDerivative ? (leaf.IsArray ? ParameterRole.Array : ParameterRole.Scalar) : ParameterRole.Passive, Struct: new StructMembership(parameter.Name, spec, i)));
    }

    /// <summary>
    /// An array (or span) of structs, as the forward program reads it: the span of the numbers it holds, in order
    /// (<c>x_values</c>), differentiated as an array of numbers is. Its numbers must all be doubles or all floats, laid out
    /// one after another (BP1012 otherwise); generated code views it so, and its gradient buffer too, without copying.
    /// </summary>
    private static IEnumerable<ParameterSpec> StructArrayParameter(IParameterSymbol parameter, IMethodSymbol method, StructLayout layout, bool isSpan,
        List<DiagnosticInfo> diagnostics)
    {
        Location at = parameter.Locations.FirstOrDefault() ?? Location.None;
        var types = layout.Leaves.Select(l => l.Type).Distinct().ToList();
        string? problem = layout.Refusal
            ?? (types.Count != 1 || !types[0].IsFloatingPoint() || layout.ArrayMember is not null ? "an array of it is read as the numbers it holds, which must then be all double or all float (and no array)" : null)
            ?? layout.Unpacked();
        if (parameter.RefKind != RefKind.None)
            problem = $"'{parameter.RefKind.ToString().ToLowerInvariant()}' parameters cannot be differentiated; pass it by value";
        if (problem is not null)
        {
            Report(diagnostics, Diagnostics.StructNotDifferentiable, at, layout.Type.Name, $"the parameter '{parameter.Name}' of '{method.Name}'", problem);
            return Enumerable.Empty<ParameterSpec>();
        }
        ScalarType type = types[0];
        bool differentiated = layout.Leaves.Any(l => l.Differentiable) && !Symbols.HasAttribute(parameter, Symbols.NoDerivativeAttribute);
        return new[]
        {
            new ParameterSpec(StructArrayName(parameter.Name), $"global::System.ReadOnlySpan<{type.Keyword()}>", type, true, differentiated ? ParameterRole.Array : ParameterRole.Passive,
                IsSpan: true, Struct: new StructMembership(parameter.Name, layout.Spec(""), -1, new StructArray(Symbols.TypeName(layout.Type), isSpan))),
        };
    }

    /// <summary>
    /// A two-dimensional array of numbers (<c>double[,] a</c>), as the forward program reads it: the span of its elements,
    /// row after row (<c>a_values</c>), differentiated as an array of numbers is when they are doubles or floats and the
    /// parameter is not <c>[NoDerivative]</c>, and its dimensions (<c>a_rows</c>, <c>a_columns</c>), passive ints. The
    /// derivative methods view the array, and its gradient and direction (arrays of its dimensions, checked), so, without
    /// copying, and bind its dimensions once.
    /// </summary>
    private static IEnumerable<ParameterSpec> GridParameter(IParameterSymbol parameter, IMethodSymbol method, ScalarType element,
        List<DiagnosticInfo> diagnostics)
    {
        if (RefusedByReference(parameter, method, diagnostics))
            return Enumerable.Empty<ParameterSpec>();
        bool differentiated = element.IsFloatingPoint() && !Symbols.HasAttribute(parameter, Symbols.NoDerivativeAttribute);
        var spec = new StructSpec(element.Keyword() + "[,]", GridDimensions.ToEquatableArray(), "");
        return new[]
        {
            new ParameterSpec(StructArrayName(parameter.Name), $"global::System.ReadOnlySpan<{element.Keyword()}>", element, true, differentiated ? ParameterRole.Array : ParameterRole.Passive,
                IsSpan: true, Struct: new StructMembership(parameter.Name, spec, -1, new StructArray(element.Keyword(), false, IsGrid: true))),
        }.Concat(GridDimensions.Select((dimension, k) =>
            new ParameterSpec(StructLeafName(parameter.Name, dimension.Name), "int", ScalarType.Int, false, ParameterRole.Passive, Struct: new StructMembership(parameter.Name, spec, k))));
    }

    /// <summary>
    /// An array of arrays of numbers (<c>double[][] x</c>), as the forward program reads it: one array (<c>x_values</c>),
    /// differentiated when its numbers are doubles or floats and the parameter is not <c>[NoDerivative]</c>, whose element
    /// <c>x[i][j]</c> the derivative methods read in place through <c>global::Backprop.RowElements&lt;T&gt;</c> at <c>x_values.At(i, j)</c>.
    /// Its gradient and direction are arrays of arrays of its rows' lengths (checked), read and written the same way.
    /// </summary>
    private static IEnumerable<ParameterSpec> JaggedParameter(IParameterSymbol parameter, IMethodSymbol method, ScalarType element,
        List<DiagnosticInfo> diagnostics)
    {
        if (RefusedByReference(parameter, method, diagnostics))
            return Enumerable.Empty<ParameterSpec>();
        bool differentiated = element.IsFloatingPoint() && !Symbols.HasAttribute(parameter, Symbols.NoDerivativeAttribute);
        return new[]
        {
            new ParameterSpec(StructArrayName(parameter.Name), $"global::Backprop.RowElements<{element.Keyword()}>", element, true, differentiated ? ParameterRole.Array : ParameterRole.Passive,
                IsSpan: true, Struct: new StructMembership(parameter.Name, new StructSpec(element.Keyword() + "[][]", EquatableArray<StructLeaf>.Empty, ""), -1,
                    new StructArray(element.Keyword(), false, IsJagged: true))),
        };
    }

    /// <summary>The element type of an array of arrays of numbers (not of a generic method's <c>T</c>), or <c>null</c>.</summary>
    internal static ScalarType? JaggedElement(ITypeSymbol type) =>
        type is IArrayTypeSymbol { Rank: 1, ElementType: IArrayTypeSymbol { Rank: 1, ElementType: var element } } && Symbols.ToScalarType(element) is ScalarType scalar and not ScalarType.Generic
            ? scalar : null;

    /// <summary>The dimensions of a two-dimensional array parameter, which the derivative methods read once: <c>int a_rows = a.GetLength(0);</c>.</summary>
    internal static readonly StructLeaf[] GridDimensions =
    {
        new("GetLength(0)", "rows", ScalarType.Int, false),
        new("GetLength(1)", "columns", ScalarType.Int, false),
    };

    /// <summary>The element type of a two-dimensional array of numbers (not of a generic method's <c>T</c>), or <c>null</c>.</summary>
    internal static ScalarType? GridElement(ITypeSymbol type) =>
        type is IArrayTypeSymbol { Rank: 2, ElementType: var element } && Symbols.ToScalarType(element) is ScalarType scalar and not ScalarType.Generic ? scalar : null;

    /// <summary>The span of the numbers an array of structs or a two-dimensional array holds: <c>x_values</c>.</summary>
    internal static string StructArrayName(string parameter) => parameter + "_values";

    /// <summary>The variable holding a leaf of a struct parameter: <c>p_X</c>, <c>body_Position_X</c>.</summary>
    internal static string StructLeafName(string parameter, string leaf) => parameter + "_" + leaf;

    /// <summary>
    /// A struct result: its leaves, of which the differentiable ones share one type (the cotangent and the Jacobian's rows
    /// are theirs), and how generated code makes one; <c>null</c> for another result, or after BP1012.
    /// </summary>
    private static StructSpec? ResultStruct(IMethodSymbol method, BaseMethodDeclarationSyntax declaration, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        if (StructLayout.Of(method.ReturnType) is not { } layout)
            return null;
        string why = "";
        string? creation = layout.Refusal is null ? layout.Creation(compilation, method.ContainingType, out why) : null;
        var types = layout.Leaves.Where(l => l.Differentiable).Select(l => l.Type).Distinct().ToList();
        string? problem = layout.Refusal ?? (creation is null ? why
            : layout.ArrayMember is { } array ? $"it holds an array ('{array.Code}'); a struct holding arrays is taken as a parameter and read, not returned"
            : types.Count == 0 ? "it has no double or float member to differentiate"
            : types.Count > 1 ? "its differentiated members mix double and float; make them all double or all float" : null);
        if (problem is null)
            return layout.Spec(creation!);
        Report(diagnostics, Diagnostics.StructNotDifferentiable, ReturnTypeSyntax(declaration).GetLocation(), layout.Type.Name, $"the result of '{method.Name}'", problem);
        return null;
    }

    /// <summary>Second derivatives need a scalar result; a Jacobian, an array or tuple result (a scalar's Jacobian is its gradient).</summary>
    private static void CheckModesFitResult(IMethodSymbol method, bool returnsSeveralValues, DerivativeKinds derivatives, Location at, List<DiagnosticInfo> diagnostics)
    {
        var (mode, advice) = returnsSeveralValues
            ? (DerivativeKinds.Hessian, "second derivatives need a double or float result: differentiate a scalar function of the result, such as a loss, or use Derivatives.Jacobian")
            : (DerivativeKinds.Jacobian, "its Jacobian is its gradient: use Derivatives.Gradient, or return a double[] or float[]");
        if ((derivatives & mode) != 0)
            Report(diagnostics, Diagnostics.ModeNotForResult, AttributeArgument(method) ?? at, method.Name, method.ReturnType.ToDisplayString(), mode.ToString(), advice);
    }

    /// <summary>The argument of the method's <c>[Differentiable(…)]</c>, where a mode is asked for.</summary>
    private static Location? AttributeArgument(IMethodSymbol method) =>
        method.GetAttributes().FirstOrDefault(a => Symbols.IsNamed(a.AttributeClass, Symbols.DifferentiableAttribute))?.ApplicationSyntaxReference?.GetSyntax()
            is AttributeSyntax { ArgumentList.Arguments: { Count: > 0 } arguments } ? arguments[0].GetLocation() : null;

    /// <summary>An array result's derivative is the parameter <c>dresult</c>: no parameter or gradient may take that name.</summary>
    private static void CheckResultDerivativeName(IMethodSymbol method, List<ParameterSpec> parameters, List<DiagnosticInfo> diagnostics)
    {
        const string name = Naming.ResultDerivative;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            bool taken = parameter.Name == name || parameters.Any(p => p.Name == parameter.Name && p.Role != ParameterRole.Passive && p.GradientName == name);
            if (taken)
                Report(diagnostics, Diagnostics.GradientNameCollision, parameter.Locations.FirstOrDefault(), "the result", name, method.Name, parameter.Name);
        }
    }

    /// <param name="prefix"><c>d</c> for gradients and tangents, <c>h</c> for Hessian-vector products.</param>
    private static void CheckGradientNames(IMethodSymbol method, List<ParameterSpec> parameters, string prefix, List<DiagnosticInfo> diagnostics)
    {
        foreach (string differentiated in parameters.Where(p => p.Role != ParameterRole.Passive).Select(p => p.Struct?.Parameter ?? p.Name).Distinct())
        {
            // Symbols carry names unescaped (@do is "do").
            string name = prefix + differentiated;
            IParameterSymbol? clash = method.Parameters.FirstOrDefault(p => p.Name == name);
            if (clash is not null)
                Report(diagnostics, Diagnostics.GradientNameCollision, clash.Locations.FirstOrDefault(), $"parameter '{differentiated}'", name, method.Name, name);
        }
    }

    internal static TypeDeclarationSyntax? FindPartialDeclaration(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                return declaration;
        }
        return null;
    }

    internal static bool HasSyntaxErrors(SyntaxNode node) =>
        node.ContainsDiagnostics && node.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);

    internal static MethodDeclarationSyntax? ImplementationOf(IMethodSymbol method, CancellationToken cancellationToken) =>
        method.PartialImplementationPart?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as MethodDeclarationSyntax;

    internal static string TypeKeyword(TypeDeclarationSyntax declaration) => declaration switch
    {
        RecordDeclarationSyntax record => record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
        _ => declaration.Keyword.ValueText,
    };

    /// <summary><c>{Namespace}.{Type}.{Method}.g.cs</c>; overloads get their parameter types appended so each has its own file.</summary>
    internal static string HintName(IMethodSymbol method)
    {
        var parts = new List<string>();
        if (!method.ContainingNamespace.IsGlobalNamespace)
            parts.Add(method.ContainingNamespace.ToDisplayString());
        var types = new List<string>();
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
            types.Insert(0, type.Arity == 0 ? type.Name : $"{type.Name}`{type.Arity}");
        parts.AddRange(types);
        string name = method.Name;
        if (method.ContainingType.GetMembers(method.Name).Length > 1)
            name += "(" + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat))) + ")";
        parts.Add(name);
        return Regex.Replace(string.Join(".", parts), @"[^\w.,()`-]", "_") + ".g.cs";
    }

    private static FunctionSpec? Report(List<DiagnosticInfo> diagnostics, DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
        return null;
    }
}
