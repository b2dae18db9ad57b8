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
    public override string ToString() => $"seed {Program.Seed}: {Kind}: {Detail}\n{Program.Source}";
}
