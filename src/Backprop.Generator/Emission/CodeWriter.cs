using System.Text;

namespace Backprop.Generator.Emission;

/// <summary>Writes indented lines with LF endings, whatever the platform, so output is byte-identical everywhere.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public void Line(string line = "")
    {
        if (line.Length > 0)
            _text.Append(' ', _depth * 4).Append(line);
        _text.Append('\n');
    }

    public void Open(string header)
    {
        Line(header);
        Line("{");
        _depth++;
    }

    /// <summary>Ends a block whose closing line the caller wrote itself (<c>} while (…);</c>).</summary>
    public void Dedent() => _depth--;

    public void Close()
    {
        _depth--;
        Line("}");
    }

    public override string ToString() => _text.ToString();
}
