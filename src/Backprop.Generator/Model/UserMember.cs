namespace Backprop.Generator.Model;

/// <summary>
/// A member the user wrote in the type of a <c>[Differentiable]</c> method, under a name a generated member may take
/// (<c>FGradient</c>, <c>FTangent</c>, …): generating a member of the same signature would not compile.
/// </summary>
/// <param name="ParameterTypes">For a method, its parameters' types as <see cref="UserMember.Key"/> compares them; <c>null</c> for any other member, which collides by name alone.</param>
internal sealed record UserMember(string Name, EquatableArray<string>? ParameterTypes, SourceSpan? Location)
{
    /// <summary>
    /// What two methods must share to collide: the name, and per parameter its type (fully qualified, keywords for
    /// special types, without nullable annotations) and whether it is passed by reference (<c>ref</c>, <c>out</c> and
    /// <c>in</c> alike, as C# overloading sees them).
    /// </summary>
    public static string Key(string name, System.Collections.Generic.IEnumerable<string> parameterTypes) =>
        name + "(" + string.Join(",", parameterTypes) + ")";
}
