namespace Backprop.Sample.Report;

/// <summary>
/// Writes a text file whole or not at all: into a temporary file in the same folder (so the rename stays within one
/// file system), which then takes the file's name. A run stopped half-way leaves the old file or the new one, never half
/// of one. (Model files get the same treatment from the runtime's <c>ModelFile.Save</c>.)
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="contents"/> to <paramref name="path"/>, replacing it if <paramref name="overwrite"/> is true.</summary>
    /// <exception cref="IOException">The file cannot be written, or it exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder may not be written.</exception>
    public static void WriteAllText(string path, string contents, bool overwrite)
    {
        string fullPath = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, contents);
            File.Move(temporary, fullPath, overwrite);
        }
        finally
        {
            File.Delete(temporary); // nothing left to delete after the move
        }
    }
}
