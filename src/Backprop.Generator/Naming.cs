using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generator;

/// <summary>
/// The one naming policy of generated code, shared by every stage: the derivative methods of <c>F</c>, the
/// parameters they add (gradients and directions <c>d</c> + name, products <c>h</c> + name), the derivative locals of
/// the bodies, and C# keyword escaping. Parsing reserves these names; differentiation allocates them; emission prints them.
/// </summary>
internal static class Naming
{
    public const string GradientSuffix = "Gradient";
    public const string TangentSuffix = "Tangent";
    public const string HessianVectorSuffix = "HessianVector";
    public const string GradientHessianVectorSuffix = "GradientHessianVector";
    public const string HessianSuffix = "Hessian";
    public const string JacobianSuffix = "Jacobian";
    /// <summary>The reverse mode of a method returning several values (an array, a tuple, a matrix): the cotangent given times its Jacobian.</summary>
    public const string VectorJacobianSuffix = "VectorJacobian";
    /// <summary>The Jacobian's private sweeps: one column (forward mode) or one row (reverse mode) at a time.</summary>
    public const string JacobianColumnSuffix = "JacobianColumn";
    public const string JacobianRowSuffix = "JacobianRow";
    /// <summary>A model's training step, the optimizer's updates fused into the reverse sweep.</summary>
    public const string TrainStepSuffix = "TrainStep";

    /// <summary>The train step's parameter of the optimizer it applies.</summary>
    public const string Optimizer = "optimizer";

    /// <summary>The type the generator writes into a model (a type with <c>[Differentiable]</c> instance methods): its fields' gradients.</summary>
    public const string GradientsType = "Gradients";

    /// <summary>The method that allocates a model's <see cref="GradientsType"/> in the shapes of its fields.</summary>
    public const string GradientsFactory = "For";

    /// <summary>A model method's parameter of its model's <see cref="GradientsType"/>, which the gradient method overwrites.</summary>
    public const string ModelGradients = "gradients";

    /// <summary>A model method's tangent's and Hessian-vector product's parameter of its model's <see cref="GradientsType"/>: the direction of each field.</summary>
    public const string ModelDirection = "direction";

    /// <summary>A model method's Hessian-vector product's parameter of its model's <see cref="GradientsType"/>: the product of each field.</summary>
    public const string ModelProduct = "product";

    /// <summary>
    /// The parameters of its model's <see cref="GradientsType"/> that a model method's derivatives take: the gradients
    /// always, the direction with a tangent or a Hessian-vector product, the product with the latter. No parameter or
    /// local of the method may have these names.
    /// </summary>
    internal static System.Collections.Generic.IEnumerable<string> ModelParameters(Model.DerivativeKinds derivatives)
    {
        yield return ModelGradients;
        if ((derivatives & (Model.DerivativeKinds.Tangent | Model.DerivativeKinds.Hessian)) != 0)
            yield return ModelDirection;
        if ((derivatives & Model.DerivativeKinds.Hessian) != 0)
            yield return ModelProduct;
    }

    /// <summary>The gradient or tangent of an array result, a parameter of the derivative methods.</summary>
    public const string ResultDerivative = "dresult";

    /// <summary><c>FGradient</c>: the reverse-mode gradient of <c>F</c>; the first derivative method a caller looks for.</summary>
    public static string GradientMethod(string method) => method + GradientSuffix;

    /// <summary>The derivative (adjoint or tangent) of a value: <c>d</c> + its name, unescaped (<c>dx</c>, <c>dtotal</c>).</summary>
    public static string Derivative(string name) => "d" + name;

    /// <summary>
    /// A name to make a local's name from: the name itself, or for a model's gradient member (<c>gradients.Hidden.W</c>),
    /// or a direction's or product's member (<c>direction.Hidden.W</c>), its field's path as one identifier (<c>Hidden_W</c>).
    /// </summary>
    public static string Local(string name)
    {
        foreach (string holder in new[] { ModelGradients, ModelDirection, ModelProduct })
        {
            if (name.StartsWith(holder + ".", System.StringComparison.Ordinal))
                return name.Substring(holder.Length + 1).Replace("@", "").Replace('.', '_');
        }
        return name;
    }

    /// <summary>The Hessian-vector product of a parameter: <c>h</c> + its name, unescaped.</summary>
    public static string Product(string name) => "h" + name;

    /// <summary>In forward over reverse, the tangent of a local of the gradient's code along the direction: <c>x_dot</c>.</summary>
    public static string Tangent(string name) => name + "_dot";

    /// <summary>A name as C# spells it: escaped where it is a keyword (<c>do</c> → <c>@do</c>).</summary>
    public static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;
}
