namespace Backprop.CodeFixes;

/// <summary>The generator's diagnostics these fixes answer (docs/diagnostics.md). The IDE hands a provider every diagnostic with one of its IDs, whoever reported it.</summary>
internal static class DiagnosticIds
{
    public const string MethodNotStatic = "BP0001";
    public const string TypeNotPartial = "BP0002";
    public const string GradientNameCollision = "BP0005";
    public const string NoKnownDerivative = "BP1003";
    public const string HelperNotDifferentiable = "BP1010";
}
