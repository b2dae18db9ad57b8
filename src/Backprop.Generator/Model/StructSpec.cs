using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Backprop.Generator.Model;

/// <summary>
/// A struct (or a tuple) that derivative methods take or give whole: a parameter with its gradient, direction and
/// product, or a result with its cotangent and tangent. The forward program holds it as one variable per leaf, each
/// number it holds (nested structs' included) in declaration order. Its tangent space is itself: a gradient or a
/// direction is a value of the same type, whose leaves that are not differentiated are <c>default</c>.
/// </summary>
/// <param name="TypeName">The type as generated code writes it: <c>global::Demo.Vec3</c>, or a tuple's <c>(double X, double V)</c>.</param>
/// <param name="Creation">
/// C# making a value from its leaves, leaf i written <c>$i</c>: <c>new global::Demo.Vec3($0, $1, $2)</c>,
/// <c>new global::Demo.Body { Position = new global::Demo.Vec3($0, $1, $2), Mass = $3 }</c>, <c>($0, $1)</c>.
/// </param>
/// <param name="IsTuple">A tuple of numbers, whose leaves are its elements <c>Item1</c>, <c>Item2</c>, ….</param>
internal sealed record StructSpec(string TypeName, EquatableArray<StructLeaf> Leaves, string Creation, bool IsTuple = false)
{
    /// <summary>A tuple of numbers: its elements are its leaves, <c>Item1</c>, <c>Item2</c>, …, and a tuple literal makes one.</summary>
    public static StructSpec Tuple(string typeName, IReadOnlyList<ScalarType> elements) =>
        new(typeName, elements.Select((type, k) => new StructLeaf($"Item{k + 1}", $"Item{k + 1}", type, type.IsFloatingPoint())).ToEquatableArray(),
            "(" + string.Join(", ", elements.Select((_, k) => "$" + k)) + ")", IsTuple: true);

    /// <summary>The value made from <paramref name="leaves"/>, one C# expression per leaf, in leaf order.</summary>
    public string Create(IReadOnlyList<string> leaves) => Regex.Replace(Creation, @"\$(\d+)", m => leaves[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>The leaves that carry derivatives (doubles and floats not marked <c>[NoDerivative]</c>), with their positions.</summary>
    public IEnumerable<(StructLeaf Leaf, int Index)> Differentiable => Leaves.Select((leaf, i) => (leaf, i)).Where(l => l.leaf.Differentiable);
}

/// <summary>One number a struct holds.</summary>
/// <param name="Code">The leaf as C# reads it from a value of the struct: <c>X</c>, <c>Position.X</c>, <c>Item1</c> (keywords escaped).</param>
/// <param name="Name">The same as one identifier, for the names of the variables holding it: <c>X</c>, <c>Position_X</c>.</param>
/// <param name="Differentiable">A double or float not marked <c>[NoDerivative]</c> (on itself or on a struct field holding it).</param>
internal sealed record StructLeaf(string Code, string Name, ScalarType Type, bool Differentiable);

/// <summary>
/// A parameter of the forward program that is a leaf of a struct parameter of the method, or the numbers of an array of
/// structs or of a two-dimensional array.
/// </summary>
/// <param name="Parameter">The struct parameter as declared (<c>p</c>), which the derivative methods take whole.</param>
/// <param name="Leaf">Which leaf of <paramref name="Spec"/> this is; for an array, none (-1).</param>
/// <param name="Array">
/// For an array or span of structs (<c>Vec3[] x</c>), as declared: the forward program reads it as the span of its numbers,
/// in order (<c>x_values</c>, three doubles a <c>Vec3</c>), and its gradient, direction and product are arrays or spans of
/// the struct too, viewed the same way. A two-dimensional array (<c>double[,] a</c>) is read so too: the span of its
/// elements row after row (<c>a_values</c>), with <paramref name="Spec"/> holding no leaves.
/// </param>
internal sealed record StructMembership(string Parameter, StructSpec Spec, int Leaf, StructArray? Array = null)
{
    public StructLeaf Member => Spec.Leaves[Leaf];
}

/// <summary>How an array or span of structs, or a two-dimensional array, is declared, for <see cref="StructMembership.Array"/>.</summary>
/// <param name="Element">The struct, as generated code names it; for a two-dimensional array, its number type (<c>double</c>).</param>
/// <param name="IsSpan">A <c>ReadOnlySpan&lt;S&gt;</c> or <c>Span&lt;S&gt;</c>, whose derivative buffers are spans too; else an <c>S[]</c>.</param>
/// <param name="IsGrid">A two-dimensional array of numbers (<c>double[,]</c>), whose derivative buffers are arrays of its dimensions.</param>
/// <param name="IsJagged">
/// An array of arrays of numbers (<c>double[][]</c>), whose derivative buffers are arrays of arrays of its rows' lengths:
/// it and they are read and written in place through <c>global::Backprop.RowElements&lt;T&gt;</c>, one index for a row and column.
/// </param>
internal sealed record StructArray(string Element, bool IsSpan, bool IsGrid = false, bool IsJagged = false)
{
    /// <summary>The type of the parameter, or of a derivative buffer the method reads or writes.</summary>
    public string TypeName(bool written) =>
        IsGrid ? Element + "[,]" : IsJagged ? Element + "[][]" : IsSpan ? $"global::System.{(written ? "Span" : "ReadOnlySpan")}<{Element}>" : Element + "[]";

    /// <summary>Whether the signature checks a derivative buffer's shape where it views it (a grid's dimensions, each row's length).</summary>
    public bool ChecksShape => IsGrid || IsJagged;
}
