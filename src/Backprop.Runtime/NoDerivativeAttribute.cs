namespace Backprop;

/// <summary>
/// Excludes a floating-point parameter of a <see cref="DifferentiableAttribute"/> method from
/// differentiation: the generated gradient method takes it as an input but returns no gradient for it.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NoDerivativeAttribute : Attribute;
