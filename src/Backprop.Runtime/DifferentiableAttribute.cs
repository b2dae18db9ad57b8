namespace Backprop;

/// <summary>
/// Marks a static method of a partial type whose gradient the Backprop source generator emits at
/// compile time. For a method <c>F</c>, the generator adds <c>FGradient</c> to the same type: it takes
/// every original parameter, then one gradient parameter <c>d{name}</c> per differentiable parameter,
/// and returns the value of <c>F</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute;
