namespace Backprop;

/// <summary>
/// Declares the method it marks as the tangent rule (the forward-mode derivative, a Jacobian-vector product) of
/// another method: of an operation, for forward mode through matrix methods, or of an operation's
/// <see cref="DerivativeOfAttribute"/> pullback, for Hessian-vector products by forward over reverse. The runtime's
/// matrix operations and their pullbacks declare their tangent rules this way, beside them.
/// <para>
/// <b>Tangent of an operation.</b> For <c>R F(P1 p1, …, Pn pn)</c> the rule is <c>static void</c> and takes, in this
/// order: every parameter of <c>F</c> (same types; the forward arguments), <c>R result</c> (what <c>F</c> returned),
/// then one tangent (direction) per differentiable parameter of <c>F</c>, in order: <c>Matrix&lt;T&gt;? dPi</c> for a
/// matrix, where <see langword="null"/> means a zero direction, so the rule skips that term; <c>T dPi</c> for a
/// <see cref="float"/> or <see cref="double"/> scalar; and last the result's tangent: <c>Matrix&lt;T&gt; dResult</c>
/// for a matrix result, which the rule overwrites (with zeros when every direction is <see langword="null"/>), or
/// <c>out T dResult</c> for a scalar result. The differentiable parameters are those of the pullback convention:
/// matrices and scalars not marked <see cref="NoDerivativeAttribute"/>; geometries, masks, labels and flags get no
/// tangent. The rule is named <c>{F}Tangent</c> as the pullback is named <c>{F}Pullback</c>
/// (<c>[TangentOf(nameof(Relu))] ReluTangent</c>, <c>[TangentOf(typeof(Matrix&lt;&gt;), "op_Addition")]
/// AdditionOperatorTangent</c>).
/// </para>
/// <para>
/// <b>Tangent of a pullback.</b> For a pullback <c>void FPullback(P1 p1, …, Pn pn, R result, R dResult, G1 g1, …)</c>
/// the rule is <c>static void FPullbackTangent</c> and takes, in this order: the pullback's inputs
/// <c>p1, …, pn, result, dResult</c>; the tangent of each differentiable <c>Pi</c>, as above, named
/// <c>{pi}Tangent</c>; <c>resultTangent</c> and <c>dResultTangent</c>, the tangents of <c>result</c> and
/// <c>dResult</c> (<c>Matrix&lt;T&gt;?</c>, <see langword="null"/> for zero, or <c>T</c>); then one output per
/// gradient the pullback writes, in the same order and form, named <c>{gi}Tangent</c>: <c>Matrix&lt;T&gt;?</c>,
/// overwritten (<see langword="null"/> skips it), or <c>out T</c>. Each output is the directional derivative of the
/// pullback's gradient along all the tangents at once. In a pullback the <c>d</c> prefix already names gradients,
/// which is why these tangents are named by a suffix.
/// </para>
/// <para>
/// A generic target needs a rule with the same type parameters. A rule must not modify its inputs,
/// <c>result</c>, <c>dResult</c> (in a pullback's tangent) or the tangents it reads, and allocates nothing in steady
/// state. The generator chains operations' tangents in the forward mode of methods over matrices
/// (<c>Derivatives.Tangent</c>), and pullbacks' tangents beside them in their second derivatives (<c>Derivatives.Hessian</c>).
/// </para>
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TangentOfAttribute : Attribute
{
    /// <summary>The tangent rule of <paramref name="method"/>, a method of the rule's own type.</summary>
    public TangentOfAttribute(string method) => Method = method;

    /// <summary>
    /// The tangent rule of <paramref name="method"/> in <paramref name="type"/>; an operator is named by its metadata
    /// name, e.g. <c>[TangentOf(typeof(Matrix&lt;&gt;), "op_Addition")]</c>.
    /// </summary>
    public TangentOfAttribute(Type type, string method)
    {
        Type = type;
        Method = method;
    }

    /// <summary>The type that declares the differentiated method; <see langword="null"/> for the rule's own type.</summary>
    public Type? Type { get; }

    /// <summary>The name of the differentiated method (an operation or a pullback).</summary>
    public string Method { get; }
}
