using System.Diagnostics;
using System.Text;

namespace Backprop.Package.Tests;

/// <summary>Runs the <c>dotnet</c> CLI as a child process and fails with everything it printed when it fails or hangs.</summary>
internal static class DotnetCommand
{
    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> in <paramref name="workingDirectory"/> and returns its standard output.</summary>
    public static async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // The test host may run under another MSBuild (an IDE's) whose paths would leak into the child's build.
        foreach (string name in start.Environment.Keys.Where(name => name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        string command = $"dotnet {string.Join(' ', arguments)} (in {workingDirectory})";
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{command} did not finish within {timeout.TotalSeconds:0} s.\n{Describe(stdout, stderr)}");
        }

        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{command} exited with code {process.ExitCode}.\n{Describe(stdout, stderr)}");
        lock (stdout) return stdout.ToString();
    }

    private static string Describe(StringBuilder stdout, StringBuilder stderr)
    {
        lock (stdout) lock (stderr)
            return $"--- stdout ---\n{stdout}--- stderr ---\n{stderr}";
    }
}
