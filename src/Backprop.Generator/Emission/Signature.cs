using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Emission;

/// <summary>
/// One parameter a derivative method adds after the originals, as its signature writes it (<c>out double dx</c>,
/// <c>double[] dx</c>, <c>double[] dresult</c>), with the parameter of the function it is the derivative of.
/// </summary>
/// <param name="Name">The name as the method's body uses it: for a leaf of a struct parameter, the leaf's (<c>dp_X</c>).</param>
/// <param name="Of">The function's parameter it is a derivative of; <c>null</c> for a result's cotangent or a model's gradients.</param>
/// <param name="Written">The method writes it (a gradient, a product), rather than reads it (a direction).</param>
internal sealed record DerivativeParameter(string Text, string Name = "", ParameterSpec? Of = null, bool Written = false);

/// <summary>
/// Struct parameters in derivative methods' signatures. The forward program holds each leaf of a struct parameter as a
/// parameter of its own (<c>p_X</c>, <c>p_Y</c>), and so do the method bodies built from it; the signatures group the leaves
/// back into the struct the function takes (<c>Vec3 p</c>) and their derivatives into values of the same type (<c>out
/// Vec3 dp</c>, <c>Vec3 dp</c>, <c>out Vec3 hp</c>). A method binds the leaves it reads at its start (<c>double p_X = p.X;</c>)
/// and makes the structs it gives at its end (<c>dp = new Vec3(dp_X, dp_Y, dp_Z);</c>). Every other parameter is as written.
/// </summary>
internal static class Signature
{
    /// <summary>The function's own parameters as a signature declares them: <c>double x</c>, <c>global::Demo.Vec3 p</c>.</summary>
    public static IEnumerable<string> Originals(FunctionSpec function) =>
        Groups(function.Parameters, p => p).Select(g => g.Struct is { } s ? $"{s.Array?.TypeName(written: false) ?? s.Spec.TypeName} {Naming.Identifier(s.Parameter)}" : $"{g.First.TypeName} {Naming.Identifier(g.First.Name)}");

    /// <summary>The function's own parameters passed on to another of its derivative methods: <c>x</c>, <c>p</c>.</summary>
    public static IEnumerable<string> OriginalArguments(FunctionSpec function) =>
        Groups(function.Parameters, p => p).Select(g => Naming.Identifier(g.Struct?.Parameter ?? g.First.Name));

    /// <summary>The derivative parameters as the signature declares them, a struct parameter's leaves as one value of the struct.</summary>
    public static IEnumerable<string> Declare(IEnumerable<DerivativeParameter> parameters) =>
        Groups(parameters.ToList(), p => p.Of).Select(g => g.Struct switch
        {
            { Array: { } array } => $"{array.TypeName(g.First.Written)} {GroupName(g.First)}",
            { } s => $"{(g.First.Written ? "out " : "")}{s.Spec.TypeName} {GroupName(g.First)}",
            _ => g.First.Text,
        });

    /// <summary>
    /// The start of a method's body: each leaf of a struct parameter bound to a local of its name, and of a struct
    /// direction; each leaf of a struct the method gives declared.
    /// </summary>
    /// <returns>Whether it wrote anything.</returns>
    public static bool WritePrologue(CodeWriter writer, FunctionSpec function, IEnumerable<DerivativeParameter> derivatives, ExprPrinter printer)
    {
        bool wrote = false;
        foreach (ParameterSpec leaf in function.Parameters.Where(p => p.Struct is not null))
        {
            if (leaf.Struct?.Array is { IsGrid: true })
                writer.Line($"// {leaf.Struct!.Parameter}[i, j] is {leaf.Name}[i * {leaf.Struct.Parameter}_{leaf.Struct.Spec.Leaves[1].Name} + j]: its elements row after row, viewed in place.");
            if (leaf.Struct?.Array is { IsJagged: true })
                writer.Line($"// {leaf.Struct!.Parameter}[i][j] is {leaf.Name}[{leaf.Name}.At(i, j)]: its rows read in place through one index.");
            writer.Line(leaf.Struct!.Array is { } array
                ? $"{printer.Buffer(leaf, written: false)} {Naming.Identifier(leaf.Name)} = {Numbers(array, leaf, Naming.Identifier(leaf.Struct.Parameter), written: false, printer)};"
                : $"{Declared(leaf, printer)} {Naming.Identifier(leaf.Name)} = {Naming.Identifier(leaf.Struct.Parameter)}.{leaf.Struct.Member.Code};");
            wrote = true;
        }
        foreach (DerivativeParameter derivative in derivatives.Where(d => d.Of?.Struct is not null))
        {
            ParameterSpec of = derivative.Of!;
            if (of.Struct!.Array is { ChecksShape: true } checkedArray)
                writer.Line($"global::Backprop.{(checkedArray.IsGrid ? "GridElements" : "RowElements")}.RequireShape({Naming.Identifier(of.Struct.Parameter)}, {GroupName(derivative)}, \"{of.Struct.Parameter}\", \"{GroupName(derivative).TrimStart('@')}\");");
            writer.Line(of.Struct!.Array is { } array
                ? $"{printer.Buffer(of, derivative.Written)} {derivative.Name} = {Numbers(array, of, GroupName(derivative), derivative.Written, printer)};"
                // A struct's array member gets a new array for what the method gives (an out struct holds no caller's buffer).
                : derivative.Written && of.IsArray
                ? $"{Declared(of, printer)} {derivative.Name} = new {printer.Scalar(of)}[{Naming.Identifier(of.Name)}.Length];"
                : derivative.Written
                ? $"{printer.Scalar(of)} {derivative.Name};"
                : $"{Declared(of, printer)} {derivative.Name} = {GroupName(derivative)}.{of.Struct.Member.Code};");
            wrote = true;
        }
        return wrote;
    }

    /// <summary>The type of a struct member's local: its number's, or an array member's array.</summary>
    private static string Declared(ParameterSpec leaf, ExprPrinter printer) => printer.Scalar(leaf) + (leaf.IsArray ? "[]" : "");

    /// <summary>
    /// An array or span of structs viewed as the span of the numbers it holds, in order (the struct's fields are laid out
    /// so); a two-dimensional array as the span of its elements, row after row.
    /// </summary>
    internal static string Numbers(StructArray array, ParameterSpec numbers, string name, bool written, ExprPrinter printer)
    {
        if (array.IsGrid)
            return $"global::Backprop.GridElements.Values({name})";
        if (array.IsJagged)
            return $"new global::Backprop.RowElements<{array.Element}>({name})";
        string span = written ? "Span" : "ReadOnlySpan";
        return $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<{array.Element}, {printer.Scalar(numbers)}>((global::System.{span}<{array.Element}>){name})";
    }

    /// <summary>The end of a method's body, before its return: each struct it gives, made from the leaves it wrote.</summary>
    public static void WriteEpilogue(CodeWriter writer, IEnumerable<DerivativeParameter> derivatives)
    {
        foreach (var group in Groups(derivatives.ToList(), p => p.Of).Where(g => g.Struct is { Array: null } && g.First.Written))
        {
            var leaves = group.Struct!.Spec.Leaves.Select(_ => "default").ToArray();
            foreach (DerivativeParameter leaf in group.Members)
                leaves[leaf.Of!.Struct!.Leaf] = leaf.Name;
            writer.Line($"{GroupName(group.First)} = {group.Struct.Spec.Create(leaves)};");
        }
    }

    /// <summary>Whether a method with these derivative parameters needs a prologue or an epilogue.</summary>
    public static bool HasStructs(FunctionSpec function) => function.Parameters.Any(p => p.Struct is not null);

    /// <summary>
    /// The name of a struct derivative, from the name of one of its leaves' (<c>dp_X</c> of the leaf <c>p_X</c> → <c>dp</c>,
    /// <c>p_X_dot</c> → <c>p_dot</c>): the leaf's name within it becomes the struct parameter's.
    /// </summary>
    public static string GroupName(DerivativeParameter leaf)
    {
        StructMembership of = leaf.Of!.Struct!;
        string name = leaf.Name.TrimStart('@');
        int at = name.IndexOf(leaf.Of.Name, System.StringComparison.Ordinal);
        return Naming.Identifier(name.Substring(0, at) + of.Parameter + name.Substring(at + leaf.Of.Name.Length));
    }

    /// <summary>
    /// The differentiable parameters as the signature has them, for wrappers that fill their derivatives one input
    /// coordinate at a time (<c>FHessian</c>, <c>FJacobian</c>): each parameter alone, and a struct parameter's
    /// differentiable leaves as one.
    /// </summary>
    public static IEnumerable<ParameterUnit> Units(IEnumerable<ParameterSpec> differentiable) =>
        Groups(differentiable.ToList(), p => p).Select(g => new ParameterUnit(g.First, g.Struct, g.Members));

    /// <summary>
    /// Runs of consecutive items that belong to one struct parameter (one group each), and every other item alone. A
    /// run's leaves go up: a directions' run followed by a gradients' run of the same struct (<c>p_X_dot, p_Y_dot, dp_X,
    /// dp_Y</c>) is two runs.
    /// </summary>
    private static IEnumerable<Group<T>> Groups<T>(IReadOnlyList<T> items, System.Func<T, ParameterSpec?> parameterOf)
    {
        for (int i = 0; i < items.Count;)
        {
            StructMembership? of = parameterOf(items[i])?.Struct;
            int end = i + 1;
            while (of is not null && end < items.Count && parameterOf(items[end])?.Struct is { } next && next.Parameter == of.Parameter
                && next.Leaf > parameterOf(items[end - 1])!.Struct!.Leaf)
                end++;
            yield return new Group<T>(of, items.Skip(i).Take(end - i).ToList());
            i = end;
        }
    }

    private sealed record Group<T>(StructMembership? Struct, List<T> Members)
    {
        public T First => Members[0];
    }
}

/// <summary>A parameter as a signature takes it: one parameter, or a struct parameter of which <see cref="Leaves"/> are differentiated.</summary>
internal sealed record ParameterUnit(ParameterSpec First, StructMembership? Struct, List<ParameterSpec> Leaves)
{
    /// <summary>The name of the parameter as declared (a struct parameter's, not its leaves').</summary>
    public string Name => Struct?.Parameter ?? First.Name;

    /// <summary>An array parameter (of numbers, or viewed as numbers: a two-dimensional array, an array of arrays or of structs), whose derivatives are buffers of its shape.</summary>
    public bool IsArray => First.Role == ParameterRole.Array && Struct is not { Array: null };

    /// <summary>A struct parameter taken whole, whose derivatives are values of it; its leaves are numbers, or arrays of numbers (a layer's weights).</summary>
    public bool IsStruct => Struct is { Array: null };

    /// <summary>
    /// The struct with each differentiated leaf's value given (by its position among <see cref="Leaves"/>) and every
    /// other leaf <c>default</c>: a direction or cotangent.
    /// </summary>
    public string Create(System.Func<int, string> leaf)
    {
        var values = Struct!.Spec.Leaves.Select(_ => "default").ToArray();
        for (int k = 0; k < Leaves.Count; k++)
            values[Leaves[k].Struct!.Leaf] = leaf(k);
        return Struct.Spec.Create(values);
    }
}
