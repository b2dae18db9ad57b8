using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;

namespace Backprop.Generator.Emission;

/// <summary>
/// An array parameter's scratch derivative buffers in the wrappers that fill a matrix one input coordinate at a time
/// (<c>FHessian</c>'s directions, gradients and products; <c>FJacobian</c>'s directions and gradients; the gradient
/// <c>FHessianVector</c> lends the product it calls), and the walk over their numbers in the order of the matrix's rows
/// and columns. A buffer has the parameter's own type and shape, so the method it is passed to checks and views it as it
/// does a caller's. Its numbers, in order, are
/// <list type="bullet">
/// <item>a one-dimensional array's (or a span's, whose buffer is an array) elements;</item>
/// <item>a two-dimensional array's elements row after row, viewed through <c>GridElements.Values</c>;</item>
/// <item>an array or span of structs' numbers, struct after struct, each struct's in declaration order (every number
/// it holds, as its gradient has them), viewed through <c>MemoryMarshal.Cast</c>;</item>
/// <item>an array of arrays' elements row after row, walked row by row.</item>
/// </list>
/// A struct parameter's coordinates are its differentiated members in declaration order, an array member's elements in
/// its place: its direction is a struct holding scratch arrays, and the product or gradient it gives is read member by member.
/// </summary>
internal static class CoordinateBuffers
{
    /// <summary>The type of a scratch buffer for <paramref name="unit"/>: <c>double[]</c>, <c>double[,]</c>, <c>double[][]</c>, <c>Vec3[]</c>.</summary>
    public static string Type(ParameterUnit unit, ExprPrinter printer) => unit.Struct?.Array switch
    {
        { IsGrid: true } => printer.Scalar(unit.First) + "[,]",
        { IsJagged: true } => printer.Scalar(unit.First) + "[][]",
        { } structs => structs.Element + "[]",
        null => printer.Scalar(unit.First) + "[]",
    };

    /// <summary>A zeroed scratch buffer of the parameter's shape from this thread's pool.</summary>
    public static string Rent(ParameterUnit unit, ExprPrinter printer)
    {
        string name = Naming.Identifier(unit.Name);
        return unit.Struct?.Array switch
        {
            { IsGrid: true } => $"global::Backprop.GridElements.Rent<{printer.Scalar(unit.First)}>({name}.GetLength(0), {name}.GetLength(1))",
            { IsJagged: true } => $"global::Backprop.RowElements.Rent({name})",
            { } structs => $"global::Backprop.Scratch.Rent<{structs.Element}>({name}.Length)",
            null => $"global::Backprop.Scratch.Rent<{printer.Scalar(unit.First)}>({name}.Length)",
        };
    }

    /// <summary>Gives a buffer from <see cref="Rent"/> back.</summary>
    public static string Return(ParameterUnit unit, string buffer) =>
        $"global::Backprop.{unit.Struct?.Array switch { { IsGrid: true } => "GridElements", { IsJagged: true } => "RowElements", _ => "Scratch" }}.Return({buffer});";

    /// <summary>How many numbers the parameter holds: its rows and columns in the matrix.</summary>
    public static string Count(ParameterUnit unit)
    {
        string name = Naming.Identifier(unit.Name);
        return unit.Struct?.Array switch
        {
            { IsJagged: true } => $"global::Backprop.RowElements.Count({name})",
            { IsGrid: true } or null => name + ".Length",
            _ => $"{unit.Struct.Spec.Leaves.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)} * {name}.Length",
        };
    }

    /// <summary>
    /// Declares a span over each buffer's numbers where the buffer's elements are not those numbers already (a
    /// two-dimensional array's, an array of structs'), named after the buffer (once: a buffer declared again, in another
    /// scope, keeps its view's name); maps every buffer to what its numbers are indexed through.
    /// </summary>
    public static void DeclareViews(CodeWriter writer, ParameterUnit unit, IEnumerable<string> buffers, Dictionary<string, string> numbers, NameAllocator names, ExprPrinter printer)
    {
        foreach (string buffer in buffers)
        {
            if (unit.Struct?.Array is not { IsJagged: false } array)
            {
                numbers[buffer] = buffer;
                continue;
            }
            if (!numbers.ContainsKey(buffer))
                numbers[buffer] = names.Allocate(buffer + "_values");
            writer.Line($"{printer.Buffer(unit.First, written: true)} {numbers[buffer]} = {Signature.Numbers(array, unit.First, buffer, written: true, printer)};");
        }
    }

    /// <summary>
    /// One line visiting each number of a buffer in order, <paramref name="index"/> counting from 0:
    /// <c>for (int i = 0; i &lt; x.Length; i++) {statement}</c>; an array of arrays' row by row, <paramref name="row"/> and
    /// <paramref name="column"/> its positions.
    /// </summary>
    /// <param name="numbers">The buffer's numbers as <see cref="DeclareViews"/> gives them.</param>
    /// <param name="statement">The statement for the number it is given, at the index it is given.</param>
    public static void ForEachNumber(CodeWriter writer, ParameterUnit unit, string numbers, string index, string row, string column, System.Func<string, string, string> statement) =>
        ForEachNumber(writer, unit, numbers, index, row, column, statement, readsIndex: true);

    /// <summary>
    /// <see cref="ForEachNumber(CodeWriter, ParameterUnit, string, string, string, string, System.Func{string, string, string})"/>
    /// for a statement that reads only the number: an array of arrays' rows keep no running index.
    /// </summary>
    public static void ForEachNumber(CodeWriter writer, ParameterUnit unit, string numbers, string index, string row, string column, System.Func<string, string> statement) =>
        ForEachNumber(writer, unit, numbers, index, row, column, (number, _) => statement(number), readsIndex: false);

    private static void ForEachNumber(CodeWriter writer, ParameterUnit unit, string numbers, string index, string row, string column, System.Func<string, string, string> statement, bool readsIndex)
    {
        if (unit.Struct?.Array is { IsJagged: true })
        {
            writer.Line(readsIndex
                ? $"for (int {row} = 0, {index} = 0; {row} < {numbers}.Length; {row}++)"
                : $"for (int {row} = 0; {row} < {numbers}.Length; {row}++)");
            writer.Line(readsIndex
                ? $"    for (int {column} = 0; {column} < {numbers}[{row}].Length; {column}++, {index}++) {statement($"{numbers}[{row}][{column}]", index)}"
                : $"    for (int {column} = 0; {column} < {numbers}[{row}].Length; {column}++) {statement($"{numbers}[{row}][{column}]", index)}");
            return;
        }
        writer.Line($"for (int {index} = 0; {index} < {Count(unit)}; {index}++) {statement($"{numbers}[{index}]", index)}");
    }

    /// <summary>
    /// How many coordinates a struct parameter takes: one per differentiated number it holds, and an array member's
    /// elements in its place (<c>3</c>, <c>1 + layer.W.Length</c>); a scalar parameter, one.
    /// </summary>
    public static string StructCount(ParameterUnit unit)
    {
        int numbers = unit.Leaves.Count(l => !l.IsArray);
        var terms = unit.Leaves.Where(l => l.IsArray).Select(l => Member(unit, l) + ".Length").ToList();
        if (numbers > 0 || terms.Count == 0)
            terms.Insert(0, numbers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return string.Join(" + ", terms);
    }

    /// <summary>The struct parameter's array members that are differentiated, whose directions need scratch arrays.</summary>
    public static IEnumerable<ParameterSpec> ArrayMembers(ParameterUnit unit) => unit.IsStruct ? unit.Leaves.Where(l => l.IsArray) : Enumerable.Empty<ParameterSpec>();

    /// <summary>A scratch direction for an array member, of the parameter's member's length.</summary>
    public static string RentMember(ParameterUnit unit, ParameterSpec member, ExprPrinter printer) =>
        $"global::Backprop.Scratch.Rent<{printer.Scalar(member)}>({Member(unit, member)}.Length)";

    /// <summary>
    /// Declares the struct direction <paramref name="name"/> for the column <paramref name="column"/>: each differentiated
    /// number 1 at its coordinate (from <paramref name="offset"/>, leaf after leaf) and 0 elsewhere, an array member's
    /// elements written into its scratch array from <paramref name="scratch"/>.
    /// </summary>
    public static void DeclareStructDirection(CodeWriter writer, ParameterUnit unit, string name, string offset, string column, string index,
        IReadOnlyDictionary<string, string> scratch, ExprPrinter printer)
    {
        // A leaf's coordinate: the offset, the numbers before it, and the arrays before it (a number's written even when 0: offset + 0).
        var starts = new List<string>();
        int numbers = 0;
        var arrays = new List<string>();
        foreach (ParameterSpec leaf in unit.Leaves)
        {
            bool countNumbers = numbers > 0 || arrays.Count == 0 && !leaf.IsArray;
            starts.Add(string.Join(" + ", new[] { offset }.Concat(countNumbers ? new[] { numbers.ToString(System.Globalization.CultureInfo.InvariantCulture) } : new string[0]).Concat(arrays)));
            if (leaf.IsArray)
                arrays.Add(Member(unit, leaf) + ".Length");
            else
                numbers++;
        }
        string Unit(ParameterSpec leaf, string coordinate) => $"{coordinate} == {column} ? {printer.Number(1, leaf.Type!.Value)} : {printer.Number(0, leaf.Type!.Value)}";
        for (int k = 0; k < unit.Leaves.Count; k++)
        {
            ParameterSpec leaf = unit.Leaves[k];
            if (leaf.IsArray)
                writer.Line($"for (int {index} = 0; {index} < {scratch[leaf.Name]}.Length; {index}++) {scratch[leaf.Name]}[{index}] = {Unit(leaf, $"{starts[k]} + {index}")};");
        }
        writer.Line($"var {name} = {unit.Create(k => unit.Leaves[k].IsArray ? scratch[unit.Leaves[k].Name] : Unit(unit.Leaves[k], starts[k]))};");
    }

    /// <summary>One line per differentiated number of a struct value, in coordinate order: a member's, or a loop over an array member's elements.</summary>
    /// <param name="statement">The statement for the number it is given.</param>
    public static void ForEachStructNumber(CodeWriter writer, ParameterUnit unit, string value, string index, System.Func<string, string> statement)
    {
        foreach (ParameterSpec leaf in unit.Leaves)
        {
            string member = $"{value}.{leaf.Struct!.Member.Code}";
            writer.Line(leaf.IsArray ? $"for (int {index} = 0; {index} < {member}.Length; {index}++) {statement($"{member}[{index}]")}" : statement(member));
        }
    }

    /// <summary>A struct parameter's member as the wrapper reads it: <c>layer.W</c>.</summary>
    private static string Member(ParameterUnit unit, ParameterSpec leaf) => $"{Naming.Identifier(unit.Name)}.{leaf.Struct!.Member.Code}";

    /// <summary>Whether some unit is an array of arrays, whose walk needs a row and a column beside the index.</summary>
    public static bool WalksRows(IEnumerable<ParameterUnit> units) => units.Any(u => u.Struct?.Array is { IsJagged: true });
}
