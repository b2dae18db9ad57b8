using Backprop.Sample.Display;
using Backprop.Sample.Report;

namespace Backprop.Sample.Commands;

/// <summary>Checks made before any data is read, so that a run that cannot finish fails in a second, not after training.</summary>
public static class Preflight
{
    /// <summary>Whether the report folder can be written; if not, says so on standard error.</summary>
    public static bool OutputWritable(ReportFolder folder, StandardStreams streams)
    {
        try
        {
            folder.RequireWritable();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            streams.Fail($"--out {folder.Directory}: the report folder cannot be written ({e.Message}); nothing was read or trained.");
            return false;
        }
    }
}
