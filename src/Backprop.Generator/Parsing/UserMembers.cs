using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Parsing;

/// <summary>Finds the user's members that a method's generated members could collide with.</summary>
internal static class UserMembers
{
    /// <summary>The suffixes of the members a marked method's derivatives are generated as (<c>FGradient</c>).</summary>
    public static readonly string[] Suffixes =
    {
        Naming.GradientSuffix, Naming.TangentSuffix, Naming.HessianVectorSuffix, Naming.GradientHessianVectorSuffix,
        Naming.HessianSuffix, Naming.JacobianSuffix, Naming.VectorJacobianSuffix, Naming.JacobianColumnSuffix, Naming.JacobianRowSuffix,
        Naming.TrainStepSuffix,
    };

    /// <summary>The members of <paramref name="method"/>'s type named <c>{Method}{suffix}</c> for a generated suffix; usually none.</summary>
    public static EquatableArray<UserMember> Namesakes(IMethodSymbol method)
    {
        if (method.ContainingType is not { } type)
            return EquatableArray<UserMember>.Empty;
        var found = new List<UserMember>();
        foreach (string suffix in Suffixes)
        {
            foreach (ISymbol member in type.GetMembers(method.Name + suffix))
            {
                if (member.IsImplicitlyDeclared)
                    continue;
                EquatableArray<string>? parameters = member is IMethodSymbol overload
                    ? overload.Parameters.Select(p => ParameterType(p.RefKind != RefKind.None, p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))).ToEquatableArray()
                    : null;
                Location? location = member.Locations.FirstOrDefault(l => l.IsInSource);
                found.Add(new UserMember(member.Name, parameters, location is null ? null : SourceSpan.From(location)));
            }
        }
        return found.ToEquatableArray();
    }

    /// <summary>A parameter's type as overloading compares it: by reference or not, and the type without a nullable annotation.</summary>
    public static string ParameterType(bool byReference, string type) => (byReference ? "ref " : "") + type.TrimEnd('?');
}
