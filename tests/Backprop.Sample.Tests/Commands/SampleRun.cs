using System.Diagnostics;
using Backprop.Sample.Cli;
using Backprop.Sample.Display;

namespace Backprop.Sample.Tests.Commands;

/// <summary>What a run of the sample printed, and its exit code.</summary>
public sealed record SampleResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs the sample's command line: in this process through its entry point, or as a process of its own.</summary>
public static class SampleRun
{
    /// <summary>Through <see cref="SampleApp.Run"/>, both streams captured as a file or pipe would be.</summary>
    public static SampleResult InProcess(params string[] args) => InProcess(StandardStreams.Redirected, args);

    /// <summary>Through <see cref="SampleApp.Run"/>, on streams that <paramref name="streams"/> makes from the captured standard output and error.</summary>
    public static SampleResult InProcess(Func<TextWriter, TextWriter, StandardStreams> streams, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = SampleApp.Run(args, streams(output, error));
        return new SampleResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// As <c>dotnet Backprop.Sample.dll</c> (built beside the tests) with standard output and error redirected to pipes,
    /// under <paramref name="environment"/> added to this process's (a null value removes a variable).
    /// </summary>
    public static SampleResult AsProcess(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using Process process = Start(environment, args);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample ({string.Join(' ', args)}) did not finish within 2 minutes.");
        }
        return new SampleResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Starts <c>dotnet Backprop.Sample.dll</c> with <paramref name="args"/>, all three standard streams redirected.</summary>
    private static Process Start(IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        var start = new ProcessStartInfo(Dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(SampleAssembly);
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        // The tests' data comes from --data or the variables given; never from the machine's own settings.
        start.Environment.Remove("BACKPROP_DATA");
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>The sample's assembly, copied beside the tests' by the project reference.</summary>
    public static string SampleAssembly => Path.Combine(AppContext.BaseDirectory, "Backprop.Sample.dll");

    /// <summary>The dotnet host that runs these tests (the SDK names it in DOTNET_HOST_PATH), else the one on the PATH.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
}
