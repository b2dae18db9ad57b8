using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Backprop.Generator.Parsing;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Emission;

/// <summary>
/// BP0012 for a user's member that a generated member would collide with (CS0111 or CS0102 inside generated code
/// otherwise). The generated file is read back only when the user has members under generated names, which is rare.
/// </summary>
internal static class MemberCollisions
{
    public static EquatableArray<DiagnosticInfo> Find(string source, string method, EquatableArray<UserMember> namesakes)
    {
        if (namesakes.Count == 0)
            return EquatableArray<DiagnosticInfo>.Empty;
        var methods = new HashSet<string>();
        var names = new HashSet<string>();
        foreach (MemberDeclarationSyntax member in CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<MemberDeclarationSyntax>())
        {
            switch (member)
            {
                case MethodDeclarationSyntax generated:
                    names.Add(generated.Identifier.ValueText);
                    methods.Add(UserMember.Key(generated.Identifier.ValueText, generated.ParameterList.Parameters.Select(p =>
                        UserMembers.ParameterType(p.Modifiers.Any(m => m.Kind() is SyntaxKind.RefKeyword or SyntaxKind.OutKeyword or SyntaxKind.InKeyword), p.Type!.ToString()))));
                    break;
                case BaseTypeDeclarationSyntax type:
                    names.Add(type.Identifier.ValueText);
                    break;
            }
        }
        return namesakes
            .Where(user => user.ParameterTypes is { } parameters ? methods.Contains(UserMember.Key(user.Name, parameters)) : names.Contains(user.Name))
            .Select(user => new DiagnosticInfo(Diagnostics.GeneratedMemberCollision.Id, user.Location, new EquatableArray<string>(new[] { user.Name, method })))
            .ToEquatableArray();
    }
}
