using System.Runtime.InteropServices;
using Spectre.Console;

namespace Backprop.Sample.Display;

/// <summary>
/// Shows the terminal's cursor again when the process is interrupted (Ctrl-C) or asked to stop: the progress bar hides
/// it while an epoch runs, and a process ended by a signal would otherwise leave the user's shell without a cursor.
/// The signal's usual handling (ending the process) goes on afterwards.
/// </summary>
public sealed class CursorRestorer : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;

    /// <summary>Starts watching for SIGINT and SIGTERM; <see cref="Dispose"/> stops.</summary>
    public CursorRestorer(IAnsiConsole console)
    {
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(signal =>
            PosixSignalRegistration.Create(signal, _ => console.Cursor.Show(true)))];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
            registration.Dispose();
    }
}
