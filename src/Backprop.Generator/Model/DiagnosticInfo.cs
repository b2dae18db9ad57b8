using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generator.Model;

/// <summary>Where a diagnostic points: the parts of a <see cref="Location"/> that have value equality.</summary>
internal sealed record SourceSpan(string FilePath, TextSpan Span, LinePositionSpan Lines)
{
    public static SourceSpan From(Location location)
    {
        FileLinePositionSpan lines = location.GetLineSpan();
        return new SourceSpan(lines.Path ?? "", location.SourceSpan, lines.Span);
    }

    public Location ToLocation() => Location.Create(FilePath, Span, Lines);
}

/// <summary>A diagnostic as data, carried through the pipeline until it is reported.</summary>
internal sealed record DiagnosticInfo(string Id, SourceSpan? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, location is null || !location.IsInSource ? null : SourceSpan.From(location), new EquatableArray<string>(arguments));

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Diagnostics.ById(Id), Location?.ToLocation(), Array.ConvertAll(Arguments.AsSpan().ToArray(), a => (object)a));
}
