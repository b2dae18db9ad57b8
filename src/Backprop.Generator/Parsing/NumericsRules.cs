using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Parsing;

/// <summary>
/// <c>System.Numerics.Vector2</c>, <c>Vector3</c>, <c>Vector4</c>, <c>Quaternion</c> and <c>Complex</c> as differentiable
/// structs: their leaves (<c>X</c>, <c>Y</c>, <c>Z</c>, <c>W</c> floats; a complex number's <c>Real</c> and
/// <c>Imaginary</c> doubles), and the rules for their members. A rule is what the member computes, written over those
/// leaves in a small notation (<see cref="Rule"/>), in the order of evaluation of .NET's own implementation; it becomes
/// statements over numbers, as a struct's method of this compilation does when it is inlined, so every derivative mode
/// (gradient, tangent, Jacobian, Hessian) follows from the scalar rules of <c>Calculus/Rules.cs</c>. A member with no
/// rule here is refused (BP1013) with what to write instead (<see cref="Advice"/>).
/// </summary>
internal static class NumericsRules
{
    /// <summary>
    /// The leaves of a System.Numerics struct, in memory order, with their type; <c>null</c> for any other type (a struct
    /// of that name declared in this compilation is a struct of this compilation).
    /// </summary>
    public static (IReadOnlyList<string> Leaves, ScalarType Type)? LeavesOf(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Struct, IsGenericType: false, DeclaringSyntaxReferences.IsEmpty: true,
            ContainingNamespace: { Name: "Numerics", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } named
            ? named.Name switch
            {
                "Vector2" => (Vector2, ScalarType.Float),
                "Vector3" => (Vector3, ScalarType.Float),
                "Vector4" or "Quaternion" => (Vector4, ScalarType.Float),
                "Complex" => (new[] { "Real", "Imaginary" }, ScalarType.Double),
                _ => null,
            }
            : null;

    public static bool IsNumerics(ITypeSymbol? type) => LeavesOf(type) is not null;

    private static readonly string[] Vector2 = { "X", "Y" };
    private static readonly string[] Vector3 = { "X", "Y", "Z" };
    private static readonly string[] Vector4 = { "X", "Y", "Z", "W" };

    /// <summary>
    /// A member's rule. <paramref name="Parameters"/> name its receiver (for an instance member) and its parameters, in
    /// order, as the lines read them. Each line is one of
    /// <list type="bullet">
    /// <item><c>name = expression</c>: a temporary, or <c>result</c> (a number or bool) or <c>result.X</c> (a leaf of the struct returned);</item>
    /// <item><c>if condition</c>, <c>else</c>, <c>end</c>: a branch, as the member's own code branches;</item>
    /// </list>
    /// where an expression reads parameters (<c>s</c>), their leaves (<c>a.X</c>), temporaries and literals, with
    /// <c>+ - * /</c>, comparisons, <c>&amp;&amp; ||</c> and the functions <see cref="Functions"/> names.
    /// </summary>
    public sealed record Rule(IReadOnlyList<string> Parameters, IReadOnlyList<string> Lines);

    /// <summary>The functions a rule may call, each the operation of <c>Math</c>'s (or <c>MathF</c>'s) member of that name.</summary>
    public static readonly IReadOnlyDictionary<string, Op> Functions = new Dictionary<string, Op>
    {
        ["Sqrt"] = Op.Sqrt, ["Exp"] = Op.Exp, ["Log"] = Op.Log, ["Sin"] = Op.Sin, ["Cos"] = Op.Cos, ["Atan2"] = Op.Atan2,
        ["Hypot"] = Op.Hypot, ["Pow"] = Op.Pow, ["Abs"] = Op.Abs, ["MultiplyAddEstimate"] = Op.MultiplyAddEstimate,
    };

    /// <summary>The rule for a member (method, operator, constructor, property getter) of a System.Numerics struct, or <c>null</c>.</summary>
    public static Rule? Find(IMethodSymbol member)
    {
        INamedTypeSymbol type = member.ContainingType;
        if (LeavesOf(type) is not var (leaves, _))
            return null;
        string name = member.MethodKind switch
        {
            MethodKind.Constructor => ".ctor",
            MethodKind.PropertyGet => member.AssociatedSymbol!.Name,
            _ => member.Name,
        };
        string key = $"{name}({string.Join(", ", member.Parameters.Select(p => ShortName(p.Type)))})";
        return type.Name switch
        {
            "Complex" => ComplexRule(key),
            "Quaternion" => QuaternionRule(key) ?? VectorRule("Quaternion", leaves, key, quaternion: true),
            _ => VectorRule(type.Name, leaves, key, quaternion: false),
        };
    }

    private static string ShortName(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Single => "float",
        SpecialType.System_Double => "double",
        _ => type.Name,
    };

    private static Rule R(string parameters, params string[] lines) =>
        new(parameters.Length == 0 ? System.Array.Empty<string>() : parameters.Split(','), lines);

    /// <summary>One line per leaf: <c>result.X = …</c> with <paramref name="leaf"/> giving the expression of each.</summary>
    private static string[] Each(IReadOnlyList<string> leaves, System.Func<string, string> leaf) => leaves.Select(c => $"result.{c} = {leaf(c)}").ToArray();

    /// <summary>The dot product of two values as .NET sums it: pairwise for four leaves, left to right for fewer.</summary>
    private static string Dot(IReadOnlyList<string> leaves, string a, string b)
    {
        string[] products = leaves.Select(c => $"{a}.{c} * {b}.{c}").ToArray();
        return products.Length == 4 ? $"({products[0]} + {products[1]}) + ({products[2]} + {products[3]})" : string.Join(" + ", products);
    }

    private static Rule? VectorRule(string type, IReadOnlyList<string> leaves, string key, bool quaternion)
    {
        string v = type;
        return key switch
        {
            "Zero()" => R("", Each(leaves, _ => "0")),
            "One()" when !quaternion => R("", Each(leaves, _ => "1")),
            "UnitX()" or "UnitY()" or "UnitZ()" or "UnitW()" when !quaternion => R("", Each(leaves, c => key[4].ToString() == c ? "1" : "0")),
            ".ctor(float)" when !quaternion => R("s", Each(leaves, _ => "s")),
            _ when key == ".ctor(" + string.Join(", ", leaves.Select(_ => "float")) + ")" => R(string.Join(",", leaves.Select(c => c.ToLowerInvariant())), Each(leaves, c => c.ToLowerInvariant())),
            ".ctor(Vector2, float)" when leaves.Count == 3 => R("v,z", "result.X = v.X", "result.Y = v.Y", "result.Z = z"),
            ".ctor(Vector2, float, float)" => R("v,z,w", "result.X = v.X", "result.Y = v.Y", "result.Z = z", "result.W = w"),
            ".ctor(Vector3, float)" => R("v,w", "result.X = v.X", "result.Y = v.Y", "result.Z = v.Z", "result.W = w"),
            _ when key == $"op_Addition({v}, {v})" || key == $"Add({v}, {v})" => R("a,b", Each(leaves, c => $"a.{c} + b.{c}")),
            _ when key == $"op_Subtraction({v}, {v})" || key == $"Subtract({v}, {v})" => R("a,b", Each(leaves, c => $"a.{c} - b.{c}")),
            _ when key == $"op_UnaryNegation({v})" || key == $"Negate({v})" => R("a", Each(leaves, c => $"-a.{c}")),
            _ when key == $"op_UnaryPlus({v})" => R("a", Each(leaves, c => $"a.{c}")),
            _ when (key == $"op_Multiply({v}, {v})" || key == $"Multiply({v}, {v})") && !quaternion => R("a,b", Each(leaves, c => $"a.{c} * b.{c}")),
            _ when key == $"op_Multiply({v}, float)" || key == $"Multiply({v}, float)" => R("a,s", Each(leaves, c => $"a.{c} * s")),
            _ when (key == $"op_Multiply(float, {v})" || key == $"Multiply(float, {v})") && !quaternion => R("s,a", Each(leaves, c => $"a.{c} * s")),
            _ when (key == $"op_Division({v}, {v})" || key == $"Divide({v}, {v})") && !quaternion => R("a,b", Each(leaves, c => $"a.{c} / b.{c}")),
            _ when (key == $"op_Division({v}, float)" || key == $"Divide({v}, float)") && !quaternion => R("a,s", Each(leaves, c => $"a.{c} / s")),
            _ when key == $"op_Equality({v}, {v})" => R("a,b", "result = " + string.Join(" && ", leaves.Select(c => $"a.{c} == b.{c}"))),
            _ when key == $"op_Inequality({v}, {v})" => R("a,b", "result = " + string.Join(" || ", leaves.Select(c => $"a.{c} != b.{c}"))),
            _ when key == $"Dot({v}, {v})" => R("a,b", "result = " + Dot(leaves, "a", "b")),
            "LengthSquared()" => R("v", "result = " + Dot(leaves, "v", "v")),
            "Length()" => R("v", "result = Sqrt(" + Dot(leaves, "v", "v") + ")"),
            _ when key == $"DistanceSquared({v}, {v})" && !quaternion => R("a,b", leaves.Select(c => $"d{c} = a.{c} - b.{c}").Append("result = " + Dot(leaves, "d", "d").Replace("d.", "d")).ToArray()),
            _ when key == $"Distance({v}, {v})" && !quaternion => R("a,b", leaves.Select(c => $"d{c} = a.{c} - b.{c}").Append("result = Sqrt(" + Dot(leaves, "d", "d").Replace("d.", "d") + ")").ToArray()),
            _ when key == $"Normalize({v})" => R("v", new[] { "length = Sqrt(" + Dot(leaves, "v", "v") + ")" }.Concat(Each(leaves, c => $"v.{c} / length")).ToArray()),
            _ when key == $"Lerp({v}, {v}, float)" && !quaternion => R("a,b,t", Each(leaves, c => $"MultiplyAddEstimate(a.{c}, 1 - t, b.{c} * t)")),
            "Cross(Vector3, Vector3)" => R("a,b", "result.X = a.Y * b.Z - a.Z * b.Y", "result.Y = a.Z * b.X - a.X * b.Z", "result.Z = a.X * b.Y - a.Y * b.X"),
            _ when key == $"Transform({v}, Quaternion)" && leaves.Count < 4 => R("v,q", Rotation(leaves)),
            _ => null,
        };
    }

    /// <summary>
    /// <c>Transform(v, q)</c>: the vector's <c>X, Y, Z</c> (a Vector2's with <c>Z = 0</c>) as the quaternion
    /// <c>p = (v, 0)</c>, then <c>q p q̄</c>, the rotation by <c>q</c> for a unit quaternion (and that times <c>|q|²</c> for
    /// another, as .NET computes it). (Vector4's, which treats <c>W</c> otherwise, has no rule.)
    /// </summary>
    private static string[] Rotation(IReadOnlyList<string> leaves)
    {
        string z = leaves.Count > 2 ? "v.Z" : "0";
        var lines = new List<string>
        {
            // p = q * (v, 0)
            $"pX = v.X * q.W + (q.Y * {z} - q.Z * v.Y)",
            $"pY = v.Y * q.W + (q.Z * v.X - q.X * {z})",
            $"pZ = {z} * q.W + (q.X * v.Y - q.Y * v.X)",
            $"pW = -(q.X * v.X + q.Y * v.Y + q.Z * {z})",
            // result = p * conjugate(q)
            "result.X = pX * q.W - q.X * pW + (pZ * q.Y - pY * q.Z)",
            "result.Y = pY * q.W - q.Y * pW + (pX * q.Z - pZ * q.X)",
        };
        if (leaves.Count > 2)
            lines.Add("result.Z = pZ * q.W - q.Z * pW + (pY * q.X - pX * q.Y)");
        return lines.ToArray();
    }

    /// <summary>The Hamilton product <c>a b</c>, as .NET computes it, into <c>result</c>.</summary>
    private static string[] Product(string a, string b) => new[]
    {
        $"result.X = {a}.X * {b}.W + {b}.X * {a}.W + ({a}.Y * {b}.Z - {a}.Z * {b}.Y)",
        $"result.Y = {a}.Y * {b}.W + {b}.Y * {a}.W + ({a}.Z * {b}.X - {a}.X * {b}.Z)",
        $"result.Z = {a}.Z * {b}.W + {b}.Z * {a}.W + ({a}.X * {b}.Y - {a}.Y * {b}.X)",
        $"result.W = {a}.W * {b}.W - ({a}.X * {b}.X + {a}.Y * {b}.Y + {a}.Z * {b}.Z)",
    };

    private static Rule? QuaternionRule(string key) => key switch
    {
        "Identity()" => R("", "result.X = 0", "result.Y = 0", "result.Z = 0", "result.W = 1"),
        "op_Multiply(Quaternion, Quaternion)" or "Multiply(Quaternion, Quaternion)" => R("a,b", Product("a", "b")),
        "Concatenate(Quaternion, Quaternion)" => R("a,b", Product("b", "a")),
        "op_Division(Quaternion, Quaternion)" or "Divide(Quaternion, Quaternion)" => R("a,b", new[]
        {
            "n = (b.X * b.X + b.Y * b.Y) + (b.Z * b.Z + b.W * b.W)",
            "iX = -b.X / n", "iY = -b.Y / n", "iZ = -b.Z / n", "iW = b.W / n",
        }.Concat(Product("a", "i").Select(l => l.Replace("i.", "i"))).ToArray()),
        "Conjugate(Quaternion)" => R("q", "result.X = -q.X", "result.Y = -q.Y", "result.Z = -q.Z", "result.W = q.W"),
        "Inverse(Quaternion)" => R("q", "n = (q.X * q.X + q.Y * q.Y) + (q.Z * q.Z + q.W * q.W)",
            "result.X = -q.X / n", "result.Y = -q.Y / n", "result.Z = -q.Z / n", "result.W = q.W / n"),
        "CreateFromAxisAngle(Vector3, float)" => R("axis,angle", "half = angle * 0.5", "s = Sin(half)",
            "result.X = axis.X * s", "result.Y = axis.Y * s", "result.Z = axis.Z * s", "result.W = Cos(half)"),
        // Along the shorter arc (q2 negated when the two point apart), then normalized.
        "Lerp(Quaternion, Quaternion, float)" => R("a,b,t",
            "dot = (a.X * b.X + a.Y * b.Y) + (a.Z * b.Z + a.W * b.W)",
            "sign = 1",
            "if dot < 0", "sign = -1", "end",
            "u = 1 - t", "w = sign * t",
            "lX = a.X * u + b.X * w", "lY = a.Y * u + b.Y * w", "lZ = a.Z * u + b.Z * w", "lW = a.W * u + b.W * w",
            "length = Sqrt((lX * lX + lY * lY) + (lZ * lZ + lW * lW))",
            "result.X = lX / length", "result.Y = lY / length", "result.Z = lZ / length", "result.W = lW / length"),
        _ => null,
    };

    private static Rule? ComplexRule(string key) => key switch
    {
        ".ctor(double, double)" => R("re,im", "result.Real = re", "result.Imaginary = im"),
        "Real()" => R("z", "result = z.Real"),
        "Imaginary()" => R("z", "result = z.Imaginary"),
        "Magnitude()" => R("z", "result = Hypot(z.Real, z.Imaginary)"),
        "Phase()" => R("z", "result = Atan2(z.Imaginary, z.Real)"),
        "Abs(Complex)" => R("z", "result = Hypot(z.Real, z.Imaginary)"),
        "Conjugate(Complex)" => R("z", "result.Real = z.Real", "result.Imaginary = -z.Imaginary"),
        "op_Implicit(double)" or "op_Implicit(float)" or "op_Implicit(Int32)" or "op_Implicit(Int64)" => R("x", "result.Real = x", "result.Imaginary = 0"),
        "op_Addition(Complex, Complex)" or "Add(Complex, Complex)" => R("a,b", "result.Real = a.Real + b.Real", "result.Imaginary = a.Imaginary + b.Imaginary"),
        "op_Addition(Complex, double)" or "Add(Complex, double)" => R("a,s", "result.Real = a.Real + s", "result.Imaginary = a.Imaginary"),
        "op_Addition(double, Complex)" or "Add(double, Complex)" => R("s,b", "result.Real = s + b.Real", "result.Imaginary = b.Imaginary"),
        "op_Subtraction(Complex, Complex)" or "Subtract(Complex, Complex)" => R("a,b", "result.Real = a.Real - b.Real", "result.Imaginary = a.Imaginary - b.Imaginary"),
        "op_Subtraction(Complex, double)" or "Subtract(Complex, double)" => R("a,s", "result.Real = a.Real - s", "result.Imaginary = a.Imaginary"),
        "op_Subtraction(double, Complex)" or "Subtract(double, Complex)" => R("s,b", "result.Real = s - b.Real", "result.Imaginary = -b.Imaginary"),
        "op_UnaryNegation(Complex)" or "Negate(Complex)" => R("z", "result.Real = -z.Real", "result.Imaginary = -z.Imaginary"),
        "op_UnaryPlus(Complex)" => R("z", "result.Real = z.Real", "result.Imaginary = z.Imaginary"),
        "op_Multiply(Complex, Complex)" or "Multiply(Complex, Complex)" => R("a,b",
            "result.Real = a.Real * b.Real - a.Imaginary * b.Imaginary", "result.Imaginary = a.Imaginary * b.Real + a.Real * b.Imaginary"),
        "op_Multiply(Complex, double)" or "Multiply(Complex, double)" => R("a,s", "result.Real = a.Real * s", "result.Imaginary = a.Imaginary * s"),
        "op_Multiply(double, Complex)" or "Multiply(double, Complex)" => R("s,b", "result.Real = s * b.Real", "result.Imaginary = s * b.Imaginary"),
        // Smith's algorithm, as .NET divides: by the larger of the divisor's parts.
        "op_Division(Complex, Complex)" or "Divide(Complex, Complex)" => R("a,b", Smith("a.Real", "a.Imaginary")),
        "op_Division(double, Complex)" or "Divide(double, Complex)" => R("s,b", Smith("s", "0")),
        "op_Division(Complex, double)" or "Divide(Complex, double)" => R("a,s", "result.Real = a.Real / s", "result.Imaginary = a.Imaginary / s"),
        "op_Equality(Complex, Complex)" => R("a,b", "result = a.Real == b.Real && a.Imaginary == b.Imaginary"),
        "op_Inequality(Complex, Complex)" => R("a,b", "result = a.Real != b.Real || a.Imaginary != b.Imaginary"),
        "Exp(Complex)" => R("z", "e = Exp(z.Real)", "result.Real = e * Cos(z.Imaginary)", "result.Imaginary = e * Sin(z.Imaginary)"),
        "Log(Complex)" => R("z", "result.Real = Log(Hypot(z.Real, z.Imaginary))", "result.Imaginary = Atan2(z.Imaginary, z.Real)"),
        "FromPolarCoordinates(double, double)" => R("r,phase", "result.Real = r * Cos(phase)", "result.Imaginary = r * Sin(phase)"),
        // .NET's square root without its shortcut for a real argument (which would lose the derivative along the
        // imaginary axis; the general formula gives the same value there) and without its rescaling near overflow.
        "Sqrt(Complex)" => R("z",
            "h = Hypot(z.Real, z.Imaginary)",
            "if z.Real >= 0",
            "x = Sqrt((h + z.Real) * 0.5)", "y = z.Imaginary / (2 * x)",
            "else",
            "y = Sqrt((h - z.Real) * 0.5)",
            "if z.Imaginary < 0", "y = -y", "end",
            "x = z.Imaginary / (2 * y)",
            "end",
            "result.Real = x", "result.Imaginary = y"),
        "Pow(Complex, Complex)" => R("z,p", Power("p.Real", "p.Imaginary")),
        "Pow(Complex, double)" => R("z,p", Power("p", "0")),
        _ => null,
    };

    private static string[] Smith(string a, string b) => new[]
    {
        "if Abs(b.Imaginary) < Abs(b.Real)",
        "r = b.Imaginary / b.Real", "d = b.Real + b.Imaginary * r",
        $"result.Real = ({a} + {b} * r) / d", $"result.Imaginary = ({b} - {a} * r) / d",
        "else",
        "r = b.Real / b.Imaginary", "d = b.Imaginary + b.Real * r",
        $"result.Real = ({b} + {a} * r) / d", $"result.Imaginary = (-{a} + {b} * r) / d",
        "end",
    };

    /// <summary>
    /// <c>z^p</c> as .NET computes it, from <c>|z|</c> and the phase of <c>z</c>. At <c>z = 0</c> .NET gives 0 (1 for
    /// <c>p = 0</c>); there the rule gives the same value as <c>|z|</c> (or 1), whose derivative at 0 is NaN: the power has
    /// no derivative there for <c>Re p ≤ 1</c>, and a 0 would be silently wrong. Its shortcut for <c>p = 0</c> is left out:
    /// the general formula gives the same 1 and keeps the derivative along <c>p</c>, <c>log z</c>.
    /// </summary>
    private static string[] Power(string c, string d) => new[]
    {
        "rho = Hypot(z.Real, z.Imaginary)",
        "if rho == 0",
        $"if {c} == 0 && {d} == 0",
        "result.Real = 1", "result.Imaginary = 0",
        "else",
        "result.Real = rho", "result.Imaginary = rho",
        "end",
        "else",
        "theta = Atan2(z.Imaginary, z.Real)",
        $"angle = {c} * theta + {d} * Log(rho)",
        $"t = Pow(rho, {c}) * Pow(2.718281828459045, -{d} * theta)",
        "result.Real = t * Cos(angle)", "result.Imaginary = t * Sin(angle)",
        "end",
    };

    /// <summary>What to write instead of a member of a System.Numerics struct that has no rule, for BP1013.</summary>
    public static string Advice(ISymbol member, INamedTypeSymbol type) => (type.Name, member.Name) switch
    {
        ("Complex", "Reciprocal") => "write Complex.One / z (Reciprocal gives 0 for 0, where the quotient gives NaN)",
        ("Complex", "Sin" or "Cos" or "Tan" or "Sinh" or "Cosh" or "Tanh" or "Asin" or "Acos" or "Atan" or "Log10" or "Log") =>
            "write it with Complex.Exp, Complex.Log (of one argument), Complex.Sqrt, Complex.Pow and the operators, or with the real and imaginary parts and Math",
        ("Quaternion", "Slerp") => "use Quaternion.Lerp (normalized), or build the rotation with Quaternion.CreateFromAxisAngle from an angle you interpolate",
        ("Quaternion", _) => "build rotations with Quaternion.CreateFromAxisAngle, the constructor and the operators (+ - * /), and use Dot, Length, LengthSquared, Normalize, Conjugate, Inverse, Concatenate or Lerp",
        (_, "Transform" or "TransformNormal") => "transform by a Quaternion (Vector3.Transform(v, q)), or write the matrix product with the vector's X, Y, Z",
        _ when member is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator } => "write it with the members X, Y, Z, W (Real and Imaginary for Complex) and the supported operators",
        _ => "write it with the members X, Y, Z, W (Real and Imaginary for Complex) and Math, or with the supported members listed in docs/contract.md#systemnumerics",
    };
}
