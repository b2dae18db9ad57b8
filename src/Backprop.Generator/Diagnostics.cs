using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator;

/// <summary>
/// Every diagnostic the generator reports. BP0xxx: the shape of the method; BP1xxx: unsupported
/// constructs in its body; BP9xxx: internal errors. Each is documented in docs/diagnostics.md.
/// </summary>
internal static class Diagnostics
{
    private const string Shape = "Backprop.Shape";
    private const string Body = "Backprop.Body";

    public static readonly DiagnosticDescriptor MethodNotStatic = Error("BP0001", "Differentiable method must be static or a model's",
        "'{0}' must be static to be [Differentiable], or an instance method of a model, whose fields hold the parameters it differentiates; '{1}' has no field of type Matrix<T>, Matrix<T>[], double, float, double[], float[] or of a model: add the static modifier, or hold the parameters in fields of '{1}'", Shape);

    public static readonly DiagnosticDescriptor TypeNotPartial = Error("BP0002", "Containing type must be partial",
        "Type '{0}' must be partial so the generator can add '{1}' to it; add the partial modifier", Shape);

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error("BP0003", "Unsupported return type",
        "'{0}' returns '{1}'; a [Differentiable] method must return double, float, double[], float[], a struct of numbers, or a tuple of doubles or of floats", Shape);

    public static readonly DiagnosticDescriptor UnsupportedParameter = Error("BP0004", "Unsupported parameter",
        "Parameter '{0}' of '{1}' is not supported: {2}", Shape);

    public static readonly DiagnosticDescriptor GradientNameCollision = Error("BP0005", "Gradient parameter name collides",
        "The derivative of {0} would be named '{1}', which is already a parameter of '{2}'; rename '{3}'", Shape);

    public static readonly DiagnosticDescriptor NoBody = Error("BP0006", "Differentiable method has no body",
        "'{0}' has no body to differentiate; give it a block or expression body", Shape);

    public static readonly DiagnosticDescriptor GenericMethod = Error("BP0007", "Generic method outside generic math",
        "'{0}' {1}", Shape);

    public static readonly DiagnosticDescriptor NotAMethod = Error("BP0008", "[Differentiable] on something other than a method",
        "[Differentiable] applies to static methods of partial types; move {0} to such a method", Shape);

    public static readonly DiagnosticDescriptor PullbackMismatch = Error("BP0009", "Pullback does not fit the method it differentiates",
        "'{0}' is marked [DerivativeOf] but does not fit: {1}", Shape);

    public static readonly DiagnosticDescriptor ModeNotForMatrices = Error("BP0010", "Derivative mode not available for matrix methods",
        "'{0}' works on matrices, for which Backprop generates no Jacobian, and no Hessian through a Matrix<T>[] parameter, so far; remove Derivatives.Jacobian, or Derivatives.Hessian, from its attribute", Shape);

    public static readonly DiagnosticDescriptor ModeNotForResult = Error("BP0011", "Derivative mode does not fit the return type",
        "'{0}' returns '{1}', which has no Derivatives.{2}; {3}", Shape);

    public static readonly DiagnosticDescriptor GeneratedMemberCollision = Error("BP0012", "Member collides with a generated one",
        "'{0}' has the name and parameters of a member Backprop generates for '{1}'; rename '{0}', or ask [Differentiable] on '{1}' for fewer derivatives", Shape);

    public static readonly DiagnosticDescriptor PullbackNeverUsed = Error("BP0013", "Pullback the generator never uses",
        "'{0}' is marked [DerivativeOf] for '{1}', but the generator never calls it: {2}", Shape);

    public static readonly DiagnosticDescriptor ConstraintTooNarrow = Error("BP0014", "Type parameter constrained too narrowly for derivatives",
        "'{0}' constrains '{1}' to '{2}', too narrow for its derivatives: {3}; constrain '{4}' to 'System.Numerics.IFloatingPointIeee754<{4}>' instead", Shape);

    public static readonly DiagnosticDescriptor ModeNotForModels = Error("BP0015", "Derivative mode not available for model methods",
        "'{0}' is a method of the model '{1}', for which Backprop does not generate Derivatives.{2}: {3}; remove Derivatives.{2} from its attribute, or make '{0}' static and pass the parameters in", Shape);

    public static readonly DiagnosticDescriptor ModelNotSupported = Error("BP0016", "Model not supported as declared",
        "Model '{0}' is not supported as declared: {1}", Shape);

    public static readonly DiagnosticDescriptor TrainStepNotAvailable = Error("BP0017", "Train step not available for the method",
        "'{0}' cannot have Derivatives.TrainStep: {1}", Shape);

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error("BP1001", "Unsupported statement",
        "{0} is not supported in a [Differentiable] method; {1}", Body);

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error("BP1002", "Unsupported expression",
        "{0} is not supported in a [Differentiable] method; {1}", Body);

    public static readonly DiagnosticDescriptor NoKnownDerivative = Error("BP1003", "Call to a method with no known derivative",
        "'{0}' has no known derivative; if the method is your own, mark it [Differentiable] or give it a [DerivativeOf] pullback (a static, non-generic method of scalars, or of matrices called from a matrix method); if not, call a static method of your own that wraps it and has one of these; or compute the result outside and pass it in as a [NoDerivative] parameter", Body);

    public static readonly DiagnosticDescriptor Recursion = Error("BP1004", "Recursion is not supported",
        "'{0}' calls itself; write the recursion as a loop", Body);

    public static readonly DiagnosticDescriptor ParameterArrayWrite = Error("BP1005", "Writing to a parameter array",
        "'{0}' is a parameter array, and a [Differentiable] method never modifies its inputs; copy it into a local array first", Body);

    public static readonly DiagnosticDescriptor CalleeLacksDerivative = Error("BP1006", "Called method lacks a derivative mode",
        "'{0}' is called from '{1}', which needs its Derivatives.{2}; add Derivatives.{2} to the [Differentiable] attribute of '{0}'", Body);

    public static readonly DiagnosticDescriptor PullbackLacksSecondDerivative = Error("BP1008", "Custom derivative gives no second derivative",
        "'{0}' has only a [DerivativeOf] pullback, which gives no second derivative for the Derivatives.Hessian of '{1}'; mark '{0}' [Differentiable(… | Derivatives.Hessian)] instead, or remove Derivatives.Hessian from '{1}'", Body);

    public static readonly DiagnosticDescriptor DerivativeLostThroughParameter = Error("BP1009", "Derivative lost through an undifferentiated parameter",
        "'{0}' passes a value that depends on its differentiable parameters to parameter '{1}' of '{2}', {3}, so the derivative through '{1}' would be lost; {4}", Body);

    public static readonly DiagnosticDescriptor HelperNotDifferentiable = Error("BP1010", "Helper cannot be differentiated",
        "'{0}', which '{1}' calls ({2}), cannot be differentiated: {4} ({3}); {5}", Body);

    public static readonly DiagnosticDescriptor ModelFieldWritten = Error("BP1011", "Model changed by its method",
        "'{0}' {1}, but a [Differentiable] method reads its model and never changes it; {2}", Body);

    public static readonly DiagnosticDescriptor StructNotDifferentiable = Error("BP1012", "Struct cannot be differentiated",
        "The struct '{0}' cannot be {1}: {2}", Body);

    public static readonly DiagnosticDescriptor NumericsMemberNotSupported = Error("BP1013", "System.Numerics member without a derivative rule",
        "'{0}' of System.Numerics has no derivative rule in a [Differentiable] method; {1}", Body);

    public static readonly DiagnosticDescriptor InternalError = Error("BP9001", "Internal generator error",
        "Backprop could not differentiate '{0}' because of an internal error ({1}); please report it with the method's source", "Backprop.Internal");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = new[]
    {
        MethodNotStatic, TypeNotPartial, UnsupportedReturnType, UnsupportedParameter, GradientNameCollision, NoBody,
        GenericMethod, NotAMethod, PullbackMismatch, ModeNotForMatrices, ModeNotForResult, GeneratedMemberCollision, PullbackNeverUsed, ConstraintTooNarrow, ModeNotForModels, ModelNotSupported, TrainStepNotAvailable, UnsupportedStatement, UnsupportedExpression, NoKnownDerivative, Recursion, ParameterArrayWrite, CalleeLacksDerivative,
        PullbackLacksSecondDerivative, DerivativeLostThroughParameter, HelperNotDifferentiable, ModelFieldWritten, StructNotDifferentiable, NumericsMemberNotSupported, InternalError,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    /// <summary>
    /// Where each diagnostic is explained: its own section of the diagnostics page, relative to the repository (and the
    /// package) root, since the project has no public site to point at.
    /// </summary>
    public const string HelpPage = "docs/diagnostics.md";

    /// <summary>The help link of a diagnostic: the anchor of its section, <c>docs/diagnostics.md#bp1009</c>.</summary>
    public static string HelpLink(string id) => HelpPage + "#" + id.ToLowerInvariant();

    private static DiagnosticDescriptor Error(string id, string title, string message, string category) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
