namespace Backprop.Fuzz.Tests;

/// <summary>
/// Delta debugging by statement removal: drops statements (never the return) one at a time while the program
/// stays valid C# and still fails the same way, until no single statement can go.
/// </summary>
internal static class Shrinker
{
    public static FuzzFailure Shrink(FuzzFailure failure)
    {
        bool shrunk = true;
        while (shrunk)
        {
            shrunk = false;
            for (int i = failure.Program.Statements.Count - 2; i >= 0; i--)
            {
                var statements = failure.Program.Statements.ToList();
                statements.RemoveAt(i);
                FuzzProgram candidate = failure.Program with { Statements = statements };
                if (!CompiledBatch.IsValidCSharp(new[] { candidate }))
                    continue;
                if (FuzzCampaign.Run(new[] { candidate }).Failures.FirstOrDefault(f => f.Kind == failure.Kind) is { } smaller)
                {
                    failure = smaller;
                    shrunk = true;
                }
            }
        }
        return failure;
    }
}
