namespace Backprop;

/// <summary>
/// Declares the method it marks as the pullback (the reverse-mode derivative rule) of another method, so that
/// <see cref="DifferentiableAttribute"/> code can call that method and the generator chains its gradient. The
/// runtime's matrix operations declare their rules this way, and users write their own the same way, for scalar
/// and matrix functions alike.
/// <para>
/// For <c>R F(P1 p1, …, Pn pn)</c> the pullback is <c>static void</c> and takes, in this order: every parameter of
/// <c>F</c> (same types; the forward arguments), <c>R result</c> (what <c>F</c> returned), <c>R dResult</c> (the
/// gradient of the result), then one gradient per differentiable parameter of <c>F</c>, in order:
/// <c>Matrix&lt;T&gt;? dPi</c> for a matrix, which the pullback overwrites, or skips when it is
/// <see langword="null"/>; <c>out T dPi</c> for a <see cref="float"/> or <see cref="double"/>. Parameters of other
/// types (ints, flags, labels) and parameters marked <see cref="NoDerivativeAttribute"/> are not differentiable.
/// A generic <c>F</c> needs a pullback with the same type parameters. The pullback must not modify its inputs,
/// <c>result</c> or <c>dResult</c>, and the generator never passes a gradient buffer that aliases any of them.
/// </para>
/// <para>
/// For allocation-free steps, a matrix-returning <c>F</c> also has a destination form, <c>void F(P1 p1, …, Pn pn,
/// Matrix&lt;T&gt; destination)</c> (or the method named by <see cref="Into"/>), and its result has the shape of
/// its first matrix argument unless <see cref="Shape"/> names a method <c>(int Rows, int Columns) S(P1 p1, …, Pn pn)</c>
/// that computes it.
/// </para>
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DerivativeOfAttribute : Attribute
{
    /// <summary>The pullback of <paramref name="method"/>, a method of the pullback's own type.</summary>
    public DerivativeOfAttribute(string method) => Method = method;

    /// <summary>
    /// The pullback of <paramref name="method"/> in <paramref name="type"/>; an operator is named by its metadata
    /// name, e.g. <c>[DerivativeOf(typeof(Matrix&lt;&gt;), "op_Addition")]</c>.
    /// </summary>
    public DerivativeOfAttribute(Type type, string method)
    {
        Type = type;
        Method = method;
    }

    /// <summary>The type that declares the differentiated method; <see langword="null"/> for the pullback's own type.</summary>
    public Type? Type { get; }

    /// <summary>The name of the differentiated method.</summary>
    public string Method { get; }

    /// <summary>
    /// The destination form of a matrix-returning method, a method of the pullback's type taking the method's
    /// parameters and then <c>Matrix&lt;T&gt; destination</c>; by default an overload of <see cref="Method"/> with that signature.
    /// </summary>
    public string? Into { get; init; }

    /// <summary>
    /// A method of the pullback's type, taking the method's parameters and returning <c>(int Rows, int Columns)</c>,
    /// that gives the result's shape; by default the result has the shape of the first matrix argument.
    /// </summary>
    public string? Shape { get; init; }
}
