namespace Backprop.Fuzz.Tests;

/// <summary>What went wrong with one program.</summary>
internal enum FailureKind
{
    /// <summary>The generator reported BP9001 or any other diagnostic, threw, gave no gradient, or emitted code that does not compile.</summary>
    Generator,
    /// <summary>The gradient (or the value the gradient method returns) disagrees with the function.</summary>
    WrongGradient,
    /// <summary>The check did not finish in <see cref="FuzzCampaign.CheckTimeLimit"/>: an infinite loop.</summary>
    Hang,
}

internal sealed record FuzzFailure(FuzzProgram Program, FailureKind Kind, string Detail)
{
    /// <summary>
    /// What a smaller program must still show to count as the same failure when shrinking: the kind, and the diagnostic
    /// ID or compiler error of a generator failure (not some other error the cut made), or for a wrong gradient whether
    /// an exception (which), a gradient component, the tangent, the Hessian-vector product or the returned value disagrees.
    /// </summary>
    public string Signature => Kind + " " + System.Text.RegularExpressions.Regex.Match(Detail, @"\b(BP|CS)\d{4}\b|Hessian-vector|H·v|threw \w+|tangent|∂F/∂|returned|accepted a varying").Value;

    public override string ToString() => $"seed {Program.Seed}: {Kind}: {Detail}\n{Program.Source}";
}
