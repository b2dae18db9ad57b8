namespace Backprop;

/// <summary>
/// Marks a static method of a partial type whose derivatives the Backprop source generator emits at
/// compile time, beside it in the same type; or an instance method of a model (a partial class, record or struct
/// whose fields hold its parameters), whose derivative methods are instance methods differentiating the fields too:
/// the gradient into the model's generated <c>Gradients</c>, the tangent along a direction of that type, the
/// Hessian-vector product (<c>FGradientHessianVector</c> alone) into a product of that type (<c>docs/models.md</c>). For
/// a method <c>F</c>:
/// <list type="bullet">
/// <item><see cref="Derivatives.Gradient"/> (the default): <c>FGradient</c> takes every original parameter,
/// then one gradient parameter <c>d{name}</c> per differentiable parameter, and returns the value of <c>F</c>.</item>
/// <item><see cref="Derivatives.Tangent"/>: <c>FTangent</c> takes every original parameter, then one tangent
/// (a direction) per differentiable parameter, named as the gradient's, and returns the value and the
/// directional derivative.</item>
/// <item><see cref="Derivatives.Hessian"/>: <c>FHessianVector</c>, <c>FHessian</c>, <c>FGradientHessianVector</c> (value,
/// gradient and product at once, what other methods' products call) and <c>FTangent</c>.</item>
/// <item><see cref="Derivatives.Jacobian"/>: <c>FJacobian</c>, for a method returning <c>double[]</c> or <c>float[]</c>.</item>
/// <item><see cref="Derivatives.TrainStep"/>: <c>FTrainStep</c>, for a model's loss: a training step with the optimizer's
/// updates fused into the reverse sweep.</item>
/// </list>
/// For a method returning an array, <see cref="Derivatives.Gradient"/> emits the vector-Jacobian product
/// <c>FVectorJacobian</c> (the result's cotangent <c>dresult</c> comes after the original parameters), and
/// <see cref="Derivatives.Tangent"/>'s derivative is written into a caller-provided buffer <c>dresult</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>Emits the gradient.</summary>
    public DifferentiableAttribute() : this(Derivatives.Gradient)
    {
    }

    /// <summary>Emits the chosen derivatives.</summary>
    public DifferentiableAttribute(Derivatives derivatives) => Derivatives = derivatives;

    /// <summary>Which derivative methods the generator emits.</summary>
    public Derivatives Derivatives { get; }
}

/// <summary>The derivative methods to emit for a <see cref="DifferentiableAttribute"/> method.</summary>
[Flags]
public enum Derivatives
{
    /// <summary>
    /// Reverse mode: <c>FGradient</c>, every partial derivative of a scalar result in one sweep; for an array
    /// result, <c>FVectorJacobian</c>, the cotangent given for the result times the Jacobian, in one sweep.
    /// </summary>
    Gradient = 1,

    /// <summary>Forward mode: <c>FTangent</c>, the derivative along one direction in one sweep.</summary>
    Tangent = 2,

    /// <summary>
    /// Second derivatives, forward over reverse: <c>FHessianVector</c> (the Hessian times a direction: the
    /// gradient's code with each line's tangent beside it, one sweep) and <c>FHessian</c> (the full, symmetric
    /// Hessian, one sweep per input); also <c>FGradientHessianVector</c> and <c>FTangent</c>, which the products of
    /// methods calling this one use.
    /// </summary>
    Hessian = 4,

    /// <summary>
    /// The full Jacobian of a method returning <c>double[]</c> or <c>float[]</c>: <c>FJacobian</c> fills a
    /// <c>double[,]</c>, row i for output i, a column per input (parameters in order, arrays element by element).
    /// It runs one forward sweep per input when there are no more inputs than outputs, else one reverse sweep per output.
    /// </summary>
    Jacobian = 8,

    /// <summary>
    /// For a model's method returning its loss: <c>FTrainStep(p1, …, pn, Optimizer&lt;T&gt; optimizer)</c>, one training
    /// step fused into the reverse sweep. It computes the loss and the gradient of every parameter of the model into
    /// the optimizer's gradients, as <c>FGradient</c> does, and applies the optimizer's update to each parameter as soon
    /// as its gradient is complete, while it is still in cache; the result is the same, bit for bit, as <c>FGradient</c>
    /// followed by <see cref="Training.Optimizer{T}.Step"/>. It returns the loss. The optimizer must be built over the
    /// model (<c>new Adam&lt;float&gt;(model, gradients, …)</c>).
    /// </summary>
    TrainStep = 16,
}
