using System.Diagnostics;
using System.Text;
using Backprop.Sample.Tests.Data;

namespace Backprop.Sample.Tests.Commands;

/// <summary>Ctrl-C in a terminal ends the run with the cursor visible again.</summary>
[Collection(ChildProcesses.Name)]
public sealed class InterruptTests : IDisposable
{
    private const string HideCursor = "\u001b[?25l", ShowCursor = "\u001b[?25h";

    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Ctrl_C_during_an_epoch_leaves_the_cursor_visible()
    {
        // Long epochs (20,000 steps of one image each), so that the Ctrl-C lands while the progress bar has the cursor hidden.
        string data = _temp.Combine("data");
        Synthetic.WriteIdx(data, train: 20_000, test: 20);
        string command = string.Join(' ', new[] { SampleRun.Dotnet, SampleRun.SampleAssembly, "--data", data, "--out", _temp.Combine("out"),
            "--epochs", "1000", "--batch", "1", "--hidden", "8" }.Select(arg => $"'{arg}'"));
        // script(1) runs the sample on a pseudo-terminal, as a user's shell would: the sample draws its progress bar,
        // and the Ctrl-C typed into the terminal reaches it as SIGINT.
        var start = new ProcessStartInfo("script", ["-q", "-e", "-c", command, "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["TERM"] = "xterm";
        start.Environment.Remove("BACKPROP_DATA");
        using Process terminal = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var screen = new StringBuilder();
        var buffer = new byte[4096];
        Stream output = terminal.StandardOutput.BaseStream;
        try
        {
            int read;
            while (!screen.ToString().Contains(HideCursor, StringComparison.Ordinal)
                   && (read = await output.ReadAsync(buffer, deadline.Token)) > 0)
                screen.Append(Encoding.UTF8.GetString(buffer, 0, read));
            Assert.Contains(HideCursor, screen.ToString());

            await terminal.StandardInput.WriteAsync('\u0003');
            await terminal.StandardInput.FlushAsync();
            screen.Append(await terminal.StandardOutput.ReadToEndAsync(deadline.Token));
            await terminal.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!terminal.HasExited)
                terminal.Kill(entireProcessTree: true);
        }

        string text = screen.ToString();
        Assert.Equal(130, terminal.ExitCode); // 128 + SIGINT, as for any program a signal ends
        Assert.True(text.LastIndexOf(ShowCursor, StringComparison.Ordinal) > text.LastIndexOf(HideCursor, StringComparison.Ordinal),
            $"The cursor is still hidden at the end of: {text[Math.Max(0, text.Length - 300)..]}");
    }
}
