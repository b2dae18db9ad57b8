using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>Calls: <c>Math</c> functions, other <c>[Differentiable]</c> methods, functions with a <c>[DerivativeOf]</c> pullback, and passive calls.</summary>
internal sealed partial class BodyLowering
{
    private int? LowerCall(IInvocationOperation invocation, ScalarType type)
    {
        IMethodSymbol target = invocation.TargetMethod;
        if (target.MethodKind == MethodKind.DelegateInvoke)
            return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, "Calling a delegate or lambda",
                "write the computation as a static method (a plain static method is differentiated as an implicit helper) and call it");
        if (_helpers.IsBeingLowered(target))
            return Report(Diagnostics.Recursion, invocation.Syntax, target.Name);
        // A struct's method, or a method taking or returning a struct, is inlined (local functions among them).
        if (ModelCallReceiver(invocation) is null && IsStructCall(invocation))
            return Inlined(InlineStructCall(invocation), type);
        if (target.MethodKind == MethodKind.LocalFunction)
            return LowerLocalFunctionCall(invocation, type);
        // A method of the model, or of a model it holds, is inlined as a layer is.
        if (ModelCallReceiver(invocation) is not null)
        {
            if (IsBeingInlined(target))
                return Report(Diagnostics.Recursion, invocation.Syntax, target.Name);
            return InlinedBodyOf(invocation) is { } inlined && InlineBody(invocation, inlined) is { Count: 1 } values && !IsTupleOfNumbers(target.ReturnType)
                ? _nodes.Convert(_nodes.Read(values[0], _variablesByName[values[0]].Type), type)
                : InlinedBodyOf(invocation) is null ? NoRuleFor(invocation, target) : null;
        }
        if (Symbols.TakesOrReturnsMatrices(target))
        {
            // A number computed from matrices: an operation with a pullback, or a method of this compilation, inlined.
            if (Pullbacks.Find(target) is not null)
                return LowerOperation(target, ArgumentsInOrder(invocation), invocation) is int reduced ? _nodes.Convert(reduced, type) : null;
            if (InlinedBodyOf(invocation) is { } body)
                return InlineBody(invocation, body) is { Count: 1 } results ? _nodes.Convert(_nodes.Read(results[0], _variablesByName[results[0]].Type), type) : null;
            return NoRuleFor(invocation, target);
        }

        // A row of an array of arrays passed to a method of this compilation: its body, inlined, reads the row in place.
        if (PassesRow(invocation) && InlinedBodyOf(invocation) is { } rowReader)
            return Inlined(InlineBody(invocation, rowReader), type);

        Op op;
        CallTarget? call = null;
        if (MathFunctions.TryGetOperation(target, out Op math))
            op = math;
        // A generic callee is called as written, its type argument inferred: T, or double or float from a caller of those.
        else if (Symbols.HasAttribute(target.OriginalDefinition, Symbols.DifferentiableAttribute) && target.IsStatic && (!target.IsGenericMethod || IsGenericMath(target)))
        {
            DerivativeKinds missing = CalleeDerivatives(_derivatives) & ~Symbols.DerivativesOf(target.OriginalDefinition);
            if (missing != 0)
                return Report(Diagnostics.CalleeLacksDerivative, invocation.Syntax, target.Name, _method.Name, missing.ToString().Replace(", ", " | Derivatives."));
            op = Op.Call;
            bool[] differentiable = target.Parameters.Select(p => IsFloatingPoint(p.Type) && !Symbols.HasAttribute(p, Symbols.NoDerivativeAttribute)).ToArray();
            call = Target(target, differentiable) with { Undifferentiated = Undifferentiated(invocation, differentiable, pullback: false) };
            // A generic callee's [NoDerivative] parameters stay undifferentiated: passing one a varying value is BP1009.
            if (!target.IsGenericMethod)
                call = WithEveryParameter(invocation, call);
        }
        else if (type.IsFloatingPoint() && ScalarPullback(target) is { } rule)
        {
            if ((_derivatives & DerivativeKinds.Hessian) != 0)
                return Report(Diagnostics.PullbackLacksSecondDerivative, invocation.Syntax, target.Name, _method.Name);
            if (Symbols.WhyInaccessible(rule.Pullback, _method.ContainingType) is string why)
                return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, $"Calling '{target.Name}', whose pullback the generated code cannot call ({why}),",
                    "make the pullback and the types around it internal or public");
            op = Op.Call;
            call = new CallTarget(target.ToDisplayString(QualifiedName), rule.Gradients.ToEquatableArray(), DerivativeKinds.Gradient | DerivativeKinds.Tangent,
                rule.Pullback.ToDisplayString(QualifiedName), Undifferentiated(invocation, rule.Gradients, pullback: true));
        }
        else if (type.IsFloatingPoint() && _helpers.IsCandidate(target) && Pullbacks.Find(target) is null)
        {
            ImplicitHelpers.Helper helper = _helpers.Resolve(target, CalleeDerivatives(_derivatives));
            if (helper.Failure is not null)
            {
                // Every call of a helper reaches the same construct: say so once.
                if (!_diagnostics.Contains(helper.Failure))
                    _diagnostics.Add(helper.Failure);
                return null;
            }
            if (helper.Differentiable is null)
                return Report(Diagnostics.NoKnownDerivative, invocation.Syntax, target.ToDisplayString());
            op = Op.Call;
            call = WithEveryParameter(invocation, new CallTarget(target.ToDisplayString(QualifiedName), helper.Differentiable.ToEquatableArray(), helper.Derivatives,
                Undifferentiated: Undifferentiated(invocation, helper.Differentiable, pullback: false), DerivativesAt: helper.DerivativesAt));
        }
        else if (!type.IsFloatingPoint() && target.IsStatic)
        {
            op = Op.PassiveCall;
            call = Target(target, target.Parameters.Select(_ => false));
        }
        else if (target.IsStatic && Pullbacks.Find(target) is not null)
            return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, $"Calling '{target.Name}' through its [DerivativeOf] pullback",
                "a method over scalars uses the pullbacks of static, non-generic methods taking double, float, int, long or bool values and returning double or float; mark it [Differentiable] instead");
        else
            return Report(Diagnostics.NoKnownDerivative, invocation.Syntax, target.ToDisplayString());

        return LowerArguments(invocation, out int[] arguments) ? _nodes.Add(op, type, arguments, 0, null, call) : null;
    }

    /// <summary>
    /// <c>s = Step(s, p)</c>: a <c>[Differentiable]</c> method returning an array, called where its result is given to a local
    /// array (in a loop, say): a call node of array shape. The forward sweep calls it; the reverse sweep calls its
    /// vector-Jacobian product with the result's gradient; the tangent, its tangent.
    /// </summary>
    private int? LowerArrayCall(IInvocationOperation invocation, ScalarType element)
    {
        IMethodSymbol target = invocation.TargetMethod;
        if (_helpers.IsBeingLowered(target))
            return Report(Diagnostics.Recursion, invocation.Syntax, target.Name);
        if (!Symbols.HasAttribute(target.OriginalDefinition, Symbols.DifferentiableAttribute) || !target.IsStatic || target.IsGenericMethod && !IsGenericMath(target))
            return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, $"Calling '{target.Name}', which returns an array and is not [Differentiable], here",
                $"mark '{target.Name}' [Differentiable] (its vector-Jacobian product is then chained through the calls), or call it at the top level of the method ({target.ReturnType.ToDisplayString()} y = {target.Name}(…);), where its body is inlined");
        if ((_derivatives & DerivativeKinds.Hessian) != 0)
            return Report(Diagnostics.UnsupportedExpression, invocation.Syntax, $"Calling '{target.Name}', which returns an array, from '{_method.Name}', which asks for Derivatives.Hessian,",
                $"remove Derivatives.Hessian from '{_method.Name}' (an array result has no second derivatives), or call '{target.Name}' at the top level of the method ({target.ReturnType.ToDisplayString()} y = {target.Name}(…);), where its body is inlined");
        DerivativeKinds missing = CalleeDerivatives(_derivatives) & ~Symbols.DerivativesOf(target.OriginalDefinition);
        if (missing != 0)
            return Report(Diagnostics.CalleeLacksDerivative, invocation.Syntax, target.Name, _method.Name, missing.ToString().Replace(", ", " | Derivatives."));
        bool[] differentiable = target.Parameters.Select(p => IsFloatingPoint(p.Type) && !Symbols.HasAttribute(p, Symbols.NoDerivativeAttribute)).ToArray();
        CallTarget call = Target(target, differentiable) with { Undifferentiated = Undifferentiated(invocation, differentiable, pullback: false) };
        return LowerArguments(invocation, out int[] arguments) ? _nodes.Add(Op.Call, element, arguments, 0, null, call, ValueShape.Array) : null;
    }

    /// <summary>A call's arguments, in the callee's parameter order: arrays and spans by name, values lowered; false after a report.</summary>
    private bool LowerArguments(IInvocationOperation invocation, out int[] arguments)
    {
        IMethodSymbol target = invocation.TargetMethod;
        arguments = new int[invocation.Arguments.Length];
        bool ok = true;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter!.RefKind != RefKind.None)
            {
                Report(Diagnostics.UnsupportedExpression, argument.Syntax, "Passing a ref, out or in argument", "pass the value");
                ok = false;
            }
            else if (argument.Parameter.Type.TypeKind == TypeKind.Enum)
            {
                // The body holds enums as their numbers; the call would need the enum back.
                Report(Diagnostics.UnsupportedExpression, argument.Syntax, $"Passing the enum value '{argument.Syntax}' to '{target.Name}'",
                    $"give '{target.Name}' an int parameter and pass (int){argument.Syntax}, or branch on the value here and call it from each branch");
                ok = false;
            }
            else if (argument.Parameter.Type is IArrayTypeSymbol || Symbols.SpanElement(argument.Parameter.Type) is not null)
            {
                IOperation passed = argument.Value is IConversionOperation conversion ? conversion.Operand : argument.Value;
                if (RefuseGridArgument(passed, target))
                    ok = false;
                else if (ArrayVariable(passed) is (string array, _))
                    arguments[argument.Parameter.Ordinal] = _nodes.Add(Op.ArrayArgument, _variablesByName[array].Type, null, 0, array, null);
                else
                    ok = false;
            }
            else if (LowerValue(argument.Value) is int value)
                arguments[argument.Parameter.Ordinal] = Symbols.ToScalarType(argument.Parameter.Type) is ScalarType p ? _nodes.Convert(value, p) : value;
            else
                ok = false;
        }
        return ok;
    }

    /// <summary>
    /// The <c>[DerivativeOf]</c> rule of a static, non-generic scalar function: double or float result, parameters the
    /// forward program can pass by value (double, float, int, long, bool); <c>null</c> for anything else.
    /// </summary>
    private static Pullbacks.Rule? ScalarPullback(IMethodSymbol target) =>
        target.IsStatic && !target.IsGenericMethod && target.ContainingType.TypeParameters.Length == 0
        && Symbols.ToScalarType(target.ReturnType) is ScalarType result && result.IsFloatingPoint()
        && target.Parameters.All(p => p.RefKind == RefKind.None && Symbols.ToScalarType(p.Type) is not null)
            ? Pullbacks.Find(target)
            : null;

    /// <summary>A method generic over one floating-point <c>T</c>, whose derivatives are generic alike.</summary>
    private static bool IsGenericMath(IMethodSymbol method) =>
        method.OriginalDefinition.TypeParameters is { Length: 1 } parameters && GenericMath.IsFloatingPointParameter(parameters[0]);

    private static bool IsFloatingPoint(ITypeSymbol type) => VariableType(type) is var (t, _) && t.IsFloatingPoint() || Symbols.MatrixType(type) is not null;

    /// <summary>
    /// The call as it is, or, when it gives a value that may vary to a [NoDerivative] parameter of a callee whose body is
    /// in this compilation (a [Differentiable] method or an implicit helper), the callee's derivatives that differentiate
    /// that parameter too.
    /// </summary>
    private CallTarget WithEveryParameter(IInvocationOperation invocation, CallTarget call)
    {
        if (!invocation.Arguments.Any(a => a.Parameter is { } p && !call.Differentiable[p.Ordinal] && IsFloatingPoint(p.Type) && MayVary(a.Value))
            || _helpers.ResolveWithEveryParameter(invocation.TargetMethod, CalleeDerivatives(_derivatives)) is not { Differentiable: { } every } variant)
            return call;
        return call with { Differentiable = every.ToEquatableArray(), Derivatives = variant.Derivatives, Undifferentiated = default, DerivativesAt = variant.DerivativesAt };
    }

    /// <summary>
    /// Whether an argument may vary with this method's differentiable parameters, judged before activity analysis, so
    /// conservatively: only constants, integers and [NoDerivative] parameters the body never assigns surely do not.
    /// </summary>
    private bool MayVary(IOperation argument)
    {
        if (argument.ConstantValue.HasValue)
            return false;
        foreach (IOperation reference in argument.DescendantsAndSelf())
        {
            if (reference is IParameterReferenceOperation { Parameter: var parameter } && CarriesNumbers(parameter.Type)
                && (!Symbols.HasAttribute(parameter, Symbols.NoDerivativeAttribute) || _assignedParameters.Contains(parameter)))
                return true;
            if (reference is ILocalReferenceOperation { Local.Type: var type } && !(ValueType(type) is ScalarType scalar && !scalar.IsFloatingPoint()))
                return true;
        }
        return ReadsParameterField(argument);
    }

    /// <summary>
    /// Whether a parameter of this type holds numbers that may be differentiated: a number, a struct or a matrix, or an
    /// array (of any rank or nesting) or span of them (<c>x[i, j]</c> and <c>x[i][j]</c> vary as <c>x[i]</c> does).
    /// </summary>
    private static bool CarriesNumbers(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => CarriesNumbers(array.ElementType),
        INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1 } span => CarriesNumbers(span.TypeArguments[0]),
        _ => IsFloatingPoint(type) || StructLayout.Of(type) is not null,
    };

    /// <summary>The floating-point parameters whose derivative the callee leaves out, each with the argument this call passes it.</summary>
    private static EquatableArray<UndifferentiatedParameter> Undifferentiated(IInvocationOperation invocation, IReadOnlyList<bool> differentiable, bool pullback) =>
        invocation.Arguments
            .Where(a => a.Parameter is { } p && !differentiable[p.Ordinal] && IsFloatingPoint(p.Type))
            .Select(a => new UndifferentiatedParameter(a.Parameter!.Ordinal, a.Parameter.Name, invocation.TargetMethod.Name, pullback, SourceSpan.From(a.Syntax.GetLocation())))
            .ToEquatableArray();

    /// <summary>What a callee must have for the caller's derivatives: a Jacobian runs the callee's tangents and gradients.</summary>
    private static DerivativeKinds CalleeDerivatives(DerivativeKinds caller)
    {
        // A train step is the gradient's code: it calls its callees' gradients.
        if ((caller & DerivativeKinds.TrainStep) != 0)
            caller = (caller & ~DerivativeKinds.TrainStep) | DerivativeKinds.Gradient;
        return (caller & DerivativeKinds.Jacobian) == 0 ? caller : (caller & ~DerivativeKinds.Jacobian) | DerivativeKinds.Gradient | DerivativeKinds.Tangent;
    }

    private static CallTarget Target(IMethodSymbol method, IEnumerable<bool> differentiable) =>
        new(CalleeName(method), differentiable.ToEquatableArray(), Symbols.DerivativesOf(method.OriginalDefinition));

    /// <summary>
    /// A callee as a call names it: <c>global::Ns.Type.G</c>, with no type arguments, which the arguments let C# infer
    /// (so derivative suffixes make names too); <c>T.IsNaN</c> for a member of the generic-math type <c>T</c>.
    /// </summary>
    private static string CalleeName(IMethodSymbol method) =>
        GenericMath.IsMemberOfT(method) ? $"{Naming.Identifier(method.ContainingType.TypeArguments[0].Name)}.{method.Name}"
        : method.IsGenericMethod ? $"{method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}.{Naming.Identifier(method.Name)}"
        : method.ToDisplayString(QualifiedName);

    /// <summary><c>global::Ns.Type.Method</c>, keywords escaped (<c>@double</c>), so that suffixes make names too (<c>@doubleGradient</c>).</summary>
    private static readonly SymbolDisplayFormat QualifiedName = SymbolDisplayFormat.FullyQualifiedFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType);
}
