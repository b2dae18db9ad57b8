namespace Backprop;

/// <summary>
/// Excludes a parameter from differentiation. On a floating-point parameter of a
/// <see cref="DifferentiableAttribute"/> method, the generated gradient method takes it as an input but returns
/// no gradient for it. On a parameter of a function that has a <see cref="DerivativeOfAttribute"/> pullback, the
/// pullback takes no gradient for it (e.g. the targets of
/// <see cref="MatrixOps.SoftmaxCrossEntropy{T}(Matrix{T}, Matrix{T})"/>), and generated code passes no gradient
/// back through it. On a field or property of a model (a type with a <see cref="DifferentiableAttribute"/> instance
/// method, or one a model holds), it makes the member a hyperparameter: the model's methods read it, and the
/// generated <c>Gradients</c> type has no member for it.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class NoDerivativeAttribute : Attribute;
