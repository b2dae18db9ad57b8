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

    /// <summary>Writes another writer's lines at this writer's indentation.</summary>
    public void Append(CodeWriter other)
    {
        string text = other.ToString();
        if (text.Length == 0)
            return;
        foreach (string line in text.Substring(0, text.Length - (text.EndsWith("\n", System.StringComparison.Ordinal) ? 1 : 0)).Split('\n'))
            Line(line);
    }

    public override string ToString() => _text.ToString();
}
