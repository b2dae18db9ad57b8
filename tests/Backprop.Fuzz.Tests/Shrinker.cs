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
                shrunk |= TryCandidate(ref failure, statements);
            }
            // Then single lines inside compound statements (an if's head, one statement of a loop body): a candidate
            // that breaks the braces is not valid C# and is passed over.
            for (int i = failure.Program.Statements.Count - 1; i >= 0; i--)
            {
                string[] lines = failure.Program.Statements[i].Split('\n');
                for (int j = lines.Length - 1; j >= 0 && lines.Length > 1; j--)
                {
                    var statements = failure.Program.Statements.ToList();
                    statements[i] = string.Join("\n", lines.Where((_, k) => k != j));
                    if (TryCandidate(ref failure, statements))
                    {
                        shrunk = true;
                        break;
                    }
                }
            }
        }
        return failure;
    }

    private static bool TryCandidate(ref FuzzFailure failure, List<string> statements)
    {
        FuzzProgram candidate = failure.Program with { Statements = statements };
        if (!CompiledBatch.IsValidCSharp(new[] { candidate }))
            return false;
        FailureKind kind = failure.Kind;
        if (FuzzCampaign.Run(new[] { candidate }).Failures.FirstOrDefault(f => f.Kind == kind) is not { } smaller)
            return false;
        failure = smaller;
        return true;
    }
}
