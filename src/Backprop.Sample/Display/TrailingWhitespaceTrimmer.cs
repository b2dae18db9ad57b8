using System.Text;

namespace Backprop.Sample.Display;

/// <summary>
/// Passes text on with the spaces and tabs at the end of each line removed: Spectre pads table cells and grid columns
/// to their width, which on a terminal is invisible but in a file or pipe leaves every row with trailing spaces.
/// </summary>
/// <param name="inner">The writer that receives the trimmed text.</param>
public sealed class TrailingWhitespaceTrimmer(TextWriter inner) : TextWriter
{
    // Spaces and tabs seen since the last other character: written once something other than a line break follows.
    private readonly StringBuilder _pending = new();

    /// <inheritdoc />
    public override Encoding Encoding => inner.Encoding;

    /// <inheritdoc />
    public override void Write(char value)
    {
        if (value is ' ' or '\t')
        {
            _pending.Append(value);
            return;
        }
        if (value is '\r' or '\n')
            _pending.Clear();
        else if (_pending.Length > 0)
        {
            inner.Write(_pending);
            _pending.Clear();
        }
        inner.Write(value);
    }

    /// <inheritdoc />
    public override void Flush() => inner.Flush();
}
